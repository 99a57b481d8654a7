"""The watchlist: protected people with their names, aliases, roles and whom to notify.

A watchlist is a YAML, JSON or CSV file (chosen by the extension: ``.yaml``/``.yml``, ``.json``
or ``.csv``); JSON has the YAML form's fields.

YAML::

    protectees:
      - id: lana-marks
        name: Lana Marks
        aliases: [Ambassador Marks]
        roles:
          - {title: Ambassador, organization: United States, jurisdiction: South Africa,
             since: 2019-11-01, until: 2021-01-20}
        notify: {email: security@example.org}

CSV has the same fields as columns: ``id, name, aliases, role_title, role_organization,
role_jurisdiction, role_since, role_until, notify_email, notify_webhook`` (only ``id`` and
``name`` are required; the column order is free). Within one cell, ``aliases`` are separated by
``;``. Each row carries at most one role; a protectee with more roles gets *continuation rows*:
rows after the one that names it that repeat the ``id``, leave ``name`` empty and fill only
``role_*`` columns. A row that
repeats an ``id`` with a ``name`` is a duplicate. Dates are ISO ``YYYY-MM-DD``; ``until`` is the
last day in the role and may be left empty for a role still held.

`load_watchlist` raises `WatchlistError` naming the file, the entry (its id, or its row or
position when it has none) and the field, for: a missing file, unreadable YAML or CSV, a missing
id or name, a duplicate id, an unknown field, a bad date and a role whose ``until`` is before
its ``since``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from watchfloor.datafiles import DatesAsText, parse_yaml
from watchfloor.errors import WatchlistError

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "aliases",
    "role_title",
    "role_organization",
    "role_jurisdiction",
    "role_since",
    "role_until",
    "notify_email",
    "notify_webhook",
)
ALIAS_SEPARATOR = ";"
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class Role(BaseModel):
    """A position someone holds from `since` to `until` (both inclusive; None: open)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    organization: str | None = None
    jurisdiction: str | None = None
    since: date | None = None
    until: date | None = None

    @field_validator("since", "until", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        # Pydantic would read 2019 or "1572566400" as a Unix timestamp; a watchlist means a day.
        if (
            value is None
            or value == ""
            or (isinstance(value, date) and not isinstance(value, datetime))
        ):
            return value or None
        if isinstance(value, str) and ISO_DAY.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise PydanticCustomError("date_format", "bad date {value!r}", {"value": value})

    @model_validator(mode="after")
    def _until_after_since(self) -> Role:
        if self.since and self.until and self.until < self.since:
            raise ValueError(
                f"until ({self.until}) is before since ({self.since}); swap them or fix the date"
            )
        return self

    def held_during(self, start: date, end: date) -> bool:
        """True when the role was held on at least one day of [start, end]."""
        return (self.since is None or self.since <= end) and (
            self.until is None or self.until >= start
        )

    def ended_before(self, start: date) -> bool:
        return self.until is not None and self.until < start


class Notify(BaseModel):
    """Where a warning for this protectee goes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str | None = None
    webhook: str | None = None


class Protectee(BaseModel):
    """One protected person."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    notify: Notify | None = None

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name is blank")
        return value.strip()

    @field_validator("aliases", mode="before")
    @classmethod
    def _aliases_list(cls, value: Any) -> Any:
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(a.strip() for a in value.split(ALIAS_SEPARATOR) if a.strip())
        return value

    @field_validator("roles", mode="before")
    @classmethod
    def _roles_list(cls, value: Any) -> Any:
        return () if value is None else value


class Watchlist:
    """The protectees, in file order, with lookup by id."""

    def __init__(self, protectees: Iterable[Protectee] = (), source: str = "<memory>") -> None:
        self.source = source
        self._by_id: dict[str, Protectee] = {}
        for protectee in protectees:
            if protectee.id in self._by_id:
                raise WatchlistError(
                    f"{source}: entry {protectee.id}: field id: duplicate id; "
                    "give each protectee its own id"
                )
            self._by_id[protectee.id] = protectee

    @classmethod
    def empty(cls) -> Watchlist:
        return cls()

    @property
    def protectees(self) -> list[Protectee]:
        return list(self._by_id.values())

    def get(self, protectee_id: str) -> Protectee | None:
        return self._by_id.get(protectee_id)

    def __getitem__(self, protectee_id: str) -> Protectee:
        return self._by_id[protectee_id]

    def __contains__(self, protectee_id: object) -> bool:
        return protectee_id in self._by_id

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Protectee]:
        return iter(self._by_id.values())


FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}


