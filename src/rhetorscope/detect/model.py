"""The sentence technique model as a small numpy artifact: load, score sentences, aggregate, explain.

A one-hidden-layer network over the rows of `rhetorscope.detect.features` gives every sentence a
probability for each of the 23 techniques. A segment (a line, a paragraph, a post) gets, for each
technique, the highest probability of its sentences: one sentence per line and the same sentence
inside a paragraph then agree by construction, and the paragraph's evidence is the sentence that
carries it. Thresholds are per language and technique, tuned on out-of-fold segment scores of all
three segmentations at once (`rhetorscope.detect.train`).

Prediction needs numpy only; the artifact is one `.npz` read with `allow_pickle=False`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from rhetorscope.errors import RhetorscopeError
from rhetorscope.masking import LANGS

ARTIFACT_NAME = "sentences.npz"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


@dataclass
class SentenceModel:
    """ReLU network: rows -> hidden -> one logit per technique, with per-language thresholds."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    thresholds: np.ndarray
    """(len(LANGS), len(labels)) decision thresholds on a segment's best sentence probability."""
    labels: list[str]
    meta: dict[str, Any]

    def logits(self, rows: np.ndarray) -> np.ndarray:
        hidden = np.maximum(rows.astype(np.float32) @ self.w1 + self.b1, 0.0)
        return hidden @ self.w2 + self.b2

    def proba(self, rows: np.ndarray) -> np.ndarray:
        """(n sentences, n techniques) probabilities."""
        return _sigmoid(self.logits(rows))

    def threshold(self, lang: str | None) -> np.ndarray:
        return self.thresholds[LANGS.index(lang) if lang in LANGS else 0]

    @property
    def version(self) -> str:
        digest = hashlib.sha256(self.w2.tobytes() + self.thresholds.tobytes()).hexdigest()[:8]
        return f"{self.meta.get('model_version', '2.0')}+{digest}"

    @property
    def encoder(self) -> str:
        return str(self.meta.get("encoder", ""))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(
            tmp, w1=self.w1.astype(np.float16), b1=self.b1.astype(np.float32), w2=self.w2.astype(np.float32),
            b2=self.b2.astype(np.float32), thresholds=self.thresholds.astype(np.float32),
            labels=np.array(self.labels), meta=np.array(json.dumps(self.meta, sort_keys=True)),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> SentenceModel:
        try:
            with np.load(path, allow_pickle=False) as z:
                return cls(w1=z["w1"].astype(np.float32), b1=z["b1"], w2=z["w2"], b2=z["b2"],
                           thresholds=z["thresholds"], labels=[str(x) for x in z["labels"]],
                           meta=json.loads(str(z["meta"])))
        except (OSError, KeyError, ValueError) as exc:
            raise RhetorscopeError(f"cannot read the sentence model {path}: {exc}",
                                   "rebuild it with `rhetorscope train sentences`") from exc


def aggregate(proba: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Each segment's score per technique: the best of its sentences (zeros for a segment without any)."""
    out = np.zeros((len(groups), proba.shape[1]), dtype=np.float32)
    for k, idx in enumerate(groups):
        if len(idx):
            out[k] = proba[list(idx)].max(axis=0)
    return out


def shipped_artifact() -> Path:
    return Path(str(resources.files("rhetorscope.detect") / "data" / ARTIFACT_NAME))


@lru_cache(maxsize=2)
def load_model(path: Path | None = None) -> SentenceModel:
    return SentenceModel.load(path or shipped_artifact())
