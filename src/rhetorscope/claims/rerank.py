"""A second look at the best candidates: how likely is it that this fact-check checks this claim?

The hybrid score (`retrieval.py`) adds two scaled numbers with one weight. Whether a fact-check
checks a claim depends on more than that sum: the claim's and the title's cosines apart, the claim
read as a passage as well as a query (e5 embeds the two roles differently, and a post that states a
rumour reads like the fact-check's own claim), its best sentence alone (a post often wraps the claim
in comment and a signature), how far each candidate is behind the best one, how much of the query's
rare vocabulary, word pairs, names and numbers the fact-check shares, and where each signal ranks
it. Boosted decision trees over these features re-order the hybrid's top `depth` candidates,
and their probability becomes the hit's score, so a score means the same at 1,000 and at 100,000
fact-checks.

The trees are fitted with scikit-learn (`rhetorscope train retrieval`, on the CheckThat! 2020
training tweets) and evaluated here with numpy alone. Everything they read is computed from the
index and the query at search time; nothing depends on who is named.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from rhetorscope.claims.retrieval import ClaimIndex, Hit

ARTIFACT_NAME = "rerank.npz"
SCHEMA = "rhetorscope-rerank/1"
FEATURES = (
    "hybrid", "cosine_claim", "cosine_title", "cosine_gap", "bm25_share", "log_bm25",
    "rank_hybrid", "rank_cosine", "rank_bm25", "query_idf_covered", "fact_idf_covered",
    "numbers_shared", "numbers_missing", "passage_claim", "passage_title", "passage_gap",
    "best_part", "best_part_gap", "pairs_shared", "names_shared",
)
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")
_PART_RE = re.compile(r"(?<=[.!?])\s+|\s+[—–-]\s+")
_NAME_RE = re.compile(r"(?<!\w)[A-ZА-ЯЁ][a-zа-яё]+")


@dataclass(frozen=True)
class QueryViews:
    """What the re-ranker reads of a query besides its query embedding: its passage embedding and the
    query embeddings of its parts (sentences, and what a dash sets apart, of four words or more)."""

    passage: np.ndarray
    parts: np.ndarray


def query_parts(text: str) -> list[str]:
    """The query's parts of four words or more; the whole text when none is that long."""
    return [p for p in _PART_RE.split(text) if len(p.split()) >= 4] or [text]


def embed_views(encoder: Any, texts: Sequence[str], vectors: np.ndarray) -> list[QueryViews]:
    """Each query's views, encoded in two batches; `vectors` are the texts' query embeddings (a part
    that is the whole text reuses its own). `encoder` has `encode(texts, kind)`."""
    passages = encoder.encode(list(texts), "passage")
    parts = [query_parts(t) for t in texts]
    todo = list(dict.fromkeys(p for t, ps in zip(texts, parts, strict=True) for p in ps if p != t))
    known = dict(zip(todo, encoder.encode(todo, "query"), strict=True)) if todo else {}
    known.update(zip(texts, vectors, strict=True))
    return [QueryViews(passages[n], np.stack([known[p] for p in ps])) for n, ps in enumerate(parts)]


