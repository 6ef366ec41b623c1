"""Fit and cross-validate the fragment tagger on the six-language SemEval-2023 spans.

Protocol (`cross_validate`): the same article folds as the sentence model (`detect.train.article_folds`,
same seed), so a sentence is gated by a sentence model that did not see its article. In each fold the
word models learn from the other folds' sentences that hold a span of the technique; the held-out
articles are then tagged only in the sentences the gate passes. Threshold and decoder per technique
are chosen by nested selection: the score sums of the SemEval-2020 partial-overlap metric are additive
over articles, so each fold takes the setting that is best on the other folds' sums, and no fold is
scored with a setting chosen on it. Same data and seed, same model and metrics.

scikit-learn fits the word models (the `train` extra); tagging needs numpy only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from rhetorscope.detect.corpus import Article
from rhetorscope.encoder import Encoder
from rhetorscope.masking import LANGS
from rhetorscope.spans.fragments import DECODERS, FragmentModel
from rhetorscope.spans.predict import LABELS, Tokenised, fragments_of, logits_of, tag, to_ptc_labels
from rhetorscope.spans.ptc import LabeledSpan, SpanScores, score_spans
from rhetorscope.techniques import TECHNIQUES

if TYPE_CHECKING:
    from rhetorscope.detect.train import Prepared

VERSION = "2.0"
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)
SETTINGS = tuple((d, t) for d in DECODERS for t in THRESHOLDS)
FUNCTION_WORDS = 150
"""A language's function words: its most frequent word forms in the training texts."""
MIN_COUNT = 2


def function_words(items: Sequence[Tokenised], n: int | None = None) -> dict[str, frozenset[str]]:
    """Per language, its `n` (default `FUNCTION_WORDS`) most frequent word forms: a fragment never
    starts or ends on one."""
    n = FUNCTION_WORDS if n is None else n
    counts: dict[str, Counter[str]] = {lang: Counter() for lang in LANGS}
    for it in items:
        counts[it.article.lang].update(t.form for toks in it.tokens for t in toks if t.is_word)
    return {lang: frozenset(w for w, _ in c.most_common(n)) for lang, c in counts.items() if c}


def fit(items: Sequence[Tokenised], alpha: float = 2e-5, epochs: int = 12,
        meta: dict[str, Any] | None = None) -> FragmentModel:
    """Word models for every technique from the sentences that hold one of its spans: logistic loss by
    stochastic gradient descent (scikit-learn, fixed seed), linear in the number of tokens, so five
    folds over a million tokens take minutes, not the hour a second-order solver needed."""
    import scipy.sparse as sp
    from sklearn.linear_model import SGDClassifier

    sentences = [(it, int(i)) for it in items for i in np.flatnonzero(it.holds.any(axis=1))]
    counts: Counter[str] = Counter()
    for it, i in sentences:
        for t in it.tokens[i]:
            counts.update(t.features)
    vocab = {f: k for k, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_COUNT))}
    indptr, indices = [0], []
    for it, i in sentences:
        for t in it.tokens[i]:
            indices.extend(vocab[f] for f in t.features if f in vocab)
            indptr.append(len(indices))
    x_all = sp.csr_matrix((np.ones(len(indices), dtype=np.float64), indices, indptr),
                          shape=(len(indptr) - 1, len(vocab)))
    inside = np.vstack([it.inside[i] for it, i in sentences]) if sentences else np.zeros((0, len(LABELS)), bool)
    holds = np.vstack([np.tile(it.holds[i], (len(it.tokens[i]), 1)) for it, i in sentences]) if sentences \
        else np.zeros((0, len(LABELS)), bool)
    weights = np.zeros((len(vocab), len(LABELS)), dtype=np.float32)
    bias = np.full(len(LABELS), -5.0, dtype=np.float32)
    for j in range(len(LABELS)):
        rows = np.flatnonzero(holds[:, j])
        y = inside[rows, j]
        if len(y) and y.all():
            bias[j] = 5.0
        if not y.any() or y.all():
            continue
        lr = SGDClassifier(loss="log_loss", alpha=alpha, max_iter=epochs, tol=None, random_state=0)
        lr.fit(x_all[rows], y)
        weights[:, j], bias[j] = lr.coef_[0], lr.intercept_[0]
    return FragmentModel(LABELS, vocab, weights, bias, np.full(len(LABELS), 0.3, dtype=np.float32),
                         ["words"] * len(LABELS), function_words(items), meta or {}, span_lengths(items))


