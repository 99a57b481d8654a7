"""Property: with pseudonymization on, a partner's export never carries a protectee's name,
alias, or the longer words of either, whatever the names and wherever the texts put them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from review_support import add_document, add_thread, assessment
from share_support import PARTNER_READER, POLICY, validation_errors
from sqlalchemy import Engine, delete

from watchfloor.share.audience import audience_for
from watchfloor.share.config import Recipient, ShareConfig
from watchfloor.share.service import Selection, export_stix
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.store.models import Blob, Document, ProtecteeRow, Statement, Thread

DAY = date(2031, 5, 4)
PART = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True)
CONFIG = ShareConfig(recipients={"Partner Org": Recipient(pseudonymize=True)})


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    e = make_engine(f"sqlite:///{tmp_path_factory.mktemp('pseudo') / 'store.db'}")
    upgrade(e)
    yield e
    e.dispose()


def words(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(PART, PART), min_size=1, max_size=3, unique=True))
def test_partner_exports_never_carry_a_protectee_name(
    engine: Engine, names: list[tuple[str, str]]
) -> None:
    people = [
        (f"p{n}", f"{first} {last}", f"Secretariat {last}") for n, (first, last) in enumerate(names)
    ]
    with transaction(engine) as session:
        for table in (Statement, Thread, Document, Blob, ProtecteeRow):
            session.execute(delete(table))
        for pid, name, alias in people:
            session.add(ProtecteeRow(id=pid, name=name, aliases=json.dumps([alias])))
            doc = add_document(
                session,
                source=f"Wire {pid}",
                reliability="B",
                title=f"Plot on {name}; {alias} told, the Secretariat met, {name.upper()} too",
                day=DAY,
                marking="TLP:GREEN",
            )
            a = assessment(
                key=pid,
                actor="Iran",
                target=name,
                harm="kill",
                likelihood="likely",
                likelihood_range=(55, 80),
                confidence="moderate",
                priority=5.0,
                first_seen=DAY,
                last_seen=DAY,
                document_ids=(doc,),
                rationale=(f"{alias} is named with a date",),
            )
            add_thread(session, replace(a, protectee=pid))
    with transaction(engine) as session:
        audience = audience_for(session, PARTNER_READER, config=CONFIG, policy=POLICY)
        bundle = export_stix(session, audience, Selection(since=DAY))
    text = json.dumps(bundle, ensure_ascii=False)
    assert sum(o["type"] == "report" for o in bundle["objects"]) == len(people)
    for _, name, alias in people:
        assert not words(text, name) and not words(text, alias), name
        for part in name.split():
            if len(part) >= 4:
                assert not words(text, part), (part, name)
    assert validation_errors(bundle) == []
    # A title that only an alias carries is not a name: standing alone, it stays. (Longer than
    # any drawn name part, so it is never one.)
    assert words(text, "the Secretariat met")
