"""Scale-out runs: what ran a run (`ingest_runs.command`, `executor`, `workers`), how many documents failed
(`failed_documents`), and each failed document with its reason (`run_failures`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_runs") as batch:
        batch.add_column(sa.Column("command", sa.String))
        batch.add_column(sa.Column("executor", sa.String))
        batch.add_column(sa.Column("workers", sa.Integer))
        batch.add_column(sa.Column("failed_documents", sa.Integer))
    op.create_table(
        "run_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("ingest_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("content_key", sa.LargeBinary),
        sa.Column("item", sa.String, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("run_failures")
    with op.batch_alter_table("ingest_runs") as batch:
        for column in ("failed_documents", "workers", "executor", "command"):
            batch.drop_column(column)