def span_lengths(items: Sequence[Tokenised], quantile: float = 0.9) -> np.ndarray:
    """Per technique, the `quantile` of its gold spans' lengths in tokens, counted per sentence."""
    lengths: list[list[int]] = [[] for _ in LABELS]
    for it in items:
        for ins in it.inside:
            for j in np.flatnonzero(ins.any(axis=0)):
                lengths[j].append(int(ins[:, j].sum()))
    return np.array([int(np.ceil(np.quantile(v, quantile))) if v else 0 for v in lengths], dtype=np.int32)


@dataclass
class SpanCV:
    """Out-of-fold span scores per language, the chosen settings, the out-of-fold predictions."""

    by_language: dict[str, SpanScores] = field(default_factory=dict)
    settings: list[tuple[str, float]] = field(default_factory=list)
    """per technique: decoder and word threshold"""
    predictions: dict[str, list[LabeledSpan]] = field(default_factory=dict)
    """article key (`lang/id`) -> its out-of-fold spans."""


def _key(art: Article) -> str:
    return f"{art.lang}/{art.article_id}"


def gold_of(it: Tokenised) -> list[LabeledSpan]:
    return [LabeledSpan(s.start, s.end, s.technique) for s in it.article.spans if s.technique in TECHNIQUES]


def _merged_gold(it: Tokenised) -> list[list[tuple[int, int]]]:
    """Per technique, the article's gold spans with overlaps merged (as the metric merges them)."""
    from rhetorscope.spans.ptc import merge_intervals

    by: list[list[tuple[int, int]]] = [[] for _ in LABELS]
    index = {t: j for j, t in enumerate(LABELS)}
    for s in gold_of(it):
        by[index[s.label]].append((s.start, s.end))
    return [merge_intervals(g) for g in by]


def _article_sums(model: FragmentModel, it: Tokenised, gate: np.ndarray, logits: dict[int, np.ndarray],
                  gold: list[list[tuple[int, int]]], out: np.ndarray) -> None:
    """Add one article's technique-aware metric sums to `out` (labels, 4: precision sum, recall sum,
    predicted, gold). Fragments of one technique never overlap (sentences do not), so each fragment's
    share of both sums is its own: the same sums as `score_spans`, without re-merging per setting."""
    for j, g in enumerate(gold):
        out[j, 3] += len(g)
    for _, j, f in fragments_of(model, it, gate, logits):
        p = r = 0.0
        for gs, ge in gold[j]:
            inter = min(f.end, ge) - max(f.start, gs)
            if inter > 0:
                p += inter / (f.end - f.start)
                r += inter / (ge - gs)
        out[j] += (p, r, 1, 0)


def _f1(s: np.ndarray) -> np.ndarray:
    p = np.divide(s[..., 0], s[..., 2], out=np.zeros_like(s[..., 0]), where=s[..., 2] > 0)
    r = np.divide(s[..., 1], s[..., 3], out=np.zeros_like(s[..., 1]), where=s[..., 3] > 0)
    return np.divide(2 * p * r, p + r, out=np.zeros_like(p), where=(p + r) > 0)


def cross_validate(items: Sequence[Tokenised], fold: np.ndarray, gates: Sequence[np.ndarray], n_folds: int,
                   progress: Callable[[str], None] = lambda _: None) -> SpanCV:
    """Nested out-of-fold span scores (see the module docstring); `gates[k]` gates article k
    (`predict.gate`: the sentence probability where the sentence model passes a technique, else 0)."""
    sums = np.zeros((n_folds, len(SETTINGS), len(LABELS), 4))
    models: list[FragmentModel] = []
    logits: dict[int, dict[int, np.ndarray]] = {}
    """each article's word logits under its fold's model, computed once for the search and the final tagging"""
    for f in range(n_folds):
        progress(f"fragments: fold {f + 1}/{n_folds}")
        model = fit([it for it, g in zip(items, fold, strict=True) if g != f])
        models.append(model)
        for k in np.flatnonzero(fold == f):
            gold, logits[k] = _merged_gold(items[k]), logits_of(model, items[k], gates[k])
            for s, setting in enumerate(SETTINGS):
                _apply(model, [setting] * len(LABELS))
                _article_sums(model, items[k], gates[k], logits[k], gold, sums[f, s])
    cv = SpanCV()
    for f in range(n_folds):
        chosen = _choose(sums[np.arange(n_folds) != f].sum(axis=0))
        _apply(models[f], chosen)
        for k in np.flatnonzero(fold == f):
            cv.predictions[_key(items[k].article)] = tag(models[f], items[k], gates[k], logits[k])
    cv.settings = _choose(sums.sum(axis=0))
    for lang in LANGS:
        keys = [_key(it.article) for it in items if it.article.lang == lang]
        if keys:
            gold = {_key(it.article): gold_of(it) for it in items if it.article.lang == lang}
            cv.by_language[lang] = score_spans({k: cv.predictions[k] for k in keys}, gold, labels=LABELS)
    return cv


