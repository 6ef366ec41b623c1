"""Technique findings record the tier that produced them (`findings.tier`: accurate or fast).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("findings", sa.Column("tier", sa.String))


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("tier")