@dataclass
class Reranker:
    """Boosted regression trees over `FEATURES`, one row of arrays per tree (`leaf` marks the leaves).

    A row goes left at a node when its feature is at most the node's threshold; the probability is
    the logistic of `baseline` plus the sum of the leaves reached.
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    leaf: np.ndarray
    baseline: float
    depth: int = 30
    meta: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P(fact-check checks the claim) for each feature row."""
        trees = np.arange(len(self.feature))[:, None]
        node = np.zeros((len(self.feature), len(rows)), dtype=np.int64)
        cols = np.arange(len(rows))[None, :]
        for _ in range(self.feature.shape[1]):
            at_leaf = self.leaf[trees, node]
            if at_leaf.all():
                break
            go_left = rows[cols, self.feature[trees, node]] <= self.threshold[trees, node]
            node = np.where(at_leaf, node, np.where(go_left, self.left[trees, node], self.right[trees, node]))
        margin = self.baseline + self.value[trees, node].sum(axis=0)
        return 0.5 * (1.0 + np.tanh(0.5 * margin))  # the logistic, without overflow for large margins

    def rerank(self, index: ClaimIndex, query: str, vector: np.ndarray, views: QueryViews,
               hits: Sequence[Hit]) -> list[Hit]:
        """The hits re-ordered by probability (equal ones keep the hybrid's order), scored by it."""
        if not hits:
            return []
        return self.reorder(hits, candidate_features(index, query, vector, views, hits))

    def reorder(self, hits: Sequence[Hit], rows: np.ndarray) -> list[Hit]:
        """`rerank` of hits whose feature rows are already known (training scores its folds this way)."""
        from rhetorscope.claims.retrieval import Hit

        p = self.probabilities(rows)
        order = sorted(range(len(hits)), key=lambda n: (-p[n], n))
        return [Hit(hits[n].index, float(p[n]), hits[n].bm25, hits[n].cosine) for n in order]

    def save(self, path: Path) -> None:
        """Write the trees as one `.npz` (numpy only to read back)."""
        np.savez_compressed(path, schema=np.array(SCHEMA), features=np.array(FEATURES), feature=self.feature,
                            threshold=self.threshold, left=self.left, right=self.right, value=self.value,
                            leaf=self.leaf, baseline=np.array(self.baseline), depth=np.array(self.depth),
                            meta=np.array(json.dumps(self.meta, sort_keys=True)))

    @classmethod
    def load(cls, path: Path) -> Reranker:
        """Read a model written by `save`; one written for other features is refused."""
        from rhetorscope.errors import RhetorscopeError

        with np.load(path, allow_pickle=False) as z:
            if "schema" not in z.files or str(z["schema"]) != SCHEMA or z["features"].tolist() != list(FEATURES):
                raise RhetorscopeError(f"{path} is not a re-ranker for this version of rhetorscope",
                                       "rebuild it with: rhetorscope train retrieval")
            return cls(z["feature"], z["threshold"], z["left"], z["right"], z["value"], z["leaf"],
                       float(z["baseline"]), int(z["depth"]), json.loads(str(z["meta"])))


def shipped_path() -> Path:
    """Where the package keeps its re-ranker."""
    return Path(__file__).with_name("data") / ARTIFACT_NAME


def load_default() -> Reranker | None:
    """The shipped re-ranker, or None when the package has none (the hybrid order then stands)."""
    path = shipped_path()
    return Reranker.load(path) if path.is_file() else None


def _inverse_ranks(values: np.ndarray) -> np.ndarray:
    """1 / (1 + rank) of each value, the largest ranked 0 (ties in candidate order)."""
    ranks = np.empty(len(values))
    ranks[np.lexsort((np.arange(len(values)), -values))] = np.arange(len(values))
    return 1.0 / (1.0 + ranks)