WORD_LEVEL = frozenset({"Loaded_Language", "Name_Calling-Labeling"})
"""Techniques that a word or a short phrase carries by definition (the SemEval-2023 guidelines): their
fragments always use the `words` decoder. Partial-overlap F1 rewards any longer window that holds the
word (with the accurate gate, cross-validation chose `clause` for Name calling, and "a full Nazi" gave
way to "peaceful slogans or slogans" on the reference document); a reader wants the word."""


def _choose(sums: np.ndarray) -> list[tuple[str, float]]:
    """Per technique, the (decoder, threshold) with the best technique-aware F1 on `sums` (settings,
    labels, 4), among the `words` settings alone for a word-level technique."""
    out = []
    for j, label in enumerate(LABELS):
        f1 = _f1(sums[:, j])
        allowed = [k for k, (decoder, _) in enumerate(SETTINGS) if label not in WORD_LEVEL or decoder == "words"]
        out.append(SETTINGS[max(allowed, key=lambda k: f1[k])])
    return out


def _apply(model: FragmentModel, settings: Sequence[tuple[str, float]]) -> None:
    model.decoders = [d for d, _ in settings]
    model.thresholds = np.array([t for _, t in settings], dtype=np.float32)


def fit_final(items: Sequence[Tokenised], cv: SpanCV, meta: dict[str, Any]) -> FragmentModel:
    """The shipped model: fitted on every article, with the settings chosen on all out-of-fold sums;
    its version carries a hash of what it computes, so two identical runs give the same version."""
    model = fit(items, meta=meta)
    _apply(model, cv.settings)
    model.meta["version"] = f"{VERSION}+{model.content_hash()}"
    return model


def gates_out_of_fold(prep: Prepared, fold_of_article: np.ndarray, seed: int, with_network: bool, blend: float,
                      progress: Callable[[str], None] = lambda _: None) -> list[np.ndarray]:
    """Per article of `prep`, the probability of each technique an out-of-fold sentence model passes in
    each sentence (0 where it does not; `predict.gate`): the fast tier's lexical model, or with
    `with_network` the accurate tier's encoder network blended with it, with the per-language
    thresholds tuned on the other folds, exactly as `train sentences` validates them."""
    from rhetorscope.detect.train import SEGMENTATIONS, TrainConfig, fold_thresholds, out_of_fold, segment_table

    cfg = TrainConfig(seed=seed, folds=int(fold_of_article.max()) + 1)
    z_net, z_lex = out_of_fold(prep, cfg, fold_of_article, progress, network=with_network)
    z = z_lex if z_net is None else (1 - blend) * z_net + blend * z_lex
    proba = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    th = fold_thresholds([segment_table(prep, proba, how, fold_of_article) for how in SEGMENTATIONS], cfg.folds)
    out = []
    for k, a in enumerate(prep.articles):
        p = proba[prep.article_rows(k)]
        out.append(np.where(p >= th[fold_of_article[k], LANGS.index(a.lang)], p, 0.0))
    return out


