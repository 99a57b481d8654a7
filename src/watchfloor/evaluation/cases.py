"""The labelled evaluation set: short reports with the threat statements a reader expects in them.

A set is a folder of YAML files, each a list of reports (`reports:`). Every expected statement
names its target (and optionally its actor) by a substring of the report text, so a label stays
readable and is checked against the text it labels: a substring that is missing, or that occurs
more than once without saying which occurrence is meant, is an error, not a silent mismatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from watchfloor.datafiles import Schema, as_input_error, load_yaml, read_yaml
from watchfloor.errors import InputError
from watchfloor.extract.records import ACTS, STATUSES

REPORT_KEYS = frozenset({"id", "published", "text", "expected", "negative", "note"})
STATEMENT_KEYS = frozenset(
    {
        "act",
        "status",
        "target",
        "target_occurrence",
        "protectee",
        "duty_to_warn",
        "actor",
        "actor_occurrence",
        "note",
    }
)
WATCHLIST_FILE = "watchlist.yaml"


class _SetProtectee(Schema):
    """Of a set's watchlist only the ids matter here (link/ reads the whole file)."""

    id: str | int


class _SetWatchlist(Schema):
    protectees: list[_SetProtectee]


@dataclass(frozen=True)
class Span:
    """Character offsets of a labelled substring in a report's text."""

    text: str
    start: int
    end: int

    def overlaps(self, start: int, end: int) -> bool:
        return start < self.end and self.start < end


@dataclass(frozen=True)
class ExpectedStatement:
    act: str
    status: str
    target: Span
    protectee: str | None
    duty_to_warn: bool
    actor: Span | None = None


@dataclass(frozen=True)
class EvalCase:
    id: str
    published: date
    text: str
    expected: tuple[ExpectedStatement, ...]
    negative: bool
    source: str


def load_cases(directory: Path) -> list[EvalCase]:
    """Every report in the YAML files of `directory` (the watchlist file excepted), validated.

    Raises InputError naming the file, the report and the field at the first problem.
    """
    if not directory.is_dir():
        raise InputError(str(directory), "is not a folder; pass the folder holding the set's YAML")
    files = sorted(
        p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.name != WATCHLIST_FILE
    )
    if not files:
        raise InputError(str(directory), "holds no report files (*.yaml besides watchlist.yaml)")
    known = _watchlist_ids(directory / WATCHLIST_FILE)
    cases: list[EvalCase] = []
    seen: dict[str, str] = {}
    for path in files:
        for case in _load_file(path):
            if case.id in seen:
                raise InputError(
                    str(path), f"report id {case.id!r} is also used in {seen[case.id]}; rename one"
                )
            seen[case.id] = str(path)
            for e in case.expected:
                if known is not None and e.protectee is not None and e.protectee not in known:
                    raise InputError(
                        f"{path} report {case.id!r}",
                        f"protectee {e.protectee!r} is not in {WATCHLIST_FILE}; "
                        "add the person there or fix the id",
                    )
            cases.append(case)
    return cases


def _watchlist_ids(path: Path) -> frozenset[str] | None:
    """The protectee ids of the set's watchlist, or None when the set has no watchlist file."""
    if not path.is_file():
        return None
    watchlist = load_yaml(path, _SetWatchlist, error=as_input_error)
    return frozenset(str(p.id) for p in watchlist.protectees)


def _load_file(path: Path) -> list[EvalCase]:
    data = read_yaml(path, error=as_input_error)
    if not isinstance(data, dict) or not isinstance(data.get("reports"), list):
        raise InputError(str(path), "must be a mapping with a list under `reports:`")
    return [_parse_report(path, number, item) for number, item in enumerate(data["reports"], 1)]


