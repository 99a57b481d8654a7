"""Initial schema: sources, blobs, documents, clusters, statements, failures, feeds.

Revision ID: 0001
Revises: -
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ORIGIN_FK = "fk_clusters_origin_document_id_documents"

# PostgreSQL: a weighted tsvector kept by the database itself. Only the first 300,000 characters
# are indexed because a tsvector is limited to 1 MB; reports are far shorter.
PG_SEARCH_COLUMN = """
ALTER TABLE documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('english', left(text, 300000)), 'B')
) STORED
"""
PG_SEARCH_INDEX = "CREATE INDEX ix_documents_search_vector ON documents USING gin (search_vector)"

# SQLite: an FTS5 index over documents.title/text (external content, so the text is stored
# once), kept in step by triggers. Updates of other columns (cluster_id) do not touch it.
SQLITE_FTS = [
    """CREATE VIRTUAL TABLE documents_fts USING fts5(
        title, text, content='documents', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
        INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
]


def _origin_fk(sqlite: bool) -> list[sa.ForeignKeyConstraint]:
    # clusters and documents refer to each other. SQLite accepts a reference to a table that
    # does not exist yet (and cannot add one later); PostgreSQL gets it after both exist.
    if not sqlite:
        return []
    fk = sa.ForeignKeyConstraint(
        ["origin_document_id"], ["documents.id"], name=ORIGIN_FK, ondelete="SET NULL"
    )
    return [fk]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    op.create_table(
        "clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin_document_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_origin_fk(sqlite),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clusters")),
    )
    op.create_table(
        "feed_states",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_polled_at", sa.DateTime(), nullable=True),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("next_due_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_feed_states")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reliability", sa.String(length=1), nullable=False),
        sa.Column("marking", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('feed', 'site', 'analyst', 'partner')", name=op.f("ck_sources_kind")
        ),
        sa.CheckConstraint(
            "reliability IN ('A', 'B', 'C', 'D', 'E', 'F')", name=op.f("ck_sources_reliability")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("site", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("retrieved", sa.DateTime(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("encoding", sa.String(length=64), nullable=True),
        sa.Column("marking", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column("signature", sa.LargeBinary(), nullable=True),
        sa.Column("analyzed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["clusters.id"], name=op.f("fk_documents_cluster_id_clusters")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_documents_sha256_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_documents_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("sha256", name=op.f("uq_documents_sha256")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_cluster_id"), ["cluster_id"], unique=False)
        batch_op.create_index("ix_documents_day_id", ["day", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_source_id"), ["source_id"], unique=False)

    op.create_table(
        "feed_items",
        sa.Column("feed", sa.String(length=200), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed"],
            ["feed_states.name"],
            name=op.f("fk_feed_items_feed_feed_states"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("feed", "key", name=op.f("pk_feed_items")),
    )
    op.create_table(
        "failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_failures_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failures")),
        sa.UniqueConstraint("location", name=op.f("uq_failures_location")),
    )
    op.create_table(
        "lsh_bands",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_lsh_bands_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "band", name=op.f("pk_lsh_bands")),
    )
    with op.batch_alter_table("lsh_bands", schema=None) as batch_op:
        batch_op.create_index("ix_lsh_bands_key", ["key"], unique=False)

    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("act", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("duty_to_warn", sa.Boolean(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("trigger_text", sa.Text(), nullable=False),
        sa.Column("trigger_start", sa.Integer(), nullable=False),
        sa.Column("trigger_end", sa.Integer(), nullable=False),
        sa.Column("actor_text", sa.Text(), nullable=True),
        sa.Column("actor_start", sa.Integer(), nullable=True),
        sa.Column("actor_end", sa.Integer(), nullable=True),
        sa.Column("actor_entity", sa.String(length=200), nullable=True),
        sa.Column("actor_lineage", sa.Text(), nullable=False),
        sa.Column("target_text", sa.Text(), nullable=True),
        sa.Column("target_start", sa.Integer(), nullable=True),
        sa.Column("target_end", sa.Integer(), nullable=True),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("protectee", sa.String(length=200), nullable=True),
        sa.Column("link_method", sa.String(length=32), nullable=False),
        sa.Column("link_role", sa.Text(), nullable=True),
        sa.Column("person_named", sa.Boolean(), nullable=False),
        sa.Column("attribution", sa.Text(), nullable=True),
        sa.Column("hedged", sa.Boolean(), nullable=False),
        sa.Column("when", sa.String(length=32), nullable=True),
        sa.Column("where", sa.Text(), nullable=True),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("motive", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "act IN ('kill', 'kidnap', 'attack', 'threaten', 'surveil')",
            name=op.f("ck_statements_act"),
        ),
        sa.CheckConstraint(
            "status IN ('threatened', 'considered', 'planned', 'attempted', 'carried_out', "
            "'foiled', 'denied', 'hypothetical')",
            name=op.f("ck_statements_status"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_statements_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
    )
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.create_index("ix_statements_act_status", ["act", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_statements_actor_entity"), ["actor_entity"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_statements_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_statements_protectee"), ["protectee"], unique=False)

    if sqlite:
        for ddl in SQLITE_FTS:
            op.execute(ddl)
    else:
        op.create_foreign_key(
            ORIGIN_FK, "clusters", "documents", ["origin_document_id"], ["id"], ondelete="SET NULL"
        )
        op.execute(PG_SEARCH_COLUMN)
        op.execute(PG_SEARCH_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE documents_fts")
    else:
        op.drop_constraint(ORIGIN_FK, "clusters", type_="foreignkey")
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statements_protectee"))
        batch_op.drop_index(batch_op.f("ix_statements_document_id"))
        batch_op.drop_index(batch_op.f("ix_statements_actor_entity"))
        batch_op.drop_index("ix_statements_act_status")

    op.drop_table("statements")
    with op.batch_alter_table("lsh_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_lsh_bands_key")

    op.drop_table("lsh_bands")
    op.drop_table("failures")
    op.drop_table("feed_items")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_source_id"))
        batch_op.drop_index("ix_documents_day_id")
        batch_op.drop_index(batch_op.f("ix_documents_cluster_id"))

    op.drop_table("documents")
    op.drop_table("sources")
    op.drop_table("feed_states")
    op.drop_table("clusters")
    op.drop_table("blobs")
