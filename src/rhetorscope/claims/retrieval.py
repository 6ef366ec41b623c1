"""Rank verified claims for a query: BM25 over words, e5 cosine over meaning, and their blend.

BM25 (k1 1.2, b 0.75, lower-cased word tokens over claim and title) finds the fact-check that uses
the same words; the multilingual encoder finds the one that says the same thing in other words or
in another language, where BM25 sees nothing. A fact-check has two vectors, its claim's and its
title's (the title often names the rumour the way people repeat it), and its cosine is the larger
of the two. The hybrid score is

    alpha * (cosine - min) / (max - min) + (1 - alpha) * bm25 / max(bm25)

with min and max over the collection, so both parts span [0, 1] (e5 cosines crowd into a narrow
band, and unscaled they would lose to any word overlap). A query with no shared word (a Russian
sentence, English fact-checks) is ranked by meaning alone. `alpha` is fitted on the CheckThat!
2020 training tweets (`benchmarks/claims.py`). The index is numpy only: postings as flat arrays,
vectors as one float32 matrix, so one query against 100,000 fact-checks costs milliseconds.

Reading the 200,000 x 384 float32 vectors of 100,000 fact-checks takes most of a query's time
(300 MB, bound by memory bandwidth), so a query first reads an int8 sketch of them, a quarter of
the bytes: each vector less the collection's mean, scaled to [-127, 127] row by row. The sketch's
cosines are within a bound known per row (half a quantisation step times the query's L1 norm), and
only the fact-checks whose bounds could reach the top `k`, the maximum or the minimum are scored
again with the float32 vectors: the ranking and the scores are those of the full product.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rhetorscope.claims.rerank import QueryViews, Reranker, embed_views
from rhetorscope.claims.text import query_text
from rhetorscope.claims.vectors import encode_cached
from rhetorscope.encoder import CachedEncoder, Encoder

K1 = 1.2
B = 0.75
ALPHA = 0.8
"""Weight of the scaled cosine in the hybrid; fitted on the training tweets (benchmarks/claims.py)."""

_TOKEN_RE = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens, the BM25 vocabulary."""
    return _TOKEN_RE.findall(text.lower())


@dataclass(frozen=True)
class Hit:
    """One ranked fact-check: its position in the index, the blended score and the parts it came from."""

    index: int
    score: float
    bm25: float
    cosine: float


