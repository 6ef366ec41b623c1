"""Record dates, identity and search: `stated_date`; a post's date is its own; edits are one record; stems.

Before 0002 a date stated in a post's text replaced the post's date, and a
Telegram message re-exported after an edit was stored a second time (its key
included the text). This revision adds `stated_date`, gives every Telegram post
the date of its own time (`posted_at`) and keeps the replaced one as
`stated_date`, and re-keys Telegram posts by channel + message id, keeping the
latest edit of each where a message was stored more than once. The full-text
index is rebuilt from `rhetorscope.store.tokens` (stems and folded forms, the
same on both backends): on SQLite a contentless FTS5 table with the columns
`stems` and `forms`, on PostgreSQL `segments.tsv` holding both.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rhetorscope.store.records import content_key, edited_at

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TELEGRAM = ("FROM documents d JOIN sources src ON src.id = d.source_id "
             "WHERE COALESCE(d.input_format, src.kind) = 'telegram'")


def _posted_date(dialect: str) -> str:
    if dialect == "sqlite":
        return "date(posted_at, 'unixepoch')"
    return "DATE '1970-01-01' + CAST(floor(posted_at / 86400.0) AS integer)"


def upgrade() -> None:
    op.add_column("documents", sa.Column("stated_date", sa.Date))
    conn = op.get_bind()
    posted = _posted_date(conn.dialect.name)
    telegram = f"SELECT d.id {_TELEGRAM}"
    conn.execute(sa.text(f"UPDATE documents SET stated_date = date, date = {posted} "
                         f"WHERE posted_at IS NOT NULL AND date IS NOT NULL AND date <> {posted} "
                         f"AND id IN ({telegram})"))
    conn.execute(sa.text(f"UPDATE documents SET date = {posted} WHERE posted_at IS NOT NULL AND date IS NULL "
                         f"AND id IN ({telegram})"))
    _rekey_telegram(conn)
    _reindex(conn)


def _reindex(conn: sa.Connection) -> None:
    from rhetorscope.store.records import index_rows
    from rhetorscope.store.tokens import to_tsvector

    rows = index_rows(conn)
    if conn.dialect.name == "sqlite":
        op.execute("DROP TABLE segments_fts")
        op.execute("CREATE VIRTUAL TABLE segments_fts USING fts5(stems, forms, content='', tokenize='ascii')")
        if rows:
            conn.execute(sa.text("INSERT INTO segments_fts(rowid, stems, forms) VALUES (:id, :stems, :forms)"),
                         [{"id": i, "stems": st, "forms": fo} for i, st, fo in rows])
    elif rows:
        conn.execute(sa.text("UPDATE segments SET tsv = CAST(:tsv AS tsvector) WHERE id = :id"),
                     [{"id": i, "tsv": to_tsvector(st, fo)} for i, st, fo in rows])


def _rekey_telegram(conn: sa.Connection) -> None:
    """Key Telegram posts by channel + message id; of several stored versions keep the latest edit."""
    rows = conn.execute(sa.text(
        f"SELECT d.id, d.external_id, src.name, d.extra, d.shares_source, src.extra {_TELEGRAM} "
        "AND d.external_id IS NOT NULL")).all()
    versions: dict[bytes, list[tuple[str, int]]] = {}
    for row_id, external_id, source, extra, shares, source_extra in rows:
        extra, source_extra = _json(extra), _json(source_extra)
        merged = {**(source_extra if shares else {}), **extra}
        key = content_key("", source=source, external_id=external_id, input_format="telegram")
        versions.setdefault(key, []).append((edited_at(merged), row_id))
    keep, drop = [], []
    for key, found in versions.items():
        found.sort()
        keep.append({"key": key, "id": found[-1][1]})
        drop += [row_id for _, row_id in found[:-1]]
    for table in ("passages", "findings", "document_models", "segments", "documents"):
        column = "id" if table == "documents" else "document_id"
        for i in range(0, len(drop), 500):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE {column} IN :ids")
                         .bindparams(sa.bindparam("ids", expanding=True)), {"ids": drop[i:i + 500]})
    if keep:
        conn.execute(sa.text("UPDATE documents SET content_key = :key WHERE id = :id"), keep)


def _json(value: object) -> dict:  # type: ignore[type-arg]
    import json

    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def downgrade() -> None:
    op.drop_column("documents", "stated_date")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE segments_fts")
        op.execute("CREATE VIRTUAL TABLE segments_fts USING fts5(text, content='segment_text', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
        op.execute("INSERT INTO segments_fts(segments_fts) VALUES ('rebuild')")
    else:
        op.execute("UPDATE segments s SET tsv = to_tsvector('simple', st.text) FROM segment_text st "
                   "WHERE st.id = s.id")
