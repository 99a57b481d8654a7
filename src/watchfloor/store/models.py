"""The tables of the store, as SQLAlchemy 2 declarative models.

The migrations in `store/migrations/` create exactly these tables plus the full-text index,
which differs per database (an FTS5 table on SQLite, a generated tsvector column with a GIN
index on PostgreSQL) and is therefore not mapped here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from watchfloor.extract.records import ACTS, STATUSES

SOURCE_KINDS: tuple[str, ...] = ("feed", "site", "analyst", "partner")
RELIABILITY_GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E", "F")
# F is "reliability cannot be judged": the honest grade for a source nobody has assessed yet.
DEFAULT_RELIABILITY = "F"
DEFAULT_MARKING = "TLP:AMBER"
OVERRIDE_KINDS: tuple[str, ...] = (
    "source_reliability",
    "thread_credibility",
    "statement_dismissed",
    "actor_merge",
)

# Stable constraint names, so that migrations can refer to them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps in UTC on every database; naive values are taken to be UTC already."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Source(Base):
    """Where reporting comes from, with its Admiralty reliability grade and default marking."""

    __tablename__ = "sources"
    __table_args__ = (
        CheckConstraint(_one_of("kind", SOURCE_KINDS), name="kind"),
        CheckConstraint(_one_of("reliability", RELIABILITY_GRADES), name="reliability"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="site")
    reliability: Mapped[str] = mapped_column(String(1), default=DEFAULT_RELIABILITY)
    marking: Mapped[str] = mapped_column(String(200), default=DEFAULT_MARKING)
    url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Blob(Base):
    """Raw bytes exactly as they arrived, stored once per sha256."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Cluster(Base):
    """Near-duplicate copies of one story; the origin is its earliest published member."""

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Document(Base):
    """One report: its text, metadata, marking and near-duplicate cluster."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_day_id", "day", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), unique=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    location: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    site: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date)
    # The date filters and listings use: published, else the day it was retrieved.
    day: Mapped[date] = mapped_column(Date)
    retrieved: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    language: Mapped[str | None] = mapped_column(String(35))
    url: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(200))
    encoding: Mapped[str | None] = mapped_column(String(64))
    marking: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"), index=True)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    # False when stored with --no-extract: the statements are still to be found.
    analyzed: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    source: Mapped[Source] = relationship(lazy="joined")
    statements: Mapped[list[Statement]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Statement.seq",
    )


class LshBand(Base):
    """One MinHash LSH band key of a document: documents sharing a key are candidates."""

    __tablename__ = "lsh_bands"
    __table_args__ = (Index("ix_lsh_bands_key", "key"),)

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger)


class Statement(Base):
    """One threat statement: every field of the extract JSON contract plus offsets and links."""

    __tablename__ = "statements"
    __table_args__ = (
        CheckConstraint(_one_of("act", ACTS), name="act"),
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        Index("ix_statements_act_status", "act", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    act: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    duty_to_warn: Mapped[bool] = mapped_column(Boolean)
    evidence_text: Mapped[str] = mapped_column(Text)
    evidence_start: Mapped[int] = mapped_column(Integer)
    evidence_end: Mapped[int] = mapped_column(Integer)
    trigger_text: Mapped[str] = mapped_column(Text)
    trigger_start: Mapped[int] = mapped_column(Integer)
    trigger_end: Mapped[int] = mapped_column(Integer)
    actor_text: Mapped[str | None] = mapped_column(Text)
    actor_start: Mapped[int | None] = mapped_column(Integer)
    actor_end: Mapped[int | None] = mapped_column(Integer)
    actor_entity: Mapped[str | None] = mapped_column(String(200), index=True)
    # Parents joined with "|" ("Quds Force|IRGC|Iran"): filterable with LIKE on every database.
    actor_lineage: Mapped[str] = mapped_column(Text, default="")
    target_text: Mapped[str | None] = mapped_column(Text)
    target_start: Mapped[int | None] = mapped_column(Integer)
    target_end: Mapped[int | None] = mapped_column(Integer)
    target_kind: Mapped[str] = mapped_column(String(16))
    protectee: Mapped[str | None] = mapped_column(String(200), index=True)
    link_method: Mapped[str] = mapped_column(String(32))
    link_role: Mapped[str | None] = mapped_column(Text)
    person_named: Mapped[bool] = mapped_column(Boolean)
    attribution: Mapped[str | None] = mapped_column(Text)
    hedged: Mapped[bool] = mapped_column(Boolean)
    when: Mapped[str | None] = mapped_column("when", String(32))
    where: Mapped[str | None] = mapped_column("where", Text)
    method: Mapped[str | None] = mapped_column(Text)
    motive: Mapped[str | None] = mapped_column(Text)
    # The (actor, target) thread this statement belongs to; set by the assess stage.
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL"), index=True
    )

    document: Mapped[Document] = relationship(back_populates="statements")


class Failure(Base):
    """A document that could not be ingested, kept so that nothing is silently lost."""

    __tablename__ = "failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location: Mapped[str] = mapped_column(Text, unique=True)
    source_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))


class FeedState(Base):
    """What `watchfloor watch` remembers about one feed between polls."""

    __tablename__ = "feed_states"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedItem(Base):
    """An item a feed has listed and that was fetched, so the next poll skips it."""

    __tablename__ = "feed_items"

    feed: Mapped[str] = mapped_column(
        ForeignKey("feed_states.name", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """One link of the hash-chained, append-only audit log (see store/audit.py)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))  # the person or process that acted
    action: Mapped[str] = mapped_column(String(64), index=True)  # "case.warn", "override.set" ...
    subject_type: Mapped[str] = mapped_column(String(32))  # "case", "thread", "source" ...
    subject_id: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


