"""Train the span tagger: CRF layers, article-level cross-validation, threshold tuning, artifact.

`train_artifact` is what `rhetorscope train spans` runs: it cross-validates on
the PTC articles (extra corpora only ever join the CRF's training folds, so the
metrics stay comparable to the task), fits the sentence re-scorer's combiner on
the out-of-fold predictions (`rescore`), tunes one probability threshold per
layer on the re-scored out-of-fold marginals, fits the final models on
everything and writes the artifact with its model card. Everything is deterministic for a
given seed: folds come from a seeded shuffle of the sorted article ids, and
crfsuite's L-BFGS has no randomness of its own.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rhetorscope import __version__
from rhetorscope.classify.actors import is_actor
from rhetorscope.spans.features import FEATURES_VERSION, PLAIN, TOKEN_RE, TokenSequence, TypeFeatures, featurize
from rhetorscope.spans.lexicon import LEXICON, LEXICON_VERSION, valence
from rhetorscope.spans.model import META_FILE, OUTSIDE, WEIGHTS_FILE, SpanModel, decode_all
from rhetorscope.spans.ptc import Article, LabeledSpan, SpanScores, format_scores, score_spans
from rhetorscope.spans.rescore import (
    SHIFT,
    SentenceRescorer,
    TextModel,
    combine,
    fit_combiner,
    fit_text_model,
    sentence_documents,
    sentence_labels,
    shift_marginals,
)
from rhetorscope.wordclusters import ENCODER, WordClusters, build

LAYERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("loaded", "token", ("Loaded_Language",)),
    ("word", "token", (
        "Name_Calling,Labeling", "Repetition", "Exaggeration,Minimisation", "Flag-Waving",
        "Slogans", "Thought-terminating_Cliches",
    )),
    ("sentence", "sentence", (
        "Doubt", "Appeal_to_fear-prejudice", "Causal_Oversimplification", "Appeal_to_Authority",
        "Black-and-White_Fallacy", "Whataboutism,Straw_Men,Red_Herring", "Bandwagon,Reductio_ad_hitlerum",
    )),
)
"""(name, decoding unit, techniques): one CRF each; techniques that often overlap sit in different layers."""

CRF_PARAMS: dict[str, Any] = {
    "c1": 0.1,
    "c2": 0.3,
    "max_iterations": 80,
    "feature.minfreq": 2,
    "feature.possible_transitions": True,
}
THRESHOLD_GRID: dict[str, tuple[float, ...]] = {
    "token": (0.03, 0.05, 0.08, 0.12, 0.16, 0.2, 0.25),
    "sentence": (0.1, 0.2, 0.3, 0.4, 0.5),
}
START_THRESHOLD: dict[str, float] = {"token": 0.12, "sentence": 0.3}
CLUSTER_SIZES = (128, 512, 2048)
CLUSTERS_FILE = "clusters.tsv.gz"
RESCORER_FILE = "sentences.npz"

Progress = Callable[[str, int], None]
"""Called with a step description and how many steps it completes."""


@dataclass
class Example:
    """An article with its features, per-layer labels and sentence labels computed once, reused by every fold."""

    article: Article
    sequences: list[TokenSequence]
    labels: dict[str, list[list[str]]]
    sentence_labels: list[int]
    """Per sentence (`rescore.sentence_units` order), 1 when a gold span touches it: the re-scorer's target."""


@dataclass
class CVResult:
    """Out-of-fold evaluation: scores at the tuned thresholds and tagging speed."""

    folds: int
    thresholds: dict[str, float]
    scores: SpanScores
    articles_per_second: float
    kilobytes_per_second: float
    combiner: tuple[np.ndarray, float]
    """The re-scorer's combiner fitted on every out-of-fold sentence: what the final artifact ships."""
    extra_training_articles: int = 0
    fold_sizes: list[int] = field(default_factory=list)


