"""Sentence re-scoring: a second opinion on which sentences carry a technique.

The CRF layers judge a token by its neighbours two words away; whether a
sentence argues or reports is a property of all of its words. Most of the
tagger's remaining error is choosing the wrong sentences (with the right
sentences chosen by an oracle, span-identification F1 goes from 0.38 to 0.65),
so a sentence-level view is where accuracy is.

Two small linear models give it:

- the *text model*: logistic regression on the TF-IDF bag of a sentence's terms
  (the same masked words, bigrams, e5 word clusters and lexicon classes the CRF
  reads, collected while the features are built: `TokenSequence.terms`);
- the *combiner*: logistic regression over the text model's logit, the CRF's
  best marginal in the sentence per layer, the sentence length and where the
  line sits in the text (title, position), giving the probability that the
  sentence holds any technique.

Every token marginal of the sentence, in every layer, is then moved towards
that probability in logit space by `SHIFT` of the gap between it and the CRF's
own best marginal: a sentence the combiner trusts more than the CRF gets its
tokens raised, one it trusts less gets them lowered, and the CRF still decides
which tokens and which technique. Scikit-learn fits both models at training
time; tagging needs only numpy and the exported weights (`sentences.npz`, read
with `allow_pickle=False`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from itertools import chain, pairwise
from pathlib import Path
from typing import Any

import numpy as np

from rhetorscope.spans.features import TokenSequence
from rhetorscope.spans.ptc import LabeledSpan

SHIFT = 0.6
"""Share of the logit gap closed (5-fold CV on PTC: 0.4 -> span F1 0.404, 0.6 -> 0.413, 1.0 -> 0.404)."""
TEXT_C = 1.0
_EPS = 1e-6

Unit = tuple[int, int, int]
"""A sentence: (index of its line sequence, first token, end token)."""


def sentence_units(sequences: Sequence[TokenSequence]) -> list[Unit]:
    return [(s, first, last) for s, sequence in enumerate(sequences) for first, last in sequence.sentences]


def sentence_documents(sequences: Sequence[TokenSequence]) -> list[list[str]]:
    """Each sentence's bag of terms: its tokens' words, lexicon classes, clusters and bigrams."""
    return [[t for token in sequences[s].terms[first:last] for t in token]
            for s, first, last in sentence_units(sequences)]


def sentence_labels(sequences: Sequence[TokenSequence], spans: Sequence[LabeledSpan]) -> list[int]:
    """1 for a sentence that any gold span touches, else 0."""
    labels = []
    for s, first, last in sentence_units(sequences):
        start, end = sequences[s].starts[first], sequences[s].ends[last - 1]
        labels.append(int(any(span.start < end and span.end > start for span in spans)))
    return labels


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


class _Grid:
    """A text's marginals as one labels x tokens array, with the flat index of each sequence and sentence."""

    def __init__(self, sequences: Sequence[TokenSequence], marginals: dict[str, list[list[float]]]) -> None:
        self.labels = list(marginals)
        lengths = [len(sequence.starts) for sequence in sequences]
        total = sum(lengths)
        self.table = np.empty((len(self.labels), total))
        for j, label in enumerate(self.labels):
            self.table[j] = np.fromiter(chain.from_iterable(marginals[label]), float, count=total)
        self.offsets = np.cumsum([0, *lengths]).tolist()
        units = sentence_units(sequences)
        self.lines = np.array([s for s, _, _ in units], dtype=float)
        self.bounds = np.array([self.offsets[s] + first for s, first, _ in units], dtype=np.intp)
        self.sizes = np.array([last - first for _, first, last in units], dtype=np.intp)

    def sentence_best(self, labels: Sequence[str] | None = None) -> np.ndarray:
        """Per sentence, the highest marginal of any token for any of `labels` (all labels when None)."""
        rows = self.table if labels is None else self.table[[self.labels.index(label) for label in labels]]
        return np.maximum.reduceat(rows.max(axis=0), self.bounds)

    def inputs(self, layers: Sequence[dict[str, Any]], text_probabilities: np.ndarray) -> np.ndarray:
        """One row per sentence: CRF best marginal per layer (logit), text model logit, log length, title, position."""
        best = [_logit(self.sentence_best(layer["labels"])) for layer in layers]
        position = self.lines / max(len(self.offsets) - 2, 1)
        return np.column_stack([*best, _logit(text_probabilities), np.log(self.sizes), self.lines == 0, position])

    def shifted(self, probabilities: np.ndarray, shift: float) -> dict[str, list[list[float]]]:
        gap = shift * (_logit(probabilities) - _logit(self.sentence_best()))
        adjusted = 1.0 / (1.0 + np.exp(-(_logit(self.table) + np.repeat(gap, self.sizes))))
        out = {}
        for j, label in enumerate(self.labels):
            row = adjusted[j].tolist()
            out[label] = [row[start:end] for start, end in pairwise(self.offsets)]
        return out


