"""Train the paragraph classifier: article-level cross-validation, thresholds, final fit, model card.

Imports scikit-learn and scipy, so only `rhetorscope train paragraphs` and the
benchmark import this module. One joint model covers all six languages (they
share one label space; small languages borrow strength from large ones), one
logistic regression per technique. Everything is seeded: the same data and
seed give the same folds, the same weights and the same metrics.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from rhetorscope import __version__
from rhetorscope.classify.features import NAMESPACES, encode, idf_from_df, tokenize, weigh
from rhetorscope.classify.model import ParagraphModel
from rhetorscope.classify.semeval import Paragraph, score
from rhetorscope.techniques import TECHNIQUES

if TYPE_CHECKING:
    import numpy as np
    import scipy.sparse as sp

Progress = Callable[[str, int], None]
"""Called with a step description and the number of units just done (for a progress bar)."""

LANG_ORDER: tuple[str, ...] = ("en", "fr", "de", "it", "pl", "ru")
_THRESHOLD_GRID = tuple(round(0.02 * i, 2) for i in range(1, 48))


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines the model; written into the artifact and the model card."""

    seed: int = 13
    folds: int = 5
    c: float = 4.0
    min_df: int = 2
    char_range: tuple[int, int] = (2, 5)
    block_weights: dict[str, float] = field(
        default_factory=lambda: {"w": 1.0, "c": 1.0, "x": 0.5, "m": 0.5})
    threads: int = 2


@dataclass
class LangScore:
    """Cross-validated quality on one language."""

    lang: str
    paragraphs: int
    micro_f1: float
    macro_f1: float


@dataclass
class CVResult:
    """Out-of-fold probabilities and the per-language table they give."""

    proba: np.ndarray
    folds: np.ndarray
    threshold: float
    table: list[LangScore]

    @property
    def mean_micro_f1(self) -> float:
        return sum(s.micro_f1 for s in self.table) / len(self.table)


class Dataset:
    """Paragraphs tokenised once, as a count matrix over every token seen in two or more paragraphs."""

    def __init__(self, paragraphs: Sequence[Paragraph], cfg: TrainConfig, progress: Progress) -> None:
        import numpy as np
        import scipy.sparse as sp

        self.paragraphs = list(paragraphs)
        self.cfg = cfg
        docs = []
        for p in self.paragraphs:
            docs.append(tokenize(p, cfg.char_range))
            progress("tokenising", 1)
        df: Counter[str] = Counter()
        for d in docs:
            df.update(d.keys())
        self.tokens = sorted(t for t, n in df.items() if n >= cfg.min_df)
        vocab = {t: i for i, t in enumerate(self.tokens)}
        self.rows, self.cols, self.counts = encode(docs, vocab)
        self.n = len(self.paragraphs)
        self.counts_csr: sp.csr_matrix = sp.csr_matrix(
            (self.counts, (self.rows, self.cols)), shape=(self.n, len(self.tokens)))
        self.block = np.array([NAMESPACES.index(t[0]) for t in self.tokens], dtype=np.int64)
        self.block_weights = np.array([cfg.block_weights[k] for k in NAMESPACES], dtype=np.float64)
        self.labels = list(TECHNIQUES)
        self.y = np.array([[t in p.labels for t in self.labels] for p in self.paragraphs], dtype=np.int8)
        self.langs = np.array([p.lang for p in self.paragraphs])

    def idf_for(self, rows: np.ndarray) -> np.ndarray:
        """Idf from the given training rows only; tokens rarer than `min_df` there get 0 (dropped)."""
        import numpy as np

        df = np.asarray((self.counts_csr[rows] > 0).sum(axis=0)).ravel()
        return idf_from_df(np.where(df >= self.cfg.min_df, df, 0), len(rows))

    def matrix(self, idf: np.ndarray) -> sp.csr_matrix:
        import scipy.sparse as sp

        values = weigh(self.rows, self.cols, self.counts, self.n, idf, self.block, self.block_weights)
        return sp.csr_matrix((values, (self.rows, self.cols)), shape=(self.n, len(self.tokens)))

    def article_folds(self) -> np.ndarray:
        """Fold of each paragraph: whole articles are assigned, never split across folds."""
        import numpy as np

        articles = sorted({(p.lang, p.article_id) for p in self.paragraphs})
        order = np.random.RandomState(self.cfg.seed).permutation(len(articles))
        fold_of = {a: int(order[i]) % self.cfg.folds for i, a in enumerate(articles)}
        return np.array([fold_of[(p.lang, p.article_id)] for p in self.paragraphs])


def _fit_all(x: sp.csr_matrix, y: np.ndarray, cfg: TrainConfig, progress: Progress,
             step: str) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per technique, run on `cfg.threads` threads (liblinear releases the GIL)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    def fit(j: int) -> tuple[np.ndarray, float]:
        positives = int(y[:, j].sum())
        if positives in (0, len(y)):  # a technique absent from a small fold: predict its constant prior
            progress(step, 1)
            return np.zeros(x.shape[1]), -20.0 if positives == 0 else 20.0
        clf = LogisticRegression(C=cfg.c, solver="liblinear", random_state=cfg.seed, max_iter=200)
        clf.fit(x, y[:, j])
        progress(step, 1)
        return clf.coef_[0], float(clf.intercept_[0])

    with ThreadPoolExecutor(max_workers=cfg.threads) as pool:
        fitted = list(pool.map(fit, range(y.shape[1])))
    return np.stack([c for c, _ in fitted], axis=1), np.array([b for _, b in fitted])


