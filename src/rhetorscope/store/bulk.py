"""Bulk inserts: PostgreSQL `COPY`, executemany elsewhere.

A multi-row INSERT of a 1,000-document batch costs the client more than the server: psycopg
builds and converts one statement of tens of thousands of parameters (about 0.9 ms a document,
most of the writer's time, on the 2-core benchmark machine). `COPY … FROM STDIN` streams the rows
instead. Documents go through a temporary staging table, so that `INSERT … SELECT … ON CONFLICT DO
NOTHING` keeps the rule that a concurrent writer which stored a key first wins; their ids come
back from that statement. Paragraphs carry their tsvector in the same COPY rather than an UPDATE
per row afterwards.

SQLite takes the same rows, bound the same way, through the driver's own executemany: SQLAlchemy's
insert of a batch (its RETURNING batches, per-row parameter processing) cost the single writer
several times what SQLite spends storing the rows, about a fifth of a structure-only ingest. New
rows' ids are read back by range instead of RETURNING: the writer holds SQLite's one write lock
for the whole transaction, and a new row's id is one more than the largest before it, so the rows
above the largest id before the insert are exactly this batch's, in the order given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Table, text

from rhetorscope.store import schema as t


def _values(conn: Connection, table: Table, names: Sequence[str], rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """Rows as COPY takes them: each value through its column type's bind processing (JSON, booleans, ids)."""
    dialect = conn.dialect
    columns = [table.c[n] for n in names]
    processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    keep_null = [getattr(c.type, "none_as_null", False) for c in columns]
    return [[None if (v := row.get(n)) is None and null else (p(v) if p else v)
             for n, p, null in zip(names, processors, keep_null, strict=True)] for row in rows]


def _copy(conn: Connection, table: str, names: Sequence[str], values: Sequence[Sequence[Any]]) -> None:
    quoted = ", ".join(f'"{n}"' for n in names)
    with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
            f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def _executemany(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], suffix: str = "") -> None:
    """INSERT rows (all with the keys of the first) through the driver, each value bound as its column binds it."""
    names = list(rows[0])
    quoted = ", ".join(f'"{n}"' for n in names)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({quoted}) VALUES ({', '.join('?' * len(names))}){suffix}",
                         [tuple(v) for v in _values(conn, table, names, rows)])


def _new_ids(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], suffix: str = "",
             key: str | None = None) -> list[tuple[Any, ...]]:
    """SQLite: insert rows and return the new ones' (id,) in insertion order, or (key, id) with `key`."""
    before = conn.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table.name}").scalar_one()
    _executemany(conn, table, rows, suffix)
    picked = f'"{key}", id' if key else "id"
    return [tuple(r) for r in conn.exec_driver_sql(
        f"SELECT {picked} FROM {table.name} WHERE id > ? ORDER BY id", (before,)).all()]


def insert_documents(conn: Connection, rows: Sequence[dict[str, Any]]) -> dict[bytes, int]:
    """Insert document rows unless their key is stored (ON CONFLICT DO NOTHING); returns the new rows' ids by key."""
    if conn.dialect.name != "postgresql":
        return {bytes(k): i for k, i in _new_ids(conn, t.documents, rows, " ON CONFLICT (content_key) DO NOTHING",
                                                 key="content_key")}
    names = [c.name for c in t.documents.columns if c.name != "id"]
    conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS documents_in ON COMMIT DELETE ROWS AS "
                         "SELECT * FROM documents WITH NO DATA")
    _copy(conn, "documents_in", names, _values(conn, t.documents, names, rows))
    quoted = ", ".join(f'"{n}"' for n in names)
    inserted = conn.execute(text(f"INSERT INTO documents ({quoted}) SELECT {quoted} FROM documents_in "
                                 "ON CONFLICT (content_key) DO NOTHING RETURNING content_key, id")).all()
    return {bytes(key): row_id for key, row_id in inserted}


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert child rows (findings, model links, passages), whose ids nothing reads back."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        _executemany(conn, table, rows)
        return
    names = [c.name for c in table.columns if c.name != "id" and c.name in rows[0]]
    _copy(conn, table.name, names, _values(conn, table, names, rows))


def insert_segments(conn: Connection, rows: Sequence[dict[str, Any]], terms: Sequence[tuple[str, str]],
                    tsvectors: Sequence[str] | None) -> None:
    """Insert paragraphs with their full-text index entries: FTS5 rows of `terms` (stems and forms of each, in
    order) on SQLite, the `tsvectors` (`tokens.to_tsvector` of the same terms) on PostgreSQL."""
    if tsvectors is None:
        ids = _new_ids(conn, t.segments, rows)
        conn.exec_driver_sql("INSERT INTO segments_fts(rowid, stems, forms) VALUES (?, ?, ?)",
                             [(i, st, fo) for (i,), (st, fo) in zip(ids, terms, strict=True)])
        return
    names = [c.name for c in t.segments.columns if c.name != "id"]
    values = _values(conn, t.segments, names, rows)
    for row, tsv in zip(values, tsvectors, strict=True):
        row.append(tsv)
    _copy(conn, "segments", [*names, "tsv"], values)


def set_column(conn: Connection, table: Table, column: str, values: Sequence[tuple[int, Any]]) -> None:
    """Set one column of many rows given as (id, value): on PostgreSQL by COPY into a staging table and one
    UPDATE … FROM (an UPDATE a row costs a round trip each; clustering sets tens of thousands at once)."""
    if not values:
        return
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql(f'UPDATE {table.name} SET "{column}" = ? WHERE id = ?', [(v, i) for i, v in values])
        return
    staging = f"{table.name}_{column}_in"
    conn.exec_driver_sql(f'CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS AS '
                         f'SELECT id, "{column}" AS value FROM {table.name} WITH NO DATA')
    _copy(conn, staging, ["id", "value"], values)
    conn.exec_driver_sql(f'UPDATE {table.name} t SET "{column}" = s.value FROM {staging} s WHERE t.id = s.id')


def vacuum_after_load(engine: Engine) -> None:
    """After a bulk load, have PostgreSQL VACUUM and ANALYZE the tables it filled (nothing on SQLite).

    Autovacuum analyses a table only after a share of it has changed and some time has passed;
    right after a run that added 100,000 posts the planner still held the empty tables' numbers,
    and search was four times slower (p50 219 ms, then 49 ms after ANALYZE, benchmarks/scale.py).
    VACUUM does what the first searches would otherwise do row by row, and what every search pays
    until it is done: it marks the new rows' transactions committed (the first pass over a fresh
    million-post corpus had a CPU p95 of 56 ms, the second 36; 46 after VACUUM), files the full-text index's pending
    entries (a list every search reads whole) and drops the passages' old versions (clustering
    rewrites each once). At a million posts it takes 2-3 s. VACUUM cannot run in a transaction.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("documents", "segments", "findings", "passages", "document_models"):
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
