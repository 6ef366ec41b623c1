"""Browse the corpus document by document, newest first: what `GET /api/v1/documents` serves.

Search answers paragraphs; a listing answers documents, with filters on their
own metadata only. Kept in its own module so it adds to the store without
touching its other parts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from rhetorscope.store import schema as t
from rhetorscope.store.core import Store


@dataclass
class DocumentRow:
    """A stored document without its text or analysis."""

    id: int
    doc_id: str
    title: str | None
    date: dt.date | None
    source: str
    language: str | None
    external_id: str | None


def list_documents(store: Store, *, limit: int = 20, offset: int = 0, source: str | None = None,
                   language: str | None = None, since: dt.date | None = None,
                   until: dt.date | None = None) -> tuple[int, list[DocumentRow]]:
    """`(total, page)` of documents matching the filters, newest date first, undated last.

    `source` matches part of the source name, case-insensitively, as in search.
    """
    d, s = t.documents.c, t.sources.c
    where = []
    if source:
        where.append(func.lower(s.name).contains(source.lower(), autoescape=True))
    if language:
        where.append(d.language == language.lower())
    if since:
        where.append(d.date >= since)
    if until:
        where.append(d.date <= until)
    joined = t.documents.join(t.sources, s.id == d.source_id)
    rows = select(d.id, d.doc_id, d.title, d.date, s.name, d.language, d.external_id).select_from(joined)
    rows = rows.where(*where).order_by(d.date.desc().nulls_last(), d.id.desc()).limit(limit).offset(offset)
    with store.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
        page = [DocumentRow(*row) for row in conn.execute(rows)]
    return int(total), page