def vocabulary(articles: Sequence[Article]) -> list[str]:
    """Words to cluster, most frequent first: those seen twice in the texts, and every lexicon word.

    Actor names are left out: features mask them (see `features`)."""
    counts: Counter[str] = Counter()
    for article in articles:
        counts.update(m.group().lower() for m in TOKEN_RE.finditer(article.text)
                      if m.group()[0].isalpha() and not is_actor(m.group()))
    lexicon = {w for w in (*LEXICON, *valence()) if w.isalpha() and not is_actor(w)}
    return sorted({w for w, n in counts.items() if n >= 2} | lexicon, key=lambda w: (-counts[w], w))


def word_clusters(articles: Sequence[Article], seed: int, progress: Progress) -> WordClusters:
    """The e5 word clusters of the training texts' vocabulary (labels play no part)."""
    return build(vocabulary(articles), CLUSTER_SIZES, seed, lambda step, n: progress(step, 0))


def prepare(articles: Sequence[Article], type_features: TypeFeatures = PLAIN) -> list[Example]:
    examples = []
    for article in articles:
        sequences = featurize(article.text, type_features)
        labels = {name: [token_labels(s, article.spans, group) for s in sequences] for name, _, group in LAYERS}
        examples.append(Example(article, sequences, labels, sentence_labels(sequences, article.spans)))
    return examples


def token_labels(sequence: TokenSequence, spans: Sequence[LabeledSpan], labels: Sequence[str]) -> list[str]:
    """IO labels of one layer: a token takes the label of the shortest of its layer's spans it touches."""
    out = [OUTSIDE] * len(sequence.starts)
    relevant = sorted((s for s in spans if s.label in labels), key=lambda s: s.end - s.start, reverse=True)
    for span in relevant:
        for i, (start, end) in enumerate(zip(sequence.starts, sequence.ends, strict=True)):
            if start < span.end and end > span.start:
                out[i] = span.label
    return out


