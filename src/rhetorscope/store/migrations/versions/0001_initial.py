"""Initial corpus schema: sources, ingest runs, model versions, documents, segments, findings, passages.

Revision ID: 0001
Revises:
Create Date: 2025-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rhetorscope.store.schema import ContentId

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_SEGMENT_TEXT_VIEW = """
CREATE VIEW segment_text AS
SELECT s.id AS id, s.document_id AS document_id, s.key AS key, s.speaker AS speaker,
       COALESCE(s.text, SUBSTR(d.text, s.start + 1, s."end" - s.start)) AS text
FROM segments s JOIN documents d ON d.id = s.document_id
"""


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String, nullable=False, unique=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("first_ingested", sa.DateTime, nullable=False),
        sa.Column("encoding", sa.String),
        sa.Column("extra", sa.JSON),
    )
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("paths", sa.JSON, nullable=False),
        sa.Column("analyzed", sa.Boolean, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("skipped", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("generator", sa.String, nullable=False),
        sa.Column("schema_version", sa.String, nullable=False),
    )
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("component", sa.String, nullable=False),
        sa.Column("version", sa.String, nullable=False),
        sa.UniqueConstraint("component", "version", name="uq_model_versions"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("content_key", sa.LargeBinary, nullable=False, unique=True),
        sa.Column("doc_id", ContentId, nullable=False),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("ingest_runs.id"), nullable=False),
        sa.Column("external_id", sa.String),
        sa.Column("date", sa.Date),
        sa.Column("posted_at", sa.BigInteger),
        sa.Column("title", sa.String),
        sa.Column("source_line", sa.String),
        sa.Column("language", sa.String),
        sa.Column("language_confidence", sa.Float),
        sa.Column("input_format", sa.String),
        sa.Column("encoding", sa.String),
        sa.Column("extra", sa.JSON),
        sa.Column("shares_source", sa.Boolean, nullable=False),
        sa.Column("repairs", sa.JSON),
        sa.Column("schema_version", sa.String),
        sa.Column("generator", sa.String),
        sa.Column("analyzed", sa.Boolean, nullable=False),
        sa.Column("words", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "document_models",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("model_version_id", sa.Integer, sa.ForeignKey("model_versions.id"), primary_key=True),
    )
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("key", sa.String, nullable=False),
        sa.Column("kind", sa.String),
        sa.Column("speaker", sa.String),
        sa.Column("language", sa.String),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("original_start", sa.Integer, nullable=False),
        sa.Column("original_end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("sentences", sa.JSON),
        sa.Column("editorial", sa.JSON),
        sa.UniqueConstraint("document_id", "seq", name="uq_segments_document_seq"),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("key", sa.String, nullable=False),
        sa.Column("segment_key", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("technique", sa.String),
        sa.Column("category", sa.String),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("related", sa.JSON, nullable=False),
        sa.Column("source", sa.String, nullable=False),
    )
    op.create_index("ix_findings_document", "findings", ["document_id", "segment_key"])
    op.create_index("ix_findings_technique", "findings", ["technique", "document_id"])
    op.create_table(
        "passages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("segment_key", sa.String, nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("bands", sa.LargeBinary, nullable=False),
        sa.Column("cluster_id", sa.Integer),
    )
    op.execute(_SEGMENT_TEXT_VIEW)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE segments_fts USING fts5(text, content='segment_text', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
    else:
        op.execute("ALTER TABLE segments ADD COLUMN tsv tsvector")
        op.execute("CREATE INDEX ix_segments_tsv ON segments USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE segments_fts")
    op.execute("DROP VIEW segment_text")
    for table in ("passages", "findings", "segments", "document_models", "documents", "model_versions",
                  "ingest_runs", "sources"):
        op.drop_table(table)
