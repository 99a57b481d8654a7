"""A thread's page carries only its newest statements (get_thread's `newest`), yet the overrides
in force are those on all of its statements, as the full view finds them; on SQLite and
PostgreSQL, over a store filled as benchmarks/assess.py fills it."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import Engine

from watchfloor.assess.reading import SOURCE_RELIABILITY, STATEMENT_DISMISSED, _active
from watchfloor.assess.views import get_thread
from watchfloor.store.engine import transaction

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from assess import Size, fill


def test_newest_statements_keep_every_override(store: Engine) -> None:
    fill(store, Size(threads=2, statements=80))  # 8 documents, about 40 statements a thread
    with transaction(store) as session:
        full = get_thread(session, 1)
        short = get_thread(session, 1, newest=5)
        assert full is not None and short is not None
        keys = [s.key for s in full.statements]
        dismissed = _active(session, STATEMENT_DISMISSED, keys)
        graded = _active(session, SOURCE_RELIABILITY, sorted({s.source for s in full.statements}))
    assert len(full.statements) > 5 and full.older == 0
    assert short.statements == full.statements[-5:]
    assert short.older == len(full.statements) - 5
    # The dismissals found from the overrides' side are those of the statements' keys.
    assert dismissed, "the fill dismisses some statements of thread 1"
    assert {s.key for s in full.statements if s.dismissed} == set(dismissed)
    expected = sorted(o.id for o in [*dismissed.values(), *graded.values()])
    assert sorted(o.id for o in full.overrides) == expected
    # Dismissals of statements older than the newest five are in force on the short view too.
    assert short.overrides == full.overrides
    assert {s.key for s in short.statements} < set(keys)
    assert short.to_json()["older_statements"] == short.older
