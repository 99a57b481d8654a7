"""Property (issue 14): along the whole product path, nothing of a document reaches someone who
may not see it.

For random stores (documents at random markings, some of them near-duplicate copies whose
cluster origin is another document, one thread over them), every reader's copy of the built
review (HTML, and PDF text for a few examples) holds no title, source name or sentence of a
document the reader may not see; and every notice drafted for a recipient with a random release
limit holds no fact of a statement whose document that limit does not cover, and carries a
marking the limit covers. Each document's title, source, sentence and place are tokens found
nowhere else, so finding one is finding a leak.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markings_strategies import markings, readers
from review_support import POLICY, add_document, add_thread, assessment, visible_text
from sqlalchemy import Engine, select

from watchfloor.errors import WatchfloorError
from watchfloor.publish.access import Reader, decide
from watchfloor.publish.markings import Marking, dominates, parse_marking
from watchfloor.publish.readers import add_reader
from watchfloor.publish.render import render_for
from watchfloor.publish.review import Distribution, build_review
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.store.models import Case, Cluster, Document, Statement
from watchfloor.warn import drafting

DAY = date(2026, 3, 10)
# Common markings and readers drawn often, so that a low reader next to a high document (the
# shape of a leak) is frequent; the full strategies add every other shape.
COMMON = ["U", "TLP:CLEAR", "TLP:GREEN", "S//NF", "TS//SI//NF", "S//REL TO USA, GBR"]
some_markings = st.one_of(st.sampled_from(COMMON).map(parse_marking), markings())
LOW = Reader(name="low", clearance="U", nationality="USA", organization="acme")
some_readers = st.one_of(st.just(LOW), readers())


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    """A migrated empty store, copied for each example (migrating takes longer than a copy)."""
    folder = Path(tempfile.mkdtemp(prefix="leak-property-"))
    engine = make_engine(f"sqlite:///{folder / 'template.db'}")
    upgrade(engine)
    engine.dispose()
    yield folder / "template.db"
    shutil.rmtree(folder, ignore_errors=True)


def _store(template: Path) -> tuple[Engine, Path]:
    folder = Path(tempfile.mkdtemp(prefix="leak-example-"))
    shutil.copy(template, folder / "watchfloor.db")
    return make_engine(f"sqlite:///{folder / 'watchfloor.db'}"), folder


def _tokens(i: int) -> tuple[str, ...]:
    return (f"Src{i}qz", f"Title{i}qz", f"Sentence{i}qz", f"Place{i}qz")


def _fill(engine: Engine, marks: list[Marking], copies: list[int]) -> int:
    """Documents 0..n-1 at `marks`; the thread cites those not listed in `copies`' origins.
    Each document in `copies` (by index) becomes a copy in a cluster whose origin is the
    next document, which the thread does not cite."""
    with transaction(engine) as s:
        ids = []
        for i, marking in enumerate(marks):
            doc_id = add_document(
                s,
                source=f"Src{i}qz",
                reliability="B",
                title=f"Title{i}qz",
                day=DAY,
                marking=marking.portion(),
            )
            doc = s.get(Document, doc_id)
            assert doc is not None
            doc.text = f"Sentence{i}qz: the cell threatened to kill the minister in Place{i}qz."
            ids.append(doc_id)
        origins: set[int] = set()
        for i in copies:
            origin = (i + 1) % len(ids)
            if origin == i or i in origins:
                continue
            cluster = Cluster(origin_document_id=ids[origin])
            s.add(cluster)
            s.flush()
            for member in (i, origin):
                row = s.get(Document, ids[member])
                assert row is not None
                row.cluster_id = cluster.id
            origins.add(origin)
        cited = tuple(ids[i] for i in range(len(ids)) if i not in origins) or (ids[0],)
        thread_id = add_thread(
            s,
            assessment(
                key="k",
                actor="Iran",
                target="Lana Marks",
                harm="kill",
                likelihood="likely",
                likelihood_range=(55, 80),
                confidence="moderate",
                priority=9.0,
                first_seen=DAY,
                last_seen=DAY,
                document_ids=cited,
            ),
        )
        for statement in s.scalars(select(Statement).where(Statement.thread_id == thread_id)):
            i = ids.index(statement.document_id)
            statement.where = f"Place{i}qz"
    return thread_id


def _may_see(reader: Reader, marking: Marking) -> bool:
    return decide(reader, marking, policy=POLICY).allowed


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@example(
    marks=[parse_marking("U"), parse_marking("TS//SI//NF")], copies=[0], people=[LOW], pdf=True
)
@given(
    marks=st.lists(some_markings, min_size=2, max_size=4),
    # Most examples hold a copy whose origin the thread does not cite (issue 14, point 1).
    copies=st.lists(st.integers(min_value=0, max_value=2), min_size=1, max_size=2, unique=True),
    people=st.lists(some_readers, min_size=1, max_size=3, unique_by=lambda r: r.name),
    pdf=st.booleans(),
)
def test_no_reader_copy_holds_a_document_its_reader_may_not_see(
    template: Path, marks: list[Marking], copies: list[int], people: list[Reader], pdf: bool
) -> None:
    engine, folder = _store(template)
    try:
        _fill(engine, marks, [c for c in copies if c < len(marks)])
        with transaction(engine) as s:
            for person in people:
                add_reader(s, person, actor="tester")
            distribution = Distribution(readers=frozenset(p.name for p in people))
            build_review(s, DAY, actor="tester", distribution=distribution)
        for i, person in enumerate(people):
            # PDF is slow: one reader's copy in the examples that draw it.
            fmt = "pdf" if pdf and i == 0 else "html"
            with transaction(engine) as s:
                content = render_for(s, DAY, person.name, fmt, actor="t", policy=POLICY).content
            text = _pdf_text(content) if fmt == "pdf" else visible_text(content.decode())
            for d, marking in enumerate(marks):
                if not _may_see(person, marking):
                    for token in _tokens(d):
                        assert token not in text, f"{token} ({marking.banner()}) reached {person}"
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@example(
    marks=[parse_marking("U"), parse_marking("TS//SI//NF")], limit=parse_marking("U"), dismissed=[0]
)
@given(
    marks=st.lists(some_markings, min_size=1, max_size=4),
    limit=some_markings,
    dismissed=st.lists(st.integers(min_value=0, max_value=3), max_size=2, unique=True),
)
def test_no_notice_holds_a_fact_beyond_its_recipients_limit(
    template: Path, marks: list[Marking], limit: Marking, dismissed: list[int]
) -> None:
    engine, folder = _store(template)
    try:
        thread_id = _fill(engine, marks, [])
        with transaction(engine) as s:
            from watchfloor.assess.service import dismiss_statement

            rows = list(s.scalars(select(Statement).where(Statement.thread_id == thread_id)))
            gone = {rows[i].document_id for i in dismissed if i < len(rows)}
            gone_ids = [rows[i].id for i in dismissed if i < len(rows)]
        for statement_id in gone_ids:
            with transaction(engine) as s:
                dismiss_statement(s, statement_id, "ana", "false positive")
        case = Case(
            id=1,
            thread_id=thread_id,
            target_label="Lana Marks",
            actor_label="Iran",
            harm="kill",
            grades=json.dumps({"status": "planned", "likelihood": "likely"}),
        )
        with transaction(engine) as s:
            try:
                facts = drafting.releasable(s, case, [limit.banner()])
            except WatchfloorError:
                return  # nothing releasable: no notice is drafted, which leaks nothing
            documents = {d.id: d for d in s.scalars(select(Document))}
        subject, body = drafting.draft_warning(case, facts)
        text = subject + "\n" + body
        for doc_id, doc in documents.items():
            i = int(doc.title.removeprefix("Title").removesuffix("qz"))  # type: ignore[union-attr]
            if doc_id in gone or not dominates(limit, parse_marking(doc.marking)):
                assert f"Place{i}qz" not in text, f"{doc.marking} fact under {limit.banner()}"
        carried = body.splitlines()[0]
        assert dominates(limit, parse_marking(carried)), (carried, limit.banner())
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
