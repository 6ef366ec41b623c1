"""Train and cross-validate the sentence technique model on the six-language span data.

Protocol (`cross_validate`): article-level folds, stratified by language (no article on both
sides). Each fold's network learns from the sentences of the other folds; its out-of-fold sentence
probabilities are aggregated into segments in the three segmentations of
`rhetorscope.detect.corpus` (as given, one sentence per line, merged paragraphs), and one set of
thresholds per language and technique is tuned on all three at once, so no segmentation is
favoured. The scores printed are those out-of-fold scores; the final model is fitted on every
article with the same settings. Same data and seed give the same folds, weights and metrics.

scikit-learn fits the network (the `train` extra); prediction needs numpy only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from rhetorscope.detect import lexical
from rhetorscope.detect.corpus import SEGMENTATIONS, Article, labels_of, segments
from rhetorscope.detect.features import SentenceInput, document_rows, embed
from rhetorscope.detect.model import Calibration, SentenceModel, aggregate
from rhetorscope.masking import LANGS
from rhetorscope.techniques import TECHNIQUES

if TYPE_CHECKING:
    from rhetorscope.encoder import Encoder

LABELS = list(TECHNIQUES)


@dataclass
class TrainConfig:
    seed: int = 13
    folds: int = 5
    hidden: int = 256
    networks: int = 3
    """Networks averaged (seeds `seed`, `seed + 1`, …): their mean logit is one network with the hidden
    layers side by side, so the artifact keeps its format."""
    alpha: float = 1e-3
    epochs: int = 30
    batch: int = 256
    learning_rate: float = 1e-3


@dataclass
class Prepared:
    """Every sentence of every article as a feature row, with its labels and its article."""

    articles: list[Article]
    rows: np.ndarray
    masked: list[str]
    y: np.ndarray
    article_of: np.ndarray
    offsets: np.ndarray
    """offsets[k]: index of article k's first row."""

    def article_rows(self, k: int) -> slice:
        return slice(int(self.offsets[k]), int(self.offsets[k + 1]))


def prepare(articles: Sequence[Article], encoder: Encoder | None) -> Prepared:
    """Rows and labels for all articles (pass a `CachedEncoder` to embed each sentence once across runs);
    without an encoder the rows are empty (the lexical model alone needs none)."""
    rows, masked, ys, owner, offsets = [], [], [], [], [0]
    index = {t: j for j, t in enumerate(LABELS)}
    for k, art in enumerate(articles):
        inputs = [SentenceInput(u.text, art.lang) for u in art.units]
        rows.append(document_rows(inputs, embed(inputs, encoder)) if encoder is not None
                    else np.zeros((len(inputs), 0), dtype=np.float32))
        masked.extend(s.masked for s in inputs)
        y = np.zeros((len(art.units), len(LABELS)), dtype=np.uint8)
        for i, u in enumerate(art.units):
            for t in u.labels:
                y[i, index[t]] = 1
        ys.append(y)
        owner.append(np.full(len(art.units), k))
        offsets.append(offsets[-1] + len(art.units))
    return Prepared(list(articles), np.vstack(rows), masked, np.vstack(ys), np.concatenate(owner),
                    np.array(offsets))


def article_folds(articles: Sequence[Article], n_folds: int, seed: int) -> np.ndarray:
    """Fold of each article: shuffled with the seed within each language, then dealt round-robin."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(articles), dtype=int)
    for lang in LANGS:
        idx = [k for k, a in enumerate(articles) if a.lang == lang]
        for r, k in enumerate(rng.permutation(idx)):
            fold[k] = r % n_folds
    return fold


def _fit_one(rows: np.ndarray, y: np.ndarray, cfg: TrainConfig,
             seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    net = MLPClassifier(hidden_layer_sizes=(cfg.hidden,), alpha=cfg.alpha, batch_size=cfg.batch,
                        learning_rate_init=cfg.learning_rate, max_iter=cfg.epochs, random_state=seed,
                        shuffle=True, early_stopping=False, tol=0.0, n_iter_no_change=cfg.epochs + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(rows, y)
    w1, w2 = net.coefs_
    b1, b2 = net.intercepts_
    return w1.astype(np.float32), b1.astype(np.float32), w2.astype(np.float32), b2.astype(np.float32)


def fit_network(rows: np.ndarray, y: np.ndarray,
                cfg: TrainConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`cfg.networks` ReLU networks with consecutive seeds, averaged in logit space and returned as one:
    hidden layers side by side, output weights and biases divided by their number. Averaging cuts the
    seed-to-seed spread (about ±0.002 micro-F1) and adds about 0.004 in every segmentation."""
    nets = [_fit_one(rows, y, cfg, cfg.seed + k) for k in range(cfg.networks)]
    n = np.float32(len(nets))
    return (np.hstack([w1 for w1, _, _, _ in nets]), np.concatenate([b1 for _, b1, _, _ in nets]),
            np.vstack([w2 for _, _, w2, _ in nets]) / n, np.sum([b2 for _, _, _, b2 in nets], axis=0) / n)


