"""What a corpus answers, dumped for a before/after comparison of a change to how the store writes or indexes.

A storage change (a schema migration, a cheaper index, a faster writer) must leave the answers alone. `dump`
writes one SQLite corpus's answers to a JSON file: every table's rows (less the run and source timestamps),
the full-text index token by token (`fts5vocab` instances: term, paragraph, column name, offset; by name, so
a table whose columns were reordered compares equal), searches of every kind of the query language with and
without filters (totals, undated counts, facets, and each hit with its score, snippet and highlights), pages
of repeats, and a sample of documents as `get_document` rebuilds them. `compare` names the parts that differ.

Ingest the same inputs with each version into its own database (or open a copy of the old one with the new
version, which migrates it), dump each with that version's Python, and compare:

    python benchmarks/corpus_identity.py dump corpus.sqlite before.json
    python benchmarks/corpus_identity.py compare before.json after.json
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

#: Columns that differ between two runs of the same ingest.
_VOLATILE = {"sources": {"first_ingested"}, "ingest_runs": {"started_at", "finished_at", "paths"}}
_TABLES = ("documents", "sources", "segments", "passages", "findings", "document_models", "model_versions",
           "ingest_runs")
#: Queries of each kind the query language has; more are drawn from the corpus itself.
_FIXED_QUERIES = ("sanctions", '"the united states"', "russia OR ukraine", "presid*", "war -peace", "санкции",
                  "Украина", "Украин*", "врет", "(nato OR alliance) war", "NOT europe trump", "U.S.", "they OR the")


def plain(value: Any) -> Any:
    """JSON-ready: bytes as hex, dates as ISO text, dataclasses and tuples as dicts and lists."""
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def queries(texts: list[str], rng: random.Random) -> list[str]:
    """The fixed queries, then 120 words, phrases, alternatives, prefixes and exclusions from the texts."""
    words = re.findall(r"\w{4,}", " ".join(rng.sample(texts, min(500, len(texts)))).lower())
    out = list(_FIXED_QUERIES)
    for i in range(120):
        kind = i % 5
        if kind == 0:
            out.append(rng.choice(words))
        elif kind == 1:
            seq = rng.choice(texts).split()
            at = rng.randrange(max(1, len(seq) - 3))
            out.append('"' + " ".join(w.replace('"', "") for w in seq[at:at + 3]) + '"')
        elif kind == 2:
            out.append(f"{rng.choice(words)} OR {rng.choice(words)}")
        elif kind == 3:
            out.append(rng.choice(words)[:4] + "*")
        else:
            out.append(f"{rng.choice(words)} {rng.choice(words)} -{rng.choice(words)}")
    return out


def dump(db: Path) -> dict[str, Any]:
    """The corpus's answers (see the module docstring). Clusters passages not clustered yet first."""
    from rhetorscope.errors import RhetorscopeError
    from rhetorscope.store import SearchFilters, Store

    out: dict[str, Any] = {}
    with Store.open(db) as store:
        store.update_repeats()
        with store.engine.connect() as conn:
            for table in _TABLES:
                columns = [r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table})")
                           if r[1] not in _VOLATILE.get(table, set())]
                quoted = ", ".join(f'"{c}"' for c in columns)
                rows = conn.exec_driver_sql(f"SELECT {quoted} FROM {table} ORDER BY 1, 2").all()
                out[f"table {table}"] = plain([list(row) for row in rows])
            conn.exec_driver_sql("CREATE VIRTUAL TABLE temp.instances USING fts5vocab(main, segments_fts, instance)")
            out["index"] = sorted(list(r) for r in conn.exec_driver_sql("SELECT term, doc, col, offset "
                                                                          "FROM temp.instances"))
            texts = list(conn.exec_driver_sql("SELECT text FROM documents ORDER BY id").scalars())
        filters = [SearchFilters(), SearchFilters(language="en"), SearchFilters(since=dt.date(2022, 6, 1)),
                   SearchFilters(source="a"), SearchFilters(speaker="a")]
        searches = []
        for n, query in enumerate(queries(texts, random.Random(3))):
            for where in filters if n < len(_FIXED_QUERIES) else filters[n % 3:n % 3 + 1]:
                try:
                    found = store.search(query, where, limit=20, facets=n < 10)
                except RhetorscopeError as exc:  # a drawn query the language refuses
                    searches.append([query, repr(where), str(exc)])
                    continue
                searches.append([query, repr(where), found.total, found.undated, found.facets, found.hits])
        out["searches"] = plain(searches)
        out["search pages"] = plain([store.search("the", limit=20, offset=at).hits for at in (0, 20, 1000)])
        out["repeats"] = plain([store.repeats(min_count=m, limit=100, occurrences=50, include_boilerplate=b)
                                for m in (2, 3) for b in (False, True)])
        with store.engine.connect() as conn:
            ids = list(conn.exec_driver_sql("SELECT id FROM documents ORDER BY id").scalars())
        out["documents"] = [store.get_document(i).model_dump(mode="json") for i in ids[::max(1, len(ids) // 400)]]
    return out


def compare(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Print each part as the same or different (with its first differing item); True when all are the same."""
    same = True
    for part in sorted(set(before) | set(after)):
        a, b = before.get(part), after.get(part)
        print(f"{'same     ' if a == b else 'DIFFERENT'} {part} ({len(a or [])} items)")
        if a != b:
            same = False
            if isinstance(a, list) and isinstance(b, list):
                at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
                print(f"    first difference at item {at}:")
                print(f"    {str(a[at:at + 1])[:400]}\n    {str(b[at:at + 1])[:400]}")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump", help="write a corpus's answers to a JSON file")
    dumping.add_argument("db", type=Path)
    dumping.add_argument("out", type=Path)
    comparing = commands.add_parser("compare", help="compare two dumps")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        answers = dump(args.db)
        args.out.write_text(json.dumps(answers, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        print(", ".join(f"{part} {len(items)}" for part, items in answers.items()))
        return
    same = compare(*(json.loads(path.read_text(encoding="utf-8")) for path in (args.before, args.after)))
    print("identical" if same else "different")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