def _parse_report(path: Path, number: int, item: Any) -> EvalCase:
    where = f"{path} report #{number}"
    if not isinstance(item, dict):
        raise InputError(where, "must be a mapping with id, published, text and expected")
    unknown = set(item) - REPORT_KEYS
    if unknown:
        raise InputError(where, f"unknown keys {sorted(unknown)}; allowed: {sorted(REPORT_KEYS)}")
    report_id = item.get("id")
    if not isinstance(report_id, str) or not report_id:
        raise InputError(where, "needs a non-empty string `id`")
    where = f"{path} report {report_id!r}"
    published = item.get("published")
    if isinstance(published, str):
        try:
            published = date.fromisoformat(published)
        except ValueError:
            published = None
    if not isinstance(published, date):
        raise InputError(where, "needs `published` as a date YYYY-MM-DD")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(where, "needs a non-empty `text`")
    negative = item.get("negative", False)
    if not isinstance(negative, bool):
        raise InputError(where, "`negative` must be true or false")
    raw_expected = item.get("expected")
    if not isinstance(raw_expected, list):
        raise InputError(where, "needs `expected`: a list of statements ([] for a negative)")
    if negative and raw_expected:
        raise InputError(where, "is marked negative but lists expected statements; drop one")
    if not negative and not raw_expected:
        raise InputError(where, "expects nothing; mark it `negative: true` or add statements")
    expected = tuple(
        _parse_statement(f"{where} statement #{n}", text, s) for n, s in enumerate(raw_expected, 1)
    )
    return EvalCase(
        id=report_id,
        published=published,
        text=text,
        expected=expected,
        negative=negative,
        source=str(path),
    )


def _parse_statement(where: str, text: str, item: Any) -> ExpectedStatement:
    if not isinstance(item, dict):
        raise InputError(where, "must be a mapping with act, status, target, protectee")
    unknown = set(item) - STATEMENT_KEYS
    if unknown:
        raise InputError(
            where, f"unknown keys {sorted(unknown)}; allowed: {sorted(STATEMENT_KEYS)}"
        )
    act = item.get("act")
    if act not in ACTS:
        raise InputError(where, f"act {act!r} is not one of {', '.join(ACTS)}")
    status = item.get("status")
    if status not in STATUSES:
        raise InputError(where, f"status {status!r} is not one of {', '.join(STATUSES)}")
    if "protectee" not in item:
        raise InputError(where, "needs `protectee`: a watchlist id, or null when not listed")
    protectee = item["protectee"]
    if protectee is not None and not isinstance(protectee, str):
        raise InputError(where, "`protectee` must be a watchlist id or null")
    duty = item.get("duty_to_warn")
    if not isinstance(duty, bool):
        raise InputError(where, "needs `duty_to_warn: true` or `false`")
    target = _locate(where, "target", text, item.get("target"), item.get("target_occurrence"))
    actor = None
    if item.get("actor") is not None:
        actor = _locate(where, "actor", text, item["actor"], item.get("actor_occurrence"))
    return ExpectedStatement(
        act=act,
        status=status,
        target=target,
        protectee=protectee,
        duty_to_warn=duty,
        actor=actor,
    )


def _locate(where: str, field: str, text: str, needle: Any, occurrence: Any) -> Span:
    if not isinstance(needle, str) or not needle.strip():
        raise InputError(where, f"needs `{field}`: a substring of the report text")
    # Whole words only, so that "he" is not found inside "the".
    left = r"\b" if needle[:1].isalnum() else ""
    right = r"\b" if needle[-1:].isalnum() else ""
    starts = [m.start() for m in re.finditer(left + re.escape(needle) + right, text)]
    if not starts:
        raise InputError(
            where, f"{field} {needle!r} does not occur in the text as whole words (case matters)"
        )
    if occurrence is None:
        if len(starts) > 1:
            raise InputError(
                where,
                f"{field} {needle!r} occurs {len(starts)} times; "
                f"add `{field}_occurrence: N` (1 = first) or use a longer substring",
            )
        occurrence = 1
    if not isinstance(occurrence, int) or isinstance(occurrence, bool):
        raise InputError(where, f"`{field}_occurrence` must be a whole number")
    if not 1 <= occurrence <= len(starts):
        raise InputError(
            where,
            f"{field} {needle!r} occurs {len(starts)} times, not {occurrence}; fix the number",
        )
    start = starts[occurrence - 1]
    return Span(needle, start, start + len(needle))
