"""The whole application `watchfloor serve` runs: the API (watchfloor.api) plus the
server-rendered web UI (Jinja2 templates, one small script, no build step)."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from watchfloor.api.app import create_api
from watchfloor.api.settings import IdentitySettings
from watchfloor.publish.access import AccessPolicy
from watchfloor.web import account, actions, editing, pages
from watchfloor.web.common import LoginRequired, render

STATIC = Path(__file__).resolve().parent / "static"


def create_app(
    engine: Engine, settings: IdentitySettings | None = None, policy: AccessPolicy | None = None
) -> FastAPI:
    app = create_api(engine, settings, policy)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router)
    app.include_router(actions.router)
    app.include_router(editing.router)
    app.include_router(account.router)

    api_problem = app.exception_handlers[StarletteHTTPException]

    @app.exception_handler(StarletteHTTPException)
    async def page_error(request: Request, exc: StarletteHTTPException) -> Response:
        # The API answers problem details; a page answers a page a person can read.
        if request.url.path.startswith(("/api/", "/openapi.json", "/taxii2/")):
            answer = api_problem(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        return render(request, "error.html", None, exc.status_code, error=str(exc.detail))

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(exc.to, status_code=303)

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        # Pages are rendered per person: never cached by a proxy, framed only by our own pages.
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'self'; form-action 'self'",
        )
        return response

    return app
