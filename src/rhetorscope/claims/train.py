"""Train and cross-validate the check-worthiness model on CheckThat! 2019 debates (needs scikit-learn).

Cross-validation leaves one debate out at a time, so no debate is split between training and
validation and each debate gets its own average precision, the official metric's unit. The
vocabulary is fitted inside each fold. Out-of-fold margins calibrate each head (Platt) and give the
finding threshold: the probability that maximises F1 over all debates' sentences. The liblinear
solver with a fixed seed makes the same data give the same model and the same table.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rhetorscope.claims.checkworthy import HEADS, CheckworthyModel, Features, cue_block, sparse_triplets, word_terms
from rhetorscope.claims.clef import RankScores, mean_scores, rank_scores, read_debates
from rhetorscope.claims.text import checkworthy_text
from rhetorscope.claims.vectors import encode_cached
from rhetorscope.encoder import Encoder

MODEL_VERSION = "checkworthy-2"
"""2: the sentence read through the shared masking step (1: the actor gazetteer only)."""
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides the model besides the data."""

    seed: int = 13
    min_df: int = 2
    c: float = 0.3
    recall: float = 0.7
    """Out-of-fold recall of checked sentences at the finding threshold."""
    block_weights: dict[str, float] = field(default_factory=lambda: {"w": 1.0, "e": 1.0, "c": 0.5})


@dataclass
class Data:
    """The debates as the model sees them: masked sentences, labels, debate of each, encoder rows."""

    texts: list[str]
    labels: np.ndarray
    debates: list[str]
    vectors: np.ndarray
    encoder: str

    @classmethod
    def read(cls, folder: Path, encoder: Encoder, cache: Path | None = None) -> Data:
        debates = read_debates(folder)
        texts, labels, names = [], [], []
        for name, lines in debates.items():
            for line in lines:
                texts.append(checkworthy_text(line.text, "en"))
                labels.append(int(line.label or 0))
                names.append(name)
        vectors = encode_cached(encoder, texts, "passage", cache)
        return cls(texts, np.asarray(labels, dtype=np.int64), names, vectors, encoder.name)


def fit_vocab(docs: Sequence[Counter[str]], min_df: int) -> tuple[list[str], np.ndarray]:
    """Terms seen in at least `min_df` sentences, sorted, with smoothed idf."""
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.keys())
    terms = sorted(t for t, n in df.items() if n >= min_df)
    n = len(docs)
    idf = np.asarray([np.log((1 + n) / (1 + df[t])) + 1.0 for t in terms], dtype=np.float32)
    return terms, idf


def _matrix(feats: Features, head: str) -> Any:
    """The head's columns in the order `CheckworthyModel.margins` expects (sparse, for training)."""
    from scipy import sparse

    blocks = [feats.words, feats.vectors, feats.cues] if head == "en" else [feats.vectors, feats.cues]
    return sparse.hstack(blocks, format="csr")


def _features(docs: Sequence[Counter[str]], texts: Sequence[str], vectors: np.ndarray, terms: list[str],
              idf: np.ndarray, cfg: TrainConfig) -> Features:
    from scipy import sparse

    vocab = {t: i for i, t in enumerate(terms)}
    rows, cols, vals = sparse_triplets(docs, vocab, idf)
    bw = cfg.block_weights
    words = sparse.csr_matrix((vals * bw["w"], (rows, cols)), shape=(len(docs), len(terms)))
    return Features(words=words, vectors=sparse.csr_matrix(vectors * bw["e"]),  # type: ignore[arg-type]
                    cues=sparse.csr_matrix(cue_block(texts) * bw["c"]))


def _fit(x: Any, y: np.ndarray, cfg: TrainConfig) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=cfg.c, class_weight="balanced", solver="liblinear", max_iter=1000,
                             random_state=cfg.seed)
    clf.fit(x, y)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


@dataclass
class CVResult:
    """Leave-one-debate-out scores per head and the out-of-fold margins they came from."""

    per_debate: dict[str, dict[str, RankScores]]
    margins: dict[str, np.ndarray]

    def mean(self, head: str) -> RankScores:
        return mean_scores(list(self.per_debate[head].values()))


def cross_validate(data: Data, cfg: TrainConfig, progress: Progress | None = None) -> CVResult:
    """Hold out each debate in turn; both heads are fitted on the rest and rank the held-out one."""
    docs = [word_terms(t) for t in data.texts]
    names = sorted(set(data.debates))
    debates = np.asarray(data.debates)
    margins = {h: np.zeros(len(docs), dtype=np.float64) for h in HEADS}
    per_debate: dict[str, dict[str, RankScores]] = {h: {} for h in HEADS}
    for name in names:
        test = np.flatnonzero(debates == name)
        train = np.flatnonzero(debates != name)
        terms, idf = fit_vocab([docs[i] for i in train], cfg.min_df)
        feats = _features(docs, data.texts, data.vectors, terms, idf, cfg)
        for head in HEADS:
            x = _matrix(feats, head)
            coef, bias = _fit(x[train], data.labels[train], cfg)
            margins[head][test] = x[test] @ coef + bias
            per_debate[head][name] = rank_scores(data.labels[test].tolist(), margins[head][test].tolist())
        if progress:
            progress(name, 1)
    return CVResult(per_debate, margins)


