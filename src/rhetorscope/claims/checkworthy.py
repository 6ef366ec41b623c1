"""The check-worthiness model: how likely a fact-checker would check this sentence, in [0, 1].

Three feature blocks, each L2-normalised and scaled by a block weight:

- `w` word 1–2 grams (sub-linear tf-idf) of the name-masked (`rhetorscope.masking.mask`), lower-cased
  sentence, digits folded;
- `e` the multilingual e5 vector of the name-masked sentence: what carries the model to the five
  languages the training debates (English) do not have;
- `c` the claim cues of `cues` (numbers, dates, comparisons, sources, causal/temporal links,
  opinion markers, questions).

Two logistic-regression heads are trained on the same debates: `en` reads all three blocks,
`xx` only e5 and the cues; sentences in other languages than English are scored by `xx`, so an
English vocabulary never decides a Russian sentence. Each head's margin is calibrated (Platt) on
out-of-fold predictions, and the finding threshold is chosen on those too. Prediction needs numpy
and the encoder only; training (`claims.train`) needs scikit-learn.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from rhetorscope.artifacts import pack_strings, unpack_strings
from rhetorscope.claims.cues import CUE_NAMES, cue_hits, cue_label, cue_vector
from rhetorscope.claims.text import checkworthy_text
from rhetorscope.encoder import Encoder, load_encoder, remembered
from rhetorscope.errors import RhetorscopeError
from rhetorscope.masking import PLACEHOLDER

ARTIFACT_NAME = "checkworthy.npz"
HEADS = ("en", "xx")
_WORD_RE = re.compile(r"\w+")
_DIGIT_RE = re.compile(r"\d")
_BATCH = 256
_RARE_IDF = 4.5
"""Words shown as evidence are at most this common (idf 4.5: in about one training sentence in 80)."""


def word_terms(text: str) -> Counter[str]:
    """Word unigrams and bigrams of a masked sentence, lower-cased, digits folded to 0."""
    words = _WORD_RE.findall(_DIGIT_RE.sub("0", text.lower()))
    terms = Counter(words)
    terms.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    return terms


def sparse_triplets(docs: Sequence[Counter[str]], vocab: dict[str, int],
                    idf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, values) of sub-linear tf-idf rows, each L2-normalised: training builds a sparse
    matrix from them, prediction a dense one per small batch."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    weights = idf.tolist()  # Python floats: indexing a numpy array per term cost more than the arithmetic
    for i, doc in enumerate(docs):
        hit = [(k, (1.0 + _log(c)) * weights[k]) for t, c in doc.items() if (k := vocab.get(t)) is not None]
        norm = float(np.sqrt(sum(v * v for _, v in hit))) or 1.0
        for j, v in hit:
            rows.append(i)
            cols.append(j)
            vals.append(v / norm)
    return (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64),
            np.asarray(vals, dtype=np.float32))


@lru_cache(maxsize=256)
def _log(count: int) -> float:
    """`np.log` of a term count, once per count: counts are small integers that recur in every sentence."""
    return float(np.log(count))


def sparse_block(docs: Sequence[Counter[str]], vocab: dict[str, int], idf: np.ndarray) -> np.ndarray:
    """The dense form of `sparse_triplets` for a small batch."""
    rows, cols, vals = sparse_triplets(docs, vocab, idf)
    out = np.zeros((len(docs), len(vocab)), dtype=np.float32)
    out[rows, cols] = vals
    return out


def cue_block(texts: Sequence[str]) -> np.ndarray:
    """The cue rows, L2-normalised like the other blocks."""
    rows = np.asarray([cue_vector(t) for t in texts], dtype=np.float32).reshape(len(texts), len(CUE_NAMES))
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class Features:
    """The three blocks of a batch of sentences, already scaled by their block weights."""

    words: np.ndarray
    vectors: np.ndarray
    cues: np.ndarray

    def matrix(self, head: str) -> np.ndarray:
        blocks = (self.words, self.vectors, self.cues) if head == "en" else (self.vectors, self.cues)
        return np.hstack(blocks)


@dataclass
class Scored:
    """One sentence's score, whether it is a claim, and why."""

    score: float
    is_claim: bool
    evidence: list[str] = field(default_factory=list)