def run_cv(articles: Sequence[Article], seed: int, encoder: Encoder | None, blend: float,
           progress: Callable[[str], None] = lambda _: None, n_folds: int = 5) -> tuple[list[Tokenised], SpanCV]:
    """The whole protocol: folds, out-of-fold gates, tokens, nested span cross-validation. Sentences
    are masked once, for the sentence model and the tokens alike."""
    from rhetorscope.detect.train import article_folds, prepare
    from rhetorscope.spans.predict import tokenise

    folds = article_folds(articles, n_folds, seed)
    progress("sentence model: preparing sentences")
    prep = prepare(articles, encoder)
    gates = gates_out_of_fold(prep, folds, seed, encoder is not None, blend, progress)
    progress("tokenising")
    items = [tokenise(a, prep.masked[prep.article_rows(k)]) for k, a in enumerate(articles)]
    return items, cross_validate(items, folds, gates, n_folds, progress)


def paragraph_f1(items: Sequence[Tokenised], predictions: dict[str, list[LabeledSpan]]) -> dict[str, float]:
    """Micro-F1 per language of the paragraph labels obtained by projecting spans onto their lines
    (a line carries a technique when a span starts in it or covers half of it, as for gold)."""
    from rhetorscope.detect.corpus import Span, labels_of

    counts: dict[str, list[int]] = {}
    for it in items:
        art = it.article
        pred = [Span(s.label, s.start, s.end) for s in predictions.get(_key(art), [])]
        c = counts.setdefault(art.lang, [0, 0, 0])
        for start, end in art.lines:
            g, p = labels_of(art.spans, start, end), labels_of(pred, start, end)
            c[0] += len(g & p)
            c[1] += len(p - g)
            c[2] += len(g - p)
    return {lang: 2 * tp / max(2 * tp + fp + fn, 1) for lang, (tp, fp, fn) in counts.items()}


def to_ptc(predictions: dict[str, list[LabeledSpan]]) -> dict[str, list[LabeledSpan]]:
    """English out-of-fold spans under the 14 PTC labels, keyed by article id, to score against PTC."""
    return {key.split("/", 1)[1]: to_ptc_labels(spans) for key, spans in predictions.items()
            if key.startswith("en/")}


def model_card(model: FragmentModel, cv: SpanCV, paragraph: dict[str, float], data_name: str, gate: str,
               ptc: SpanScores | None) -> str:
    """The model card written next to the artifact: data, protocol, settings, scores per language."""
    lines = [
        f"# Fragment tagger {model.version}", "",
        "Places each technique the sentence model finds in a sentence on the words that carry it, in six "
        "languages (`rhetorscope.spans.fragments`).", "",
        f"- data: `{data_name}` (SemEval-2023 task 3 train split, character spans, 23 techniques), "
        f"{len(model.vocab)} word features",
        "- model: one logistic regression per technique (SGD, logistic loss, alpha 2e-5, 12 epochs, seed 0) "
        "over the words of the sentences holding its spans "
        "(word, affixes, neighbours, shape, quotes, repetition in the document; names masked), six languages "
        "jointly; a decoder and a threshold per technique (below)",
        f"- validation: 5 article folds (the sentence model's); sentences gated by the out-of-fold {gate} "
        "sentence model with thresholds tuned on the other folds; decoder and threshold per technique "
        "chosen on the other folds' score sums (nested); SemEval-2020 partial-overlap metrics", "",
        "| lang | span P | span R | span F1 | technique P | technique R | technique F1 | paragraph micro-F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for lang, s in cv.by_language.items():
        si, te = s.span_identification, s.technique
        lines.append(f"| {lang} | {si.precision:.3f} | {si.recall:.3f} | {si.f1:.3f} | {te.precision:.3f} | "
                     f"{te.recall:.3f} | {te.f1:.3f} | {paragraph.get(lang, 0.0):.3f} |")
    if ptc is not None:
        lines += ["", f"English out-of-fold spans on the PTC articles, PTC labels: span F1 "
                  f"{ptc.span_identification.f1:.3f}, technique-aware F1 {ptc.technique.f1:.3f}"]
    lines += ["", "| technique | decoder | word threshold |", "|---|---|---|"]
    lines += [f"| {t} | {d} | {th:.2f} |" for t, d, th in zip(model.labels, model.decoders,
                                                               model.thresholds.tolist(), strict=True)]
    lines += ["", "Rebuild: `rhetorscope train spans --data ../shared/datasets/semeval2023-task3-spans "
              f"--gate {gate} --out src/rhetorscope/spans/data` (same data and seed, same weights and metrics).",
              ""]
    return "\n".join(lines)
