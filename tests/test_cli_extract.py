"""`watchfloor extract` as a user runs it: the seed article as the first acceptance case, and
one clear error for each kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from watchfloor.cli import app

runner = CliRunner()

MARKS = """protectees:
  - id: lana-marks
    name: Lana Marks
    aliases: [Ambassador Marks]
    roles:
      - {title: Ambassador, organization: United States, jurisdiction: South Africa,
         since: 2019-11-01, until: 2021-01-20}
    notify: {email: security@example.org}
"""
MCKENZIE = """  - id: kenneth-mckenzie
    name: Kenneth McKenzie
    roles:
      - {title: Commander, organization: US Central Command, since: 2019-03-28}
"""


def extract(path: Path | str, *options: str) -> tuple[int, list[dict[str, Any]], str]:
    result = runner.invoke(app, ["extract", str(path), "--format", "jsonl", *options])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, lines, result.output


@pytest.fixture(scope="module")
def seed_statements(
    seed_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, Any]]:
    watchlist = tmp_path_factory.mktemp("wl") / "two.yaml"
    watchlist.write_text(MARKS + MCKENZIE, encoding="utf-8")
    code, lines, output = extract(
        seed_path, "--watchlist", str(watchlist), "--published", "2020-09-13"
    )
    assert code == 0, output
    return lines


@pytest.mark.shared
def test_marks_plot_is_the_first_line_with_a_one_person_watchlist(
    seed_path: Path, tmp_path: Path
) -> None:
    watchlist = tmp_path / "marks.yaml"
    watchlist.write_text(MARKS, encoding="utf-8")
    code, lines, output = extract(
        seed_path, "--watchlist", str(watchlist), "--published", "2020-09-13"
    )
    assert code == 0, output
    first = lines[0]
    assert first["act"] == "kill"
    assert first["target"]["protectee"] == "lana-marks"
    assert first["status"] in {"considered", "planned"}
    assert first["actor"]["entity"] == "Iran"
    assert first["duty_to_warn"] is True
    text = seed_path.read_text(encoding="utf-8")
    evidence = first["evidence"]
    assert text[evidence["start"] : evidence["end"]] == evidence["text"]


@pytest.mark.shared
def test_marks_plot_reached_by_role_and_by_name_with_place(
    seed_statements: list[dict[str, Any]],
) -> None:
    marks = [s for s in seed_statements if s["target"]["protectee"] == "lana-marks"]
    targets = " | ".join(s["target"]["text"] for s in marks)
    assert "ambassador to South Africa" in targets
    assert any("Marks" in s["target"]["text"] for s in marks)
    assert {s["actor"]["entity"] for s in marks} & {"Iran"}
    assert any(s["where"] in {"South Africa", "Pretoria"} for s in marks)
    assert all(s["status"] not in {"carried_out", "foiled", "denied"} for s in marks)


@pytest.mark.shared
def test_mckenzie_is_on_irans_hit_list(seed_statements: list[dict[str, Any]]) -> None:
    hits = [s for s in seed_statements if s["target"]["protectee"] == "kenneth-mckenzie"]
    assert hits, "no statement about General McKenzie"
    assert any(s["act"] == "kill" and s["actor"]["entity"] == "Iran" for s in hits)


@pytest.mark.shared
def test_saudi_ambassador_plot_of_2011_was_foiled_and_owes_no_warning(
    seed_statements: list[dict[str, Any]],
) -> None:
    saudi = [s for s in seed_statements if "Saudi" in (s["target"]["text"] or "")]
    assert saudi, "no statement about the Saudi ambassador"
    assert all(s["status"] == "foiled" and s["duty_to_warn"] is False for s in saudi)
    assert any(s["act"] == "kill" for s in saudi)


@pytest.mark.shared
def test_missile_attack_on_the_base_was_carried_out(seed_statements: list[dict[str, Any]]) -> None:
    base = [
        s
        for s in seed_statements
        if s["act"] == "attack" and "base" in (s["target"]["text"] or "") + s["evidence"]["text"]
    ]
    assert base, "no statement about the attack on the base in Iraq"
    assert all(s["status"] == "carried_out" and not s["duty_to_warn"] for s in base)


@pytest.mark.shared
def test_nothing_from_the_teaser_block(
    seed_statements: list[dict[str, Any]], seed_text: str
) -> None:
    teasers = seed_text.index("You May Also Like")
    assert all(s["evidence"]["end"] <= teasers for s in seed_statements)


def test_table_format_for_people(tmp_path: Path) -> None:
    report = tmp_path / "note.txt"
    report.write_text(
        "Police said a gang had planned to kidnap the mayor of Tanga.\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["extract", str(report), "--published", "2025-05-01"])
    assert result.exit_code == 0, result.output
    assert "kidnap" in result.stdout and "planned" in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"   \n\n  ", "whitespace"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "binary"),
    ],
)
def test_bad_input_gets_one_clear_error(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, lines, output = extract(path)
    assert code != 0
    assert lines == []
    assert name in output and problem in output.lower()


def test_missing_file_and_missing_watchlist(tmp_path: Path) -> None:
    code, _, output = extract(tmp_path / "nowhere.txt")
    assert code != 0 and "nowhere.txt" in output
    report = tmp_path / "r.txt"
    report.write_text("A report.", encoding="utf-8")
    code, _, output = extract(report, "--watchlist", str(tmp_path / "nolist.yaml"))
    assert code != 0 and "nolist.yaml" in output


def test_oversized_input_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("word " * (21 * 1024 * 1024 // 5), encoding="utf-8")
    code, lines, output = extract(path)
    assert code != 0 and lines == []
    assert "huge.txt" in output and "limit" in output.lower()


def test_legacy_encoding_is_read_and_said(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(
        "Gunmen threatened to kill the mayor of Cádiz, police said.\n".encode("cp1252")
    )
    code, lines, output = extract(path, "--published", "2025-01-01")
    assert code == 0, output
    assert lines[0]["target"]["text"] == "the mayor of Cádiz"
    assert "latin1.txt is not UTF-8" in output


def test_bad_published_date(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text("A report.", encoding="utf-8")
    code, _, output = extract(report, "--published", "13/09/2020")
    assert code != 0 and "--published" in output


def test_standard_input(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["extract", "-", "--format", "jsonl", "--published", "2024-02-01"],
        input="Gunmen attacked the governor's convoy near Kano on Monday, police said.\n",
    )
    assert result.exit_code == 0, result.output
    statements = [json.loads(line) for line in result.stdout.splitlines()]
    assert [s["act"] for s in statements] == ["attack"]
    assert statements[0]["status"] == "carried_out"
    assert statements[0]["attribution"] == "police"
