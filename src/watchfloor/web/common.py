"""What the pages share: templates, the page context (a login or a redirect to /login), and
the rendering of one page with the person's name, permissions and CSRF token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from watchfloor.api.core import ENROL_PATHS, Ctx, StoreSession, check_csrf, resolve
from watchfloor.api.identity import Principal
from watchfloor.api.visibility import Clearance

TEMPLATES = Path(__file__).resolve().parent / "templates"
env = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True
)


class LoginRequired(Exception):
    """No valid session: the page redirects to /login (or to /account, for a session that must
    enrol TOTP first)."""

    def __init__(self, to: str = "/login") -> None:
        super().__init__(to)
        self.to = to


async def page_context(request: Request, session: StoreSession) -> Ctx:
    principal = resolve(request, session)
    if principal is None:
        raise LoginRequired()
    await check_csrf(request, principal)
    if principal.must_enrol and request.url.path not in ENROL_PATHS:
        raise LoginRequired("/account")
    return Ctx(
        session, principal, Clearance.of(session, principal.reader, request.app.state.access_policy)
    )


Page = Annotated[Ctx, Depends(page_context)]


def need_page(ctx: Ctx, permission: str) -> None:
    if not ctx.principal.can(permission):
        raise HTTPException(403, f"{ctx.name} may not do this: it needs '{permission}'")


def render(
    request: Request,
    template: str,
    ctx: Ctx | Principal | None,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    me = ctx.principal if isinstance(ctx, Ctx) else ctx
    html = env.get_template(template).render(
        request=request,
        me=me,
        csrf=me.csrf if me else values.pop("login_csrf", ""),
        **values,
    )
    return HTMLResponse(html, status_code=status)


def highlight(text: str, spans: list[tuple[int, int]]) -> Iterator[tuple[str, bool]]:
    """The text in pieces, each saying whether it lies inside one of the evidence spans."""
    pos = 0
    for start, end in sorted(spans):
        start = max(start, pos)
        if end <= start:
            continue
        if start > pos:
            yield text[pos:start], False
        yield text[start:end], True
        pos = end
    if pos < len(text):
        yield text[pos:], False
