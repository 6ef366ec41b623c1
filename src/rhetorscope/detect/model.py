"""The sentence technique model as a small numpy artifact: load, score sentences, aggregate, explain.

An encoder network and a lexical model (see `SentenceModel`) give every sentence a probability for
each of the 23 techniques. A segment (a line, a paragraph, a post) gets, for each
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

from rhetorscope.artifacts import pack_strings, unpack_strings
from rhetorscope.detect.features import SentenceInput, document_rows, embed
from rhetorscope.detect.lexical import LexicalModel
from rhetorscope.encoder import Encoder
from rhetorscope.errors import RhetorscopeError
from rhetorscope.masking import LANGS

ARTIFACT_NAME = "sentences.npz"
FAST_ARTIFACT_NAME = "sentences-fast.npz"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


@dataclass
class Calibration:
    """What a segment's score means: the probability that the segment carries the technique.

    A segment's score is its best sentence's probability, which is not the probability that the segment
    carries the technique: a paragraph of five sentences has five chances, and sentence-level base rates
    are low, so raw scores understate how often a finding is right (on out-of-fold paragraphs, findings
    scored 0.15 were right 27 % of the time). Per technique, a logistic regression on the logit of the
    score, the log of the number of sentences and the language, fitted on the out-of-fold segments of all
    three segmentations, maps the score to that probability. It is monotone in the score for a given
    segment length and language, so it changes what a finding's confidence says, never which findings
    are made (thresholds apply to the score).
    """

    weights: np.ndarray
    """(labels, 2 + len(LANGS)): logit of the score, log of the sentences, one column per language."""
    bias: np.ndarray
    """(labels,)"""

    @staticmethod
    def features(score: np.ndarray, sentences: np.ndarray, lang: Sequence[str]) -> np.ndarray:
        """(segments, labels, 2 + len(LANGS)) inputs of the regression for each segment and technique."""
        score = np.atleast_2d(score)
        n, labels = score.shape
        x = np.zeros((n, labels, 2 + len(LANGS)), dtype=np.float32)
        x[:, :, 0] = _logit(score)
        x[:, :, 1] = np.log(np.maximum(np.asarray(sentences, dtype=np.float32), 1.0))[:, None]
        for r, code in enumerate(lang):
            if code in LANGS:
                x[r, :, 2 + LANGS.index(code)] = 1.0
        return x

    def __call__(self, score: np.ndarray, sentences: np.ndarray, lang: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, the shape of `score` (segments, labels)."""
        x = self.features(score, sentences, lang)
        return _sigmoid(np.einsum("slf,lf->sl", x, self.weights) + self.bias).astype(np.float32)