def train_layer(examples: Sequence[Example], layer: str) -> bytes:
    """Fit one CRF layer and return the crfsuite model file's bytes."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for example in examples:
        for sequence, labels in zip(example.sequences, example.labels[layer], strict=True):
            trainer.append(pycrfsuite.ItemSequence(sequence.features), labels)
    trainer.set_params(CRF_PARAMS)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "layer.crfsuite")
        trainer.train(path)
        return Path(path).read_bytes()


def fit_text(examples: Sequence[Example]) -> TextModel:
    """The re-scorer's text model, on PTC sentences only: one-sentence meme texts, half of them persuasive,
    would skew what a news sentence looks like (CV: span F1 0.409 with them, 0.412 without)."""
    documents: list[list[str]] = []
    labels: list[int] = []
    for example in examples:
        documents += sentence_documents(example.sequences)
        labels += example.sentence_labels
    return fit_text_model(documents, labels)


def fit(examples: Sequence[Example], progress: Progress) -> dict[str, bytes]:
    """Train every layer; returns layer name -> model bytes (thresholds are stored by the caller)."""
    models = {}
    for name, _, _ in LAYERS:
        progress(f"layer {name}", 0)
        models[name] = train_layer(examples, name)
        progress(f"layer {name}", 1)
    return models


def artifact_meta(version: str, thresholds: dict[str, float]) -> dict[str, Any]:
    """The `spans.json` content for `LAYERS`: files, decoding units, labels and per-layer thresholds."""
    return {
        "version": version,
        "features": FEATURES_VERSION,
        "lexicon": LEXICON_VERSION,
        "layers": [
            {"name": name, "file": f"{name}.crfsuite.gz", "unit": unit, "labels": list(labels),
             "threshold": thresholds.get(name, START_THRESHOLD[unit])}
            for name, unit, labels in LAYERS
        ],
    }


def _predictions(
    examples: Sequence[Example], marginals: list[dict[str, list[list[float]]]], thresholds: dict[str, float]
) -> dict[str, list[LabeledSpan]]:
    layers = artifact_meta("", thresholds)["layers"]
    return {
        example.article.id: [span.labeled() for span in decode_all(example.sequences, per_label, layers)]
        for example, per_label in zip(examples, marginals, strict=True)
    }


def tune_thresholds(
    examples: Sequence[Example], marginals: list[dict[str, list[list[float]]]], progress: Progress
) -> dict[str, float]:
    """One threshold per layer maximising span-identification F1 + technique-aware F1 on out-of-fold marginals.

    Coordinate ascent over a small grid, two passes: per-technique thresholds
    overfit the rare techniques, one number per layer does not.
    """
    gold = {e.article.id: e.article.spans for e in examples}

    def objective(thresholds: dict[str, float]) -> float:
        scores = score_spans(_predictions(examples, marginals, thresholds), gold)
        return scores.span_identification.f1 + scores.technique.f1

    thresholds = {name: START_THRESHOLD[unit] for name, unit, _ in LAYERS}
    for _ in range(2):
        for name, unit, _ in LAYERS:
            progress(f"tuning threshold of layer {name}", 0)
            best = max(THRESHOLD_GRID[unit], key=lambda t: (objective({**thresholds, name: t}), -t))
            thresholds[name] = best
    return thresholds


def folds_of(examples: Sequence[Example], k: int, seed: int) -> list[list[int]]:
    """Article-level folds: a seeded shuffle of the examples sorted by id, dealt round-robin."""
    order = sorted(range(len(examples)), key=lambda i: examples[i].article.id)
    random.Random(seed).shuffle(order)
    return [sorted(order[f::k]) for f in range(k)]


def cross_validate(
    examples: Sequence[Example], extra: Sequence[Example], k: int, seed: int, progress: Progress,
    clusters: WordClusters | None = None,
) -> CVResult:
    """Article-level k-fold CV on `examples` (featurized with `clusters`); `extra` examples join every CRF
    training fold.

    Per fold: CRF layers and the re-scorer's text model are fitted on the other
    folds and tag the held-out articles. Then, per fold again, the combiner is
    fitted on the other folds' out-of-fold sentences and re-scores the held-out
    ones, so no article is scored by a model that saw it.
    """
    crf: list[dict[str, list[list[float]]]] = [{} for _ in examples]
    inputs: list[np.ndarray] = [np.empty(0) for _ in examples]
    layers = artifact_meta("cv", {})["layers"]
    tag_seconds = 0.0
    folds = folds_of(examples, k, seed)
    for f, held_out in enumerate(folds):
        held = set(held_out)
        train = [e for i, e in enumerate(examples) if i not in held]
        label = f"fold {f + 1}/{k}"
        models = fit([*train, *extra], lambda step, n, label=label: progress(f"{label}: {step}", n))
        text = fit_text(train)
        model = SpanModel(artifact_meta("cv", {}), models, clusters=clusters)
        started = time.process_time()  # CPU seconds: the machine may be shared, the tagger is single-threaded
        for i in held_out:
            sequences = model.featurize(examples[i].article.text)
            crf[i] = model.crf_marginals(sequences)
            inputs[i] = text.inputs(sequences, crf[i], layers)
        tag_seconds += time.process_time() - started
    marginals: list[dict[str, list[list[float]]]] = [{} for _ in examples]
    for held_out in folds:
        held = set(held_out)
        others = [i for i in range(len(examples)) if i not in held]
        coef, intercept = fit_combiner(np.vstack([inputs[i] for i in others]),
                                       [y for i in others for y in examples[i].sentence_labels])
        started = time.process_time()
        for i in held_out:
            marginals[i] = shift_marginals(examples[i].sequences, crf[i], combine(inputs[i], coef, intercept), SHIFT)
        tag_seconds += time.process_time() - started
    combiner = fit_combiner(np.vstack(inputs), [y for e in examples for y in e.sentence_labels])
    thresholds = tune_thresholds(examples, marginals, progress)
    gold = {e.article.id: e.article.spans for e in examples}
    scores = score_spans(_predictions(examples, marginals, thresholds), gold)
    kilobytes = sum(len(e.article.text.encode("utf-8")) for e in examples) / 1000
    return CVResult(k, thresholds, scores, len(examples) / tag_seconds, kilobytes / tag_seconds, combiner,
                    len(extra), [len(f) for f in folds])


def layer_weights(models: dict[str, bytes]) -> dict[str, dict[str, float]]:
    """Positive state-feature weights per technique, kept to explain findings."""
    import pycrfsuite

    weights: dict[str, dict[str, float]] = {}
    for data in models.values():
        tagger = pycrfsuite.Tagger()
        tagger.open_inmemory(data)
        for (attribute, label), weight in tagger.info().state_features.items():
            if label != OUTSIDE and weight > 0:
                weights.setdefault(label, {})[attribute] = round(weight, 3)
    return {label: dict(sorted(table.items())) for label, table in sorted(weights.items())}


def train_artifact(
    data_dirs: Sequence[Path], out: Path, seed: int, folds: int, progress: Progress,
    on_total: Callable[[int], None] = lambda total: None,
) -> tuple[Path, CVResult]:
    """Cross-validate, tune thresholds, fit on all data and write the artifact with its model card."""
    from rhetorscope.spans.ptc import read_span_dataset

    ptc: list[Article] = []
    extra: list[Article] = []
    sources = []
    for directory in data_dirs:
        articles = read_span_dataset(directory)
        is_ptc = (Path(directory) / "train-articles").is_dir()
        (ptc if is_ptc else extra).extend(articles)
        sources.append(f"{Path(directory).name} ({len(articles)} texts{'' if is_ptc else ', training only'})")
    if not ptc:
        from rhetorscope.errors import RhetorscopeError

        raise RhetorscopeError("no PTC folder among --data", "cross-validation needs the PTC articles")
    on_total(len(LAYERS) * (folds + 1))
    clusters = word_clusters([*ptc, *extra], seed, progress)
    types = TypeFeatures(clusters)
    examples, extra_examples = prepare(ptc, types), prepare(extra, types)
    result = cross_validate(examples, extra_examples, folds, seed, progress, clusters)
    models = fit([*examples, *extra_examples], progress)
    rescorer = SentenceRescorer(fit_text(examples), *result.combiner)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    clusters.save(out / CLUSTERS_FILE)
    rescorer.save(out / RESCORER_FILE)
    digest = hashlib.sha256()
    for name in sorted(models):
        digest.update(models[name])
    digest.update(json.dumps(result.thresholds, sort_keys=True).encode())
    digest.update((out / CLUSTERS_FILE).read_bytes())
    for name, array in sorted(rescorer.arrays().items()):
        digest.update(name.encode() + array.tobytes())
    version = f"{__version__}+en.{digest.hexdigest()[:8]}"
    for name, data in models.items():
        (out / f"{name}.crfsuite.gz").write_bytes(gzip.compress(data, mtime=0))
    (out / WEIGHTS_FILE).write_bytes(
        gzip.compress(json.dumps(layer_weights(models), separators=(",", ":")).encode(), mtime=0)
    )
    meta = artifact_meta(version, result.thresholds)
    meta["clusters"] = CLUSTERS_FILE
    meta["rescorer"] = RESCORER_FILE
    meta["cv"] = cv_summary(result)
    meta["data"] = sources
    meta["seed"] = seed
    (out / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (out / "MODEL_CARD.md").write_text(model_card(meta, result, clusters), encoding="utf-8")
    return out, result


def cv_summary(result: CVResult) -> dict[str, Any]:
    def prf(p: Any) -> dict[str, float]:
        return {"precision": round(p.precision, 4), "recall": round(p.recall, 4), "f1": round(p.f1, 4)}

    return {
        "folds": result.folds,
        "span_identification": prf(result.scores.span_identification),
        "technique": prf(result.scores.technique),
        "per_technique_f1": {k: round(v.f1, 4) for k, v in result.scores.per_technique.items()},
        "articles_per_second": round(result.articles_per_second, 1),
    }


def format_table(result: CVResult) -> str:
    """The CV results as a plain-text table (printed by the benchmark and copied into the model card)."""
    return (
        f"{format_scores(result.scores)}\n\n"
        f"layer thresholds: {', '.join(f'{name} {t}' for name, t in result.thresholds.items())}\n"
        f"tagging speed (features + CRF, CPU time of one core): {result.articles_per_second:.1f} articles/s, "
        f"{result.kilobytes_per_second:.1f} KB/s"
    )


def model_card(meta: dict[str, Any], result: CVResult, clusters: WordClusters) -> str:
    """A short model card: what the model is, what it was trained on and how well it does."""
    layers = "; ".join(
        f"{layer['name']} ({layer['unit']} spans, threshold {layer['threshold']}): {', '.join(layer['labels'])}"
        for layer in meta["layers"]
    )
    return f"""# rhetorscope span tagger {meta['version']}

