"""Fit and validate the claim-retrieval re-ranker on CheckThat! 2020 task 2 (needs scikit-learn).

The training tweets choose everything: the trees' depth by 5-fold cross-validation over tweets
(each tweet's candidates stay in one fold), then the final model on all of them. The dev tweets are
scored once, at the end, as unseen data. The candidates are what the shipped hybrid returns for
each tweet (its top `depth`); a tweet whose fact-check is not among them teaches nothing and counts
as a miss in every score.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rhetorscope.claims.clef import read_qrels, read_queries, read_vclaims, retrieval_scores
from rhetorscope.claims.rerank import FEATURES, QueryViews, Reranker, candidate_features, embed_views, fit
from rhetorscope.claims.retrieval import ALPHA, ClaimIndex, Hit, vclaim_index
from rhetorscope.claims.text import query_text
from rhetorscope.encoder import CachedEncoder, Encoder

MODEL_VERSION = "rerank-1"
DEPTH_GRID = (3, 4, 5)
"""Depths of the boosted trees tried (200 trees, learning rate 0.05, 80 % subsamples)."""
DEPTH = 30


@dataclass
class Split:
    """One split's tweets as the index sees them: ids, cleaned texts, query vectors and the re-ranker's
    views, relevant fact-check ids."""

    ids: list[str]
    texts: list[str]
    vectors: np.ndarray
    views: list[QueryViews]
    qrels: dict[str, set[str]]


@dataclass
class Task:
    """The fact-check index and both splits, embedded once."""

    index: ClaimIndex
    vclaim_ids: list[str]
    train: Split
    dev: Split

    @classmethod
    def read(cls, folder: Path, encoder: Encoder, cache: Path | None = None) -> Task:
        vclaims = read_vclaims(folder / "verified_claims.docs.tsv")
        index = vclaim_index(vclaims, encoder, cache)
        splits = []
        cached = CachedEncoder(encoder, cache)
        try:
            for name in ("train", "dev"):
                queries = read_queries(folder / name / "tweets.queries.tsv")
                texts = [query_text(t) for _, t in queries]
                vectors = cached.encode(texts, "query")
                splits.append(Split([q for q, _ in queries], texts, vectors, embed_views(cached, texts, vectors),
                                    read_qrels(folder / name / "tweet-vclaim-pairs.qrels")))
        finally:
            cached.save()
        return cls(index, [v for v, _, _ in vclaims], *splits)

    def candidates(self, split: Split) -> list[list[Hit]]:
        """The hybrid's top `DEPTH` for every tweet (the re-ranker's input)."""
        return [self.index.hybrid(text, split.vectors[n], DEPTH, ALPHA) for n, text in enumerate(split.texts)]

    def table(self, split: Split, hits: Sequence[Sequence[Hit]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Feature rows, 0/1 labels and the tweet number of each candidate."""
        rows, labels, groups = [], [], []
        for n, (qid, text) in enumerate(zip(split.ids, split.texts, strict=True)):
            rows.append(candidate_features(self.index, text, split.vectors[n], split.views[n], hits[n]))
            labels += [int(self.vclaim_ids[h.index] in split.qrels.get(qid, set())) for h in hits[n]]
            groups += [n] * len(hits[n])
        return np.vstack(rows), np.asarray(labels), np.asarray(groups)

    def scores(self, split: Split, ranked: Sequence[Sequence[Hit]]) -> dict[str, float]:
        """MAP@1/3/5/10 and MRR of ranked hits (tweets in split order)."""
        run = {qid: [self.vclaim_ids[h.index] for h in hits] for qid, hits in zip(split.ids, ranked, strict=True)}
        return retrieval_scores(run, split.qrels)


def _reorder(model: Reranker, rows: np.ndarray, groups: np.ndarray, hits: Sequence[Sequence[Hit]],
             keep: np.ndarray) -> list[list[Hit]]:
    """Each kept tweet's candidates as the model orders them (the others as the hybrid gave them)."""
    return [model.reorder(cands, rows[groups == n]) if keep[n] else list(cands) for n, cands in enumerate(hits)]


@dataclass
class Report:
    """What `train retrieval` prints and the model card records."""

    max_depth: int
    cv_by_depth: dict[int, float]
    train_hybrid: dict[str, float]
    train_cv: dict[str, float]
    dev_hybrid: dict[str, float]
    dev_reranked: dict[str, float]
    recall_at_depth: float


