"""Ranked paragraph search with filters, highlighted snippets and facet counts.

A hit is a segment (a paragraph), because that is where speaker, language and
techniques are known; its document gives date and source. Both backends index
the same tokens (`rhetorscope.store.tokens`: stems and folded forms), so a query
matches the same paragraphs on each; SQLite ranks with FTS5's bm25, PostgreSQL
with ts_rank. Snippets and their highlights are cut in Python from the same
tokens, so they mark the forms that matched (`врёт` for `врет`, `sanctions` for
`sanction`) identically on both. A query of filters only lists the newest
paragraphs first.

On PostgreSQL a search ranks at most `PG_SEARCH_CAP` paragraphs: ranking a match
costs reading its row, so a common word in a large corpus (tens of thousands of
matches) cost hundreds of milliseconds to rank whole. Beyond the cap the hits are
the best-ranked of the first `PG_SEARCH_CAP` paragraphs matching the query and the
filters, in the order the full-text index returns them (storage order, about the
order they were stored); the total, the undated count and the facets are of those,
and `SearchResult.complete` is False. SQLite's index ranks and counts every match.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, Date, Row, bindparam, text

from rhetorscope.store.filter_terms import filter_tsquery, undated_tsquery
from rhetorscope.store.query import Phrase, Query, Word, like_pattern, parse, to_fts5, to_tsquery, window_clauses
from rhetorscope.store.records import DEFAULT_KIND, SEGMENT_LANGUAGE, post_link
from rhetorscope.store.schema import ContentId
from rhetorscope.store.tokens import word_terms, words

_SNIPPET_WORDS = 24
_SNIPPET_LEAD = 6
#: On PostgreSQL, the most paragraphs matching a query and its filters that are ranked and counted (module
#: docstring). Each costs a heap page read and a `ts_rank`: at 1,000,000 posts the capped part of the
#: benchmark's searches took 36-40 ms p95 on the server with 5,000, 27-28 ms with 3,000 (docs/scale.md).
PG_SEARCH_CAP = 3_000


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
    #: Only posts forwarded from a channel or user whose name contains this.
    forwarded_from: str | None = None
    #: Findings below this confidence do not count: not for --technique/--category, nor in a hit's techniques.
    min_confidence: float = 0.0


@dataclass
class SearchHit:
    """One matching paragraph, with its document's metadata and a snippet.

    `highlights` are (start, end) character ranges of the matched words inside `snippet`.
    `link` is the post's public address where the export gives one; `forwarded_from`
    the channel or user a Telegram post was forwarded from.
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
    link: str | None = None
    forwarded_from: str | None = None


#: The columns of `SearchResult.rows()`, i.e. of a search's CSV.
HIT_COLUMNS = ("rank", "document_id", "date", "source", "external_id", "link", "forwarded_from", "segment", "speaker",
               "language", "score", "techniques", "snippet")


@dataclass
class SearchResult:
    """A page of hits, the total number of matching paragraphs, and facet counts when asked for."""

    query: str
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    #: With --since/--until: matching paragraphs of undated documents, which the date window leaves out.
    undated: int = 0
    #: False when PostgreSQL stopped at the first `PG_SEARCH_CAP` matching paragraphs (module docstring): then
    #: `total` and `undated` count only those, and more match.
    complete: bool = True

    def rows(self, offset: int = 0) -> list[dict[str, Any]]:
        """One flat row per hit (rank counted from `offset` + 1), for CSV: the CLI's and the web download's."""
        return [dict(zip(HIT_COLUMNS, (
            rank, h.document_id, h.date or "", h.source, h.external_id or "", h.link or "", h.forwarded_from or "",
            h.segment_key, h.speaker or "", h.language or "", f"{h.score:.3f}", ",".join(h.techniques), h.snippet),
            strict=True)) for rank, h in enumerate(self.hits, offset + 1)]

    def to_frame(self) -> Any:
        """`rows()` as a pandas DataFrame (the `notebook` extra)."""
        from rhetorscope.frames import frame

        return frame(self.rows(), HIT_COLUMNS)

