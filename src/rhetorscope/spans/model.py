"""The span tagger artifact: loading, tagging and turning token marginals into spans.

The model is a stack of linear-chain CRF layers (python-crfsuite), each tagging
one group of PTC techniques with an IO scheme. Groups are chosen so that
techniques that often overlap (Loaded_Language inside Doubt, Name_Calling
inside Exaggeration) sit in different layers; inside a layer a token is in a
technique's span when that technique's marginal probability reaches the
layer's tuned threshold (for sentence-level techniques: when a token of the
sentence does, and then the whole sentence is the span), so overlapping spans
of different techniques are representable everywhere. Thresholds below 0.5
trade precision for recall, which the partial-overlap metric rewards; they are
tuned on cross-validated predictions at training time and stored in the artifact.

An artifact is a folder: `spans.json` (version, layers, labels, thresholds,
metrics) plus one gzipped `<layer>.crfsuite.gz` file per layer, `clusters.tsv.gz`
(the word clusters its features use), `sentences.npz` (the sentence re-scorer,
`rescore`: it moves each sentence's marginals towards a sentence-level
judgement before decoding) and `weights.json.gz` (positive state-feature
weights, read only to explain a finding).
"""

from __future__ import annotations

import gzip
import json
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from rhetorscope.classify.actors import PLACEHOLDER
from rhetorscope.errors import RhetorscopeError
from rhetorscope.spans.features import TokenSequence, TypeFeatures, featurize
from rhetorscope.spans.ptc import LabeledSpan
from rhetorscope.spans.rescore import SentenceRescorer, sentence_units
from rhetorscope.wordclusters import WordClusters

META_FILE = "spans.json"
WEIGHTS_FILE = "weights.json.gz"
OUTSIDE = "O"
UNINFORMATIVE = ("b", "BOL", "EOL", "title", "dv=", "de=", "dm=", "sp=", "se=", "slen=", "sneg=", "sh=", "-1sh=",
                 "+1sh=")
"""Feature prefixes too generic to show a reader as evidence (bias, position, document-wide levels)."""


_LEXICON_NAMES = {"actor": "named actor", "we": "first-person plural (we/our)",
                  "they": "third-person plural (they/their)", "cliche": "cliché", "whatabout": "whataboutism cue"}
_ACTOR = "a named actor (country, leader, organisation or party)"
_POSITION = {"": "", "-1": "after ", "+1": "before ", "-2": "two words after ", "+2": "two words before "}


def _lexicon_class(code: str) -> str:
    if code.startswith("vd"):  # VADER valence bucket: vdn3 … vdp3
        return f"{'negative' if code[2] == 'n' else 'positive'} sentiment (strength {code[3:]})"
    return _LEXICON_NAMES.get(code, code)


def describe_feature(name: str, clusters: WordClusters | None = None) -> str:
    """A CRF feature in words a reader can check against the text (`w=foolish` -> the word "foolish")."""
    key, _, value = name.partition("=")
    where = key[:2] if key[:2] in ("-1", "+1", "-2", "+2") else ""
    kind = key[len(where):]
    position = _POSITION[where]
    if kind == "cl" and clusters is not None:
        return f"{position}a word like {clusters.describe(value)}"
    if (kind, value) in (("w", PLACEHOLDER), ("lx", "actor")):
        return f"{position}{_ACTOR}"
    if kind == "w":
        return f'{position}the word "{value}"' if position else f'the word "{value}"'
    if kind in ("bg-", "bg+"):
        return f'the words "{value.replace("|", " ").replace(PLACEHOLDER, "<actor>")}"'
    if kind == "lx":
        return f"{position}a word of the {_lexicon_class(value)} lexicon".strip()
    if kind == "sx":
        return f"a sentence with {_lexicon_class(value)} words"
    if kind == "s3":
        return f'a word ending in "-{value}"'
    if kind == "p4":
        return f'a word starting with "{value}-"'
    return name