# -- assess (issue 5): threads, overrides, signals -------------------------------------------


class Thread(Base):
    """Statements about one (actor, target) pair across documents, with its latest assessment.

    The columns the board sorts and filters on are copied out of `assessment` (the JSON of
    assess.records.ThreadAssessment), which holds the whole picture.
    """

    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    actor_entity: Mapped[str | None] = mapped_column(String(200), index=True)
    actor_lineage: Mapped[str] = mapped_column(Text, default="")  # "Quds Force|IRGC|Iran"
    target_key: Mapped[str] = mapped_column(String(400))
    target_label: Mapped[str] = mapped_column(Text)
    protectee: Mapped[str | None] = mapped_column(String(200), index=True)
    first_seen: Mapped[date | None] = mapped_column(Date)
    last_seen: Mapped[date | None] = mapped_column(Date)
    statements: Mapped[int] = mapped_column(Integer, default=0)
    harm: Mapped[str | None] = mapped_column(String(16))
    reliability: Mapped[str | None] = mapped_column(String(1))
    credibility: Mapped[int | None] = mapped_column(Integer)
    likelihood: Mapped[str | None] = mapped_column(String(40))
    confidence: Mapped[str | None] = mapped_column(String(16))
    trend: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    assessment: Mapped[str | None] = mapped_column(Text)  # JSON
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumped on every re-assessment


class Override(Base):
    """An analyst's decision that outranks computation; the newest unrevoked one per
    (kind, subject) holds. Subjects are stable keys (a source name, a thread key, a statement
    key, an actor name), never row ids, so overrides survive re-assessment and re-ingest."""

    __tablename__ = "overrides"
    __table_args__ = (
        CheckConstraint(_one_of("kind", OVERRIDE_KINDS), name="kind"),
        Index("ix_overrides_kind_subject", "kind", "subject"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(400))
    value: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    analyst: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignalRow(Base):
    """A warning behaviour, temporal phrase or escalation cue found in a document's text."""

    __tablename__ = "signals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(32))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    days_before: Mapped[int | None] = mapped_column(Integer)


# -- warn (issue 6): cases, notices, outbox --------------------------------------------------


# -- publish (issue 7): readers, reviews, portions -------------------------------------------
