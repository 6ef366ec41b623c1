"""Ranked paragraph search with filters, highlighted snippets and facet counts.

A hit is a segment (a paragraph), because that is where speaker, language and
techniques are known; its document gives date and source. SQLite ranks with
FTS5's bm25, PostgreSQL with ts_rank over a 'simple' tsvector (no stemming on
either, so both behave alike in every language). A query of filters only lists
the newest paragraphs first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, Date, bindparam, text

from rhetorscope.store.query import Query, parse, to_fts5, to_tsquery, window_clauses
from rhetorscope.store.records import DEFAULT_KIND
from rhetorscope.store.schema import ContentId

#: A segment's language as stored: NULL means the document's, '' means none could be told.
SEGMENT_LANGUAGE = "NULLIF(COALESCE(s.language, d.language), '')"

MARK_START, MARK_END = "\ue000", "\ue001"
_SNIPPET_WORDS = 24
_MARKS = re.compile(f"{MARK_START}(.*?){MARK_END}", re.S)


@dataclass
class SearchFilters:
    """Narrow a search; every field is optional and they combine with AND."""

    technique: str | None = None
    category: str | None = None
    speaker: str | None = None
    language: str | None = None
    source: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass
class SearchHit:
    """One matching paragraph, with its document's metadata and a snippet.

    `highlights` are (start, end) character ranges of the matched words inside `snippet`.
    """

    document_id: int
    doc_id: str
    segment_key: str
    segment_kind: str
    speaker: str | None
    language: str | None
    date: dt.date | None
    source: str
    title: str | None
    external_id: str | None
    score: float
    snippet: str
    highlights: list[tuple[int, int]]
    techniques: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    """A page of hits, the total number of matching paragraphs, and facet counts when asked for."""

    query: str
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    #: With --since/--until: matching paragraphs of undated documents, which the date window leaves out.
    undated: int = 0


def split_marks(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove highlight markers, returning the plain snippet and the highlighted ranges."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = last = 0
    for m in _MARKS.finditer(marked):
        plain.append(marked[last:m.start()])
        pos += m.start() - last
        plain.append(m.group(1))
        spans.append((pos, pos + len(m.group(1))))
        pos += len(m.group(1))
        last = m.end()
    plain.append(marked[last:])
    return "".join(plain), spans


def _where(filters: SearchFilters, params: dict[str, Any]) -> list[str]:
    clauses: list[str] = []
    if filters.technique:
        clauses.append("EXISTS (SELECT 1 FROM findings fi WHERE fi.document_id = s.document_id "
                       "AND fi.segment_key = s.key AND fi.technique = :technique)")
        params["technique"] = filters.technique
    if filters.category:
        clauses.append("EXISTS (SELECT 1 FROM findings fi WHERE fi.document_id = s.document_id "
                       "AND fi.segment_key = s.key AND fi.category = :category)")
        params["category"] = filters.category
    if filters.speaker:
        clauses.append("LOWER(s.speaker) LIKE :speaker")
        params["speaker"] = f"%{filters.speaker.lower()}%"
    if filters.language:
        clauses.append(f"{SEGMENT_LANGUAGE} = :language")
        params["language"] = filters.language.lower()
    clauses += window_clauses(params, source=filters.source, since=filters.since, until=filters.until)
    return clauses


_JOINS = "JOIN documents d ON d.id = s.document_id JOIN sources src ON src.id = d.source_id"


def _matching(conn: Connection, query: Query, filters: SearchFilters) -> tuple[str, dict[str, Any], str]:
    """FROM/WHERE of the matching segments (alias s), its parameters, and the rank expression."""
    params: dict[str, Any] = {}
    clauses = _where(filters, params)
    if query.empty:
        return f"FROM segments s {_JOINS}" + (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params, ""
    if conn.dialect.name == "sqlite":
        params["match"] = to_fts5(query)
        return (f"FROM segments_fts f JOIN segments s ON s.id = f.rowid {_JOINS} "
                f"WHERE segments_fts MATCH :match{''.join(' AND ' + c for c in clauses)}", params, "f.rank")
    params["tsq"] = to_tsquery(query)
    return (f"FROM segments s {_JOINS} WHERE s.tsv @@ to_tsquery('simple', :tsq)"
            f"{''.join(' AND ' + c for c in clauses)}", params, "-ts_rank(s.tsv, to_tsquery('simple', :tsq))")


def search(conn: Connection, query: str, filters: SearchFilters, *, limit: int, offset: int,
           facets: bool) -> SearchResult:
    """Run a search; see the module docstring and `docs/corpus.md` for the semantics."""
    parsed = parse(query)
    scope, params, rank = _matching(conn, parsed, filters)
    order = f"{rank}, s.id" if rank else "d.date DESC, s.id DESC"
    page = {**params, "limit": limit, "offset": offset}
    sqlite = conn.dialect.name == "sqlite"
    if rank and sqlite:
        snippet = f"snippet(segments_fts, 0, '{MARK_START}', '{MARK_END}', '…', {_SNIPPET_WORDS})"
    else:
        snippet = "NULL"
    rows = conn.execute(text(
        f"SELECT s.id, s.document_id, d.doc_id, s.key, COALESCE(s.kind, '{DEFAULT_KIND}'), s.speaker, "
        f"{SEGMENT_LANGUAGE}, "
        f"d.date, src.name, d.title, d.external_id, {rank or '0'}, {snippet} "
        f"{scope} ORDER BY {order} LIMIT :limit OFFSET :offset").columns(date=Date, doc_id=ContentId), page).all()
    total = conn.execute(text(f"SELECT COUNT(*) {scope}"), params).scalar() or 0
    texts = _snippets(conn, [r[0] for r in rows], params if rank and not sqlite else None)
    techniques = _techniques(conn, [(r[1], r[3]) for r in rows])
    hits = []
    for r in rows:
        plain, spans = split_marks(r[12] if r[12] is not None else texts[r[0]])
        hits.append(SearchHit(
            document_id=r[1], doc_id=r[2], segment_key=r[3], segment_kind=r[4], speaker=r[5], language=r[6],
            date=r[7], source=r[8], title=r[9], external_id=r[10], score=-float(r[11] or 0), snippet=plain,
            highlights=spans, techniques=techniques.get((r[1], r[3]), []),
        ))
    result = SearchResult(query=query, total=int(total), hits=hits)
    if filters.since or filters.until:
        undated_scope, undated_params, _ = _matching(conn, parsed, replace(filters, since=None, until=None))
        joiner = " AND " if " WHERE " in undated_scope else " WHERE "
        result.undated = int(conn.execute(text(f"SELECT COUNT(*) {undated_scope}{joiner}d.date IS NULL"),
                                          undated_params).scalar() or 0)
    if facets:
        result.facets = _facets(conn, scope, params)
    return result


def _snippets(conn: Connection, segment_ids: list[int], ts_params: dict[str, Any] | None) -> dict[int, str]:
    """Snippets where FTS5 did not make them: ts_headline on PostgreSQL, the opening words otherwise."""
    if not segment_ids:
        return {}
    ids = bindparam("ids", expanding=True)
    if ts_params is not None:
        options = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={_SNIPPET_WORDS}, MinWords=8, "
                   "MaxFragments=2, FragmentDelimiter=\" … \"")
        stmt = text("SELECT id, ts_headline('simple', text, to_tsquery('simple', :tsq), :options) "
                    "FROM segment_text WHERE id IN :ids").bindparams(ids)
        return dict(conn.execute(stmt, {"ids": segment_ids, "tsq": ts_params["tsq"], "options": options}).all())
    stmt = text("SELECT id, text FROM segment_text WHERE id IN :ids").bindparams(ids)
    out = {}
    for seg_id, body in conn.execute(stmt, {"ids": segment_ids}):
        words = body.split()
        out[seg_id] = " ".join(words[:_SNIPPET_WORDS]) + (" …" if len(words) > _SNIPPET_WORDS else "")
    return out


def _techniques(conn: Connection, keys: list[tuple[int, str]]) -> dict[tuple[int, str], list[str]]:
    if not keys:
        return {}
    stmt = text("SELECT DISTINCT document_id, segment_key, technique FROM findings WHERE technique IS NOT NULL "
                "AND document_id IN :docs ORDER BY technique").bindparams(bindparam("docs", expanding=True))
    wanted = set(keys)
    out: dict[tuple[int, str], list[str]] = {}
    for doc, seg, technique in conn.execute(stmt, {"docs": sorted({k[0] for k in keys})}):
        if (doc, seg) in wanted:
            out.setdefault((doc, seg), []).append(technique)
    return out


def _facets(conn: Connection, scope: str, params: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Counts of matching paragraphs per source, language, technique and category."""
    dims = {
        "source": ("src.name", ""),
        "language": (SEGMENT_LANGUAGE, ""),
        "technique": ("fi.technique", " JOIN findings fi ON fi.document_id = s.document_id AND fi.segment_key = s.key"
                      " AND fi.technique IS NOT NULL"),
        "category": ("fi.category", " JOIN findings fi ON fi.document_id = s.document_id AND fi.segment_key = s.key"
                     " AND fi.category IS NOT NULL"),
    }
    out: dict[str, dict[str, int]] = {}
    for name, (expr, join) in dims.items():
        body = scope.replace(_JOINS, _JOINS + join, 1)
        rows = conn.execute(text(f"SELECT {expr}, COUNT(DISTINCT s.id) AS n {body} GROUP BY {expr} "
                                 "ORDER BY n DESC LIMIT 50"), params)
        out[name] = {str(k): int(n) for k, n in rows if k is not None}
    return out