@dataclass
class SentenceModel:
    """Per-sentence technique scores from an encoder network, a lexical model, or both blended.

    The network is a ReLU layer over the rows of `rhetorscope.detect.features` (encoder embeddings
    of the sentence and its context, cues, language); the lexical model reads the sentence's words
    (`rhetorscope.detect.lexical`). The accurate tier blends their logits, `(1 - blend) * network
    + blend * lexical`; the fast tier is the lexical model alone.
    """

    thresholds: np.ndarray
    """(len(LANGS), len(labels)) decision thresholds on a segment's best sentence probability."""
    labels: list[str]
    meta: dict[str, Any]
    network: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    lexical: LexicalModel | None = None
    blend: float = 1.0
    calibration: Calibration | None = None

    @property
    def needs_encoder(self) -> bool:
        return self.network is not None

    def rows(self, inputs: Sequence[SentenceInput], encoder: Encoder | None) -> np.ndarray | None:
        """The network's input rows for one document's sentences; None for a model without a network."""
        if self.network is None:
            return None
        if encoder is None:
            raise ValueError("the accurate tier needs an encoder")
        return document_rows(inputs, embed(inputs, encoder))

    def network_logits(self, rows: np.ndarray) -> np.ndarray:
        if self.network is None:
            raise ValueError("this model has no encoder network")
        w1, b1, w2, b2 = self.network
        hidden = np.maximum(rows.astype(np.float32) @ w1 + b1, 0.0)
        return hidden @ w2 + b2

    def logits(self, rows: np.ndarray | None, masked: Sequence[str], lexical: np.ndarray | None = None) -> np.ndarray:
        """Blended logits; `lexical` may pass the lexical logits when they are already computed."""
        parts = []
        if self.network is not None and rows is not None:
            parts.append((1.0 - self.blend if self.lexical is not None else 1.0) * self.network_logits(rows))
        if self.lexical is not None:
            lex = self.lexical.logits(masked) if lexical is None else lexical
            parts.append((self.blend if self.network is not None else 1.0) * lex)
        return np.sum(parts, axis=0)

    def proba(self, rows: np.ndarray | None, masked: Sequence[str], lexical: np.ndarray | None = None) -> np.ndarray:
        """(n sentences, n techniques) probabilities."""
        return _sigmoid(self.logits(rows, masked, lexical))

    def threshold(self, lang: str | None) -> np.ndarray:
        return self.thresholds[LANGS.index(lang) if lang in LANGS else 0]

    def confidence(self, score: np.ndarray, sentences: int, lang: str | None) -> np.ndarray:
        """What a segment of `sentences` sentences whose best scores are `score` (one per label) is worth
        as a probability (`Calibration`); the score itself for a model trained without one."""
        if self.calibration is None:
            return np.asarray(score, dtype=np.float32)
        return self.calibration(np.asarray(score)[None, :], np.array([sentences]), [lang or ""])[0]

    @property
    def version(self) -> str:
        h = hashlib.sha256(self.thresholds.tobytes())
        if self.network is not None:
            h.update(self.network[2].astype(np.float32).tobytes())
        if self.lexical is not None:
            h.update(self.lexical.coef[:4096].astype(np.float16).tobytes())
        if self.calibration is not None:
            h.update(self.calibration.weights.astype(np.float32).tobytes())
        return f"{self.meta.get('model_version', '2.0')}+{h.hexdigest()[:8]}"

    @property
    def encoder(self) -> str:
        return str(self.meta.get("encoder", ""))

    def save(self, path: Path, with_lexical: bool = True) -> None:
        """Write the artifact; without `with_lexical` the lexical model is left to the fast tier's file
        beside it (`FAST_ARTIFACT_NAME`), which `load` then reads, so it ships once."""
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {
            "thresholds": self.thresholds.astype(np.float32), "labels": np.array(self.labels),
            "meta": np.array(json.dumps(self.meta, sort_keys=True)), "blend": np.array(self.blend, np.float64),
        }
        if self.network is not None:
            w1, b1, w2, b2 = self.network
            arrays.update(w1=w1.astype(np.float16), b1=b1.astype(np.float32), w2=w2.astype(np.float32),
                          b2=b2.astype(np.float32))
        if self.calibration is not None:
            arrays.update(cal_w=self.calibration.weights.astype(np.float32),
                          cal_b=self.calibration.bias.astype(np.float32))
        if self.lexical is not None and with_lexical:
            lex = self.lexical
            arrays.update(vocab=pack_strings(sorted(lex.vocab, key=lex.vocab.__getitem__)),
                          idf=lex.idf.astype(np.float32),
                          coef=lex.coef.astype(np.float16), intercept=lex.intercept.astype(np.float32))
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, **arrays)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> SentenceModel:
        try:
            with np.load(path, allow_pickle=False) as z:
                network = ((z["w1"].astype(np.float32), z["b1"], z["w2"], z["b2"]) if "w1" in z.files else None)
                vocab = unpack_strings(z["vocab"]) if "vocab" in z.files else None
                lexical = (LexicalModel(dict(zip(vocab, range(len(vocab)), strict=True)), z["idf"], z["coef"],
                                        z["intercept"]) if vocab is not None else None)
                meta = json.loads(str(z["meta"]))
                calibration = Calibration(z["cal_w"], z["cal_b"]) if "cal_w" in z.files else None
                if lexical is None and meta.get("lexical_in") and path.name != meta["lexical_in"]:
                    lexical = cls.load(path.with_name(meta["lexical_in"])).lexical
                return cls(thresholds=z["thresholds"], labels=[str(x) for x in z["labels"]], meta=meta,
                           network=network, lexical=lexical, blend=float(z["blend"]), calibration=calibration)
        except (OSError, KeyError, ValueError) as exc:
            raise RhetorscopeError(f"cannot read the technique model {path}: {exc}",
                                   "rebuild it with `rhetorscope train sentences`") from exc


def aggregate(proba: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Each segment's score per technique: the best of its sentences (zeros for a segment without any)."""
    out = np.zeros((len(groups), proba.shape[1]), dtype=np.float32)
    for k, idx in enumerate(groups):
        if len(idx):
            out[k] = proba[list(idx)].max(axis=0)
    return out


def shipped_artifact(fast: bool = False) -> Path:
    name = FAST_ARTIFACT_NAME if fast else ARTIFACT_NAME
    return Path(str(resources.files("rhetorscope.detect") / "data" / name))


@lru_cache(maxsize=4)
def load_model(path: Path | None = None, fast: bool = False) -> SentenceModel:
    return SentenceModel.load(path or shipped_artifact(fast))
