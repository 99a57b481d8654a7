"""The PDF copy: the banner at the top and bottom of every page, only the allowed portions.

WeasyPrint takes a second or two per copy, so this file renders two copies in all.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from review_support import ALICE, CAROL, POLICY, add_document, add_thread, assessment
from sqlalchemy import Engine

from watchfloor.publish.readers import add_reader
from watchfloor.publish.render import Rendition, render_for
from watchfloor.publish.review import Distribution, add_portion, build_review
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade

DAY = date(2026, 3, 10)
# Long enough that the copy for the most cleared reader runs over several pages.
SECRET_TITLE = "Tasking seen in intercepted traffic"
PUBLIC_TITLE = "Public programme of the envoy"
PARAGRAPH = "The envoy speaks at the university and meets the press in the afternoon. " * 12
SECRET_PARAGRAPH = (
    "The residence lies near the embassy compound and its approaches are watched. " * 12
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("pdf") / "watchfloor.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(engine) as session:
        doc = add_document(
            session,
            source="Wire A",
            reliability="B",
            title="Envoy threatened",
            day=DAY,
            marking="TLP:GREEN",
        )
        for number in range(3):
            add_thread(
                session,
                assessment(
                    key=f"iran→target-{number}",
                    actor="Iran",
                    target=f"Target {number}",
                    harm="kill",
                    likelihood="likely",
                    likelihood_range=(55, 80),
                    confidence="moderate",
                    priority=9.0 - number,
                    first_seen=DAY,
                    last_seen=DAY,
                    document_ids=(doc,),
                ),
            )
        for reader in (ALICE, CAROL):
            add_reader(session, reader, actor="tester")
        add_portion(
            session,
            DAY,
            marking="(S//NF)",
            title=SECRET_TITLE,
            text="\n\n".join([SECRET_PARAGRAPH] * 5),
            actor="analyst",
        )
        add_portion(session, DAY, marking="(U)", title=PUBLIC_TITLE, text=PARAGRAPH, actor="a")
        build_review(
            session,
            DAY,
            actor="tester",
            distribution=Distribution(audiences=frozenset({"senior-policy", "partner-liaison"})),
        )
    yield engine
    engine.dispose()


def _render(engine: Engine, name: str) -> Rendition:
    with transaction(engine) as session:
        return render_for(session, DAY, name, "pdf", actor="tester", policy=POLICY)


def _pages(content: bytes) -> list[str]:
    return [
        " ".join((page.extract_text() or "").split())
        for page in PdfReader(io.BytesIO(content)).pages
    ]


@pytest.mark.parametrize(
    ("name", "banner", "present", "absent"),
    [
        ("alice", "SECRET//NOFORN TLP:GREEN", [SECRET_TITLE, PUBLIC_TITLE], []),
        ("carol", "UNCLASSIFIED TLP:GREEN", [PUBLIC_TITLE], [SECRET_TITLE, "residence lies"]),
    ],
)
def test_pdf_banner_on_every_page_and_only_allowed_portions(
    engine: Engine,
    tmp_path: Path,
    name: str,
    banner: str,
    present: list[str],
    absent: list[str],
) -> None:
    rendition = _render(engine, name)
    assert rendition.content.startswith(b"%PDF")
    pages = _pages(rendition.content)
    if name == "alice":
        assert len(pages) >= 2, "the test review should run over more than one page"
    for number, text in enumerate(pages, 1):
        assert text.count(banner) >= 2, f"page {number} lacks a banner at top or bottom"
        assert f"page {number} of {len(pages)}" in text
    whole = " ".join(pages)
    for title in [*present, "Iran: threat to kill Target 0"]:
        assert title in whole
    for text in absent:
        assert text not in whole
    if name == "carol":
        assert "Withheld from this copy: 1 portion" in whole
        assert "SECRET" not in whole.replace("UNCLASSIFIED", "")

    # Where the banner is drawn: a band of its colour near the top and the bottom of page 1.
    pdf_path = tmp_path / "copy.pdf"
    pdf_path.write_bytes(rendition.content)
    document = pdfium.PdfDocument(str(pdf_path))
    image = document[0].render(scale=0.5).to_pil().convert("RGB")
    document.close()
    colour = (200, 16, 46) if name == "alice" else (0, 122, 51)  # SECRET red, UNCLASSIFIED green
    rows = [
        y
        for y in range(image.height)
        if sum(
            1
            for x in range(0, image.width, 4)
            if all(abs(a - b) < 40 for a, b in zip(image.getpixel((x, y)), colour, strict=True))
        )
        > image.width / 4 / 3
    ]
    assert rows, "no banner-coloured band on page 1"
    assert min(rows) < image.height * 0.12
    assert max(rows) > image.height * 0.85
