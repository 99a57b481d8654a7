"""`watchfloor users password`, `watchfloor tokens issue` and `watchfloor serve` as a user runs
them: a real process on a free port, asked over HTTP with the token the CLI printed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from web_support import free_port

REPO = Path(__file__).resolve().parents[1]


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "watchfloor.cli", *args],
        env=env, input=stdin, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_serve_answers_with_a_token_the_cli_issued(tmp_path: Path) -> None:
    env = {**os.environ, "WATCHFLOOR_HOME": str(tmp_path / "home"), "WATCHFLOOR_USER": "ops"}
    env.pop("WATCHFLOOR_DATABASE_URL", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    _cli(env, "init")
    _cli(env, "users", "add", "ops", "--role", "admin")
    _cli(env, "users", "password", "ops", stdin="a long enough password\n")
    token = _cli(env, "tokens", "issue", "ops", "--scope", "read", "--label", "test").strip()
    assert token.startswith("wf_")
    short = subprocess.run(
        [sys.executable, "-m", "watchfloor.cli", "users", "password", "ops"],
        env=env, input="short\n", capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert short.returncode != 0 and "shorter than 12" in short.stderr
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "watchfloor.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                schema = httpx.get(f"{base}/openapi.json", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.3)
        assert "/api/v1/threads" in schema.json()["paths"]
        me = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["name"] == "ops" and me.json()["permissions"] == ["read"]
        login = httpx.post(
            f"{base}/api/v1/login", json={"name": "ops", "password": "a long enough password"}
        )
        assert login.status_code == 200
        assert "secure" in login.headers["set-cookie"].lower()  # TLS is assumed by default
    finally:
        server.terminate()
        server.wait(20)