def _where(filters: SearchFilters, params: dict[str, Any], dialect: str) -> list[str]:
    clauses: list[str] = []
    confident = " AND fi.confidence >= :min_confidence" if filters.min_confidence else ""
    if confident:
        params["min_confidence"] = filters.min_confidence
    if filters.technique:
        clauses.append("EXISTS (SELECT 1 FROM findings fi WHERE fi.document_id = s.document_id "
                       f"AND fi.segment_key = s.key AND fi.technique = :technique{confident})")
        params["technique"] = filters.technique
    if filters.category:
        clauses.append("EXISTS (SELECT 1 FROM findings fi WHERE fi.document_id = s.document_id "
                       f"AND fi.segment_key = s.key AND fi.category = :category{confident})")
        params["category"] = filters.category
    if filters.speaker:
        clauses.append("LOWER(s.speaker) LIKE :speaker ESCAPE '\\'")
        params["speaker"] = like_pattern(filters.speaker)
    if filters.language:
        clauses.append(f"{SEGMENT_LANGUAGE} = :language")
        params["language"] = filters.language.lower()
    clauses += window_clauses(params, source=filters.source, since=filters.since, until=filters.until)
    if filters.forwarded_from:
        clauses.append(f"LOWER({forwarded_from_sql(dialect)}) LIKE :forwarded_from ESCAPE '\\'")
        params["forwarded_from"] = like_pattern(filters.forwarded_from)
    return clauses


def forwarded_from_sql(dialect: str) -> str:
    """A document's `extra.forwarded_from` (or its source's, where the source holds what its posts share)."""
    def field(column: str) -> str:
        if dialect == "sqlite":
            return f"json_extract({column}, '$.forwarded_from')"
        return f"({column} ->> 'forwarded_from')"

    return f"COALESCE({field('d.extra')}, CASE WHEN d.shares_source THEN {field('src.extra')} END)"


_JOINS = "JOIN documents d ON d.id = s.document_id JOIN sources src ON src.id = d.source_id"