class TextModel:
    """The exported text model: term -> (idf, weight) and an intercept."""

    def __init__(self, terms: dict[str, tuple[float, float]], intercept: float) -> None:
        self.terms = terms
        self.intercept = intercept

    def probabilities(self, documents: Sequence[list[str]]) -> np.ndarray:
        """Probability per sentence: sublinear TF-IDF, l2-normed, dot the weights (as scikit-learn computes it)."""
        out = np.empty(len(documents))
        lookup = self.terms.get
        for k, document in enumerate(documents):
            dot = norm = 0.0
            for term, count in Counter(document).items():
                entry = lookup(term)
                if entry is not None:
                    value = entry[0] if count == 1 else (1.0 + math.log(count)) * entry[0]
                    dot += value * entry[1]
                    norm += value * value
            z = self.intercept + (dot / math.sqrt(norm) if norm else 0.0)
            out[k] = 1.0 / (1.0 + math.exp(-z))
        return out

    def inputs(
        self, sequences: Sequence[TokenSequence], marginals: dict[str, list[list[float]]],
        layers: Sequence[dict[str, Any]],
    ) -> np.ndarray:
        """The combiner's input rows for a text."""
        return _Grid(sequences, marginals).inputs(layers, self.probabilities(sentence_documents(sequences)))


class SentenceRescorer:
    """Text model, combiner and shift: `rescore` returns the adjusted marginals of a text."""

    def __init__(self, text: TextModel, combiner_coef: np.ndarray, combiner_intercept: float,
                 shift: float = SHIFT) -> None:
        self.text = text
        self.combiner_coef = combiner_coef
        self.combiner_intercept = combiner_intercept
        self.shift = shift

    def rescore(
        self, sequences: Sequence[TokenSequence], marginals: dict[str, list[list[float]]],
        layers: Sequence[dict[str, Any]],
    ) -> tuple[dict[str, list[list[float]]], np.ndarray]:
        """The adjusted marginals, and the probability per sentence (in `sentence_units` order) they moved to."""
        if not sequences:
            return marginals, np.empty(0)
        grid = _Grid(sequences, marginals)
        probabilities = combine(grid.inputs(layers, self.text.probabilities(sentence_documents(sequences))),
                                self.combiner_coef, self.combiner_intercept)
        return grid.shifted(probabilities, self.shift), probabilities

    def arrays(self) -> dict[str, np.ndarray]:
        """Everything the re-scorer is, as named arrays (what `save` writes; the trainer hashes them)."""
        terms = sorted(self.text.terms)
        return {
            "terms": np.array(terms), "idf": np.array([self.text.terms[t][0] for t in terms]),
            "coef": np.array([self.text.terms[t][1] for t in terms]), "text_intercept": np.array(self.text.intercept),
            "combiner_coef": np.asarray(self.combiner_coef, dtype=float),
            "combiner_intercept": np.array(self.combiner_intercept), "shift": np.array(self.shift),
        }

    def save(self, path: Path) -> None:
        with open(path, "wb") as handle:
            np.savez_compressed(handle, **self.arrays())

    @classmethod
    def load(cls, path: Path) -> SentenceRescorer:
        with np.load(path, allow_pickle=False) as data:
            entries = zip(data["idf"].tolist(), data["coef"].tolist(), strict=True)
            text = TextModel(dict(zip(data["terms"].tolist(), entries, strict=True)), float(data["text_intercept"]))
            return cls(text, data["combiner_coef"].astype(float), float(data["combiner_intercept"]),
                       float(data["shift"]))


def combine(inputs: np.ndarray, coef: np.ndarray, intercept: float) -> np.ndarray:
    """The combiner: probability per sentence that it holds a technique."""
    return 1.0 / (1.0 + np.exp(-(inputs @ coef + intercept)))


def shift_marginals(
    sequences: Sequence[TokenSequence], marginals: dict[str, list[list[float]]], probabilities: np.ndarray,
    shift: float,
) -> dict[str, list[list[float]]]:
    """Move each sentence's token marginals, in logit space, `shift` of the way from the CRF's best to the target."""
    return _Grid(sequences, marginals).shifted(probabilities, shift) if sequences else marginals


def fit_text_model(documents: Sequence[list[str]], labels: Sequence[int]) -> TextModel:
    """Fit the text model with scikit-learn (the `train` extra) and export it as term -> (idf, weight)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=_identity, min_df=2, sublinear_tf=True)
    matrix = vectorizer.fit_transform(documents)
    model = LogisticRegression(C=TEXT_C, max_iter=3000).fit(matrix, labels)
    idf, coef = vectorizer.idf_, model.coef_[0]
    terms = {term: (float(idf[i]), float(coef[i])) for term, i in vectorizer.vocabulary_.items()}
    return TextModel(terms, float(model.intercept_[0]))


def fit_combiner(inputs: np.ndarray, labels: Sequence[int]) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=1000).fit(inputs, labels)
    return model.coef_[0].astype(float), float(model.intercept_[0])


def _identity(document: list[str]) -> list[str]:
    return document
