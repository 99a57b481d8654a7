"""Statements say who found them (the rules, the trained finder, or both) and how sure it was.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Statements stored before the finder existed were found by the rules.
    with op.batch_alter_table("statements") as batch:
        batch.add_column(
            sa.Column("found_by", sa.String(length=8), nullable=False, server_default="rules")
        )
        batch.add_column(sa.Column("confidence", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.drop_column("confidence")
        batch.drop_column("found_by")
