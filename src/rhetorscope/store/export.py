"""Export any search result: the full `Analysis` JSON per document, a CSV of paragraphs, or SemEval lines.

SemEval-2023 Task 3 subtask 3 format: `article_id<TAB>paragraph_no<TAB>techniques`,
one line per paragraph of each matching document, so a stored corpus can be
scored with the official tools or used as training data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from rhetorscope.errors import InputError
from rhetorscope.store.core import Store
from rhetorscope.store.search import SearchFilters, SearchHit

FORMATS = ("jsonl", "csv", "semeval")
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


def export(store: Store, query: str, filters: SearchFilters, fmt: str) -> tuple[str, int]:
    """The export file's content and how many records it holds."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format '{fmt}'", f"use one of: {', '.join(FORMATS)}")
    hits = list(iter_hits(store, query, filters))
    if fmt == "csv":
        return _csv(store, hits), len(hits)
    documents = list(dict.fromkeys(h.document_id for h in hits))
    if fmt == "jsonl":
        lines = [store.get_document(d).model_dump_json() for d in documents]
        return "".join(line + "\n" for line in lines), len(lines)
    out = []
    for doc in documents:
        analysis = store.get_document(doc)
        for number, segment in enumerate(analysis.document.segments, 1):
            found = sorted({f.technique for f in analysis.findings_for(segment.id) if f.technique})
            out.append(f"{doc}\t{number}\t{','.join(found)}\n")
    return "".join(out), len(documents)


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
