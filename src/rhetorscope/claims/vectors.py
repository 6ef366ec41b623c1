"""Encoding with an optional on-disk cache keyed by encoder, kind and text.

Embedding ten thousand fact-checks or sixteen thousand debate sentences with e5 takes minutes on a
laptop; training, cross-validation and the benchmarks ask for the same vectors again and again, so
they pass a cache file and pay once (`rhetorscope.encoder.CachedEncoder`, shared with the technique
models' training). A cache never changes a result: a row is the encoder's output for exactly that text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rhetorscope.encoder import CachedEncoder, Encoder, Kind


def encode_cached(encoder: Encoder, texts: Sequence[str], kind: Kind = "passage",
                  cache: Path | None = None) -> np.ndarray:
    """One L2-normalised float32 row per text; rows already in `cache` are read, new ones added to it."""
    if cache is None:
        return encoder.encode(list(texts), kind)
    cached = CachedEncoder(encoder, cache)
    try:
        return cached.encode(list(texts), kind)
    finally:
        cached.save()