class ClaimIndex:
    """An in-memory BM25 + vector index over fact-checks (claim text plus title; claim and title vectors).

    With a `reranker` (and the query's embeddings as a query and as a passage) the hybrid's best
    `reranker.depth` are re-ordered by it and scored with its probability (`rerank.py`); hits beyond
    that depth follow in the hybrid's order. Without one the hybrid score stands.
    """

    def __init__(self, texts: Sequence[str], vectors: np.ndarray | None,
                 title_vectors: np.ndarray | None = None, reranker: Reranker | None = None) -> None:
        self.texts = list(texts)
        self.reranker = reranker
        docs = [Counter(tokens(t)) for t in self.texts]
        self.size = len(docs)
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        for i, doc in enumerate(docs):
            for term, tf in doc.items():
                rows.append(vocab.setdefault(term, len(vocab)))
                cols.append(i)
                tfs.append(tf)
        self.vocab = vocab
        order = np.argsort(np.asarray(rows, dtype=np.int64), kind="stable")
        term_of = np.asarray(rows, dtype=np.int64)[order]
        self._docs = np.asarray(cols, dtype=np.int32)[order]
        tf_arr = np.asarray(tfs, dtype=np.float32)[order]
        self._start = np.searchsorted(term_of, np.arange(len(vocab) + 1))
        lengths = np.asarray([sum(d.values()) for d in docs], dtype=np.float32)
        avg = float(lengths.mean()) if len(lengths) else 1.0
        norm = K1 * (1 - B + B * lengths / max(avg, 1e-9))
        self._weight = tf_arr * (K1 + 1) / (tf_arr + norm[self._docs])
        df = np.diff(self._start).astype(np.float32)
        self.idf = np.log(1 + (self.size - df + 0.5) / (df + 0.5))
        self.idf_total = np.bincount(self._docs, weights=self.idf[term_of], minlength=self.size)
        """Per fact-check, the idf summed over its distinct words (what the re-ranker's coverage divides by)."""
        self.vectors = None if vectors is None else np.ascontiguousarray(
            vectors if title_vectors is None else np.vstack([vectors, title_vectors]), dtype=np.float32)
        self._sketch = None if self.vectors is None or not len(self.vectors) else _Sketch(self.vectors)

    def bm25(self, query: str) -> np.ndarray:
        """BM25 of every document for the query (zeros where no word is shared)."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term, qtf in Counter(tokens(query)).items():
            j = self.vocab.get(term)
            if j is None:
                continue
            lo, hi = self._start[j], self._start[j + 1]
            scores[self._docs[lo:hi]] += qtf * self.idf[j] * self._weight[lo:hi]
        return scores

    def idf_of(self, term: str) -> float:
        """The term's BM25 idf; a word no fact-check uses counts as found in one."""
        j = self.vocab.get(term)
        return float(self.idf[j]) if j is not None else float(np.log(1 + (self.size - 0.5) / 1.5))

    def search(self, query: str, vector: np.ndarray | None, k: int = 10, alpha: float = ALPHA,
               views: QueryViews | None = None) -> list[Hit]:
        """The `k` best fact-checks: by the hybrid score (BM25 alone without vectors), then, given the
        query's other views (`rerank.embed_views`), by the re-ranker."""
        if self.reranker is None or vector is None or views is None or self._sketch is None:
            return self.hybrid(query, vector, k, alpha)
        hits = self.hybrid(query, vector, max(k, self.reranker.depth), alpha)
        head = self.reranker.rerank(self, query, vector, views, hits[: self.reranker.depth])
        if len(hits) <= len(head):
            return head[:k]
        # beyond the re-ranker's depth the hybrid order stands, scored below every re-ranked hit
        floor = head[-1].score / max(hits[len(head) - 1].score, 1e-9)
        return head + [Hit(h.index, h.score * floor, h.bm25, h.cosine) for h in hits[len(head):k]]

    def hybrid(self, query: str, vector: np.ndarray | None, k: int = 10, alpha: float = ALPHA) -> list[Hit]:
        """The `k` best by the hybrid score alone (the re-ranker's candidates)."""
        if self.size == 0:
            return []
        lexical = self.bm25(query)
        top = float(lexical.max())
        scaled = lexical / top if top > 0 else lexical
        k = min(k, self.size)
        if vector is None or self._sketch is None:
            best = _top(scaled, np.arange(self.size), k)
            return [Hit(int(i), float(scaled[i]), float(lexical[i]), 0.0) for i in best]
        query = np.asarray(vector, dtype=np.float32)
        approx, error = self._sketch.cosines(query)
        if len(approx) > self.size:  # a fact-check's cosine is the larger of its claim's and its title's
            approx, error = np.maximum(approx[: self.size], approx[self.size :]), np.maximum(error[: self.size],
                                                                                             error[self.size :])
        lower, upper = approx - error, approx + error
        high = float(self._cosines(np.flatnonzero(upper >= lower.max()), query).max())
        low = float(self._cosines(np.flatnonzero(lower <= upper.min()), query).min())
        span = max(high - low, 1e-9)
        floor = np.partition(alpha * (lower - low) / span + (1 - alpha) * scaled, self.size - k)[self.size - k]
        candidates = np.flatnonzero(alpha * (upper - low) / span + (1 - alpha) * scaled >= floor)
        cosine = self._cosines(candidates, query)
        blended = alpha * (cosine - low) / span + (1 - alpha) * scaled[candidates]
        order = _top(blended, candidates, k)
        at = {int(i): n for n, i in enumerate(candidates)}
        return [Hit(int(i), float(blended[at[int(i)]]), float(lexical[i]), float(cosine[at[int(i)]])) for i in order]

    def _cosines(self, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Exact cosines of these fact-checks with the query (the larger of claim and title)."""
        return np.maximum(*self.cosine_parts(rows, query))

    def cosine_parts(self, rows: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact cosines of these fact-checks' claims and of their titles (the claim's again without titles)."""
        assert self.vectors is not None
        claim = self.vectors[rows] @ query
        return claim, (claim if len(self.vectors) == self.size else self.vectors[rows + self.size] @ query)

    def shared_terms(self, query: str, text: str, top: int = 5) -> list[str]:
        """The rarest words query and fact-check share: the reason a reader can check.

        A word counts when its idf is at least half that of a word found in one fact-check only, so
        "the" and "said" never show, whatever the collection's size."""
        rare = 0.5 * float(np.log(1 + (self.size - 0.5) / 1.5))
        common = {w for w in set(tokens(query)) & set(tokens(text)) if w in self.vocab}
        ranked = sorted(common, key=lambda w: (-float(self.idf[self.vocab[w]]), w))
        return [w for w in ranked if self.idf[self.vocab[w]] >= rare][:top]


def _top(scores: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """The ids of the `k` best scores, best first; equal scores in id order."""
    k = min(k, len(ids))
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.lexsort((ids[best], -scores[best]))]
    return ids[best]


class _Sketch:
    """Vectors as int8 after taking out their mean, and how far a sketched cosine may be from the true one."""

    _CHUNK = 512
    """Rows widened to float32 at a time: small enough to stay in the processor's cache."""

    def __init__(self, rows: np.ndarray) -> None:
        self.mean = rows.mean(axis=0)
        centred = rows - self.mean
        self.step = np.maximum(np.abs(centred).max(axis=1), 1e-12) / 127.0
        self.codes = np.rint(centred / self.step[:, None]).astype(np.int8)
        self._buffer = np.empty((min(self._CHUNK, len(rows)), rows.shape[1]), dtype=np.float32)

    def cosines(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Approximate cosines of every row with `query`, and for each a bound on its error."""
        out = np.empty(len(self.codes), dtype=np.float32)
        for start in range(0, len(self.codes), self._CHUNK):
            block = self.codes[start : start + self._CHUNK]
            wide = self._buffer[: len(block)]
            wide[...] = block
            np.dot(wide, query, out=out[start : start + len(block)])
        # rounding moves each coordinate by at most half a step; float32 sums of `dim` terms add a little more
        bound = self.step * (float(np.abs(query).sum()) * (0.5 + 127.0 * self.codes.shape[1] * 2.0**-23)) + 1e-5
        return out * self.step + float(self.mean @ query), bound


def vclaim_text(claim: str, title: str) -> str:
    """What BM25 indexes for a fact-check: its claim and the article title."""
    return f"{claim} {title}".strip()


def vclaim_index(vclaims: Sequence[tuple[str, str, str]], encoder: Encoder | None, cache: Path | None = None,
                 reranker: Reranker | None = None) -> ClaimIndex:
    """The index of verified claims `(id, claim, title)`: with an encoder, their claim and title vectors
    (a title-less claim's own vector stands for its title); without one, BM25 only."""
    texts = [vclaim_text(c, t) for _, c, t in vclaims]
    if encoder is None:
        return ClaimIndex(texts, None)
    return ClaimIndex(texts, encode_cached(encoder, [c for _, c, _ in vclaims], "passage", cache),
                      encode_cached(encoder, [t or c for _, c, t in vclaims], "passage", cache), reranker)


def rank_vclaims(queries: Sequence[tuple[str, str]], vclaims: Sequence[tuple[str, str, str]],
                 encoder: Encoder | None, k: int = 1000, alpha: float = ALPHA,
                 cache: Path | None = None, reranker: Reranker | None = None) -> dict[str, list[tuple[str, float]]]:
    """A run: for each (query id, text) the `k` best verified claims `(id, claim, title)` with scores.

    Without an encoder the ranking is BM25 alone; with one, `reranker` (if given) re-orders the hybrid's.
    """
    texts = [query_text(t) for _, t in queries]
    index = vclaim_index(vclaims, encoder, cache, reranker)
    vectors: list[np.ndarray | None] = [None] * len(texts)
    views: list[QueryViews | None] = [None] * len(texts)
    if encoder is not None:
        query_vectors = encode_cached(encoder, texts, "query", cache)
        vectors = list(query_vectors)
        if reranker is not None:
            cached = CachedEncoder(encoder, cache)
            try:
                views = list(embed_views(cached, texts, query_vectors))
            finally:
                cached.save()
    run: dict[str, list[tuple[str, float]]] = {}
    for (qid, _), text, vector, view in zip(queries, texts, vectors, views, strict=True):
        run[qid] = [(vclaims[h.index][0], h.score) for h in index.search(text, vector, k, alpha, view)]
    return run
