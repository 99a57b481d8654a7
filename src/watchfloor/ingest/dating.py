"""A report's own date, read from the report: its dateline, a date header, its HTML metadata
or its e-mail date, in that order, with which one it was.

A report dated wrongly moves every relative date in it: "on 16 March" in a cable datelined
2 March 2026 is 2026-03-16, but read against the day of ingest it becomes next year's. So a
report's own words outrank the metadata a publisher or mail client attached: the dateline
("NAIROBI, 2 March 2026 - ...") first, then a date header line near the top ("Date: 5 March
2026", front matter "date: 2026-03-05"), then what the format carried (HTML metadata, the
e-mail's Date). Nothing found: the document stays undated, and ingest says that relative dates
were resolved against the day of ingest.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime

from watchfloor.ingest.records import Document

DATELINE = "dateline"
HEADER = "header"
FORMAT_SOURCES = {
    "text/html": "HTML metadata",
    "message/rfc822": "e-mail date",
    "application/pdf": "PDF metadata",
}

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = (
    r"(?P<date>\d{4}-\d{2}-\d{2}"
    rf"|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}})"
)
# A place in capitals (with an optional agency in brackets), a comma, a full date, a dash.
_DATELINE = re.compile(
    rf"^[ \t]*[A-Z][A-Z.'’ -]{{1,40}}(?:\s*\([^)\n]{{1,40}}\))?,\s*{_DATE}"
    r"\s*(?:\([^)\n]{1,40}\))?\s*[-–—:]",
    re.MULTILINE,
)
_HEADER = re.compile(
    rf"^[ \t]*(?:date|dated|published|posted|sent)\s*:\s*{_DATE}\s*$",
    re.MULTILINE | re.IGNORECASE,
)
# Where a dateline or a header may stand: the first lines of a report, not a quote further on.
_HEAD_CHARS = 1500
_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")


def parse_date(text: str) -> date | None:
    cleaned = re.sub(r"[.,]", "", " ".join(text.split()))
    cleaned = re.sub(r"\bSept\b", "Sep", cleaned)
    for fmt in _FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def _found(pattern: re.Pattern[str], text: str) -> date | None:
    for match in pattern.finditer(text[:_HEAD_CHARS]):
        day = parse_date(match.group("date"))
        if day is not None:
            return day
    return None


def text_date(text: str) -> tuple[date, str] | None:
    """The date a report's own text gives itself, and where it stands (dateline or header)."""
    for pattern, how in ((_DATELINE, DATELINE), (_HEADER, HEADER)):
        day = _found(pattern, text)
        if day is not None:
            return day, how
    return None


def date_document(document: Document) -> Document:
    """The document with its own date and `dated_by` set, when it gives one."""
    found = text_date(document.text)
    if found is not None:
        return dataclasses.replace(document, published=found[0], dated_by=found[1])
    if document.published is not None:
        how = FORMAT_SOURCES.get(document.content_type, "metadata")
        return dataclasses.replace(document, dated_by=how)
    return document
