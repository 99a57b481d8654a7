"""The editors: the watchlist (upload a file, add or change one protectee, take one off), the
readers an admin clears (/admin/readers) and a source's default marking. Each form carries the
session's CSRF token (checked by the page context) and calls the API's own helper
(watchfloor.api.editing), so the checks, the audit and the re-assessment are the API's."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from watchfloor.api import editing
from watchfloor.api.editing import MAX_WATCHLIST_BYTES, ReaderIn
from watchfloor.link.protectees import StoredProtectee, list_protectees
from watchfloor.publish.readers import list_readers, remove_reader
from watchfloor.publish.review import ReviewConfig
from watchfloor.publish.vocabulary import vocabulary
from watchfloor.store.models import ProtecteeRow
from watchfloor.web.actions import act, back
from watchfloor.web.common import Page, need_page, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
OptText = Annotated[str, Form()]
Many = Annotated[list[str], Form()]
ROLE_FIELDS = ("title", "organization", "jurisdiction", "since", "until")


# -- the watchlist ------------------------------------------------------------------------------


def protectees_values(ctx: Page, edit: str | None) -> dict[str, Any]:
    """What /protectees shows: everyone on the watchlist (and no longer on it), and for a
    person who may edit it the editor, filled in with `edit`'s fields when given."""
    people = list_protectees(ctx.session)
    editing_one: StoredProtectee | None = None
    if edit:
        editing_one = next((p for p in people if p.id == edit), None)
    roles = list(editing_one.roles) if editing_one else []
    return {
        "people": people,
        "editing": editing_one,
        "roles": [*roles, {}],  # one empty row for a new role
        "role_fields": ROLE_FIELDS,
    }


@router.get("/protectees", response_class=HTMLResponse)
def protectees_page(
    request: Request,
    ctx: Page,
    edit: str | None = None,
    error: str | None = None,
    done: str | None = None,
) -> Response:
    values = protectees_values(ctx, edit)
    return render(request, "protectees.html", ctx, error=error, done=done, **values)


@router.post("/protectees/upload")
def upload_form(ctx: Page, file: Annotated[UploadFile, File()]) -> Response:
    data = file.file.read(MAX_WATCHLIST_BYTES + 1)
    name = file.filename or "watchlist"

    def run() -> str:
        return f"{name}: {editing.load_file(ctx, name, data).line()}"

    return act(ctx, "/protectees", "watchlist", run)


def protectee_entry(
    protectee_id: str,
    name: str,
    aliases: str,
    roles: dict[str, list[str]],
    email: str,
    webhook: str,
) -> dict[str, Any]:
    """The editor's fields as a watchlist entry: aliases one a line (or split by ';'), a role
    for each row with anything in it, empty fields left out."""
    entry: dict[str, Any] = {"id": protectee_id.strip(), "name": name}
    entry["aliases"] = [a.strip() for a in aliases.replace(";", "\n").splitlines() if a.strip()]
    rows = max((len(v) for v in roles.values()), default=0)
    entry["roles"] = []
    for i in range(rows):
        role = {k: (roles[k][i].strip() if i < len(roles[k]) else "") for k in ROLE_FIELDS}
        if any(role.values()):
            entry["roles"].append({k: v for k, v in role.items() if v or k == "title"})
    notify = {k: v.strip() for k, v in (("email", email), ("webhook", webhook)) if v.strip()}
    if notify:
        entry["notify"] = notify
    return entry


@router.post("/protectees/save")
def save_form(
    ctx: Page,
    protectee_id: Text,
    name: Text,
    aliases: OptText = "",
    role_title: Many = [],  # noqa: B006 (FastAPI copies a default list)
    role_organization: Many = [],  # noqa: B006
    role_jurisdiction: Many = [],  # noqa: B006
    role_since: Many = [],  # noqa: B006
    role_until: Many = [],  # noqa: B006
    notify_email: OptText = "",
    notify_webhook: OptText = "",
) -> Response:
    roles = {
        "title": role_title,
        "organization": role_organization,
        "jurisdiction": role_jurisdiction,
        "since": role_since,
        "until": role_until,
    }
    entry = protectee_entry(protectee_id, name, aliases, roles, notify_email, notify_webhook)

    def run() -> str:
        summary = editing.save_protectee(ctx, entry)
        return f"{entry['name'].strip()} saved; {summary.line()}"

    return act(ctx, "/protectees", "watchlist", run)


@router.post("/protectees/{protectee_id}/remove")
def remove_form(ctx: Page, protectee_id: str) -> Response:
    row = ctx.session.get(ProtecteeRow, protectee_id)
    if row is None or not row.current:
        return back("/protectees", error=f"{protectee_id} is not on the watchlist")

    def run() -> str:
        editing.drop_protectee(ctx, protectee_id)
        return f"{row.name} taken off the watchlist (kept as no longer listed)"

    return act(ctx, "/protectees", "watchlist", run)


# -- readers (admins) -----------------------------------------------------------------------------


@router.get("/admin/readers", response_class=HTMLResponse)
def readers_page(
    request: Request,
    ctx: Page,
    edit: str | None = None,
    error: str | None = None,
    done: str | None = None,
) -> Response:
    need_page(ctx, "admin")
    readers = list_readers(ctx.session)
    chosen = next((r for r in readers if r.reader.name == edit), None) if edit else None
    return render(
        request, "readers.html", ctx, readers=readers, chosen=chosen,
        levels=vocabulary().levels, audiences=sorted(ReviewConfig.load().audiences),
        error=error, done=done,
    )  # fmt: skip


def _split(text: str) -> list[str]:
    return [v.strip() for v in text.replace(";", ",").split(",") if v.strip()]


@router.post("/admin/readers")
def reader_form(
    ctx: Page,
    name: Text,
    clearance: Text,
    nationality: Text,
    compartments: OptText = "",
    audiences: Many = [],  # noqa: B006
    organization: OptText = "",
    email: OptText = "",
) -> Response:
    try:
        body = ReaderIn(
            name=name.strip(), clearance=clearance, nationality=nationality,
            compartments=_split(compartments), audiences=audiences,
            organization=organization or None, email=email or None,
        )  # fmt: skip
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return back("/admin/readers", error=f"{where}: {first['msg']}")

    def run() -> str:
        stored, new = editing.save_reader(ctx, body)
        r = stored.reader
        return f"reader {r.name} {'added' if new else 'changed'}: cleared {r.clearance}"

    return act(ctx, "/admin/readers", "admin", run)


@router.post("/admin/readers/{name}/remove")
def remove_reader_form(ctx: Page, name: str) -> Response:
    def run() -> str:
        remove_reader(ctx.session, name, actor=ctx.name)
        return f"reader {name} removed: they may read nothing marked now"

    return act(ctx, "/admin/readers", "admin", run)


# -- a source's default marking --------------------------------------------------------------------


@router.post("/sources/mark")
def mark_form(
    ctx: Page, source: Text, marking: Text, reason: Text, documents: OptText = ""
) -> Response:
    def run() -> str:
        changed = editing.mark(ctx, source, marking, reason, documents == "yes")
        tail = f"; {changed} stored documents re-marked" if documents == "yes" else ""
        return f"{source} now marks its reporting {marking}{tail}"

    return act(ctx, "/sources", "edit", run)
