"""The lexical sentence model: which words a sentence uses, weighed per technique.

The encoder reads a sentence as a whole; loaded words and labels ("thugs", "лжецы") are often
better caught by the words themselves. This model scores each masked sentence from sub-linear
tf-idf features (word 1-2 grams and character 3-5 grams inside words, for the inflected
languages), one logistic regression per technique. It is the whole of the fast tier, and the accurate
tier adds its logits to the encoder network's. Its evidence is the words that raise the score,
only those rarer than the commonest tenth of the vocabulary, so a stop-word is never quoted.

Prediction needs numpy only: the artifact holds the vocabulary, idf and float16 weights.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
EVIDENCE_MIN_IDF_QUANTILE = 0.1
"""Words among the commonest tenth of the vocabulary (by document frequency) are never evidence."""


def tokens(masked: str) -> Counter[str]:
    """Namespaced tokens of one masked sentence: `w|` word 1-2 grams, `c|` character 3-5 grams."""
    text = _DIGIT.sub("0", masked.lower())
    words = _WORD.findall(text)
    out: list[str] = [f"w|{w}" for w in words]
    out.extend(f"w|{a} {b}" for a, b in itertools.pairwise(words))
    for w in words:
        out.extend(_char_grams(w))
    return Counter(out)


@lru_cache(maxsize=1 << 14)
def _char_grams(word: str) -> tuple[str, ...]:
    """The `c|` 3-5 grams of one word, shortest first: a text uses the same words again and again, and
    building every word's grams anew was most of the cost of scoring a long document. The commonest
    16,384 words (a few MB) cover nearly every token."""
    padded = f" {word} "
    return tuple(f"c|{padded[i : i + n]}" for n in (3, 4, 5) for i in range(len(padded) - n + 1))


@dataclass
class LexicalModel:
    """Linear model per technique over tf-idf features; `vocab` maps a token to its column."""

    vocab: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray
    """(n tokens, n techniques)."""
    intercept: np.ndarray

    def rows(self, masked: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(columns, weights) of each sentence's known tokens. Weights are sub-linear tf-idf divided by
        the norm over all its tokens, an unknown token counting with the idf of the rarest known one,
        so dropping tokens from the vocabulary to save space leaves the others' weights nearly as trained."""
        return [self.weights(tokens(text)) for text in masked]

    @cached_property
    def _rare_idf(self) -> float:
        return float(self.idf.max()) if len(self.idf) else 1.0

    def weights(self, counts: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        """(columns, weights) of one sentence's token counts, as `rows` describes."""
        # a sentence has hundreds of tokens: look them all up in one pass at C speed, then split
        column = np.fromiter(map(self.vocab.get, counts, itertools.repeat(-1)), dtype=np.int64, count=len(counts))
        times = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        known = column >= 0
        cols, unknown = column[known], times[~known]
        w = (1.0 + np.log(times[known])) * self.idf[cols]
        norm = float(np.sqrt((w**2).sum() + (((1.0 + np.log(unknown)) * self._rare_idf) ** 2).sum())) if counts else 1.0
        return cols, (w / max(norm, 1e-9)).astype(np.float32)

    def logits(self, masked: Sequence[str]) -> np.ndarray:
        """One row of technique logits per sentence; each sentence's row is dropped once added, so a long
        document never holds the rows of all its sentences at once."""
        out = np.tile(self.intercept.astype(np.float32), (len(masked), 1))
        coef = self._coef32
        for i, text in enumerate(masked):
            cols, w = self.weights(tokens(text))
            if len(cols):
                out[i] += w @ coef[cols]
        return out

    @cached_property
    def _coef32(self) -> np.ndarray:
        """The weights as float32 once, rather than converting each sentence's rows on every call."""
        return self.coef.astype(np.float32)

    @cached_property
    def _names(self) -> list[str]:
        return sorted(self.vocab, key=self.vocab.__getitem__)

    @cached_property
    def _evidence_floor(self) -> float:
        return float(np.quantile(self.idf, EVIDENCE_MIN_IDF_QUANTILE)) if len(self.idf) else 0.0

    def words_for(self, row: tuple[np.ndarray, np.ndarray], j: int, limit: int = 3) -> list[tuple[str, float]]:
        """The words of a sentence (its `rows` entry) that raise technique `j` most, with their share of the logit."""
        cols, w = row
        weight = w * self._coef32[cols, j]
        keep = self._quotable[cols] & (weight > 0)
        scored = [(self._names[c][2:], v) for c, v in zip(cols[keep].tolist(), weight[keep].tolist(), strict=True)]
        return sorted(scored, key=lambda x: -x[1])[:limit]

    @cached_property
    def _quotable(self) -> np.ndarray:
        """Per column, whether its token may be quoted as evidence: a word (not a character gram) rarer
        than the evidence floor. Known once, so a sentence's evidence only visits the tokens that pass."""
        words = np.fromiter((name.startswith("w|") for name in self._names), dtype=bool, count=len(self._names))
        return words & (self.idf.astype(np.float64) > self._evidence_floor)


def fit(masked: Sequence[str], y: np.ndarray, min_df: int = 2, c: float = 4.0, keep: int = 150_000) -> LexicalModel:
    """Fit the vocabulary, idf and one L2 logistic regression per technique (scikit-learn, liblinear);
    only the `keep` tokens with the largest weights are kept, to bound the artifact's size."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    counted = [tokens(t) for t in masked]
    df: Counter[str] = Counter()
    for counts in counted:
        df.update(counts.keys())
    vocab = {t: i for i, t in enumerate(sorted(t for t, n in df.items() if n >= min_df))}
    idf = np.log((1 + len(masked)) / (1 + np.array([df[t] for t in vocab], dtype=np.float64))) + 1.0
    model = LexicalModel(vocab, idf.astype(np.float32), np.zeros((len(vocab), y.shape[1]), np.float32),
                         np.zeros(y.shape[1], np.float32))
    indptr, indices, data = [0], [], []
    for cols, w in (model.weights(counts) for counts in counted):
        indices.extend(cols.tolist())
        data.extend(w.tolist())
        indptr.append(len(indices))
    x = sp.csr_matrix((data, indices, indptr), shape=(len(masked), len(vocab)), dtype=np.float64)
    coef = np.zeros((len(vocab), y.shape[1]), dtype=np.float32)
    intercept = np.full(y.shape[1], -10.0, dtype=np.float32)
    for j in range(y.shape[1]):
        if 0 < y[:, j].sum() < len(y):
            lr = LogisticRegression(C=c, solver="liblinear", max_iter=200, random_state=0).fit(x, y[:, j])
            coef[:, j], intercept[j] = lr.coef_[0], lr.intercept_[0]
    order = np.argsort(-np.abs(coef).max(axis=1), kind="stable")[:keep]
    order.sort()
    names = sorted(vocab, key=vocab.__getitem__)
    return LexicalModel({names[c]: k for k, c in enumerate(order)}, model.idf[order], coef[order], intercept)
