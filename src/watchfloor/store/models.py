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
    # Who found it: "rules", "model" (the trained finder) or "both"; the model's probability.
    found_by: Mapped[str] = mapped_column(String(8), default="rules", server_default="rules")
    confidence: Mapped[float | None] = mapped_column(Float)
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
    The columns the board sorts, filters and shows are copied out of `assessment` (the JSON of
    assess.records.ThreadAssessment), which holds the whole picture."""

    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    actor_entity: Mapped[str | None] = mapped_column(String(200), index=True)
    actor_lineage: Mapped[str] = mapped_column(Text, default="")  # "Quds Force|IRGC|Iran"
    # Indexed: a thread page finds the threads folded into it (same target) by this key.
    target_key: Mapped[str] = mapped_column(String(400), index=True)
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
    standing: Mapped[str] = mapped_column(String(16), default="live", server_default="live")
    imminence: Mapped[str | None] = mapped_column(String(16))
    specificity: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_threads_standing_priority", "standing", "priority"),)


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


# -- link: the watchlist's protectees ---------------------------------------------------------


class ProtecteeRow(Base):
    """A protected person as the last loaded watchlist described them, so that names and
    notify contacts are known without the file. Statements refer to `id` without a foreign key:
    a statement may name someone before (or after) they are on the watchlist."""

    __tablename__ = "protectees"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # the watchlist id
    name: Mapped[str] = mapped_column(Text)
    aliases: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    roles: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of role mappings
    notify: Mapped[str] = mapped_column(Text, default="{}")  # JSON {email, webhook}
    # False once a later watchlist no longer lists them; kept, as threads and cases refer to them.
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- warn (issue 6): cases, notices, outbox --------------------------------------------------

# The workflow of domain.md section 1; which moves are allowed, and by whom, is configuration
# (data/policy/cases.yaml), the set of states is the schema.
CASE_STATES: tuple[str, ...] = (
    "intake",
    "triage",
    "duty_determined",
    "warn_pending",
    "warning_delivered",
    "waiver_proposed",
    "waiver_approved",
    "waiver_rejected",
    "monitor",
    "closed",
    "disputed",
    "escalated",
)
NOTICE_CHANNELS: tuple[str, ...] = ("email", "webhook")
NOTICE_KINDS: tuple[str, ...] = ("warning", "escalation")
NOTICE_STATUSES: tuple[str, ...] = ("queued", "sent", "failed")


class User(Base):
    """A member of staff who moves cases; `roles` is a comma-separated list."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    roles: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Case(Base):
    """A duty-to-warn case for one thread, with the grades it was last triaged on."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(_one_of("state", CASE_STATES), name="state"),
        Index("ix_cases_state_deadline", "state", "deadline"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL"), index=True
    )
    thread_key: Mapped[str] = mapped_column(String(400))
    protectee: Mapped[str | None] = mapped_column(String(200), index=True)
    target_label: Mapped[str] = mapped_column(Text)
    actor_label: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(24), default="intake")
    harm: Mapped[str] = mapped_column(String(16))
    grades: Mapped[str] = mapped_column(Text)  # JSON: the triage grades (see warn.duty.grades)
    rationale: Mapped[str] = mapped_column(Text)  # JSON list of reasons the duty holds
    notify: Mapped[str | None] = mapped_column(Text)  # JSON list of contacts, kept at opening
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waiver_code: Mapped[str | None] = mapped_column(String(64))
    waiver_reason: Mapped[str | None] = mapped_column(Text)
    waiver_proposed_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseEvent(Base):
    """One thing that happened to a case: a transition, a re-triage, a notice, a missed deadline."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    details: Mapped[str] = mapped_column(Text, default="{}")  # JSON


class Notice(Base):
    """The outbox: one message to one recipient on one channel, written in the same
    transaction as the case change that calls for it, delivered later by the sender."""

    __tablename__ = "notices"
    __table_args__ = (
        CheckConstraint(_one_of("channel", NOTICE_CHANNELS), name="channel"),
        CheckConstraint(_one_of("kind", NOTICE_KINDS), name="kind"),
        CheckConstraint(_one_of("status", NOTICE_STATUSES), name="status"),
        Index("ix_notices_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(Text)
    recipient_kind: Mapped[str] = mapped_column(String(16))  # victim | protector | escalation
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))
    # The Message-ID of the email and the delivery id of the webhook: a resend is recognisable.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    queued_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Acknowledgement(Base):
    """A notice's receipt token, stored only as its SHA-256; set once when the recipient
    confirms receipt."""

    __tablename__ = "acknowledgements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), unique=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(Text)


# -- publish (issue 7): readers, reviews, portions -------------------------------------------

PORTION_KINDS: tuple[str, ...] = ("judgement", "analyst")


class ReaderRow(Base):
    """Someone a product may go to: what they are cleared for and who they read for.

    Compartments and audiences are stored comma-joined and sorted ("SI,TK"), so that the same
    set is always the same text. Clearance and nationality are checked against the markings
    vocabulary (a deployment may add levels), not by a constraint here."""

    __tablename__ = "readers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    clearance: Mapped[str] = mapped_column(String(2))
    compartments: Mapped[str] = mapped_column(Text, default="")
    nationality: Mapped[str] = mapped_column(String(8))
    audiences: Mapped[str] = mapped_column(Text, default="")
    organization: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Review(Base):
    """The daily review of one day: its portions, distribution and the banner over them all.

    Analysts may add portions before the judgements are built, so `built_at` stays empty until
    `review build` has run."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    built_by: Mapped[str | None] = mapped_column(String(200))
    window_days: Mapped[int | None] = mapped_column(Integer)
    banner: Mapped[str | None] = mapped_column(String(400))
    # JSON {"audiences": [...], "readers": [...]}: who the product goes to.
    distribution: Mapped[str] = mapped_column(Text, default='{"audiences": [], "readers": []}')
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    portions: Mapped[list[Portion]] = relationship(
        back_populates="review",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Portion.seq",
    )


class Portion(Base):
    """One marked part of a review: a thread's judgement, or a paragraph an analyst wrote."""

    __tablename__ = "portions"
    __table_args__ = (
        CheckConstraint(_one_of("kind", PORTION_KINDS), name="kind"),
        Index("ix_portions_review_id_seq", "review_id", "seq", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)  # order of addition; display order is by priority
    kind: Mapped[str] = mapped_column(String(16))
    marking: Mapped[str] = mapped_column(String(200))  # portion form, e.g. "(S//NF)"
    audiences: Mapped[str] = mapped_column(Text, default="")  # comma-joined; empty = no limit
    recipients: Mapped[str] = mapped_column(Text, default="")  # named readers (TLP:RED)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of {effect, reason}
    sources: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of citations
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL"), index=True
    )
    thread_version: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[float | None] = mapped_column(Float)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship(back_populates="portions")