def platt(margins: np.ndarray, labels: np.ndarray, seed: int) -> tuple[float, float]:
    """Sigmoid (a, b) that turns margins into probabilities, fitted on out-of-fold margins."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=1e4, solver="liblinear", random_state=seed).fit(margins.reshape(-1, 1), labels)
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


def recall_threshold(probs: np.ndarray, labels: np.ndarray, recall: float) -> dict[str, float]:
    """The highest probability cut-off whose out-of-fold recall reaches `recall`, with what it costs.

    Fact-checkers checked only some of the checkable sentences of a debate, so the cut-off that
    maximises F1 against their choice is far too strict for "states a checkable fact"; a recall
    target keeps most of what they would check and says how many sentences that flags.
    """
    order = np.argsort(-probs, kind="stable")
    hits = np.cumsum(labels[order])
    k = int(np.searchsorted(hits, recall * labels.sum())) + 1
    return {"threshold": float(probs[order][k - 1]), "recall": float(hits[k - 1] / labels.sum()),
            "precision": float(hits[k - 1] / k), "flagged": k / len(probs)}


def fit_final(data: Data, cfg: TrainConfig, cv: CVResult) -> tuple[CheckworthyModel, dict[str, float]]:
    """Train both heads on every debate; calibration and threshold come from the cross-validation."""
    docs = [word_terms(t) for t in data.texts]
    terms, idf = fit_vocab(docs, cfg.min_df)
    feats = _features(docs, data.texts, data.vectors, terms, idf, cfg)
    coef, intercept, calib = {}, {}, {}
    for head in HEADS:
        coef[head], intercept[head] = _fit(_matrix(feats, head), data.labels, cfg)
        calib[head] = platt(cv.margins[head], data.labels, cfg.seed)
    a, b = calib["en"]
    oof = 1.0 / (1.0 + np.exp(-(a * cv.margins["en"] + b)))
    cut = recall_threshold(oof, data.labels, cfg.recall)
    threshold = cut["threshold"]
    meta: dict[str, Any] = {
        "version": MODEL_VERSION, "encoder": data.encoder, "encoder_spec": "e5", "seed": cfg.seed,
        "c": cfg.c, "min_df": cfg.min_df, "sentences": len(data.texts), "positives": int(data.labels.sum()),
        "debates": len(set(data.debates)),
        "cv": {h: {"MAP": cv.mean(h).avg_precision, "R-precision": cv.mean(h).r_precision,
                   **{f"P@{k}": v for k, v in cv.mean(h).p_at.items()}} for h in HEADS},
    }
    model = CheckworthyModel(terms=terms, idf=idf, block_weights=dict(cfg.block_weights), coef=coef,
                             intercept=intercept, platt=calib, threshold=threshold, meta=meta)
    return model, cut


def format_table(cv: CVResult) -> str:
    """Per-debate average precision for both heads, then the means (what `train` and the benchmark print)."""
    lines = [f"{'debate':<28} {'AP en':>7} {'AP xx':>7}"]
    for name in sorted(cv.per_debate["en"]):
        lines.append(f"{name:<28} {cv.per_debate['en'][name].avg_precision:7.3f} "
                     f"{cv.per_debate['xx'][name].avg_precision:7.3f}")
    for label, attr in (("MAP", "avg_precision"), ("R-precision", "r_precision")):
        lines.append(f"{label:<28} {getattr(cv.mean('en'), attr):7.3f} {getattr(cv.mean('xx'), attr):7.3f}")
    for k in (1, 3, 5, 10, 20):
        lines.append(f"{f'P@{k}':<28} {cv.mean('en').p_at[k]:7.3f} {cv.mean('xx').p_at[k]:7.3f}")
    return "\n".join(lines)


def model_card(model: CheckworthyModel, cv: CVResult, extra: dict[str, float], data_name: str) -> str:
    """MODEL_CARD.md: data, features, cross-validated scores, threshold, neutrality, limits."""
    m = model.meta
    return f"""# Check-worthiness model ({m['version']})

Built {dt.date.today().isoformat()} by `rhetorscope train checkworthy --data {data_name} --seed {m['seed']}`.

**Task.** Score every sentence in [0, 1]: how likely fact-checkers would check it. Sentences at or
above the threshold ({model.threshold:.3f}) become findings of kind `claim`.

**Data.** CLEF-2019 CheckThat! Task 1 training debates: {m['debates']} US debates, speeches and press
conferences, {m['sentences']} sentences, {m['positives']} check-worthy. English only.

**Features.** Actor names masked first. Word 1–2 grams (sub-linear tf-idf, min df {m['min_df']},
{len(model.terms)} terms), the {m['encoder']} vector of the sentence, and claim cues in six
languages (numbers, shares and money, dates, comparisons, sources, causal/temporal links, opinion
markers, question, length). Speaker names are not used.

**Heads.** `en` (all blocks) scores English sentences; `xx` (encoder and cues only) scores the other
five languages, so an English vocabulary never decides a Russian sentence. Logistic regression
(liblinear, C {m['c']}, balanced classes), margins calibrated by Platt scaling on out-of-fold
predictions; threshold: the highest probability keeping out-of-fold recall of checked sentences at
{extra['recall']:.2f}: it flags {extra['flagged']:.1%} of the debates' sentences, precision {extra['precision']:.3f}
(fact-checkers checked only some of the checkable sentences).

**Cross-validation** (leave one debate out; MAP is the official metric):

```
{format_table(cv)}
```

For orientation, on the unseen official test debates the best primary run scored MAP 0.166 and a
TF-IDF + logistic regression baseline 0.153 (different debates, so not directly comparable).

**Neutrality.** Actor names (countries, leaders, parties, organisations) are masked before any
feature is computed, so swapping them changes no score (tested).

**Limits.** Trained on US political debates: "check-worthy" means what US fact-checkers chose to
check in 2016–2019. Other languages rely on the multilingual encoder and the cues, checked only on
a small hand-made set. A high score says a sentence states something checkable, never that it is
false.
"""
