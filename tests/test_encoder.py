"""The encoder interface: the default e5 from its wheel, and a user's ONNX export loaded from a folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rhetorscope.encoder import E5Encoder, Encoder, EncoderUnavailable, OnnxEncoder, load_encoder


def _tiny_onnx_model(folder: Path, dim: int = 8) -> None:
    """A two-node transformer stand-in (embedding lookup, tanh) and a word-level tokenizer, as
    `optimum-cli export onnx` would leave them: model.onnx and tokenizer.json."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[PAD]": 0, "[UNK]": 1, "passage": 2, "query": 3, ":": 8, "war": 4, "peace": 5, "is": 6, "good": 7}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.save(str(folder / "tokenizer.json"))
    table = np.random.default_rng(0).normal(size=(len(vocab), dim)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], ["emb"]),
         helper.make_node("Tanh", ["emb"], ["last_hidden_state"])],
        "tiny",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", dim])],
        [numpy_helper.from_array(table, "table")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(folder / "model.onnx"))


def test_onnx_encoder_loads_a_folder_and_mean_pools(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    _tiny_onnx_model(tmp_path)
    enc = load_encoder(f"onnx:{tmp_path}")
    assert isinstance(enc, Encoder) and enc.dim == 8
    rows = enc.encode(["war is good", "peace is good", "war is good"])
    assert rows.shape == (3, 8) and rows.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(rows[0], rows[2])
    assert not np.allclose(rows[0], rows[1])
    assert not np.allclose(enc.encode(["war"], kind="query"), enc.encode(["war"], kind="passage"))
    assert enc.encode([]).shape == (0, 8)


def test_onnx_encoder_refuses_a_folder_without_a_model(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    with pytest.raises(EncoderUnavailable, match=r"model\.onnx"):
        OnnxEncoder(str(tmp_path))


def test_unknown_encoder_spec_is_a_clear_error() -> None:
    with pytest.raises(EncoderUnavailable, match="unknown encoder"):
        load_encoder("bert-base")


def test_default_encoder_is_multilingual_and_offline() -> None:
    enc = E5Encoder()
    rows = enc.encode(["The war must end.", "Война должна закончиться.", "Il pleut à Paris."])
    assert rows.shape == (3, 384)
    assert rows[0] @ rows[1] > rows[0] @ rows[2]


def test_remembered_rows_are_encoded_once_per_encoder_and_kind() -> None:
    """The technique and claim models read the same masked sentences: the second reader encodes nothing."""
    from rhetorscope.encoder import remembered

    class Counting:
        name, dim = "counting-test", 3

        def __init__(self) -> None:
            self.seen: list[tuple[str, str]] = []

        def encode(self, texts: list[str], kind: str = "passage") -> np.ndarray:
            self.seen += [(kind, t) for t in texts]
            return np.asarray([[len(t), kind == "query", 1.0] for t in texts], dtype=np.float32)

    enc = Counting()
    first = remembered(enc, ["a cat", "a dog", "a cat"])  # type: ignore[arg-type]
    again = remembered(enc, ["a dog", "a cat"])  # type: ignore[arg-type]
    query = remembered(enc, ["a cat"], "query")  # type: ignore[arg-type]
    assert enc.seen == [("passage", "a cat"), ("passage", "a dog"), ("query", "a cat")]
    assert first.tolist() == [[5, 0, 1], [5, 0, 1], [5, 0, 1]] and again.shape == (2, 3) and query[0, 1] == 1
    assert remembered(enc, []).shape == (0, 3)  # type: ignore[arg-type]
