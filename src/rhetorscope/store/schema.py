"""The corpus tables, as SQLAlchemy Core metadata.

The tables are meant to be read by people too (sqlite3, Datasette, DuckDB):
plain columns for what one filters on, JSON only for nested parts of the
`Analysis` that are read back whole. Text is stored once, in `documents.text`;
segments, sentences, findings and passages point into it by character offsets
(the view `segment_text` shows each paragraph's text). `docs/corpus.md`
documents every column; the migrations in `migrations/versions/` create them,
and a test checks the two agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

sources = Table(
    "sources", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("kind", String, nullable=False),
    Column("first_ingested", DateTime, nullable=False),
)

ingest_runs = Table(
    "ingest_runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("status", String, nullable=False),
    Column("paths", JSON, nullable=False),
    Column("analyzed", Boolean, nullable=False),
    Column("added", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("generator", String, nullable=False),
)

model_versions = Table(
    "model_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("component", String, nullable=False),
    Column("version", String, nullable=False),
    UniqueConstraint("component", "version", name="uq_model_versions"),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True),
    Column("content_key", String, nullable=False, unique=True),
    Column("doc_id", String, nullable=False, index=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("run_id", Integer, ForeignKey("ingest_runs.id"), nullable=False),
    Column("external_id", String),
    Column("date", Date, index=True),
    Column("title", String),
    Column("source_line", String),
    Column("language", String),
    Column("language_confidence", Float),
    Column("input_format", String, nullable=False),
    Column("encoding", String),
    Column("extra", JSON, nullable=False),
    Column("repairs", JSON, nullable=False),
    Column("schema_version", String, nullable=False),
    Column("generator", String, nullable=False),
    Column("analyzed", Boolean, nullable=False),
    Column("words", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("ingested_at", DateTime, nullable=False),
    Index("ix_documents_source_date", "source_id", "date"),
)

document_models = Table(
    "document_models", metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("model_version_id", Integer, ForeignKey("model_versions.id"), primary_key=True),
)

segments = Table(
    "segments", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("key", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("speaker", String),
    Column("language", String),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("original_start", Integer, nullable=False),
    Column("original_end", Integer, nullable=False),
    Column("text", Text),
    Column("sentences", JSON, nullable=False),
    Column("editorial", JSON, nullable=False),
    UniqueConstraint("document_id", "seq", name="uq_segments_document_seq"),
)

findings = Table(
    "findings", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("key", String, nullable=False),
    Column("segment_key", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("technique", String),
    Column("category", String),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("related", JSON, nullable=False),
    Column("source", String, nullable=False),
    Index("ix_findings_document", "document_id", "segment_key"),
    Index("ix_findings_technique", "technique", "document_id"),
)

passages = Table(
    "passages", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("segment_key", String, nullable=False),
    Column("level", SmallInteger, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("bands", LargeBinary, nullable=False),
    Column("cluster_id", Integer),
    Index("ix_passages_document", "document_id"),
    Index("ix_passages_cluster", "cluster_id"),
)
