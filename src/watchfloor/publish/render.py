"""One reader's copy of a review: what they may see, in HTML or PDF, audited.

`cut_for` asks `access.decide` about every portion (deny by default) and keeps only the
allowed ones; the banner is rolled up again from what remains, so a copy never carries a banner
higher than its contents. The copy says how many portions were withheld and nothing else about
them. `render_for` is the path the CLI (and later the API) uses: it also checks that the reader
is on the review's distribution and appends a `review.render` entry to the audit log with the
SHA-256 of the bytes handed out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy.orm import Session

from watchfloor.publish.access import AccessPolicy, Reader, decide
from watchfloor.publish.markings import Marking, make_marking
from watchfloor.publish.readers import get_reader
from watchfloor.publish.review import (
    DailyReview,
    ReviewConfig,
    ReviewError,
    ReviewPortion,
    load_review,
)
from watchfloor.publish.rollup import RollupRules, rollup
from watchfloor.publish.vocabulary import vocabulary
from watchfloor.store import audit

TEMPLATES = Path(__file__).resolve().parent / "templates"
Format = Literal["html", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "pdf")


@dataclass(frozen=True)
class ReaderCut:
    """The portions of `review` that `reader` may see, in reading order, and the new banner."""

    review: DailyReview
    reader: Reader
    shown: tuple[ReviewPortion, ...]
    withheld: tuple[int, ...]  # ids of portions refused; only their count reaches the reader
    banner: Marking
    # Per withheld portion, the kinds of reason (publish.access): counted, never itemised.
    why: tuple[frozenset[str], ...] = ()

    def withheld_line(self) -> str:
        """One line on what was withheld and why, that reveals nothing about the portions:
        "2 withheld: 1 not cleared for its marking, 1 not on its distribution"."""
        if not self.withheld:
            return "nothing withheld"
        counts: dict[str, int] = {}
        for kinds in self.why:
            for kind in kinds:
                counts[kind] = counts.get(kind, 0) + 1
        reasons = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
        return f"{len(self.withheld)} withheld" + (f": {reasons}" if reasons else "")


@dataclass(frozen=True)
class Rendition:
    cut: ReaderCut
    format: Format
    content: bytes
    sha256: str


def cut_for(
    review: DailyReview,
    reader: Reader,
    *,
    policy: AccessPolicy | None = None,
    rules: RollupRules | None = None,
) -> ReaderCut:
    shown: list[ReviewPortion] = []
    withheld: list[int] = []
    why: list[frozenset[str]] = []
    for portion in review.portions:
        decision = decide(
            reader,
            portion.marking,
            audiences=portion.audiences,
            recipients=portion.recipients,
            policy=policy,
        )
        if decision.allowed:
            shown.append(portion)
        else:
            withheld.append(portion.id)
            why.append(decision.kinds)
    if shown:
        banner = rollup([p.marking for p in shown], rules)
    else:
        # A copy with no portions holds nothing classified: the lowest level.
        banner = make_marking(vocabulary().levels[0].code)
    return ReaderCut(review, reader, tuple(shown), tuple(withheld), banner, tuple(why))


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _banner_class(banner: Marking) -> str:
    if banner.level is None:
        return "tlp-only"
    return f"level-{banner.level.lower()}" + (" sci" if banner.sci else "")


def _tlp_class(banner: Marking) -> str:
    return "tlp-" + banner.tlp.lower().replace("+", "-") if banner.tlp else ""


def _holds(reader: Reader) -> str:
    level = vocabulary().level(reader.clearance).banner
    parts = [level]
    if reader.compartments:
        parts.append("/".join(sorted(reader.compartments)))
    parts.append(reader.nationality)
    if reader.audiences:
        parts.append(", ".join(sorted(reader.audiences)))
    return " · ".join(parts)


def render_html(
    cut: ReaderCut, *, config: ReviewConfig | None = None, rendered_at: datetime | None = None
) -> str:
    config = config or ReviewConfig.load()
    when = rendered_at or datetime.now(UTC)
    template = _environment().get_template("review.html.j2")
    return template.render(
        # The stylesheet is ours, not input: it must reach the page unescaped.
        css=Markup((TEMPLATES / "review.css").read_text(encoding="utf-8")),
        banner=cut.banner.banner(),
        banner_class=_banner_class(cut.banner),
        classification=cut.banner.classification_banner(),
        tlp=cut.banner.tlp_label(),
        tlp_class=_tlp_class(cut.banner),
        day=cut.review.day,
        day_long=f"{cut.review.day:%A} {cut.review.day.day} {cut.review.day:%B %Y}",
        reader=cut.reader,
        holds=_holds(cut.reader),
        distribution=cut.review.distribution.describe_for(cut.reader.name),
        rendered_at=when.strftime("%Y-%m-%d %H:%M UTC"),
        withheld=len(cut.withheld),
        withheld_line=cut.withheld_line(),
        shown=cut.shown,
        effects=config.effects,
    )


def render_pdf(
    cut: ReaderCut, *, config: ReviewConfig | None = None, rendered_at: datetime | None = None
) -> bytes:
    from weasyprint import HTML  # slow to import; only PDF needs it

    html = render_html(cut, config=config, rendered_at=rendered_at)
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return bytes(pdf)


def render_for(
    session: Session,
    day: date,
    reader_name: str,
    fmt: Format,
    *,
    actor: str,
    policy: AccessPolicy | None = None,
    config: ReviewConfig | None = None,
) -> Rendition:
    """Render the review of `day` for the stored reader `reader_name`, and audit it."""
    if fmt not in FORMATS:
        raise ReviewError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    review = load_review(session, day)
    if review is None or review.built_at is None:
        raise ReviewError(
            f"no review has been built for {day.isoformat()}; "
            f"run watchfloor review build --date {day.isoformat()}"
        )
    reader = get_reader(session, reader_name)
    if reader is None:
        raise ReviewError(f"no reader named {reader_name!r}; see watchfloor readers list")
    if not review.distribution.includes(reader.name, reader.audiences):
        raise ReviewError(
            f"reader {reader.name} is not on the distribution of the review of "
            f"{day.isoformat()} ({review.distribution.describe()}); add one of their audiences "
            "or their name with watchfloor review build --distribute/--to"
        )
    cut = cut_for(review, reader, policy=policy)
    if fmt == "pdf":
        content = render_pdf(cut, config=config)
    else:
        content = render_html(cut, config=config).encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()
    audit.append(
        session,
        actor=actor,
        action="review.render",
        subject_type="review",
        subject_id=day.isoformat(),
        details={
            "reader": reader.name,
            "date": day.isoformat(),
            "format": fmt,
            "shown": len(cut.shown),
            "withheld": len(cut.withheld),
            "shown_portions": [p.id for p in cut.shown],
            "withheld_portions": list(cut.withheld),
            "banner": cut.banner.banner(),
            "sha256": digest,
        },
    )
    return Rendition(cut, fmt, content, digest)