@dataclass(frozen=True)
class PredictedSpan:
    """A tagged fragment: `text[start:end]`, its PTC label and mean marginal probability."""

    start: int
    end: int
    label: str
    confidence: float
    evidence: tuple[str, ...] = ()

    def labeled(self) -> LabeledSpan:
        return LabeledSpan(self.start, self.end, self.label)


def decode(
    sequence: TokenSequence, probabilities: list[float], threshold: float, label: str, unit: str
) -> list[PredictedSpan]:
    """Spans of one technique in one sequence.

    `unit="token"`: maximal runs of tokens whose probability reaches the
    threshold, confidence the run's mean. `unit="sentence"`: the whole sentence
    when its most probable token reaches it, confidence that maximum; for
    techniques that are argued over a whole sentence (Doubt, Appeal to fear …)
    the annotated fragment is usually most of it, while token marginals are
    patchy.
    """
    spans: list[PredictedSpan] = []
    if unit == "sentence":
        for first, last in sequence.sentences:
            best = max(probabilities[first:last])
            if best >= threshold:
                spans.append(PredictedSpan(sequence.starts[first], sequence.ends[last - 1], label, round(best, 4)))
        return spans
    first = -1
    for i, p in enumerate([*probabilities, -1.0]):
        if p >= threshold and first < 0:
            first = i
        elif p < threshold and first >= 0:
            confidence = sum(probabilities[first:i]) / (i - first)
            spans.append(PredictedSpan(sequence.starts[first], sequence.ends[i - 1], label, round(confidence, 4)))
            first = -1
    return spans


def decode_all(
    sequences: list[TokenSequence], marginals: dict[str, list[list[float]]], layers: list[dict[str, Any]]
) -> list[PredictedSpan]:
    """Every technique's spans in a text, from per-token marginals and the layers' thresholds and units."""
    spans = [
        span
        for layer in layers
        for label in layer["labels"]
        for sequence, probabilities in zip(sequences, marginals[label], strict=True)
        for span in decode(sequence, probabilities, layer["threshold"], label, layer["unit"])
    ]
    return sorted(spans, key=lambda s: (s.start, s.end, s.label))


