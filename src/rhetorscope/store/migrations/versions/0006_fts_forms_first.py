"""SQLite's full-text index holds the same tokens with the folded forms as its first column: `segments_fts(forms,
stems)` instead of `(stems, forms)`.

FTS5 writes each (term, paragraph) entry's positions of the first column bare, and those of any other column
behind a two-byte column marker. Every word has a form, and only the words whose stem differs from it have a
stem, so with the forms first the markers go to the smaller column: the index of the 100,000-post benchmark
corpus takes 15.5 MB instead of 18.0 MB. Nothing a query sees changes: MATCH names its columns, bm25 weighs
both alike and counts the tokens of both, so the same paragraphs match with the same scores. PostgreSQL has no
such table (its `segments.tsv` is unchanged).

The index is contentless, so its tokens are made again from the paragraphs (`records.index_rows`, as 0002
did); on the benchmark corpus that takes about 10 seconds.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _rebuild(columns: str) -> None:
    from rhetorscope.store.records import index_rows

    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    rows = index_rows(conn)
    op.execute("DROP TABLE segments_fts")
    op.execute(f"CREATE VIRTUAL TABLE segments_fts USING fts5({columns}, content='', tokenize='ascii')")
    if rows:
        conn.execute(sa.text("INSERT INTO segments_fts(rowid, stems, forms) VALUES (:id, :stems, :forms)"),
                     [{"id": i, "stems": st, "forms": fo} for i, st, fo in rows])
        op.execute("INSERT INTO segments_fts(segments_fts) VALUES ('optimize')")


def upgrade() -> None:
    _rebuild("forms, stems")


def downgrade() -> None:
    _rebuild("stems, forms")
