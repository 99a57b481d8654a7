"""The shared objects table: STIX objects published to a TAXII collection or imported from a
partner, one row per version. Storage only; share/ decides what goes in and who reads it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from watchfloor.store.models import Base, UTCDateTime, utcnow


class StixObject(Base):
    """One version of one STIX object in one collection. `marking` is ours (a banner the access
    decision reads), derived from the object's marking refs when it was stored."""

    __tablename__ = "stix_objects"
    __table_args__ = (
        UniqueConstraint("collection", "stix_id", "version", name="uq_stix_objects_version"),
        Index("ix_stix_objects_collection_added", "collection", "added_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection: Mapped[str] = mapped_column(String(100))
    stix_id: Mapped[str] = mapped_column(String(200), index=True)
    type: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(40))  # the object's `modified`, else `created`
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marking: Mapped[str] = mapped_column(String(400))
    name: Mapped[str | None] = mapped_column(Text)  # for merging by name and alias
    body: Mapped[str] = mapped_column(Text)  # the object's JSON
