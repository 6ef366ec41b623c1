"""Fact-check collections: one row per ClaimReview (or CheckThat! TSV) claim, with the encoder
vectors of its claim and title; a claim finding's matched fact-checks (`findings.matches`).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "factchecks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String, nullable=False, unique=True),
        sa.Column("claim", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("rating", sa.String),
        sa.Column("reviewer", sa.String),
        sa.Column("url", sa.String),
        sa.Column("claimant", sa.String),
        sa.Column("claim_date", sa.Date),
        sa.Column("review_date", sa.Date),
        sa.Column("language", sa.String),
        sa.Column("collection", sa.String, nullable=False),
        sa.Column("imported", sa.DateTime, nullable=False),
        sa.Column("vector", sa.LargeBinary),
        sa.Column("title_vector", sa.LargeBinary),
        sa.Column("encoder", sa.String),
    )
    op.create_index("ix_factchecks_review_date", "factchecks", ["review_date"])
    op.add_column("findings", sa.Column("matches", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("matches")
    op.drop_table("factchecks")