def load_watchlist(path: str | Path) -> Watchlist:
    """Read and validate a YAML, JSON or CSV watchlist; raises `WatchlistError` on any problem."""
    path = Path(path)
    fmt = watchlist_format(path.name, str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise WatchlistError(f"{path}: file not found; check the path") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(f"{path}: cannot read the file ({exc}); save it as UTF-8") from exc
    return parse_watchlist(text, str(path), fmt)


def watchlist_format(name: str, source: str) -> str:
    """ "yaml", "json" or "csv", from a file name's extension."""
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        raise WatchlistError(
            f"{source}: unknown watchlist format {suffix or '(no extension)'}; "
            "name the file .yaml, .yml, .json or .csv"
        )
    return FORMATS[suffix]


def parse_watchlist(text: str, source: str, fmt: str) -> Watchlist:
    """A watchlist's text (`fmt`: yaml, json or csv) read and validated, as `load_watchlist`
    reads a file; `source` names it in errors (an upload's name, "request body")."""
    if fmt == "csv":
        entries = _csv_entries(text, source)
    elif fmt == "json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise WatchlistError(f"{source}: not valid JSON ({exc}); fix the file") from exc
        entries = _mapping_entries(data, source)
    else:
        data = parse_yaml(text, source, error=WatchlistError, loader=DatesAsText)
        entries = _mapping_entries(data, source)
    return Watchlist((_validate(entry, label, source) for label, entry in entries), source)


def watchlist_from_data(data: Any, source: str) -> Watchlist:
    """A watchlist already parsed (a JSON body: {"protectees": [...]}), validated as a file."""
    entries = _mapping_entries(data, source)
    return Watchlist((_validate(entry, label, source) for label, entry in entries), source)


def protectee_from_data(data: dict[str, Any], source: str) -> Protectee:
    """One protectee's fields (an editor's form, an API body), validated as a file's entry."""
    return _validate(data, _label(data, "(new)"), source)


def _mapping_entries(data: Any, source: str) -> list[tuple[str, dict[str, Any]]]:
    if data is None:
        data = {"protectees": []}
    if not isinstance(data, dict) or "protectees" not in data:
        raise WatchlistError(
            f"{source}: expected a mapping with a 'protectees' list at the top of the file"
        )
    # Keys may be numbers, dates or null as YAML reads them: sort them as text.
    unknown = sorted((set(data) - {"protectees"}), key=str)
    if unknown:
        raise WatchlistError(
            f"{source}: field {unknown[0]}: unknown top-level field; only 'protectees' is allowed"
        )
    items = data["protectees"] or []
    if not isinstance(items, list):
        raise WatchlistError(f"{source}: field protectees: expected a list of protectees")
    entries: list[tuple[str, dict[str, Any]]] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise WatchlistError(
                f"{source}: entry #{number}: expected a mapping with id, name, aliases, roles"
            )
        entries.append((_label(item, f"#{number}"), item))
    return entries


def _csv_entries(text: str, source: str) -> list[tuple[str, dict[str, Any]]]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = [c.strip() for c in (reader.fieldnames or [])]
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise WatchlistError(f"{source}: unreadable CSV ({exc}); fix the quoting") from exc
    _check_header(header, source)
    entries: dict[str, dict[str, Any]] = {}
    labels: dict[str, str] = {}
    for line, raw in rows:
        if None in raw:
            raise WatchlistError(
                f"{source}: entry row {line}: more cells than columns; quote cells with commas"
            )
        row = {k.strip(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        pid = row.get("id", "")
        if not pid:
            raise WatchlistError(f"{source}: entry row {line}: field id: missing id")
        role = {k.removeprefix("role_"): v for k, v in row.items() if k.startswith("role_") and v}
        if not row.get("name"):
            if pid not in entries:
                raise WatchlistError(
                    f"{source}: entry {pid} (row {line}): field name: missing name; a row "
                    "without a name only continues the roles of an id given on an earlier row"
                )
            others = [k for k, v in row.items() if v and k != "id" and not k.startswith("role_")]
            if others:
                raise WatchlistError(
                    f"{source}: entry {pid} (row {line}): field {others[0]}: a continuation row "
                    "(empty name) may only fill role_* columns"
                )
            if role:
                entries[pid]["roles"].append(role)
            continue
        if pid in entries:
            raise WatchlistError(
                f"{source}: entry {pid} (row {line}): field id: duplicate id (first on "
                f"{labels[pid]}); leave name empty to add a role to it"
            )
        entry: dict[str, Any] = {"id": pid, "name": row["name"], "roles": [role] if role else []}
        if row.get("aliases"):
            entry["aliases"] = row["aliases"]
        notify = {k.removeprefix("notify_"): v for k, v in row.items() if k.startswith("notify_")}
        notify = {k: v for k, v in notify.items() if v}
        if notify:
            entry["notify"] = notify
        entries[pid] = entry
        labels[pid] = f"row {line}"
    return [(f"{pid} ({labels[pid]})", entry) for pid, entry in entries.items()]


def _check_header(header: list[str], source: str) -> None:
    """The first row names known columns, id and name among them."""
    if not header:
        raise WatchlistError(f"{source}: empty CSV; the first row must name the columns")
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if unknown:
        raise WatchlistError(
            f"{source}: field {unknown[0]}: unknown column; allowed: {', '.join(CSV_COLUMNS)}"
        )
    for required in ("id", "name"):
        if required not in header:
            raise WatchlistError(f"{source}: field {required}: missing column")


def _label(item: dict[str, Any], fallback: str) -> str:
    pid = item.get("id")
    return str(pid) if isinstance(pid, str | int) and str(pid).strip() else fallback


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _validate(entry: dict[str, Any], label: str, source: str) -> Protectee:
    if _has_nul(entry):  # no store keeps a NUL character in text (PostgreSQL refuses it)
        raise WatchlistError(f"{source}: entry {label}: a NUL character (\\x00); remove it")
    try:
        return Protectee.model_validate(entry)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "(entry)"
            problems.append(f"field {field}: {_explain(error)}")
        raise WatchlistError(f"{source}: entry {label}: " + "; ".join(problems)) from exc


def _explain(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        if error["loc"] and error["loc"][0] == "roles":
            return "missing; every role needs a title"
        return "missing; every protectee needs an id and a name"
    if kind == "extra_forbidden":
        return "unknown field; check the spelling (see docs/watchlist.md)"
    if kind.startswith("date"):
        return f"bad date {error.get('input')!r}; write it as YYYY-MM-DD"
    if kind == "string_pattern_mismatch":
        return "use letters, digits, '.', '_', ':' or '-' (no spaces)"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")