@dataclass
class CheckworthyModel:
    """The shipped artifact: vocabulary, idf, block weights, two heads with their calibration."""

    terms: list[str]
    idf: np.ndarray
    block_weights: dict[str, float]
    coef: dict[str, np.ndarray]
    intercept: dict[str, float]
    platt: dict[str, tuple[float, float]]
    threshold: float
    meta: dict[str, Any]

    def __post_init__(self) -> None:
        self.vocab = {t: i for i, t in enumerate(self.terms)}

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unknown"))

    def features(self, texts: Sequence[str], vectors: np.ndarray) -> Features:
        """Blocks for masked sentences `texts` whose encoder rows are `vectors`."""
        bw = self.block_weights
        return Features(words=sparse_block([word_terms(t) for t in texts], self.vocab, self.idf) * bw["w"],
                        vectors=np.asarray(vectors, dtype=np.float32) * bw["e"],
                        cues=cue_block(texts) * bw["c"])

    def margins(self, feats: Features, head: str) -> np.ndarray:
        return feats.matrix(head) @ self.coef[head] + self.intercept[head]

    def probability(self, margins: np.ndarray, head: str) -> np.ndarray:
        a, b = self.platt[head]
        return 1.0 / (1.0 + np.exp(-(a * margins + b)))

    def score(self, sentences: Sequence[str], languages: Sequence[str | None] | None = None,
              encoder: Encoder | None = None, evidence: bool = False) -> list[Scored]:
        """Score raw sentences; `languages` picks the head per sentence (English or unknown: `en`)."""
        langs = list(languages) if languages is not None else ["en"] * len(sentences)
        texts = [checkworthy_text(s, lang or "en") for s, lang in zip(sentences, langs, strict=True)]
        return self.score_texts(texts, langs, encoder, evidence)

    def score_texts(self, texts: Sequence[str], languages: Sequence[str | None], encoder: Encoder | None = None,
                    evidence: bool = False) -> list[Scored]:
        """`score` of sentences already in the form `checkworthy_text` gives them."""
        if not texts:
            return []
        vectors = remembered(encoder or load_encoder(self.meta.get("encoder_spec", "e5")), list(texts))
        return self.score_encoded(texts, vectors, languages, evidence)

    def unencoded_margins(self, texts: Sequence[str], languages: Sequence[str | None]) -> np.ndarray:
        """Each sentence's margin without its encoder block (words and cues only, no encoding); `texts`
        as `checkworthy_text` gives them.

        It ranks the sentences of a document too long to encode whole, so that the encoder's
        budget goes to those most likely to be claims.
        """
        english = np.array([lang in (None, "en") for lang in languages], dtype=bool)
        bw, n_words = self.block_weights, len(self.terms)
        cues = cue_block(texts) * bw["c"]
        out = np.where(english, cues @ self.coef["en"][-len(CUE_NAMES):] + self.intercept["en"],
                       cues @ self.coef["xx"][-len(CUE_NAMES):] + self.intercept["xx"])
        # the word block is sparse: its dot with the weights is summed per row without a dense matrix
        rows, cols, vals = sparse_triplets([word_terms(t) for t in texts], self.vocab, self.idf)
        words = np.bincount(rows, weights=vals * bw["w"] * self.coef["en"][:n_words][cols], minlength=len(texts))
        return (out + np.where(english, words, 0.0)).astype(np.float32)

    def score_encoded(self, texts: Sequence[str], vectors: np.ndarray,
                      languages: Sequence[str | None] | None = None, evidence: bool = False) -> list[Scored]:
        """Score masked sentences whose encoder rows are known, in batches (the word block is dense)."""
        langs = list(languages) if languages is not None else ["en"] * len(texts)
        heads = ["en" if lang in (None, "en") else "xx" for lang in langs]
        out: list[Scored] = []
        for start in range(0, len(texts), _BATCH):
            stop = start + _BATCH
            feats = self.features(texts[start:stop], vectors[start:stop])
            probs = {h: self.probability(self.margins(feats, h), h) for h in set(heads[start:stop])}
            for i, head in enumerate(heads[start:stop]):
                p = float(probs[head][i])
                why = self.explain(texts[start + i], feats, i, head) if evidence else []
                out.append(Scored(p, p >= self.threshold, why))
        return out

    def explain(self, text: str, feats: Features, row: int, head: str, top: int = 3) -> list[str]:
        """Evidence lines: the cues, words and sentence meaning that pushed this sentence up."""
        lines: list[str] = []
        coef = self.coef[head]
        n_words = len(self.terms) if head == "en" else 0
        n_vec = feats.vectors.shape[1]
        cue_part = feats.cues[row] * coef[n_words + n_vec :]
        hits = cue_hits(text)
        for j in np.argsort(-cue_part):
            name = CUE_NAMES[j]
            if cue_part[j] <= 0.05 or name not in hits:
                continue
            forms = ", ".join(f'"{h}"' for h in hits[name])
            lines.append(f"{cue_label(name)}: {forms} (+{cue_part[j]:.2f})")
        if head == "en":
            word_part = feats.words[row] * coef[:n_words]
            # only the sentence's own terms can pass 0.05: sorting those, not the whole vocabulary
            strong = np.flatnonzero(word_part > 0.05)
            best = [int(j) for j in strong[np.argsort(-word_part[strong], kind="stable")][: top * 4]
                    if self.idf[j] >= _RARE_IDF and "0" not in self.terms[j] and PLACEHOLDER not in self.terms[j]]
            best = best[:top]
            if best:
                words = ", ".join(f'"{self.terms[j]}"' for j in best)
                lines.append(f"words fact-checkers checked: {words} (+{word_part[best].sum():.2f})")
        sem = float(feats.vectors[row] @ coef[n_words : n_words + n_vec])
        if sem > 0.05:
            lines.append(f"meaning close to checked claims (multilingual encoder, +{sem:.2f})")
        return lines

    def save(self, path: Path) -> None:
        """Write the artifact: float16 weights, the vocabulary as one UTF-8 blob, metadata as JSON."""
        meta = {**self.meta, "block_weights": self.block_weights, "intercept": self.intercept,
                "platt": self.platt, "threshold": self.threshold}
        np.savez_compressed(
            path,
            terms=pack_strings(self.terms),
            idf=self.idf.astype(np.float16),
            **{f"coef_{h}": self.coef[h].astype(np.float16) for h in HEADS},
            meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
        )

    @classmethod
    def load(cls, path: Path) -> CheckworthyModel:
        """Read an artifact written by `save`."""
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(z["meta"].tobytes().decode("utf-8"))
                return cls(
                    terms=unpack_strings(z["terms"]),
                    idf=z["idf"].astype(np.float32),
                    block_weights=meta.pop("block_weights"),
                    coef={h: z[f"coef_{h}"].astype(np.float32) for h in HEADS},
                    intercept=meta.pop("intercept"),
                    platt={h: (float(a), float(b)) for h, (a, b) in meta.pop("platt").items()},
                    threshold=float(meta.pop("threshold")),
                    meta=meta,
                )
        except (OSError, KeyError, ValueError) as exc:
            raise RhetorscopeError(f"cannot read check-worthiness model {path}: {exc}",
                                   "rebuild it with `rhetorscope train checkworthy`") from exc


def shipped_artifact() -> Path:
    """Where the trained check-worthiness model ships inside the package."""
    return Path(str(files("rhetorscope.claims") / "data" / ARTIFACT_NAME))


@lru_cache(maxsize=4)
def load_model(path: Path | None = None) -> CheckworthyModel:
    """The shipped model (or one at `path`), loaded once per process."""
    target = path or shipped_artifact()
    if not target.is_file():
        raise RhetorscopeError(f"no check-worthiness model at {target}",
                               "train one with `rhetorscope train checkworthy --data DIR --out DIR`")
    return CheckworthyModel.load(target)
