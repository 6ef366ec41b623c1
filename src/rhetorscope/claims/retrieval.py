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
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rhetorscope.claims.text import query_text
from rhetorscope.claims.vectors import encode_cached
from rhetorscope.encoder import Encoder

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
    """An in-memory BM25 + vector index over fact-checks (claim text plus title; claim and title vectors)."""

    def __init__(self, texts: Sequence[str], vectors: np.ndarray | None,
                 title_vectors: np.ndarray | None = None) -> None:
        docs = [Counter(tokens(t)) for t in texts]
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
        self.vectors = None if vectors is None else np.ascontiguousarray(
            vectors if title_vectors is None else np.vstack([vectors, title_vectors]), dtype=np.float32)

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

    def search(self, query: str, vector: np.ndarray | None, k: int = 10, alpha: float = ALPHA) -> list[Hit]:
        """The `k` best fact-checks by the hybrid score (BM25 alone when there are no vectors)."""
        if self.size == 0:
            return []
        lexical = self.bm25(query)
        top = float(lexical.max())
        scaled = lexical / top if top > 0 else lexical
        if vector is None or self.vectors is None:
            cosine = np.zeros(self.size, dtype=np.float32)
            blended = scaled
        else:
            both = self.vectors @ np.asarray(vector, dtype=np.float32)
            cosine = both if len(both) == self.size else np.maximum(both[: self.size], both[self.size :])
            low, high = float(cosine.min()), float(cosine.max())
            blended = alpha * (cosine - low) / max(high - low, 1e-9) + (1 - alpha) * scaled
        k = min(k, self.size)
        best = np.argpartition(-blended, k - 1)[:k]
        best = best[np.lexsort((best, -blended[best]))]
        return [Hit(int(i), float(blended[i]), float(lexical[i]), float(cosine[i])) for i in best]

    def shared_terms(self, query: str, text: str, top: int = 5) -> list[str]:
        """The rarest words query and fact-check share: the reason a reader can check.

        A word counts when its idf is at least half that of a word found in one fact-check only, so
        "the" and "said" never show, whatever the collection's size."""
        rare = 0.5 * float(np.log(1 + (self.size - 0.5) / 1.5))
        common = {w for w in set(tokens(query)) & set(tokens(text)) if w in self.vocab}
        ranked = sorted(common, key=lambda w: (-float(self.idf[self.vocab[w]]), w))
        return [w for w in ranked if self.idf[self.vocab[w]] >= rare][:top]


def vclaim_text(claim: str, title: str) -> str:
    """What BM25 indexes for a fact-check: its claim and the article title."""
    return f"{claim} {title}".strip()


def rank_vclaims(queries: Sequence[tuple[str, str]], vclaims: Sequence[tuple[str, str, str]],
                 encoder: Encoder | None, k: int = 1000, alpha: float = ALPHA,
                 cache: Path | None = None) -> dict[str, list[tuple[str, float]]]:
    """A run: for each (query id, text) the `k` best verified claims `(id, claim, title)` with scores.

    Without an encoder the ranking is BM25 alone.
    """
    texts = [query_text(t) for _, t in queries]
    index = ClaimIndex([vclaim_text(c, t) for _, c, t in vclaims], None)
    if encoder is not None:
        index = ClaimIndex([vclaim_text(c, t) for _, c, t in vclaims],
                           encode_cached(encoder, [c for _, c, _ in vclaims], "passage", cache),
                           encode_cached(encoder, [t or c for _, c, t in vclaims], "passage", cache))
        query_vectors = encode_cached(encoder, texts, "query", cache)
    run: dict[str, list[tuple[str, float]]] = {}
    for n, ((qid, _), text) in enumerate(zip(queries, texts, strict=True)):
        vector = query_vectors[n] if encoder is not None else None
        run[qid] = [(vclaims[h.index][0], h.score) for h in index.search(text, vector, k, alpha)]
    return run
