"""The corpus's most check-worthy claims: claim findings stored by `ingest --analyze`, best first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from rhetorscope.store import Store
from rhetorscope.store import schema as t


@dataclass(frozen=True)
class CorpusClaim:
    """One stored claim finding with where it was said and the fact-checks matched to it."""

    document_id: int
    segment_key: str
    text: str
    confidence: float
    date: dt.date | None
    source: str
    evidence: list[str]
    matches: list[dict[str, Any]] = field(default_factory=list)


def top_claims(store: Store, *, source: str | None = None, since: dt.date | None = None,
               until: dt.date | None = None, limit: int = 50) -> list[CorpusClaim]:
    """Claim findings ordered by check-worthiness, optionally for one source and a date range."""
    f, d, s = t.findings.c, t.documents.c, t.sources.c
    query = (select(f.document_id, f.segment_key, f.text, f.confidence, f.evidence, f.matches, d.date, s.name)
             .join(t.documents, d.id == f.document_id).join(t.sources, s.id == d.source_id)
             .where(f.kind == "claim"))
    if source:
        query = query.where(s.name.contains(source))
    if since:
        query = query.where(d.date >= since)
    if until:
        query = query.where(d.date <= until)
    query = query.order_by(f.confidence.desc(), f.id).limit(limit)
    with store.engine.connect() as conn:
        return [CorpusClaim(r.document_id, r.segment_key, r.text, r.confidence, r.date, r.name, r.evidence or [],
                            r.matches or []) for r in conn.execute(query)]
