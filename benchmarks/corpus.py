"""Corpus benchmark: ingest rate, search latency, near-duplicate recall/precision, database size.

Builds a Telegram Desktop export of N posts (default 100,000) from real
sentences of the shared datasets (SemEval-2023 Task 3 in six languages and the
PTC articles). Most posts are distinct sentences (each source sentence used
once); the rest are near-duplicates of a set of "talking points", each copy
with up to 10 % of its words substituted, deleted or inserted. Then:

1. `rhetorscope ingest` (structure only) of the whole export, timed end to end;
2. `rhetorscope ingest --analyze` of the first `--analyze-posts` posts into a second database;
3. 100 mixed queries (words, phrases, OR, prefix*, exclusions, with and without filters), timed in-process;
4. repeat clusters against the known families: pairwise recall and precision over posts;
5. database file size over the UTF-8 size of the posts' text, and its largest tables and indexes.

    python benchmarks/corpus.py --datasets ../shared/datasets [--posts 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

SEMEVAL_LANGS = ("en", "fr", "ge", "it", "po", "ru")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def sentence_pool(datasets: Path, min_words: int = 10, max_words: int = 60) -> list[str]:
    """Distinct real sentences (by lower-cased word sequence) from SemEval-2023 and PTC."""
    paragraphs: list[str] = []
    for lang in SEMEVAL_LANGS:
        template = datasets / "semeval2023-task3" / lang / "train-labels-subtask-3.template"
        if template.exists():
            for line in template.read_text(encoding="utf-8").splitlines():
                parts = line.split("\t", 2)
                if len(parts) == 3:
                    paragraphs.append(parts[2])
    for article in sorted((datasets / "ptc" / "train-articles").glob("*.txt")):
        paragraphs += article.read_text(encoding="utf-8").split("\n")
    seen: set[str] = set()
    pool = []
    for paragraph in paragraphs:
        for sentence in _SENTENCE_END.split(paragraph.strip()):
            words = sentence.split()
            key = " ".join(re.findall(r"\w+", sentence.lower()))
            if min_words <= len(words) <= max_words and key not in seen:
                seen.add(key)
                pool.append(" ".join(words))
    return pool


def edit(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    """Substitute, delete or insert up to 10 % of the words (at least one edit)."""
    words = text.split()
    for _ in range(rng.randint(1, max(1, len(words) // 10))):
        op, at = rng.random(), rng.randrange(len(words))
        if op < 0.5:
            words[at] = rng.choice(vocabulary)
        elif op < 0.75 and len(words) > 2:
            del words[at]
        else:
            words.insert(at, rng.choice(vocabulary))
    return " ".join(words)


def build_posts(pool: list[str], total: int, rng: random.Random) -> tuple[list[str], list[int]]:
    """Posts and their family (index of the original); 80 % distinct originals, 20 % edited copies."""
    originals = min(len(pool), int(total * 0.8))
    rng.shuffle(pool)
    posts, family = pool[:originals], list(range(originals))
    vocabulary = [w for s in pool[:5000] for w in s.split()]
    points = rng.sample(range(originals), k=max(1, (total - originals) // 5))
    while len(posts) < total:
        origin = rng.choice(points)
        posts.append(edit(pool[origin], rng, vocabulary))
        family.append(origin)
    order = list(range(total))
    rng.shuffle(order)
    return [posts[i] for i in order], [family[i] for i in order]


def write_export(path: Path, posts: list[str], start: int = 0) -> None:
    base = time.mktime((2022, 1, 1, 0, 0, 0, 0, 0, -1))
    messages = [{"id": start + i + 1, "type": "message",
                 "date": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(base + (start + i) * 900)),
                 "text": text} for i, text in enumerate(posts)]
    path.write_text(json.dumps({"name": "Benchmark channel", "type": "public_channel", "id": 1,
                                "messages": messages}, ensure_ascii=False), encoding="utf-8")


def timed_ingest(export: Path, db: Path, *extra: str) -> float:
    """Wall seconds of one `rhetorscope ingest`; its CPU seconds (workers included) and the load are printed,
    since on a shared machine the wall time follows the other jobs."""
    cli = str(Path(sys.executable).with_name("rhetorscope"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([cli, "ingest", str(export), "--db", str(db), *extra], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"ingest failed:\n{done.stderr[-3000:]}")
    print("   ", done.stderr.strip().splitlines()[-1])
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"    CPU {cpu:.1f} s (all processes), load average {os.getloadavg()[0]:.1f}")
    return elapsed


def queries(posts: list[str], rng: random.Random) -> list[tuple[str, dict[str, object]]]:
    """100 mixed queries drawn from the corpus itself, a third with filters."""
    import datetime as dt

    words = [w for w in re.findall(r"\w{4,}", " ".join(rng.sample(posts, 2000)).lower())]
    out: list[tuple[str, dict[str, object]]] = []
    for i in range(100):
        kind = i % 5
        if kind == 0:
            q = rng.choice(words)
        elif kind == 1:
            seq = rng.choice(posts).split()
            at = rng.randrange(max(1, len(seq) - 3))
            q = '"' + " ".join(re.sub(r"[\"]", "", w) for w in seq[at:at + 3]) + '"'
        elif kind == 2:
            q = f"{rng.choice(words)} OR {rng.choice(words)}"
        elif kind == 3:
            q = rng.choice(words)[:4] + "*"
        else:
            q = f"{rng.choice(words)} {rng.choice(words)} -{rng.choice(words)}"
        filters: dict[str, object] = {}
        if i % 3 == 0:
            filters = {"since": dt.date(2022, 6, 1)} if i % 2 else {"language": "en"}
        out.append((q, filters))
    return out


def table_sizes(conn: Any) -> list[tuple[str, int]]:
    """Bytes of the largest tables and indexes (SQLite's `dbstat`, as sqlite3_analyzer counts them); empty where
    this SQLite was built without it."""
    from sqlalchemy.exc import OperationalError

    try:
        rows = conn.exec_driver_sql("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8").all()
    except OperationalError:  # dbstat is a compile-time option of SQLite
        return []
    return [(name, int(size)) for name, size in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "datasets")
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--analyze-posts", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", type=Path, help="keep the export and databases in this folder")
    args = parser.parse_args()
    if not args.datasets.is_dir():
        sys.exit(f"datasets not found at {args.datasets} (pass --datasets)")

    from rhetorscope.store import SearchFilters, Store

    rng = random.Random(args.seed)
    work = args.keep or Path(tempfile.mkdtemp(prefix="rs-corpus-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    pool = sentence_pool(args.datasets)
    posts, family = build_posts(pool, args.posts, rng)
    export, db = work / "result.json", work / "corpus.sqlite"
    write_export(export, posts)
    raw_bytes = sum(len(p.encode("utf-8")) for p in posts)
    print(f"{len(posts):,} posts ({len(set(family)):,} families) from {len(pool):,} real sentences; "
          f"{raw_bytes / 1e6:.1f} MB of text, export {export.stat().st_size / 1e6:.1f} MB")

    for path in work.glob("*.sqlite*"):
        path.unlink()
    print("1. ingest, structure only")
    elapsed = timed_ingest(export, db)
    print(f"   {len(posts) / elapsed:,.0f} posts/s ({elapsed:.1f} s for {len(posts):,}, end to end)")

    print(f"2. ingest --analyze, first {args.analyze_posts:,} posts")
    small = work / "analyze.json"
    write_export(small, posts[:args.analyze_posts])
    elapsed = timed_ingest(small, work / "analyzed.sqlite", "--analyze")
    print(f"   {args.analyze_posts / elapsed:,.0f} posts/s ({elapsed:.1f} s, end to end)")

    with Store.open(db) as store:
        latencies, cpu = [], []
        for q, filters in queries(posts, rng):
            started, started_cpu = time.perf_counter(), time.process_time()
            store.search(q, SearchFilters(**filters), limit=20)  # type: ignore[arg-type]
            latencies.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        latencies.sort()
        cpu.sort()
        print(f"3. search, 100 mixed queries: p50 {statistics.median(latencies):.1f} ms, "
              f"p95 {latencies[94]:.1f} ms, max {latencies[-1]:.1f} ms (CPU p50 {statistics.median(cpu):.1f} ms, "
              f"p95 {cpu[94]:.1f} ms)")

        store.update_repeats()
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT d.external_id, p.cluster_id FROM passages p JOIN documents d ON d.id = p.document_id "
                "JOIN segments s ON s.document_id = p.document_id AND s.key = p.segment_key "
                "WHERE p.start = s.start AND p.\"end\" = s.\"end\"").all()
        cluster_of = {int(ext) - 1: cid for ext, cid in rows}
        true_pairs = predicted = correct = 0
        by_family: dict[int, list[int]] = defaultdict(list)
        by_cluster: dict[int, list[int]] = defaultdict(list)
        for post, cid in cluster_of.items():
            by_family[family[post]].append(post)
            by_cluster[cid].append(post)
        found = 0
        for members in by_family.values():
            for a, b in combinations(members, 2):
                true_pairs += 1
                found += cluster_of[a] == cluster_of[b]
        for members in by_cluster.values():
            for a, b in combinations(members, 2):
                predicted += 1
                correct += family[a] == family[b]
        print(f"4. near-duplicates over {len(cluster_of):,} posts: recall {found / max(true_pairs, 1):.3f} "
              f"({found:,}/{true_pairs:,} pairs), precision {correct / max(predicted, 1):.3f} "
              f"({correct:,}/{predicted:,})")
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            parts = table_sizes(conn)
    size = db.stat().st_size
    print(f"5. database {size / 1e6:.1f} MB = {size / raw_bytes:.2f}x the posts' text "
          f"({size / export.stat().st_size:.2f}x the export file)")
    if parts:
        print("   " + ", ".join(f"{name} {pages / 1e6:.1f} MB" for name, pages in parts))
    if args.keep is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
