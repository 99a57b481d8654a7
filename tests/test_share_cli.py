"""`watchfloor import stix` and `watchfloor export stix` as a user runs them, in a subprocess:
a partner's bundle in, a bundle for a reader out, bad input as one error line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import Backend

WATCHFLOOR = str(Path(sys.executable).parent / "watchfloor")
OPENCTI = Path(__file__).resolve().parent / "data" / "share" / "opencti_bundle.json"


def test_import_then_export_from_the_command_line(backend: Backend, tmp_path: Path) -> None:
    policy = tmp_path / "access.yaml"
    policy.write_text("own_organization: Watch Desk\n", encoding="utf-8")
    env = {**backend.env(tmp_path), "WATCHFLOOR_ACCESS_POLICY": str(policy)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [WATCHFLOOR, *args], env=env, capture_output=True, text=True, timeout=180
        )

    assert run("init").returncode == 0
    added = run(
        "readers", "add", "ana", "--clearance", "U", "--nationality", "USA",
        "--organization", "Watch Desk",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    imported = run("import", "stix", str(OPENCTI))
    assert imported.returncode == 0, imported.stderr
    assert "imported 8 object(s)" in imported.stdout and "2 document(s)" in imported.stdout

    out = tmp_path / "out.json"
    exported = run("export", "stix", "--reader", "ana", "--since", "2031-01-01", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    ids = {o["id"] for o in json.loads(out.read_text(encoding="utf-8"))["objects"]}
    assert "report--5d4c3b2a-1f0e-5d9c-8b7a-6f5e4d3c2b1a" in ids

    broken = tmp_path / "broken.json"
    broken.write_text('{"type": "bundle", "objects": [{"type": "report"}]}', encoding="utf-8")
    failed = run("import", "stix", str(broken))
    assert failed.returncode == 2
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and str(broken) in lines[0]
    nobody = run("export", "stix", "--reader", "nobody", "--since", "2031-01-01")
    assert nobody.returncode == 2 and "no such reader" in nobody.stderr


def test_taxii_serve_answers_with_a_token_from_its_table(tmp_path: Path) -> None:
    import hashlib
    import time

    import requests
    from taxii_support import Bearer, free_port

    env = {
        **Backend("sqlite", f"sqlite:///{tmp_path / 'store' / 'watchfloor.db'}").env(tmp_path),
        "WATCHFLOOR_ACCESS_POLICY": str(tmp_path / "access.yaml"),
    }
    (tmp_path / "access.yaml").write_text("own_organization: Watch Desk\n", encoding="utf-8")
    for args in (
        ["init"],
        ["readers", "add", "ana", "--clearance", "U", "--nationality", "USA"],
        ["import", "stix", str(OPENCTI)],
    ):
        done = subprocess.run([WATCHFLOOR, *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    tokens = tmp_path / "tokens.yaml"
    digest = hashlib.sha256(b"cli-token").hexdigest()
    tokens.write_text(f"tokens:\n  {digest}: ana\n", encoding="utf-8")
    port = free_port()
    server = subprocess.Popen(
        [WATCHFLOOR, "taxii", "serve", "--tokens", str(tokens), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/taxii2/watchfloor/collections/"
        deadline = time.monotonic() + 60
        while True:
            try:
                reply = requests.get(url, auth=Bearer("cli-token"), timeout=5)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "taxii serve did not answer"
                time.sleep(0.3)
        assert reply.status_code == 200
        assert [c["title"] for c in reply.json()["collections"]] == ["imported", "published"]
        assert requests.get(url, auth=Bearer("other"), timeout=5).status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=20)
