"""The thread's standing (live or history), imminence and specificity score as columns of their
own, copied from the stored assessment, so the board's live/history filter, its count and its
rows read columns instead of parsing thread assessment JSON (issue 16).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FROM_JSON = {
    "sqlite": "standing = coalesce(json_extract(assessment, '$.standing'), 'live'), "
    "imminence = json_extract(assessment, '$.imminence'), "
    "specificity = json_extract(assessment, '$.specificity.score')",
    "postgresql": "standing = coalesce(CAST(assessment AS jsonb) ->> 'standing', 'live'), "
    "imminence = CAST(assessment AS jsonb) ->> 'imminence', "
    "specificity = CAST(CAST(assessment AS jsonb) #>> '{specificity,score}' AS float)",
}


def upgrade() -> None:
    op.add_column(
        "threads",
        sa.Column("standing", sa.String(length=16), nullable=False, server_default="live"),
    )
    op.add_column("threads", sa.Column("imminence", sa.String(length=16), nullable=True))
    op.add_column("threads", sa.Column("specificity", sa.Float(), nullable=True))
    dialect = op.get_bind().dialect.name
    op.execute(f"UPDATE threads SET {FROM_JSON[dialect]} WHERE assessment IS NOT NULL")
    op.create_index("ix_threads_standing_priority", "threads", ["standing", "priority"])


def downgrade() -> None:
    op.drop_index("ix_threads_standing_priority", table_name="threads")
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("specificity")
        batch.drop_column("imminence")
        batch.drop_column("standing")
