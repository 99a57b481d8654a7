"""Finished intelligence: readers, reviews and their portions.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "readers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("clearance", sa.String(length=2), nullable=False),
        sa.Column("compartments", sa.Text(), nullable=False),
        sa.Column("nationality", sa.String(length=8), nullable=False),
        sa.Column("audiences", sa.Text(), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readers")),
        sa.UniqueConstraint("name", name=op.f("uq_readers_name")),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=True),
        sa.Column("built_by", sa.String(length=200), nullable=True),
        sa.Column("window_days", sa.Integer(), nullable=True),
        sa.Column("banner", sa.String(length=400), nullable=True),
        sa.Column("distribution", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("day", name=op.f("uq_reviews_day")),
    )
    op.create_table(
        "portions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("marking", sa.String(length=200), nullable=False),
        sa.Column("audiences", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("thread_version", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Float(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('judgement', 'analyst')", name=op.f("ck_portions_kind")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_portions_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.id"],
            name=op.f("fk_portions_thread_id_threads"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portions")),
    )
    op.create_index("ix_portions_review_id_seq", "portions", ["review_id", "seq"], unique=True)
    op.create_index(op.f("ix_portions_thread_id"), "portions", ["thread_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_portions_thread_id"), table_name="portions")
    op.drop_index("ix_portions_review_id_seq", table_name="portions")
    op.drop_table("portions")
    op.drop_table("reviews")
    op.drop_table("readers")