def _proba(x: sp.csr_matrix, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    import numpy as np

    return 1.0 / (1.0 + np.exp(-(x @ coef + intercept)))


def best_threshold(proba: np.ndarray, y: np.ndarray) -> float:
    """The one threshold (shared by all techniques) that maximises micro-F1.

    Per-technique and per-language thresholds were tried; on held-out folds they
    overfit the rare techniques and scored lower than one shared value.
    """
    best = (-1.0, 0.5)
    gold = int(y.sum())
    for t in _THRESHOLD_GRID:
        chosen = proba >= t
        tp = int((chosen & (y == 1)).sum())
        best = max(best, (2 * tp / max(1, int(chosen.sum()) + gold), -t))
    return -best[1]


def language_table(ds: Dataset, chosen: np.ndarray) -> list[LangScore]:
    """Official micro/macro-F1 per language for a boolean prediction matrix."""
    table = []
    for lang in LANG_ORDER:
        idx = [i for i, p in enumerate(ds.paragraphs) if p.lang == lang]
        if not idx:
            continue
        gold = {ds.paragraphs[i].key: ds.paragraphs[i].labels for i in idx}
        pred = {ds.paragraphs[i].key: [ds.labels[j] for j in range(len(ds.labels)) if chosen[i, j]]
                for i in idx}
        s = score(gold, pred)
        table.append(LangScore(lang, len(idx), s.micro_f1, s.macro_f1))
    return table


def cross_validate(ds: Dataset, progress: Progress) -> CVResult:
    """Article-level k-fold CV; each fold's threshold is tuned on the other folds' out-of-fold scores."""
    import numpy as np

    folds = ds.article_folds()
    proba = np.zeros(ds.y.shape)
    for k in range(ds.cfg.folds):
        train = np.flatnonzero(folds != k)
        x = ds.matrix(ds.idf_for(train))
        coef, intercept = _fit_all(x[train], ds.y[train], ds.cfg, progress, f"fold {k + 1}/{ds.cfg.folds}")
        held = folds == k
        proba[held] = _proba(x[held], coef, intercept)
    chosen = np.zeros(ds.y.shape, dtype=bool)
    for k in range(ds.cfg.folds):
        other, held = folds != k, folds == k
        chosen[held] = proba[held] >= best_threshold(proba[other], ds.y[other])
    return CVResult(proba, folds, best_threshold(proba, ds.y), language_table(ds, chosen))


def fit_final(ds: Dataset, threshold: float, progress: Progress, extra_meta: dict[str, Any]) -> ParagraphModel:
    """Fit on all paragraphs and keep only the columns the model can ever use."""
    import numpy as np

    all_rows = np.arange(ds.n)
    idf = ds.idf_for(all_rows)
    coef, intercept = _fit_all(ds.matrix(idf), ds.y, ds.cfg, progress, "final fit")
    keep = np.flatnonzero(idf > 0)
    meta = {
        "version": extra_meta.pop("version"),
        "trained": dt.date.today().isoformat(),
        "rhetorscope": __version__,
        "config": asdict(ds.cfg),
        "char_range": list(ds.cfg.char_range),
        **extra_meta,
    }
    return ParagraphModel(
        tokens=[ds.tokens[i] for i in keep],
        idf=idf[keep],
        block_weights=ds.block_weights,
        coef=coef[keep],
        intercept=intercept,
        thresholds=np.full(len(ds.labels), threshold),
        labels=ds.labels,
        meta=meta,
    )


MODEL_VERSION = "1.1"


def model_card(model: ParagraphModel, cv: CVResult, ds: Dataset, data_name: str) -> str:
    """Markdown card: what the model was trained on, how, and how well it does per language."""
    langs = Counter(p.lang for p in ds.paragraphs)
    rows = "\n".join(f"| {s.lang} | {s.paragraphs} | {s.micro_f1:.3f} | {s.macro_f1:.3f} |" for s in cv.table)
    cfg = ds.cfg
    return f"""# Model card: rhetorscope paragraph classifier {model.version}

- Task: which of the 23 SemEval-2023 Task 3 persuasion techniques a paragraph uses (multi-label).
- Trained: {model.meta["trained"]}, rhetorscope {__version__}, seed {cfg.seed}.
- Data: {data_name}, official train split, {ds.n} paragraphs with text
  ({", ".join(f"{k} {v}" for k, v in sorted(langs.items()))}).
- Features: word 1-2 grams, character {cfg.char_range[0]}-{cfg.char_range[1]} grams within words,
  words of the title and neighbouring paragraphs, layout cues (language, position, length, quotes,
  ? and !); actor names (countries, leaders, organisations, parties) masked before extraction;
  sub-linear tf-idf, L2 per namespace, namespace weights {cfg.block_weights};
  {len(model.tokens)} features seen in >= {cfg.min_df} paragraphs.
- Model: one joint model for all six languages; one L2 logistic regression per technique
  (liblinear, C={cfg.c}); one decision threshold shared by all techniques ({model.thresholds[0]:.2f}),
  tuned on article-level out-of-fold predictions. Confidence is the regression's probability.
- Evaluation: article-level {cfg.folds}-fold cross-validation on the train split (no article's
  paragraphs on both sides); each fold's threshold tuned on the other folds. Official metric.

| lang | paragraphs | micro-F1 | macro-F1 |
|---|---|---|---|
{rows}
| mean | | {cv.mean_micro_f1:.3f} | {sum(s.macro_f1 for s in cv.table) / len(cv.table):.3f} |

- Limits: trained on news articles (2018-2022); rare techniques (Whataboutism, Appeal_to_Time,
  Red_Herring) are seldom predicted; the model sees paragraphs, not spans.
"""