Marks the words that carry a persuasion technique, with the 14 labels of the
Propaganda Techniques Corpus (SemEval-2020 Task 11); `rhetorscope analyze` maps
them to the SemEval-2023 taxonomy.

- Built: {dt.date.today().isoformat()} by `rhetorscope train spans` (rhetorscope {__version__}, seed {meta['seed']})
- Data: {'; '.join(meta['data'])}
- Model: {len(meta['layers'])} linear-chain CRF layers (python-crfsuite, L-BFGS, {json.dumps(CRF_PARAMS)}),
  IO labels per technique group: {layers}.
  A token is inside a technique's span when its marginal probability reaches the layer's threshold
  (sentence layer: the whole sentence is the span when one of its tokens does); thresholds are
  tuned on out-of-fold predictions to maximise span-identification F1 + technique-aware F1.
- Features (v{meta['features']}, lexicon {meta['lexicon']}): lowercase word, shape, 3-letter suffix,
  4-letter prefix, all-caps, hand-made lexicon classes (emotion, intensifier, fear, nation, we/they,
  doubt, authority, causal, absolute, cliché, whataboutism) and VADER valence buckets for the token
  and its neighbours, words at ±1 and ±2, bigrams, position in the sentence, sentence length,
  lexicon classes, negative words, `!`, `?` and quotes in the sentence, inside-quotes, title line,
  frequency of the word in the document, how charged the whole document is, and the e5 word clusters
  of the token and its neighbours ({meta['clusters']}: {len(clusters.codes)} words of the training texts and
  lexicons, each embedded alone ({ENCODER}), k-means with {', '.join(map(str, clusters.sizes))}
  clusters, seed {meta['seed']}); actor names (countries, leaders, organisations, parties) are masked
  as one placeholder word of an `actor` class.
- Sentence re-scoring ({meta['rescorer']}): a logistic regression on the TF-IDF bag of a sentence's
  words, bigrams, clusters and lexicon classes (PTC sentences only), and a combiner of it with the
  CRF's best marginal per layer, sentence length and line position (fitted on out-of-fold
  predictions), give the probability that the sentence holds a technique; every token marginal of
  the sentence moves {SHIFT} of the way (in logit space) from the CRF's best to it before decoding.
- Limits: English news style; trained on {result.fold_sizes and sum(result.fold_sizes)} PTC articles.
  Partial-overlap scores reward approximate boundaries: a highlighted fragment is a pointer, not a proof.

## Cross-validation ({result.folds}-fold, split by article, PTC metrics)

Thresholds are tuned on the same out-of-fold predictions they are scored on (one number per
layer), so the figures are slightly optimistic.

```
{format_table(result)}
```
"""
