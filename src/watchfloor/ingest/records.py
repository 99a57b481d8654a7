"""What the ingest stage hands on: one decoded document with its metadata."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Document:
    """A report as text, with the metadata needed to date and trace it.

    `sha256` addresses the raw bytes exactly as they arrived, so any statement can be traced
    back to them; `text` is what extraction reads and what evidence offsets point into.
    """

    text: str
    source: str
    content_type: str
    sha256: str
    title: str | None = None
    author: str | None = None
    site: str | None = None
    published: date | None = None
    url: str | None = None
    language: str | None = None
    raw: bytes = field(default=b"", repr=False, compare=False)
    # The codec the raw bytes were decoded with ("utf-8", "cp1252", ...); None for binary formats
    # such as PDF, where the text comes out of the parser rather than out of a decoder.
    encoding: str | None = None
    # Where `published` came from: "dateline", "header", "HTML metadata", "e-mail date" ...
    # (ingest.dating); None when the document gave no date of its own.
    dated_by: str | None = None

    @classmethod
    def from_text(
        cls, text: str, source: str = "<text>", published: date | None = None
    ) -> Document:
        raw = text.encode("utf-8")
        return cls(
            text=text,
            source=source,
            content_type="text/plain",
            sha256=hashlib.sha256(raw).hexdigest(),
            published=published,
            raw=raw,
            encoding="utf-8",
        )
