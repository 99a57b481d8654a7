"""Warn benchmark: triage, outbox delivery over real SMTP, and audit-log verification.

    python benchmarks/warn.py [--cases 200]

On SQLite (a temporary file) and PostgreSQL (WATCHFLOOR_TEST_DATABASE_URL, default the local
server, a throw-away schema; skipped when unreachable): `--cases` threads triaged into cases
(one transaction each), each warned (one email notice), the outbox sent to an aiosmtpd server on
loopback, then `watchfloor audit verify`'s walk over the whole chain.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from warn_support import Change, Mailbox, add_thread, assessment, free_port, smtp_server

from watchfloor.link.watchlist import Notify, Protectee, Watchlist
from watchfloor.store import audit
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade
from watchfloor.warn import cases
from watchfloor.warn.config import CasePolicy, NotifyConfig, OutboxSettings, SmtpSettings
from watchfloor.warn.duty import ThreadRule
from watchfloor.warn.sender import send_due
from watchfloor.warn.users import add_user

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def backends() -> Iterator[tuple[str, Engine]]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        upgrade(engine)
        yield "sqlite", engine
        engine.dispose()
    base = os.environ.get("WATCHFLOOR_TEST_DATABASE_URL") or PG_DEFAULT
    admin = create_engine(base, connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            pass
    except Exception as exc:
        print(f"postgresql skipped: {type(exc).__name__}")
        return
    schema = f"wf_bench_{uuid.uuid4().hex[:8]}"
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        engine = make_engine(url.render_as_string(hide_password=False))
        upgrade(engine)
        yield "postgresql", engine
        engine.dispose()
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(name: str, engine: Engine, count: int) -> None:
    policy, rule = CasePolicy.load(), ThreadRule.load()
    people = Watchlist(
        [
            Protectee(id=f"p{i}", name=f"Person {i}", notify=Notify(email=f"p{i}@example.org"))
            for i in range(count)
        ]
    )
    with transaction(engine) as s:
        add_user(s, "dora", ["duty_officer"], email=None, by=None, policy=policy)
    started = time.perf_counter()
    ids = []
    for i in range(count):
        a = assessment(key=f"actor→p{i}", protectee=f"p{i}", target=f"Person {i}")
        with transaction(engine) as s:
            thread_id = add_thread(s, a)
            ids += [
                o.case_id
                for o in cases.triage(s, [Change(thread_id, None, a)], rule=rule, policy=policy)
            ]
    triaged = time.perf_counter() - started
    started = time.perf_counter()
    for case_id in ids:
        with transaction(engine) as s:
            cases.warn(s, case_id, "dora", policy, watchlist=people)
    warned = time.perf_counter() - started
    port = free_port()
    mailbox = Mailbox()
    server = smtp_server(port, mailbox)
    config = NotifyConfig(smtp=SmtpSettings(port=port), outbox=OutboxSettings())
    try:
        started = time.perf_counter()
        report = send_due(engine, config, policy)
        sent = time.perf_counter() - started
    finally:
        server.stop()
    started = time.perf_counter()
    with transaction(engine) as s:
        result = audit.verify(s)
    verified = time.perf_counter() - started
    assert len(report.sent) == count == len(mailbox.messages) and result.ok
    print(
        f"{name}: triage {count / triaged:.0f} cases/s · warn {count / warned:.0f} cases/s · "
        f"send {count / sent:.0f} emails/s · audit verify {result.entries} entries in "
        f"{verified * 1000:.0f} ms ({result.entries / verified:.0f}/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("WATCHFLOOR_SECRET_KEY", "benchmark-key-with-at-least-32-bytes")
    for name, engine in backends():
        run(name, engine, args.cases)


if __name__ == "__main__":
    main()