@dataclass
class Segmented:
    """Gold labels and out-of-fold scores of every segment of one segmentation."""

    how: str
    lang: np.ndarray
    gold: np.ndarray
    score: np.ndarray
    fold: np.ndarray
    sentences: np.ndarray
    """Sentences in each segment (what a segment's score is the best of)."""


def segment_table(prep: Prepared, proba: np.ndarray, how: str, fold: np.ndarray) -> Segmented:
    """Score each segment of each article cut `how`, with its gold labels from the spans and the
    fold of its article."""
    langs, golds, scores, folds, sizes = [], [], [], [], []
    index = {t: j for j, t in enumerate(LABELS)}
    for k, art in enumerate(prep.articles):
        sl = prep.article_rows(k)
        segs = segments(art, how, with_title=True)
        scores.append(aggregate(proba[sl], [idx for _, _, idx in segs]))
        sizes.extend(len(idx) for _, _, idx in segs)
        g = np.zeros((len(segs), len(LABELS)), dtype=np.uint8)
        for r, (start, end, _) in enumerate(segs):
            for t in labels_of(art.spans, start, end):
                g[r, index[t]] = 1
        golds.append(g)
        langs.extend([art.lang] * len(segs))
        folds.extend([fold[k]] * len(segs))
    return Segmented(how, np.array(langs), np.vstack(golds), np.vstack(scores), np.array(folds), np.array(sizes))


def micro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    tp = int((gold & pred).sum())
    fp = int(pred.sum()) - tp
    fn = int(gold.sum()) - tp
    return 2 * tp / max(2 * tp + fp + fn, 1)


def macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    f = [micro_f1(gold[:, j], pred[:, j]) for j in range(gold.shape[1]) if gold[:, j].any() or pred[:, j].any()]
    return float(np.mean(f)) if f else 0.0


_GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)
_MIN_POSITIVES = 30
"""A technique gets a threshold of its own in a language only with this many gold segments there."""


