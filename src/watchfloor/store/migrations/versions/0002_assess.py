"""Assessment: the audit log, threads, analyst overrides, text signals and the protectees.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"], unique=False)
    op.create_index("ix_audit_log_subject", "audit_log", ["subject_type", "subject_id"])

    op.create_table(
        "threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("actor_entity", sa.String(length=200), nullable=True),
        sa.Column("actor_lineage", sa.Text(), nullable=False),
        sa.Column("target_key", sa.String(length=400), nullable=False),
        sa.Column("target_label", sa.Text(), nullable=False),
        sa.Column("protectee", sa.String(length=200), nullable=True),
        sa.Column("first_seen", sa.Date(), nullable=True),
        sa.Column("last_seen", sa.Date(), nullable=True),
        sa.Column("statements", sa.Integer(), nullable=False),
        sa.Column("harm", sa.String(length=16), nullable=True),
        sa.Column("reliability", sa.String(length=1), nullable=True),
        sa.Column("credibility", sa.Integer(), nullable=True),
        sa.Column("likelihood", sa.String(length=40), nullable=True),
        sa.Column("confidence", sa.String(length=16), nullable=True),
        sa.Column("trend", sa.String(length=16), nullable=True),
        sa.Column("priority", sa.Float(), nullable=False),
        sa.Column("assessment", sa.Text(), nullable=True),
        sa.Column("assessed_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threads")),
        sa.UniqueConstraint("key", name=op.f("uq_threads_key")),
    )
    op.create_index(op.f("ix_threads_actor_entity"), "threads", ["actor_entity"])
    op.create_index(op.f("ix_threads_protectee"), "threads", ["protectee"])
    op.create_index(op.f("ix_threads_priority"), "threads", ["priority"])
    op.create_index(op.f("ix_threads_target_key"), "threads", ["target_key"])

    with op.batch_alter_table("statements") as batch_op:
        batch_op.add_column(sa.Column("thread_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_statements_thread_id_threads"),
            "threads",
            ["thread_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_statements_thread_id"), ["thread_id"])

    op.create_table(
        "overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("analyst", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('source_reliability', 'thread_credibility', 'statement_dismissed', "
            "'actor_merge')",
            name=op.f("ck_overrides_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overrides")),
    )
    op.create_index("ix_overrides_kind_subject", "overrides", ["kind", "subject"])

    op.create_table(
        "signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_signals_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signals")),
    )
    op.create_index(op.f("ix_signals_document_id"), "signals", ["document_id"])

    op.create_table(
        "protectees",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("notify", sa.Text(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protectees")),
    )


def downgrade() -> None:
    op.drop_table("protectees")
    op.drop_index(op.f("ix_signals_document_id"), table_name="signals")
    op.drop_table("signals")
    op.drop_index("ix_overrides_kind_subject", table_name="overrides")
    op.drop_table("overrides")
    with op.batch_alter_table("statements") as batch_op:
        batch_op.drop_index(batch_op.f("ix_statements_thread_id"))
        batch_op.drop_constraint(batch_op.f("fk_statements_thread_id_threads"), type_="foreignkey")
        batch_op.drop_column("thread_id")
    op.drop_index(op.f("ix_threads_target_key"), table_name="threads")
    op.drop_index(op.f("ix_threads_priority"), table_name="threads")
    op.drop_index(op.f("ix_threads_protectee"), table_name="threads")
    op.drop_index(op.f("ix_threads_actor_entity"), table_name="threads")
    op.drop_table("threads")
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_action"), table_name="audit_log")
    op.drop_table("audit_log")
