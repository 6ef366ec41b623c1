"""Export any search result: the full `Analysis` JSON per document, a CSV of paragraphs or findings, or SemEval lines.

`jsonl` per document is the public `Analysis` schema, the same as
`analyze --format json`, and `ingest` reads such a file back as it is (no
re-analysis), so a corpus round-trips through it without loss. Per finding
(`csv` or `jsonl`), a row is one finding of a matching paragraph, with its
document's provenance: what a researcher loads into a data frame.

SemEval-2023 Task 3 subtask 3 format: `article_id<TAB>paragraph_no<TAB>techniques`,
one line per paragraph of each matching document, so a stored corpus can be
scored with the official tools or used as training data.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from rhetorscope.errors import InputError
from rhetorscope.model import Analysis
from rhetorscope.store.core import Store
from rhetorscope.store.search import SearchFilters, SearchHit

FORMATS = ("jsonl", "csv", "semeval")
PER = ("document", "paragraph", "finding")
#: The unit of each format when none is asked for, and the units it can be written in.
_UNITS = {"jsonl": ("document", "finding"), "csv": ("paragraph", "finding"), "semeval": ("paragraph",)}
FINDING_FIELDS = ("document_id", "doc_id", "source", "date", "external_id", "link", "segment", "speaker",
                  "finding", "technique", "category", "confidence", "start", "end", "fragment")
CSV_FIELDS = ("document_id", "doc_id", "date", "source", "external_id", "link", "forwarded_from", "segment", "kind",
              "speaker", "language", "techniques", "text")


def iter_hits(store: Store, query: str, filters: SearchFilters, *, page: int = 500) -> Iterator[SearchHit]:
    """Every hit of a search, in rank order, fetched a page at a time."""
    offset = 0
    while True:
        result = store.search(query, filters, limit=page, offset=offset)
        yield from result.hits
        if len(result.hits) < page:
            return
        offset += page


def export(store: Store, query: str, filters: SearchFilters, fmt: str, per: str | None = None) -> tuple[str, int]:
    """The export file's content and how many records it holds.

    Findings below `filters.min_confidence` are left out of every unit (a JSON
    document then holds only the others).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown export format '{fmt}'", f"use one of: {', '.join(FORMATS)}")
    unit = per or _UNITS[fmt][0]
    if unit not in _UNITS[fmt]:
        raise InputError(f"a {fmt} export cannot be written per {unit}", f"use --per {' or '.join(_UNITS[fmt])}")
    hits = list(iter_hits(store, query, filters))
    if unit == "finding":
        return _findings(store, hits, fmt, filters.min_confidence)
    if fmt == "csv":
        return _csv(store, hits), len(hits)
    documents = list(dict.fromkeys(h.document_id for h in hits))
    if fmt == "jsonl":
        lines = [_confident(store.get_document(d), filters.min_confidence).model_dump_json() for d in documents]
        return "".join(line + "\n" for line in lines), len(lines)
    out = []
    for doc in documents:
        analysis = store.get_document(doc)
        for number, segment in enumerate(analysis.document.segments, 1):
            found = sorted({f.technique for f in analysis.findings_for(segment.id) if f.technique})
            out.append(f"{doc}\t{number}\t{','.join(found)}\n")
    return "".join(out), len(documents)


def _confident(analysis: Analysis, min_confidence: float) -> Analysis:
    if min_confidence:
        analysis.findings = [f for f in analysis.findings if f.confidence >= min_confidence]
    return analysis


def _findings(store: Store, hits: list[SearchHit], fmt: str, min_confidence: float) -> tuple[str, int]:
    """One row per finding of the matching paragraphs, in hit order."""
    by_document: dict[int, list[SearchHit]] = {}
    for hit in hits:
        by_document.setdefault(hit.document_id, []).append(hit)
    rows = []
    for document_id, doc_hits in by_document.items():
        analysis = store.get_document(document_id)
        for hit in doc_hits:
            segment = analysis.document.segment(hit.segment_key)
            for f in analysis.findings_for(hit.segment_key):
                if f.confidence < min_confidence:
                    continue
                rows.append({"document_id": document_id, "doc_id": hit.doc_id, "source": hit.source,
                             "date": hit.date.isoformat() if hit.date else None, "external_id": hit.external_id,
                             "link": hit.link, "segment": hit.segment_key, "speaker": segment.speaker,
                             "finding": f.id, "technique": f.technique or f.kind, "category": f.category,
                             "confidence": round(f.confidence, 4), "start": f.start, "end": f.end,
                             "fragment": f.text})
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), len(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FINDING_FIELDS)
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in rows)
    return buffer.getvalue(), len(rows)


def read_export(text: str) -> list[Analysis] | None:
    """The analyses of a JSON Lines file written by `export --format jsonl`; None when it is not one.

    Told by its first line: an object with `schema_version` and `document`. A
    later line that does not validate is an error naming it (nothing is read).
    """
    from pydantic import ValidationError

    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        return None
    try:
        first = json.loads(lines[0][1])
    except json.JSONDecodeError:
        return None
    if not (isinstance(first, dict) and "schema_version" in first and "document" in first):
        return None
    analyses = []
    for number, line in lines:
        try:
            analyses.append(Analysis.model_validate_json(line))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "line"
            raise InputError(f"line {number} of the rhetorscope export is not an analysis ({where}: {err['msg']}); "
                             "nothing was read from this file", "export it again with rhetorscope export") from None
    return analyses


def _csv(store: Store, hits: list[SearchHit]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS)
    writer.writeheader()
    texts = store.paragraph_texts([(h.document_id, h.segment_key) for h in hits])
    for hit in hits:
        writer.writerow({
            "document_id": hit.document_id, "doc_id": hit.doc_id, "date": hit.date or "", "source": hit.source,
            "external_id": hit.external_id or "", "link": hit.link or "", "forwarded_from": hit.forwarded_from or "",
            "segment": hit.segment_key, "kind": hit.segment_kind,
            "speaker": hit.speaker or "", "language": hit.language or "", "techniques": ",".join(hit.techniques),
            "text": texts[(hit.document_id, hit.segment_key)],
        })
    return buffer.getvalue()