def _best_for_language(gold: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Thresholds for one language: the shared one with the best micro-F1, then coordinate ascent on
    micro-F1, one technique at a time (two passes), for techniques with enough positives."""
    shared = max(_GRID, key=lambda th: micro_f1(gold, (score >= th).astype(np.uint8)))
    th = np.full(gold.shape[1], shared, dtype=np.float32)
    g = gold.astype(bool)
    hits = score[:, :, None] >= _GRID[None, None, :]
    tp_grid = (hits & g[:, :, None]).sum(axis=0)
    n_grid = hits.sum(axis=0)
    pos = g.sum(axis=0)
    col = np.searchsorted(_GRID, th)
    for _ in range(2):
        for j in np.flatnonzero(pos >= _MIN_POSITIVES):
            tp_rest = tp_grid[np.arange(len(th)), col].sum() - tp_grid[j, col[j]]
            n_rest = n_grid[np.arange(len(th)), col].sum() - n_grid[j, col[j]]
            tp = tp_rest + tp_grid[j]
            f1 = 2 * tp / (n_rest + n_grid[j] + pos.sum())
            col[j] = int(np.argmax(f1))
    return _GRID[col].astype(np.float32)


def tune_thresholds(tables: Sequence[Segmented], mask: Callable[[Segmented], np.ndarray] | None = None) -> np.ndarray:
    """One set of thresholds per language, tuned on all segmentations pooled (so none is favoured);
    `mask` picks the segments to tune on (the other folds, in nested evaluation)."""
    out = np.full((len(LANGS), len(LABELS)), 0.5, dtype=np.float32)
    for li, lang in enumerate(LANGS):
        sel = [(t.lang == lang) & (mask(t) if mask else True) for t in tables]
        gold = np.vstack([t.gold[m] for t, m in zip(tables, sel, strict=True)])
        if len(gold):
            score = np.vstack([t.score[m] for t, m in zip(tables, sel, strict=True)])
            out[li] = _best_for_language(gold, score)
    return out


@dataclass
class LangScore:
    lang: str
    segments: int
    micro: float
    macro: float


@dataclass
class CVResult:
    by_segmentation: dict[str, list[LangScore]] = field(default_factory=dict)
    thresholds: np.ndarray | None = None
    blend: float = 1.0
    calibration: Calibration | None = None
    reliability: list[Reliability] = field(default_factory=list)

    def mean(self, how: str) -> float:
        return float(np.mean([s.micro for s in self.by_segmentation[how]]))

    @property
    def overall(self) -> float:
        """What the blend is chosen by: the mean over segmentations of the mean over languages."""
        return float(np.mean([self.mean(how) for how in self.by_segmentation]))


def fold_thresholds(tables: Sequence[Segmented], n_folds: int) -> np.ndarray:
    """(folds, languages, labels): for each fold, the thresholds tuned on the other folds."""
    return np.stack([tune_thresholds(tables, mask=lambda t, f=f: t.fold != f) for f in range(n_folds)])


def evaluate(tables: Sequence[Segmented], by_fold: np.ndarray) -> dict[str, list[LangScore]]:
    """Scores per segmentation and language, each fold judged with thresholds tuned on the others
    (`by_fold`, from `fold_thresholds`)."""
    preds = [np.zeros_like(t.gold) for t in tables]
    for f, th in enumerate(by_fold):
        for t, p in zip(tables, preds, strict=True):
            m = t.fold == f
            p[m] = t.score[m] >= th[[LANGS.index(x) for x in t.lang[m]]]
    out: dict[str, list[LangScore]] = {}
    for t, p in zip(tables, preds, strict=True):
        out[t.how] = [LangScore(lang, int(m.sum()), micro_f1(t.gold[m], p[m]), macro_f1(t.gold[m], p[m]))
                      for lang in LANGS if (m := t.lang == lang).any()]
    return out


def fit_calibration(tables: Sequence[Segmented], mask: Callable[[Segmented], np.ndarray] | None = None,
                    seed: int = 13) -> Calibration:
    """One logistic regression per technique from a segment's score, length and language to whether it
    carries the technique (`Calibration`), on all segmentations pooled; `mask` picks the segments (the
    other folds, in nested evaluation). A technique without both outcomes keeps its score as it is."""
    from sklearn.linear_model import LogisticRegression

    sel = [mask(t) if mask else np.ones(len(t.gold), bool) for t in tables]
    x = np.concatenate([Calibration.features(t.score[m], t.sentences[m], t.lang[m])
                        for t, m in zip(tables, sel, strict=True)])
    gold = np.vstack([t.gold[m] for t, m in zip(tables, sel, strict=True)])
    weights = np.zeros((len(LABELS), x.shape[2]), dtype=np.float32)
    bias = np.zeros(len(LABELS), dtype=np.float32)
    weights[:, 0] = 1.0
    for j in range(len(LABELS)):
        if 0 < gold[:, j].sum() < len(gold):
            reg = LogisticRegression(C=1.0, max_iter=1000, random_state=seed).fit(x[:, j], gold[:, j])
            weights[j], bias[j] = reg.coef_[0], reg.intercept_[0]
    return Calibration(weights, bias)


RELIABILITY_BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)


@dataclass
class Reliability:
    """How often findings of each confidence were right, for one language (all segmentations pooled):
    per bin of confidence, (low, high, findings, mean confidence, share right); `ece` is the expected
    calibration error, the findings-weighted gap between confidence and share right."""

    lang: str
    bins: list[tuple[float, float, int, float, float]]
    ece: float


def reliability(tables: Sequence[Segmented], by_fold: np.ndarray, seed: int = 13) -> list[Reliability]:
    """The reliability diagram of the findings cross-validation makes (each fold's thresholds, `by_fold`
    from `fold_thresholds`, and calibration tuned on the other folds), per language."""
    confs, rights, langs = [], [], []
    for f, th in enumerate(by_fold):
        cal = fit_calibration(tables, mask=lambda t, f=f: t.fold != f, seed=seed)
        for t in tables:
            m = t.fold == f
            shown = t.score[m] >= th[[LANGS.index(x) for x in t.lang[m]]]
            conf = cal(t.score[m], t.sentences[m], t.lang[m])
            confs.append(conf[shown])
            rights.append(t.gold[m][shown])
            langs.append(np.broadcast_to(t.lang[m][:, None], shown.shape)[shown])
    conf, right, lang = np.concatenate(confs), np.concatenate(rights), np.concatenate(langs)
    out = []
    for code in LANGS:
        sel = lang == code
        c, r = conf[sel], right[sel]
        bins = []
        for lo, hi in pairwise(RELIABILITY_BINS):
            b = (c >= lo) & ((c < hi) | (hi == RELIABILITY_BINS[-1]))
            if b.any():
                bins.append((lo, hi, int(b.sum()), float(c[b].mean()), float(r[b].mean())))
        ece = sum(n * abs(mc - mr) for _, _, n, mc, mr in bins) / max(len(c), 1)
        out.append(Reliability(code, bins, float(ece)))
    return out


BLENDS = (0.0, 0.2, 0.35, 0.5, 0.65, 0.8)
"""Weights of the lexical logits tried for the accurate tier; the fast tier is the lexical model alone."""


def out_of_fold(prep: Prepared, cfg: TrainConfig, fold_of_article: np.ndarray,
                progress: Callable[[str], None] = lambda _: None,
                network: bool = True) -> tuple[np.ndarray | None, np.ndarray]:
    """Out-of-fold logits (sentences, labels) of the encoder network (None without `network`) and of
    the lexical model: each fold's sentences scored by models fitted on the other folds."""
    fold = fold_of_article[prep.article_of]
    z_net = np.zeros(prep.y.shape, dtype=np.float32) if network else None
    z_lex = np.zeros(prep.y.shape, dtype=np.float32)
    masked = np.array(prep.masked, dtype=object)
    for f in range(cfg.folds):
        train = fold != f
        if z_net is not None:
            progress(f"fold {f + 1}/{cfg.folds}: encoder network")
            net = SentenceModel(np.zeros((len(LANGS), len(LABELS))), LABELS, {},
                                network=fit_network(prep.rows[train], prep.y[train], cfg))
            z_net[~train] = net.network_logits(prep.rows[~train])
        progress(f"fold {f + 1}/{cfg.folds}: lexical model")
        z_lex[~train] = lexical.fit(list(masked[train]), prep.y[train]).logits(list(masked[~train]))
    return z_net, z_lex


def cross_validate(prep: Prepared, cfg: TrainConfig,
                   progress: Callable[[str], None] = lambda _: None) -> tuple[CVResult, CVResult]:
    """Out-of-fold logits of the encoder network and the lexical model; the accurate tier's blend
    and both tiers' scores per segmentation with nested threshold tuning. Returns (accurate, fast);
    the thresholds of each are tuned on all out-of-fold scores (for the final models)."""
    fold_of_article = article_folds(prep.articles, cfg.folds, cfg.seed)
    z_net, z_lex = out_of_fold(prep, cfg, fold_of_article, progress)

    def result(z: np.ndarray, blend: float) -> tuple[CVResult, list[Segmented], np.ndarray]:
        """The scores of one blend, with its segment tables and per-fold thresholds for `calibrated`."""
        proba = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        tables = [segment_table(prep, proba, how, fold_of_article) for how in SEGMENTATIONS]
        by_fold = fold_thresholds(tables, cfg.folds)
        return CVResult(evaluate(tables, by_fold), tune_thresholds(tables), blend), tables, by_fold

    def calibrated(cv: CVResult, tables: list[Segmented], by_fold: np.ndarray) -> CVResult:
        progress("calibration")
        cv.calibration, cv.reliability = fit_calibration(tables, seed=cfg.seed), reliability(tables, by_fold, cfg.seed)
        return cv

    progress("blending and thresholds")
    accurate = max((result((1 - b) * z_net + b * z_lex, b) for b in BLENDS), key=lambda r: r[0].overall)
    return calibrated(*accurate), calibrated(*result(z_lex, 1.0))


def fit_final(prep: Prepared, cfg: TrainConfig, accurate: CVResult, fast: CVResult,
              meta: dict[str, Any]) -> tuple[SentenceModel, SentenceModel]:
    """The shipped pair, fitted on every article: the accurate tier (network and lexical model
    blended) and the fast tier (the same lexical model, with its own thresholds)."""
    lex = lexical.fit(prep.masked, prep.y)
    network = fit_network(prep.rows, prep.y, cfg)
    return (SentenceModel(accurate.thresholds, LABELS, {**meta, "tier": "accurate"}, network=network, lexical=lex,
                          blend=accurate.blend, calibration=accurate.calibration),
            SentenceModel(fast.thresholds, LABELS, {**meta, "tier": "fast", "encoder": ""}, lexical=lex,
                          calibration=fast.calibration))


def score_table(cv: CVResult) -> Iterable[tuple[str, str, int, float, float]]:
    for how, rows in cv.by_segmentation.items():
        for r in rows:
            yield how, r.lang, r.segments, r.micro, r.macro


def model_card(models: tuple[SentenceModel, SentenceModel], cvs: tuple[CVResult, CVResult], data_name: str,
               n_articles: int, n_sentences: int) -> str:
    """The model card written next to the artifacts: data, protocol, settings, scores per tier and segmentation."""
    accurate, fast = models
    lines = [
        "# Sentence technique models (accurate and fast tiers)", "",
        f"- accurate tier: `sentences.npz`, version {accurate.version}; encoder {accurate.encoder}; "
        f"lexical blend weight {accurate.blend}",
        f"- fast tier: `sentences-fast.npz`, version {fast.version}; the same lexical model alone",
        f"- data: `{data_name}` (SemEval-2023 task 3 train split, spans), {n_articles} articles, "
        f"{n_sentences} sentences, six languages",
        f"- settings: {json.dumps(accurate.meta.get('config', {}), sort_keys=True)}",
        "- labels: a sentence carries a technique when a span of it starts in the sentence or covers half "
        "of it (`rhetorscope.detect.corpus.carries`); a segment's score is its best sentence's, and its "
        "confidence that score calibrated by the segment's length and language (`Calibration`).",
        "- validation: article-level folds stratified by language; thresholds per language and technique, "
        "tuned on the other folds' segments of all three segmentations pooled (nested), then on all of "
        "them for the shipped models.",
    ]
    for name, cv in zip(("accurate", "fast"), cvs, strict=True):
        lines += ["", f"## {name} tier", "", "| segmentation | lang | segments | micro-F1 | macro-F1 |",
                  "|---|---|---|---|---|"]
        lines += [f"| {how} | {lang} | {n} | {micro:.3f} | {macro:.3f} |"
                  for how, lang, n, micro, macro in score_table(cv)]
        lines += ["", "| segmentation | mean micro-F1 |", "|---|---|"]
        lines += [f"| {how} | {cv.mean(how):.3f} |" for how in cv.by_segmentation]
        lines += ["", "Reliability of the cross-validated findings (confidence bin: findings, mean confidence, "
                  "share right; ECE):", "", "| lang | ECE | bins |", "|---|---|---|"]
        lines += [f"| {r.lang} | {r.ece:.3f} | " + "; ".join(f"{lo:.1f}-{hi:.1f}: {n}, {mc:.2f}, {mr:.2f}"
                                                          for lo, hi, n, mc, mr in r.bins) + " |"
                  for r in cv.reliability]
    lines += ["", "Rebuild: `rhetorscope train sentences --data ../shared/datasets/semeval2023-task3-spans "
              "--out src/rhetorscope/detect/data` (same data and seed, same weights and metrics).", ""]
    return "\n".join(lines)
