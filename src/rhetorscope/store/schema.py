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

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
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
    TypeDecorator,
    UniqueConstraint,
)

metadata = MetaData()

_HEX = frozenset("0123456789abcdef")


class ContentId(TypeDecorator[str]):
    """`Document.id` stored in 8 bytes instead of 16 characters (the column and its index are on every row).

    The pipeline's id is 16 lowercase hex digits (a truncated SHA-256), kept as the
    8 bytes they spell. Any other id (an `Analysis` made elsewhere) is kept as its
    UTF-8 bytes behind one 0xFF byte, or two where that would make 8 bytes: 0xFF
    never occurs in UTF-8, so the two forms cannot be confused.
    """

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> bytes | None:
        if value is None:
            return None
        if len(value) == 16 and _HEX.issuperset(value):
            return bytes.fromhex(value)
        raw = value.encode("utf-8")
        return b"\xff" * (2 if len(raw) == 7 else 1) + raw

    def process_result_value(self, value: bytes | None, dialect: Any) -> str | None:
        if value is None:
            return None
        value = bytes(value)
        return value.hex() if len(value) == 8 else value.lstrip(b"\xff").decode("utf-8")


sources = Table(
    "sources", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("kind", String, nullable=False),
    Column("first_ingested", DateTime, nullable=False),
    Column("encoding", String),
    Column("extra", JSON(none_as_null=True)),
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
    Column("schema_version", String, nullable=False),
    #: NULL: `ingest`; else the command (`reanalyze`)
    Column("command", String),
    #: NULL: ingest's own process pool; else `local` or the Dask scheduler's address
    Column("executor", String),
    Column("workers", Integer),
    Column("failed_documents", Integer),
)

run_failures = Table(
    "run_failures", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("ingest_runs.id", ondelete="CASCADE"), nullable=False),
    Column("content_key", LargeBinary),
    Column("item", String, nullable=False),
    Column("reason", Text, nullable=False),
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
    Column("content_key", LargeBinary, nullable=False, unique=True),
    Column("doc_id", ContentId, nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("run_id", Integer, ForeignKey("ingest_runs.id"), nullable=False),
    Column("external_id", String),
    Column("date", Date),
    Column("stated_date", Date),
    Column("posted_at", BigInteger),
    Column("title", String),
    Column("source_line", String),
    Column("language", String),
    Column("language_confidence", Float),
    Column("input_format", String),
    Column("encoding", String),
    Column("extra", JSON(none_as_null=True)),
    Column("shares_source", Boolean, nullable=False),
    Column("repairs", JSON(none_as_null=True)),
    Column("schema_version", String),
    Column("generator", String),
    Column("analyzed", Boolean, nullable=False),
    Column("words", Integer, nullable=False),
    Column("text", Text, nullable=False),
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
    Column("kind", String),
    Column("speaker", String),
    Column("language", String),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("original_start", Integer, nullable=False),
    Column("original_end", Integer, nullable=False),
    Column("text", Text),
    Column("sentences", JSON(none_as_null=True)),
    Column("editorial", JSON(none_as_null=True)),
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
    Column("matches", JSON(none_as_null=True)),
    Column("tier", String),
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
)

factchecks = Table(
    "factchecks", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String, nullable=False, unique=True),
    Column("claim", Text, nullable=False),
    Column("title", Text),
    Column("rating", String),
    Column("reviewer", String),
    Column("url", String),
    Column("claimant", String),
    Column("claim_date", Date),
    Column("review_date", Date),
    Column("language", String),
    Column("collection", String, nullable=False),
    Column("imported", DateTime, nullable=False),
    Column("vector", LargeBinary),
    Column("title_vector", LargeBinary),
    Column("encoder", String),
    Index("ix_factchecks_review_date", "review_date"),
)
