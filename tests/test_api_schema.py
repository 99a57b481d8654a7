"""Schemathesis against the served /openapi.json: every operation, a bounded number of
generated requests each (as an admin with a token of every scope, so that the routes run
past authentication), and not one server error (5xx)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from web_support import add_staff, serving

from watchfloor.api.identity import issue_token
from watchfloor.api.settings import identity_settings
from watchfloor.store.engine import make_engine, transaction
from watchfloor.store.migrate import upgrade

TOKEN_HEADER: dict[str, str] = {}
BASE: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder: Path = tmp_path_factory.mktemp("schema-store")
    engine = make_engine(f"sqlite:///{folder / 'watchfloor.db'}")
    upgrade(engine)
    add_staff(engine)
    scopes = list(identity_settings().token_scopes)
    with transaction(engine) as session:
        # A spare token first, so that a generated DELETE of token 1 does not lock the run out.
        issue_token(session, "ada-admin", "spare", ["read"], identity_settings(), by="test")
        token = issue_token(session, "ada-admin", "fuzz", scopes, identity_settings(), by="test")
    with serving(engine) as base:
        TOKEN_HEADER["Authorization"] = f"Bearer {token}"
        BASE["url"] = base
        yield schemathesis.openapi.from_url(f"{base}/openapi.json")
    engine.dispose()


def _check(case: Any) -> None:
    if (case.path_parameters or {}).get("token_id") == 2:
        case.path_parameters["token_id"] = 1  # never revoke the token the run itself uses
    response = case.call(base_url=BASE["url"], headers=dict(TOKEN_HEADER), timeout=120)
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, (where, response.text[:500])
    if response.status_code >= 400:
        assert "application/problem+json" in str(response.headers.get("content-type")), where


def test_no_operation_answers_with_a_server_error(api_schema: Any) -> None:
    # Schemathesis' own pytest plugin does not run under this pytest; drive Hypothesis directly
    # with each operation's strategy instead.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            _check(case)

        run()
