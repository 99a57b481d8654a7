"""Shared STIX objects: what is published to TAXII collections and what partners sent.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stix_objects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("collection", sa.String(length=100), nullable=False),
        sa.Column("stix_id", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("marking", sa.String(length=400), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.UniqueConstraint("collection", "stix_id", "version", name="uq_stix_objects_version"),
    )
    op.create_index("ix_stix_objects_stix_id", "stix_objects", ["stix_id"])
    op.create_index("ix_stix_objects_collection_added", "stix_objects", ["collection", "added_at"])


def downgrade() -> None:
    op.drop_index("ix_stix_objects_collection_added", table_name="stix_objects")
    op.drop_index("ix_stix_objects_stix_id", table_name="stix_objects")
    op.drop_table("stix_objects")
