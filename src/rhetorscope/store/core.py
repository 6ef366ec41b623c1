"""`Store`: the corpus database behind `ingest`, `search`, `repeats`, `trends`, `export` and the web app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, text, update

from rhetorscope import __version__
from rhetorscope.model import SCHEMA_VERSION, Analysis
from rhetorscope.store import schema as t
from rhetorscope.store.compare import Comparison, compare
from rhetorscope.store.engine import (
    StoreError,
    default_db_url,
    make_engine,
    migrate,
    retry_locked,
    return_free_pages,
    sqlite_path,
    to_url,
)
from rhetorscope.store.propagation import Propagation, propagation
from rhetorscope.store.records import Prepared, Written, analysis_key, load_analysis, prepare, write
from rhetorscope.store.repeats import RepeatPage, list_clusters, update_clusters
from rhetorscope.store.search import SearchFilters, SearchResult, search
from rhetorscope.store.trends import TrendTable, trends


class Store:
    """A corpus of analysed documents in SQLite (default) or PostgreSQL.

    Open with `Store.open(db)`; it creates or upgrades the schema and refuses a
    database written by a newer rhetorscope. Safe to use from several processes
    at once: every write is one short transaction that is retried while another
    process holds the lock. `Store.open(db, readonly=True)` is for commands that
    only read: it never creates, upgrades or writes anything, so it works on a
    read-only mount, and a path that does not exist is an error rather than a new
    empty corpus.
    """

    def __init__(self, engine: Engine, url: str, *, readonly: bool = False) -> None:
        self.engine = engine
        self.url = url
        self.readonly = readonly

    @classmethod
    def open(cls, db: str | Path | None = None, *, readonly: bool = False) -> Store:
        """Open the corpus at a file path or SQLAlchemy URL (None means the default); created unless `readonly`."""
        url = to_url(str(db)) if db is not None else default_db_url()
        path = sqlite_path(url)
        if readonly and path and not Path(path).exists():
            raise StoreError(f"there is no corpus database at {path}",
                             "check the --db path, or create one with `rhetorscope ingest FILES --db …`")
        engine = make_engine(url, readonly=readonly)
        try:
            migrate(engine, url, readonly=readonly)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, url, readonly=readonly)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # writing

    def add(self, analysis: Analysis, *, source: str | None = None, analyzed: bool = True) -> bool:
        """Store one analysis (keyed by its text and place of publication); False if it was there already.

        A later edit of a stored Telegram message replaces it (True).
        Call `update_repeats()` after a series of adds, as `ingest` does at its end: a read-only store
        (the web app, `rhetorscope repeats`) reports clusters as they are and never computes them.
        """
        prepared = prepare(analysis, key=analysis_key(analysis), source=source, analyzed=analyzed)
        run = self.begin_run([source or analysis.document.metadata.source or "api"], analyzed=analyzed)
        written = self.write_batch([prepared], run_id=run)
        changed = written.added + written.updated
        self.finish_run(run, "finished", added=changed, skipped=1 - changed)
        return changed == 1

    def write_batch(self, batch: Sequence[Prepared], *, run_id: int) -> Written:
        """Write prepared documents in one transaction: new or newly analysed ones, and edits of stored records."""
        return retry_locked(self.engine, lambda conn: write(conn, batch, run_id=run_id))

    def stored_keys(self, keys: Iterable[bytes]) -> dict[bytes, bool]:
        """Which of these content keys are stored, mapped to whether they were analysed."""
        keys = list(keys)
        out: dict[str, bool] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(keys), 900):
                stmt = select(t.documents.c.content_key, t.documents.c.analyzed).where(
                    t.documents.c.content_key.in_(keys[i:i + 900]))
                out.update((k, bool(a)) for k, a in conn.execute(stmt))
        return out

    def begin_run(self, paths: Sequence[str], *, analyzed: bool) -> int:
        """Record an ingest run; its status stays 'running' if the process dies."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        row = {"started_at": now, "status": "running", "paths": list(paths), "analyzed": analyzed,
               "added": 0, "skipped": 0, "failed": 0, "generator": f"rhetorscope {__version__}",
               "schema_version": SCHEMA_VERSION}
        return retry_locked(self.engine, lambda conn: conn.execute(
            insert(t.ingest_runs).returning(t.ingest_runs.c.id), row).scalar_one())

    def finish_run(self, run_id: int, status: str, *, added: int, skipped: int, failed: int = 0) -> None:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        retry_locked(self.engine, lambda conn: conn.execute(
            update(t.ingest_runs).where(t.ingest_runs.c.id == run_id).values(
                status=status, finished_at=now, added=added, skipped=skipped, failed=failed)))

    def update_repeats(self) -> int:
        """Cluster passages added since the last call; returns how many passages were placed."""
        def work(conn: Any) -> int:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(7263542)"))
            return update_clusters(conn)

        return retry_locked(self.engine, work)

    def compact(self) -> None:
        """Merge the SQLite full-text index into one segment and give the freed pages back to the file system.

        Every ingest batch adds an FTS5 segment; merged, the index takes about a
        sixth less space. The merge frees the old segments' pages, which the file
        (created with incremental auto-vacuum) then returns. Well under a second
        per 100,000 paragraphs, so `ingest` runs it at the end of every run that
        added documents. PostgreSQL needs nothing: autovacuum and GIN do this.
        """
        if self.dialect != "sqlite":
            return
        retry_locked(self.engine, lambda conn: conn.exec_driver_sql(
            "INSERT INTO segments_fts(segments_fts) VALUES ('optimize')"))
        return_free_pages(self.engine)

    # reading

    def get_document(self, document_id: int) -> Analysis:
        """The stored `Analysis` of a document by its row id (`SearchHit.document_id`)."""
        with self.engine.connect() as conn:
            analysis = load_analysis(conn, document_id)
        if analysis is None:
            raise StoreError(f"no document with id {document_id} in the corpus", "take ids from search results")
        return analysis

    def find_documents(self, doc_id: str) -> list[int]:
        """Row ids of the documents with this content id (`Document.id`); the same text may be posted twice.

        A table scan: nothing in rhetorscope looks documents up this way, so the
        column carries no index (it would cost about 20 bytes a document).
        """
        with self.engine.connect() as conn:
            return list(conn.execute(select(t.documents.c.id).where(t.documents.c.doc_id == doc_id)
                                     .order_by(t.documents.c.id)).scalars())

    def document_count(self) -> int:
        """How many documents the corpus holds: one count, where `stats` counts six tables."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.documents)).scalar_one())

    def stats(self) -> dict[str, int]:
        """Row counts of the main tables: documents, analysed documents, segments, findings, passages, sources."""
        with self.engine.connect() as conn:
            count = lambda table: conn.execute(select(func.count()).select_from(table)).scalar_one()  # noqa: E731
            analysed = conn.execute(select(func.count()).where(t.documents.c.analyzed)).scalar_one()
            return {"documents": count(t.documents), "analyzed": analysed, "segments": count(t.segments),
                    "findings": count(t.findings), "passages": count(t.passages), "sources": count(t.sources)}

    def paragraph_texts(self, keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], str]:
        """Full text of paragraphs given as (document_id, segment key), e.g. of search hits."""
        from sqlalchemy import bindparam

        stmt = text("SELECT document_id, key, text FROM segment_text WHERE document_id IN :docs").bindparams(
            bindparam("docs", expanding=True))
        wanted, out = set(keys), {}
        docs = sorted({k[0] for k in keys})
        with self.engine.connect() as conn:
            for i in range(0, len(docs), 900):
                for doc, key, body in conn.execute(stmt, {"docs": docs[i:i + 900]}):
                    if (doc, key) in wanted:
                        out[(doc, key)] = body
        return out

    def search(self, query: str, filters: SearchFilters | None = None, *, limit: int = 20, offset: int = 0,
               facets: bool = False) -> SearchResult:
        """Ranked paragraphs matching `query` (syntax in `rhetorscope.store.query`) and `filters`."""
        with self.engine.connect() as conn:
            return search(conn, query, filters or SearchFilters(), limit=limit, offset=offset, facets=facets)

    def repeats(self, *, min_count: int = 2, since: dt.date | None = None, until: dt.date | None = None,
                source: str | None = None, limit: int = 50, offset: int = 0, occurrences: int = 10,
                include_boilerplate: bool = False) -> RepeatPage:
        """Talking points repeated in at least `min_count` documents, most repeated first, a page at a time.

        Clusters passages that arrived since the last call first, so the answer is current; a read-only
        store answers from the clusters as they are (every ingest updates them when it ends).
        """
        if not self.readonly:
            self.update_repeats()
        with self.engine.connect() as conn:
            return list_clusters(conn, min_count=min_count, since=since, until=until, source=source,
                                 limit=limit, offset=offset, occurrences=occurrences,
                                 include_boilerplate=include_boilerplate)

    def trends(self, *, by: str = "month", technique: str | None = None, category: str | None = None,
               source: str | None = None, since: dt.date | None = None,
               until: dt.date | None = None, min_confidence: float = 0.0) -> TrendTable:
        """Technique (or category) counts per period, with the words published per period."""
        with self.engine.connect() as conn:
            return trends(conn, by=by, technique=technique, category=category, source=source, since=since,
                          until=until, min_confidence=min_confidence)


    def compare(self, *, by: str = "source", techniques: Sequence[str] = (), since: dt.date | None = None,
                until: dt.date | None = None, min_confidence: float = 0.0, split_date: dt.date | None = None,
                group: str | None = None, min_paragraphs: int | None = None) -> Comparison:
        """Technique profiles per group with intervals, tests and effect sizes (`rhetorscope.store.compare`)."""
        extra = {} if min_paragraphs is None else {"min_paragraphs": min_paragraphs}
        with self.engine.connect() as conn:
            return compare(conn, by=by, techniques=techniques, since=since, until=until,
                           min_confidence=min_confidence, split_date=split_date, group=group, **extra)

    def propagation(self, cluster_id: int) -> Propagation:
        """How one repeated talking point spread: first poster, order and delay of repeats, forwards vs rewordings."""
        if not self.readonly:
            self.update_repeats()
        with self.engine.connect() as conn:
            return propagation(conn, cluster_id)
