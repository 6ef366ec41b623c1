"""Claim retrieval on CheckThat! 2020 task 2 (BM25, semantic, hybrid), matching latency and import speed.

One table with the commit id: dev MAP@1/3/5/10 and MRR for BM25 alone, e5 cosine alone (a
fact-check's cosine is the larger of its claim's and its title's), the hybrid (its `alpha`
fitted on the training tweets, shown next to the shipped `ALPHA`) and the hybrid re-ranked by the
shipped re-ranker (`claims/rerank.py`, what the product uses); then the time to match one claim
against 10,000 and 100,000 stored fact-checks with the shipped ranking (p50/p95 over the dev
tweets, the query's encoding counted apart), and the time to import 100,000 ClaimReview records
into SQLite.

    OMP_NUM_THREADS=1 python benchmarks/claims.py --data ../shared/datasets/checkthat2020-task2 \
        [--cache /tmp/claims.npz] [--skip-import]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from _commit import commit_id
from rhetorscope.claims.clef import read_qrels, read_queries, read_vclaims, retrieval_scores
from rhetorscope.claims.rerank import QueryViews, Reranker, embed_views, load_default
from rhetorscope.claims.retrieval import ALPHA, ClaimIndex, vclaim_text
from rhetorscope.claims.text import query_text
from rhetorscope.claims.vectors import encode_cached
from rhetorscope.encoder import CachedEncoder, load_encoder

ROOT = Path(__file__).resolve().parents[1]



def evaluate(index: ClaimIndex, ids: list[str], queries: list[tuple[str, str]], vectors: np.ndarray,
             views: list[QueryViews], qrels: dict[str, set[str]], alpha: float) -> dict[str, float]:
    run = {qid: [ids[h.index] for h in index.search(query_text(text), vectors[n], 10, alpha, views[n])]
           for n, (qid, text) in enumerate(queries)}
    return retrieval_scores(run, qrels)


def latency(index: ClaimIndex, texts: list[str], vectors: np.ndarray,
            views: list[QueryViews]) -> tuple[float, float, float, float]:
    """p50 and p95 of one query's wall time, then of its CPU time (ms): on a shared machine the CPU time
    says what the code costs, the wall time what a user waits."""
    times, cpu = [], []
    for text, vector, view in zip(texts, vectors, views, strict=True):
        started, started_cpu = time.perf_counter(), time.process_time()
        index.search(text, vector, 5, views=view)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return tuple(float(np.percentile(t, q) * 1000) for t in (times, cpu) for q in (50, 95))  # type: ignore[return-value]


def scaled_index(texts: list[str], vectors: np.ndarray, titles: np.ndarray, size: int, seed: int,
                 reranker: Reranker | None) -> ClaimIndex:
    """`size` fact-checks made from the real ones: each copy gets a distinct word and nudged vectors."""
    rng = np.random.default_rng(seed)
    reps = -(-size // len(texts))
    big_texts = [f"{t} copy{r}" for r in range(reps) for t in texts][:size]

    def nudged(rows: np.ndarray) -> np.ndarray:
        big = np.tile(rows, (reps, 1))[:size] + rng.normal(0, 0.02, (size, rows.shape[1])).astype(np.float32)
        return big / np.linalg.norm(big, axis=1, keepdims=True)

    return ClaimIndex(big_texts, nudged(vectors), nudged(titles), reranker)


def import_speed(n: int) -> tuple[float, int]:
    from rhetorscope.claims.factchecks import import_files
    from rhetorscope.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for i in range(n):
                fh.write(json.dumps({"@context": "https://schema.org", "@type": "ClaimReview",
                                     "claimReviewed": f"Claim number {i} about the budget of {i % 97} cities.",
                                     "url": f"https://factcheck.example/{i}", "datePublished": "2024-05-01",
                                     "author": {"@type": "Organization", "name": "Example Check"},
                                     "reviewRating": {"@type": "Rating", "alternateName": "False"}}) + "\n")
        with Store.open(Path(tmp) / "c.sqlite") as store:
            started = time.perf_counter()
            report = import_files(store, [path])
            return time.perf_counter() - started, report.added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=None, help="encoder cache (.npz)")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()

    encoder = load_encoder()
    vclaims = read_vclaims(args.data / "verified_claims.docs.tsv")
    ids = [v for v, _, _ in vclaims]
    doc_vectors = encode_cached(encoder, [c for _, c, _ in vclaims], "passage", args.cache)
    title_vectors = encode_cached(encoder, [t or c for _, c, t in vclaims], "passage", args.cache)
    index = ClaimIndex([vclaim_text(c, t) for _, c, t in vclaims], doc_vectors, title_vectors)
    reranker = load_default()
    reranked = ClaimIndex(index.texts, doc_vectors, title_vectors, reranker)
    splits = {}
    for split in ("train", "dev"):
        queries = read_queries(args.data / split / "tweets.queries.tsv")
        texts = [query_text(t) for _, t in queries]
        cached = CachedEncoder(encoder, args.cache)
        vectors = cached.encode(texts, "query")
        splits[split] = (queries, vectors, embed_views(cached, texts, vectors),
                         read_qrels(args.data / split / "tweet-vclaim-pairs.qrels"))
        cached.save()

    grid = [round(a, 2) for a in np.arange(0.0, 1.01, 0.05)]
    fitted = max(grid, key=lambda a: evaluate(index, ids, *splits["train"], a)["MAP@5"])
    print(f"claim retrieval, CheckThat! 2020 task 2 dev ({len(splits['dev'][0])} tweets, {len(vclaims)} verified "
          f"claims) · encoder {encoder.name} · commit {commit_id('src/rhetorscope/claims')}")
    print(f"{'system':<28} {'MAP@1':>6} {'MAP@3':>6} {'MAP@5':>6} {'MAP@10':>6} {'MRR':>6}")
    systems = [("BM25", index, 0.0), ("semantic (e5)", index, 1.0), (f"hybrid alpha={ALPHA}", index, ALPHA),
               (f"hybrid alpha={fitted} (train fit)", index, fitted)]
    if reranker is not None:
        systems.append(("hybrid re-ranked (shipped)", reranked, ALPHA))
    for name, system, alpha in systems:
        s = evaluate(system, ids, *splits["dev"], alpha)
        print(f"{name:<28} {s['MAP@1']:6.3f} {s['MAP@3']:6.3f} {s['MAP@5']:6.3f} {s['MAP@10']:6.3f} {s['MRR']:6.3f}")

    queries, vectors, views, _ = splits["dev"]
    texts = [query_text(t) for _, t in queries]
    started = time.perf_counter()
    embed_views(encoder, texts[:50], encoder.encode(texts[:50], "query"))
    encode_ms = (time.perf_counter() - started) / 50 * 1000
    print(f"{'matching latency':<28} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'CPU p95':>8}   "
          f"(one claim, top 5; encoding its views: {encode_ms:.0f} ms; "
          f"load average {os.getloadavg()[0]:.1f})")
    for size in (10_000, 100_000):
        p50, p95, cpu50, cpu95 = latency(scaled_index([vclaim_text(c, t) for _, c, t in vclaims], doc_vectors,
                                                      title_vectors, size, 0, reranker), texts, vectors, views)
        print(f"{f'{size:,} fact-checks':<28} {p50:8.1f} {p95:8.1f} {cpu50:8.1f} {cpu95:8.1f}")
    if not args.skip_import:
        seconds, added = import_speed(100_000)
        print(f"{'import 100,000 ClaimReview':<28} {seconds:8.1f} s  ({added} added, vectors not computed)")


if __name__ == "__main__":
    main()