class SpanModel:
    """A loaded artifact; `predict` tags a text, `sequence_marginals` feeds threshold tuning."""

    def __init__(self, meta: dict[str, Any], models: dict[str, bytes], directory: Path | None = None,
                 clusters: WordClusters | None = None, rescorer: SentenceRescorer | None = None) -> None:
        import pycrfsuite

        self.meta = meta
        self.directory = directory
        self.clusters = clusters
        self.rescorer = rescorer
        self.type_features = TypeFeatures(clusters)
        # crfsuite reads the model in place: the bytes must live as long as the taggers
        self._models = models
        self.taggers = {}
        for name, data in models.items():
            tagger = pycrfsuite.Tagger()
            tagger.open_inmemory(data)
            self.taggers[name] = tagger
        self._weight_table: dict[str, dict[str, float]] | None = None

    @property
    def version(self) -> str:
        return str(self.meta["version"])

    @property
    def layers(self) -> list[dict[str, Any]]:
        return list(self.meta["layers"])

    @classmethod
    def load(cls, directory: Path) -> SpanModel:
        """Open an artifact folder; raises RhetorscopeError when it is missing or incomplete."""
        directory = Path(directory)
        meta_path = directory / META_FILE
        if not meta_path.is_file():
            raise RhetorscopeError(f"no span model at {directory}", "run `rhetorscope train spans` first")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        models = {layer["name"]: gzip.decompress((directory / layer["file"]).read_bytes()) for layer in meta["layers"]}
        clusters = WordClusters.load(directory / meta["clusters"]) if meta.get("clusters") else None
        rescorer = SentenceRescorer.load(directory / meta["rescorer"]) if meta.get("rescorer") else None
        return cls(meta, models, directory, clusters, rescorer)

    def featurize(self, text: str) -> list[TokenSequence]:
        """Token sequences with the features this model was trained on (word clusters included)."""
        return featurize(text, self.type_features)

    def sequence_marginals(self, sequences: list[TokenSequence]) -> dict[str, list[list[float]]]:
        """For every technique of every layer, per sequence, the probability of each token (re-scored, if the
        artifact has a sentence re-scorer)."""
        return self._marginals(sequences)[0]

    def _marginals(
        self, sequences: list[TokenSequence]
    ) -> tuple[dict[str, list[list[float]]], np.ndarray | None]:
        """Token probabilities and, with a re-scorer, each sentence's probability of holding a technique."""
        marginals = self.crf_marginals(sequences)
        if self.rescorer is None:
            return marginals, None
        return self.rescorer.rescore(sequences, marginals, self.layers)

    def crf_marginals(self, sequences: list[TokenSequence]) -> dict[str, list[list[float]]]:
        """The CRF layers' own marginals, before sentence re-scoring."""
        import pycrfsuite

        out: dict[str, list[list[float]]] = {label: [] for layer in self.layers for label in layer["labels"]}
        for sequence in sequences:
            items = pycrfsuite.ItemSequence(sequence.features)
            for layer in self.layers:
                tagger = self.taggers[layer["name"]]
                tagger.set(items)
                n = len(sequence.starts)
                known = set(tagger.labels())
                marginal = tagger.marginal
                for label in layer["labels"]:
                    # a technique absent from the training data is never predicted
                    out[label].append([marginal(label, i) for i in range(n)] if label in known else [0.0] * n)
        return out

    def predict(self, text: str, *, explain: bool = False) -> list[PredictedSpan]:
        """Technique spans of `text`, sorted by position; `explain` adds the strongest features and, with a
        re-scorer, how likely the span's sentence as a whole is to hold a technique."""
        sequences = self.featurize(text)
        marginals, sentence_probabilities = self._marginals(sequences)
        spans = decode_all(sequences, marginals, self.layers)
        if not explain:
            return spans
        starts = [start for sequence in sequences for start in sequence.starts]
        features = [f for sequence in sequences for f in sequence.features]
        sentence_starts = [sequences[s].starts[first] for s, first, _ in sentence_units(sequences)]
        explained = []
        for span in spans:
            first, last = bisect_left(starts, span.start), bisect_left(starts, span.end)
            evidence = self.top_features(span.label, [f for fs in features[first:last] for f in fs])
            if sentence_probabilities is not None:
                sentence = sentence_probabilities[bisect_right(sentence_starts, span.start) - 1]
                evidence = (*evidence, f"whole sentence: {sentence:.2f} (sentence re-scorer)")
            explained.append(PredictedSpan(span.start, span.end, span.label, span.confidence, evidence))
        return explained

    def top_features(self, label: str, features: list[str], k: int = 3) -> tuple[str, ...]:
        """The features with the largest summed weight towards `label` in a span: why it was tagged."""
        weights = self._weights().get(label, {})
        totals: dict[str, float] = {}
        for feature in features:
            if feature.startswith(UNINFORMATIVE):
                continue
            weight = weights.get(feature)
            if weight is not None:
                totals[feature] = totals.get(feature, 0.0) + weight
        best = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return tuple(f"{describe_feature(name, self.clusters)} (+{weight:.2f})" for name, weight in best)

    def _weights(self) -> dict[str, dict[str, float]]:
        if self._weight_table is None:
            path = self.directory / WEIGHTS_FILE if self.directory else None
            self._weight_table = json.loads(gzip.decompress(path.read_bytes())) if path and path.is_file() else {}
        return self._weight_table


def default_model_dir() -> Path:
    """The artifact shipped inside the package."""
    return Path(str(resources.files("rhetorscope.spans") / "artifact"))


@lru_cache(maxsize=1)
def load_default() -> SpanModel:
    """The shipped span model, loaded once per process."""
    return SpanModel.load(default_model_dir())