def _matching(conn: Connection, query: Query, filters: SearchFilters) -> tuple[str, dict[str, Any], str]:
    """FROM/WHERE of the matching segments (alias s), its parameters, and the rank expression."""
    params: dict[str, Any] = {}
    clauses = _where(filters, params, conn.dialect.name)
    if query.empty:
        return f"FROM segments s {_JOINS}" + (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params, ""
    if conn.dialect.name == "sqlite":
        params["match"] = to_fts5(query)
        return (f"FROM segments_fts f JOIN segments s ON s.id = f.rowid {_JOINS} "
                f"WHERE segments_fts MATCH :match{''.join(' AND ' + c for c in clauses)}", params, "f.rank")
    params["tsq"] = to_tsquery(query)
    return (f"FROM segments s {_JOINS} WHERE s.tsv @@ CAST(:tsq AS tsquery)"
            f"{''.join(' AND ' + c for c in clauses)}", params, "-ts_rank(s.tsv, CAST(:tsq AS tsquery))")


def _unfiltered_page(params: dict[str, Any]) -> tuple[str, str, str]:
    """FROM, rank and count of an SQLite full-text query without filters: the index ranks and counts alone.

    Joined to segments, documents and sources first, a common word's 30,000 matches each cost
    three lookups before the sort kept 20 of them and the count threw them all away; the index
    alone orders its matches (bm25, then id), and only the page is joined.
    """
    ranked = ("SELECT rowid AS id, rank FROM segments_fts WHERE segments_fts MATCH :match "
              "ORDER BY rank, rowid LIMIT :limit OFFSET :offset")
    return (f"FROM ({ranked}) f JOIN segments s ON s.id = f.id {_JOINS}", "f.rank",
            "SELECT COUNT(*) FROM segments_fts WHERE segments_fts MATCH :match")


def _dated_scope(conn: Connection, query: Query, filters: SearchFilters) -> tuple[str, dict[str, Any], str]:
    """FROM/WHERE of the matches of a date-filtered search and of its undated matches, its parameters, and the
    expression that tells the window's (1) from the undated (0).

    A search with --since/--until also says how many undated paragraphs match, which the window leaves
    out. Counted by a second query, that repeated the match and its joins; here one pass reads both,
    the window's rows first, and the undated ones past the page are only counted.
    """
    scope, params, _ = _matching(conn, query, replace(filters, since=None, until=None))
    window = " AND ".join(window_clauses(params, source=None, since=filters.since, until=filters.until))
    joiner = " AND " if " WHERE " in scope else " WHERE "
    return f"{scope}{joiner}(({window}) OR d.date IS NULL)", params, f"CASE WHEN {window} THEN 1 ELSE 0 END"


def _columns(rank: str) -> str:
    """The columns of a hit, from segments `s`, documents `d` and sources `src`, with this rank expression."""
    return (f"s.id, s.document_id, d.doc_id, s.key, COALESCE(s.kind, '{DEFAULT_KIND}'), s.speaker, "
            f"{SEGMENT_LANGUAGE}, d.date, src.name, d.title, d.external_id, {rank}, "
            "COALESCE(d.input_format, src.kind), d.extra, CASE WHEN d.shares_source THEN src.extra END, "
            'COALESCE(s.text, SUBSTR(d.text, s.start + 1, s."end" - s.start))')


def _page(conn: Connection, parsed: Query, filters: SearchFilters, *, limit: int,
          offset: int) -> tuple[list[Row[Any]], int, int | None]:
    """A page of hits (the `_columns`), the total, and the undated count where the page's query counted it."""
    scope, params, rank = _matching(conn, parsed, filters)
    order = f"{rank}, s.id" if rank else "d.date DESC, s.id DESC"
    dated = filters.since is not None or filters.until is not None
    if rank == "f.rank" and not _where(filters, {}, conn.dialect.name):
        page_scope, rank, count = _unfiltered_page(params)
        order, window, total_column = f"{rank}, s.id", "", "0"
    elif dated:
        page_scope, params, in_window = _dated_scope(conn, parsed, filters)
        count, window, order = f"SELECT COUNT(*) {scope}", "LIMIT :limit OFFSET :offset", f"{in_window} DESC, {order}"
        total_column = f"SUM({in_window}) OVER (), SUM(CASE WHEN d.date IS NULL THEN 1 ELSE 0 END) OVER (), {in_window}"
    else:
        # the page's rows carry the total (a window over the matches), so the match and its joins run once
        page_scope, count, window, total_column = (scope, f"SELECT COUNT(*) {scope}", "LIMIT :limit OFFSET :offset",
                                                   "COUNT(*) OVER ()")
    page = {**params, "limit": limit, "offset": offset}
    rows = conn.execute(text(f"SELECT {_columns(rank or '0')}, {total_column} {page_scope} ORDER BY {order} {window}")
                        .columns(date=Date, doc_id=ContentId), page).all()
    undated: int | None = None
    if window and rows:
        total = int(rows[0][16])
        if dated:  # undated rows come after the window's, only to be counted
            undated, rows = int(rows[0][17]), [r for r in rows if r[18]]
    else:  # past the last page, or counted by the full-text index alone
        total = conn.execute(text(count), params).scalar() or 0
    if dated and undated is None:  # past the last page
        undated = int(conn.execute(text(f"SELECT COUNT(*) {page_scope} AND d.date IS NULL"), params).scalar() or 0)
    return list(rows), int(total), undated


#: Each match's document by its key: planned as a join, a few hundred matches made PostgreSQL hash the whole
#: documents table (OFFSET 0 keeps the subquery from being flattened into one).
_DOCUMENT_BY_KEY = ("CROSS JOIN LATERAL (SELECT source_id, date, language, extra, shares_source FROM documents "
                    "WHERE id = s.document_id OFFSET 0) d JOIN sources src ON src.id = d.source_id")


#: `_capped`'s settings, for its transaction only, in one statement (with filters `enable_seqscan` is added).
#: `effective_io_concurrency` is 0 where the server cannot read ahead (no `posix_fadvise`), and setting it
#: there is an error, so it is raised only from 1 to 63.
_CAPPED_SETTINGS = (
    "SELECT set_config('max_parallel_workers_per_gather', '0', true), set_config('synchronize_seqscans', 'off', "
    "true), CASE WHEN current_setting('effective_io_concurrency')::int BETWEEN 1 AND 63 THEN "
    "set_config('effective_io_concurrency', '64', true) END"
)


def _capped(conn: Connection, parsed: Query, filters: SearchFilters) -> tuple[str, dict[str, Any]]:
    """The WITH clause of PostgreSQL's capped matches, `c`, and its parameters.

    `c` holds the first `PG_SEARCH_CAP` paragraphs that match the query and the filters, in the
    order the full-text index returns them (storage order), and one more that tells whether there
    are more: numbered (`n`), ranked (`rank`), and `shown` 1, or 0 for the undated matches of a date
    window (counted, not shown). Language and date are matched by the index itself (`filter_terms`);
    a match's document is looked up only for the other filters. The
    first matches in storage order must be the same at every call: no parallel workers, whose rows
    interleave, and no sequential scan joining one already under way at another page. The matches'
    table pages are read ahead (`effective_io_concurrency`, where the server can and has not been set
    higher): a search whose pages had left the memory cache took 217-248 ms p95 at a million posts
    reading them one by one, 58-64 ms with 64 read ahead; the same once cached, 35-36 ms either way.

    With filters the scan always goes through the full-text index. The planner takes the filters'
    matches to be spread evenly through the table and, for a common word, reads the table from its
    start until the cap is reached; but a date window or a source usually holds one stretch of the
    table (posts are stored as they come), so `eine --since 2022-06-01` read 270,000 older rows
    first at a million posts: 180 ms instead of 15. Without filters a sequential scan stops early
    where the planner expects it to, for the commonest words, and stays allowed.
    """
    tsq = to_tsquery(parsed)
    narrowed = filter_tsquery(filters.language, filters.since, filters.until)
    params: dict[str, Any] = {"tsq": tsq, "matched": f"({tsq}) & {narrowed}" if narrowed else tsq,
                              "cap": PG_SEARCH_CAP}
    clauses = _where(replace(filters, language=None, since=None, until=None), params, conn.dialect.name)
    conn.exec_driver_sql(_CAPPED_SETTINGS + (", set_config('enable_seqscan', 'off', true)" if narrowed or clauses
                                             else ""))
    shown = "1"
    if filters.since is not None or filters.until is not None:
        params["undated"] = undated_tsquery()
        shown = "CASE WHEN s.tsv @@ CAST(:undated AS tsquery) THEN 0 ELSE 1 END"
    where = " AND ".join(["s.tsv @@ CAST(:matched AS tsquery)", *clauses])
    return (f"WITH c AS MATERIALIZED (SELECT s.id, s.document_id, s.key, s.language, ROW_NUMBER() OVER () AS n, "
            f"-ts_rank(s.tsv, CAST(:tsq AS tsquery)) AS rank, {shown} AS shown FROM segments s "
            f"{_DOCUMENT_BY_KEY if clauses else ''} WHERE {where} LIMIT :cap + 1)", params)


def _capped_page(conn: Connection, parsed: Query, filters: SearchFilters, *, limit: int,
                 offset: int) -> tuple[list[Row[Any]], int, int, bool]:
    """PostgreSQL's page of a text query, its total and undated count, and whether it saw every match.

    The capped matches (`_capped`) are ranked on the segments table alone, and only the page's
    rows are read whole. Ranking every match and joining it to its document before keeping 20 cost
    a common word hundreds of milliseconds at 100,000 posts, seconds at 1,000,000.
    """
    cte, params = _capped(conn, parsed, filters)
    rows = conn.execute(text(
        f"{cte}, m AS (SELECT id, rank, shown FROM c WHERE n <= :cap), "
        "n AS (SELECT (SELECT COUNT(*) FROM c) AS seen, COUNT(*) AS matched, COALESCE(SUM(shown), 0) AS total FROM m) "
        f"SELECT {_columns('p.rank')}, n.total, n.matched - n.total, n.seen FROM n LEFT JOIN ("
        "(SELECT id, rank FROM m WHERE shown = 1 ORDER BY rank, id LIMIT :limit OFFSET :offset) p "
        f"JOIN segments s ON s.id = p.id {_JOINS}) ON TRUE ORDER BY p.rank, p.id"
    ).columns(date=Date, doc_id=ContentId), {**params, "limit": limit, "offset": offset}).all()
    total, undated, seen = (int(v) for v in rows[0][16:19])
    return [r for r in rows if r[0] is not None], total, undated, seen <= PG_SEARCH_CAP


def search(conn: Connection, query: str, filters: SearchFilters, *, limit: int, offset: int,
           facets: bool) -> SearchResult:
    """Run a search; see the module docstring and `docs/corpus.md` for the semantics."""
    parsed = parse(query)
    complete = True
    if conn.dialect.name == "postgresql" and not parsed.empty:
        rows, total, undated, complete = _capped_page(conn, parsed, filters, limit=limit, offset=offset)
    else:
        rows, total, undated = _page(conn, parsed, filters, limit=limit, offset=offset)
    techniques = _techniques(conn, [(r[1], r[3]) for r in rows], filters.min_confidence)
    hits = []
    for r in rows:
        plain, spans = snippet(r[15], r[6], parsed)
        extra = {**_json(r[14]), **_json(r[13])}
        forwarded = extra.get("forwarded_from")
        hits.append(SearchHit(
            document_id=r[1], doc_id=r[2], segment_key=r[3], segment_kind=r[4], speaker=r[5], language=r[6],
            date=r[7], source=r[8], title=r[9], external_id=r[10], score=-float(r[11] or 0), snippet=plain,
            highlights=spans, techniques=techniques.get((r[1], r[3]), []),
            link=post_link(r[12], r[10], extra), forwarded_from=forwarded if isinstance(forwarded, str) else None,
        ))
    result = SearchResult(query=query, total=total, hits=hits, undated=undated or 0, complete=complete)
    if facets and conn.dialect.name == "postgresql" and not parsed.empty:  # of the matches the page ranked
        cte, params = _capped(conn, parsed, filters)
        result.facets = _facets(conn, f"FROM c s {_DOCUMENT_BY_KEY} WHERE s.n <= :cap AND s.shown = 1", params,
                                joins=_DOCUMENT_BY_KEY, cte=f"{cte} ")
    elif facets:
        scope, params, _ = _matching(conn, parsed, filters)
        result.facets = _facets(conn, scope, params)
    return result


def _json(value: Any) -> dict[str, Any]:
    """A JSON column as read by a raw query: text on SQLite, already decoded on PostgreSQL."""
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def _marked(tokens: list[re.Match[str]], language: str | None, query: Query) -> list[bool]:
    """For each word, whether the query's terms match it (not those it excludes).

    A bare word marks every word with its form or one of its stems; a phrase or
    prefix marks its words where they occur in a row.
    """
    terms = query.positive_terms()
    stems_wanted = {s for t in terms if isinstance(t, Word) for s in t.stems}
    forms_wanted = {f for t in terms if isinstance(t, Word) for f in t.forms}
    analysed = [word_terms(m.group(), language) for m in tokens]
    marked = [form in forms_wanted or stemmed in stems_wanted for stemmed, form in analysed]
    forms = [form for _, form in analysed]
    for phrase in (t for t in terms if isinstance(t, Phrase)):
        n, head, last = len(phrase.words), list(phrase.words[:-1]), phrase.words[-1]
        for i in range(len(tokens) - n + 1):
            if forms[i:i + n - 1] == head and (forms[i + n - 1].startswith(last) if phrase.prefix
                                               else forms[i + n - 1] == last):
                marked[i:i + n] = [True] * n
    return marked


def snippet(body: str, language: str | None, query: Query) -> tuple[str, list[tuple[int, int]]]:
    """About 24 words of a paragraph from just before its first match, and the matched words' ranges in it."""
    tokens = list(words(body))
    if not tokens:
        return body, []
    marked = _marked(tokens, language, query) if not query.empty else [False] * len(tokens)
    first = marked.index(True) if True in marked else 0
    lo = max(0, min(first - _SNIPPET_LEAD, len(tokens) - _SNIPPET_WORDS))
    hi = min(len(tokens), lo + _SNIPPET_WORDS)
    start = 0 if lo == 0 else tokens[lo].start()
    end = len(body) if hi == len(tokens) else tokens[hi - 1].end()
    head = "" if start == 0 else "… "
    tail = "" if end == len(body) else " …"
    shift = len(head) - start
    spans = [(m.start() + shift, m.end() + shift) for m, hit in zip(tokens[lo:hi], marked[lo:hi], strict=True) if hit]
    return head + body[start:end] + tail, spans


def _techniques(conn: Connection, keys: list[tuple[int, str]],
                min_confidence: float) -> dict[tuple[int, str], list[str]]:
    if not keys:
        return {}
    stmt = text("SELECT DISTINCT document_id, segment_key, technique FROM findings WHERE technique IS NOT NULL "
                "AND document_id IN :docs AND confidence >= :min_confidence ORDER BY technique").bindparams(
        bindparam("docs", expanding=True))
    wanted = set(keys)
    out: dict[tuple[int, str], list[str]] = {}
    for doc, seg, technique in conn.execute(stmt, {"docs": sorted({k[0] for k in keys}),
                                                   "min_confidence": min_confidence}):
        if (doc, seg) in wanted:
            out.setdefault((doc, seg), []).append(technique)
    return out


def _facets(conn: Connection, scope: str, params: dict[str, Any], *, joins: str = _JOINS,
            cte: str = "") -> dict[str, dict[str, int]]:
    """Counts of matching paragraphs per source, language, forwarded-from, technique and category.

    `scope` holds `joins` (findings are joined after them), and `cte` is the WITH clause it reads from.
    """
    confident = " AND fi.confidence >= :min_confidence" if "min_confidence" in params else ""
    dims = {
        "source": ("src.name", ""),
        "forwarded_from": (forwarded_from_sql(conn.dialect.name), ""),
        "language": (SEGMENT_LANGUAGE, ""),
        "technique": ("fi.technique", " JOIN findings fi ON fi.document_id = s.document_id AND fi.segment_key = s.key"
                      f" AND fi.technique IS NOT NULL{confident}"),
        "category": ("fi.category", " JOIN findings fi ON fi.document_id = s.document_id AND fi.segment_key = s.key"
                     f" AND fi.category IS NOT NULL{confident}"),
    }
    # one statement, so that PostgreSQL's capped matches (`cte`) are found and ranked once, not once a facet
    arms = [f"SELECT * FROM (SELECT '{name}' AS dim, {expr} AS value, COUNT(DISTINCT s.id) AS n "
            f"{scope.replace(joins, joins + join, 1)} GROUP BY {expr} ORDER BY n DESC LIMIT 50) {name}_counts"
            for name, (expr, join) in dims.items()]
    out: dict[str, dict[str, int]] = {name: {} for name in dims}
    for name, value, n in conn.execute(text(cte + " UNION ALL ".join(arms)), params):
        if value is not None:
            out[name][str(value)] = int(n)
    return out