def train(task: Task, seed: int = 13, progress: Callable[[str], None] | None = None) -> tuple[Reranker, Report]:
    """Choose the trees' depth by cross-validation over the training tweets, fit on all of them, score
    dev once."""
    say = progress or (lambda _msg: None)
    say("candidates of the training tweets")
    train_hits = task.candidates(task.train)
    rows, labels, groups = task.table(task.train, train_hits)
    folds = np.random.default_rng(seed).permutation(len(task.train.ids)) % 5
    cv_by_depth, cv_ranked = {}, {}
    for max_depth in DEPTH_GRID:
        say(f"cross-validating trees of depth {max_depth}")
        ranked: list[list[Hit]] = [list(h) for h in train_hits]
        for fold in range(5):
            held = folds[groups] == fold
            model = fit(rows[~held], labels[~held], max_depth=max_depth, seed=seed, depth=DEPTH)
            for n, hits in enumerate(_reorder(model, rows, groups, train_hits, folds == fold)):
                if folds[n] == fold:
                    ranked[n] = hits
        cv_ranked[max_depth] = ranked
        cv_by_depth[max_depth] = task.scores(task.train, ranked)["MAP@5"]
    best = max(DEPTH_GRID, key=lambda d: (cv_by_depth[d], -d))
    model = fit(rows, labels, max_depth=best, seed=seed, depth=DEPTH, meta={
        "model_version": MODEL_VERSION, "max_depth": best, "alpha": ALPHA, "seed": seed,
        "training_candidates": len(labels), "training_positives": int(labels.sum())})
    say("scoring the dev tweets")
    dev_hits = task.candidates(task.dev)
    dev_rows, _, dev_groups = task.table(task.dev, dev_hits)
    dev_ranked = _reorder(model, dev_rows, dev_groups, dev_hits, np.ones(len(dev_hits), dtype=bool))
    found = sum(any(task.vclaim_ids[h.index] in task.dev.qrels.get(q, set()) for h in hits)
                for q, hits in zip(task.dev.ids, dev_hits, strict=True))
    return model, Report(best, cv_by_depth, task.scores(task.train, train_hits),
                         task.scores(task.train, cv_ranked[best]), task.scores(task.dev, dev_hits),
                         task.scores(task.dev, dev_ranked), found / max(len(task.dev.ids), 1))


def format_report(report: Report) -> str:
    """The table `train retrieval` prints (also in the model card)."""
    lines = [f"{'system':<44} {'MAP@1':>6} {'MAP@3':>6} {'MAP@5':>6} {'MAP@10':>6} {'MRR':>6}"]
    for name, s in ((f"train, hybrid alpha {ALPHA}", report.train_hybrid),
                    (f"train, re-ranked (5-fold CV, depth {report.max_depth})", report.train_cv),
                    (f"dev (unseen), hybrid alpha {ALPHA}", report.dev_hybrid),
                    ("dev (unseen), re-ranked", report.dev_reranked)):
        lines.append(f"{name:<44} {s['MAP@1']:6.3f} {s['MAP@3']:6.3f} {s['MAP@5']:6.3f} {s['MAP@10']:6.3f} "
                     f"{s['MRR']:6.3f}")
    lines.append("CV MAP@5 by tree depth: " + ", ".join(f"{d}: {v:.3f}" for d, v in report.cv_by_depth.items()))
    lines.append(f"dev tweets whose fact-check is in the hybrid's top {DEPTH}: {report.recall_at_depth:.1%}")
    return "\n".join(lines)


def model_card(model: Reranker, report: Report, data_name: str) -> str:
    """A short card: data, features, the table."""
    return f"""# Claim-retrieval re-ranker ({MODEL_VERSION})

Re-orders the hybrid's (BM25 + e5 cosine, alpha {ALPHA}) top {model.depth} fact-checks for a claim; its
probability is the match score. Gradient-boosted regression trees ({len(model.feature)} trees of depth
{report.max_depth}, the depth chosen by 5-fold cross-validation over the training tweets; learning rate
0.05, 80 % subsamples, seed {model.meta.get('seed')}), fitted with scikit-learn and evaluated with numpy.

- Data: `{data_name}` (CheckThat! 2020 task 2), {model.meta.get('training_candidates')} candidates of the
  training tweets, {model.meta.get('training_positives')} of them the tweet's fact-check.
- Features ({len(FEATURES)}): {", ".join(FEATURES)} (`claims/rerank.py`).
- Rebuild: `rhetorscope train retrieval --data ../shared/datasets/{data_name} --out src/rhetorscope/claims/data
  --cache claims.npz` (same data and seed, same model).

```
{format_report(report)}
```
"""