def candidate_features(index: ClaimIndex, query: str, vector: np.ndarray, views: QueryViews,
                       hits: Sequence[Hit]) -> np.ndarray:
    """One row of `FEATURES` per hit, from the index's vectors, vocabulary and idf; `vector` is the
    query's e5 query embedding."""
    from rhetorscope.claims.retrieval import tokens

    rows = np.asarray([h.index for h in hits])
    claim, title = index.cosine_parts(rows, np.asarray(vector, dtype=np.float32))
    as_claim, as_title = index.cosine_parts(rows, np.asarray(views.passage, dtype=np.float32))
    best_part = np.max([np.maximum(*index.cosine_parts(rows, np.asarray(v, dtype=np.float32)))
                        for v in views.parts], axis=0)
    bm25 = np.asarray([h.bm25 for h in hits], dtype=np.float64)
    words = tokens(query)
    query_terms = set(words)
    query_idf = {t: index.idf_of(t) for t in query_terms}
    query_total = sum(query_idf.values()) or 1.0
    query_numbers = set(_NUMBER_RE.findall(query))
    query_pairs = set(pairwise(words))
    query_names = {w.lower() for w in _NAME_RE.findall(query)}
    out = np.zeros((len(hits), len(FEATURES)))
    for n, h in enumerate(hits):
        text = index.texts[h.index]
        fact_words = tokens(text)
        fact_terms = set(fact_words)
        shared = sum(query_idf[t] for t in query_terms & fact_terms)
        fact_total = float(index.idf_total[h.index]) or 1.0
        numbers = set(_NUMBER_RE.findall(text))
        out[n, [0, 9, 10, 11, 12, 18, 19]] = (
            h.score, shared / query_total, shared / fact_total, len(query_numbers & numbers),
            len(query_numbers - numbers) if numbers else 0,
            len(query_pairs & set(pairwise(fact_words))),
            len(query_names & fact_terms) / max(len(query_names), 1))
    best, as_best = np.maximum(claim, title), np.maximum(as_claim, as_title)
    out[:, 1], out[:, 2], out[:, 3] = claim, title, best - best.max()
    out[:, 4] = bm25 / bm25.max() if bm25.max() > 0 else 0.0
    out[:, 5] = np.log1p(bm25)
    out[:, 6] = 1.0 / (1.0 + np.arange(len(hits)))
    out[:, 7], out[:, 8] = _inverse_ranks(best), _inverse_ranks(bm25)
    out[:, 13], out[:, 14], out[:, 15] = as_claim, as_title, as_best - as_best.max()
    out[:, 16], out[:, 17] = best_part, best_part - best_part.max()
    return out


def fit(rows: np.ndarray, labels: np.ndarray, *, trees: int = 200, learning_rate: float = 0.05,
        max_depth: int = 3, seed: int = 13, depth: int = 30, meta: dict[str, Any] | None = None) -> Reranker:
    """A re-ranker from candidate feature rows and their 0/1 labels (needs scikit-learn).

    scikit-learn's gradient boosting keeps its trees in public arrays (`tree_`), so they are copied
    into numpy arrays of one width and checked against scikit-learn's own margins."""
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(n_estimators=trees, learning_rate=learning_rate, max_depth=max_depth,
                                       subsample=0.8, random_state=seed)
    model.fit(rows, labels)
    fitted = [e[0].tree_ for e in model.estimators_]
    width = max(t.node_count for t in fitted)
    arrays = {name: np.zeros((len(fitted), width), dtype=kind) for name, kind in (
        ("feature", np.int64), ("threshold", np.float64), ("left", np.int64), ("right", np.int64),
        ("value", np.float64), ("leaf", bool))}
    for i, t in enumerate(fitted):
        n = t.node_count
        arrays["leaf"][i, :n] = t.children_left == -1
        arrays["leaf"][i, n:] = True
        arrays["feature"][i, :n] = np.maximum(t.feature, 0)
        arrays["threshold"][i, :n] = t.threshold
        arrays["left"][i, :n] = np.maximum(t.children_left, 0)
        arrays["right"][i, :n] = np.maximum(t.children_right, 0)
        arrays["value"][i, :n] = t.value[:, 0, 0] * learning_rate
    sample = rows[: min(len(rows), 256)]
    tree_sum = sum(e[0].predict(sample) for e in model.estimators_) * learning_rate
    baseline = float(np.mean(model.decision_function(sample) - tree_sum))
    reranker = Reranker(**arrays, baseline=baseline, depth=depth, meta=dict(meta or {}))
    if not np.allclose(reranker.probabilities(sample), model.predict_proba(sample)[:, 1], atol=1e-9):
        raise RuntimeError("the exported trees disagree with scikit-learn's probabilities")
    return reranker
