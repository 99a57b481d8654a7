"""The HTTP API (FastAPI) under /api/v1, OpenAPI at /openapi.json, errors as RFC 9457 problem
details. `watchfloor.web.app.create_app` adds the web UI to the same application."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from watchfloor.api import account, acting, auth, editing, ingesting, reading, sharing
from watchfloor.api.core import problem, status_for
from watchfloor.api.identity import LoginFailed
from watchfloor.api.settings import IdentitySettings, identity_settings
from watchfloor.errors import WatchfloorError
from watchfloor.publish.access import AccessPolicy
from watchfloor.store.engine import transaction

log = logging.getLogger("watchfloor.api")
API_TITLE = "watchfloor"


def create_api(
    engine: Engine, settings: IdentitySettings | None = None, policy: AccessPolicy | None = None
) -> FastAPI:
    app = FastAPI(
        title=API_TITLE,
        version="1",
        description="Threats against protected people: documents, threads, cases, reviews.",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.identity = settings or identity_settings()
    # None: the access policy in force (publish.access.default_policy); tests pass their own.
    app.state.access_policy = policy
    routers = (auth, account, reading, ingesting, acting, editing, sharing)
    for router in (module.router for module in routers):
        app.include_router(router)
    # TAXII 2.1 at /taxii2/ (share's own routes, left out of the OpenAPI), on the API's tokens.
    app.router.routes.extend(sharing.taxii_routes(engine, app.state.identity, policy))
    install_problem_handlers(app)
    return app


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(exc.status_code, str(exc.detail), request.url.path)
        if exc.status_code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return problem(422, f"{where}: {first.get('msg')}", request.url.path)

    @app.exception_handler(LoginFailed)
    async def login_failed(request: Request, exc: LoginFailed) -> JSONResponse:
        return problem(401, str(exc), request.url.path)

    @app.exception_handler(WatchfloorError)
    async def refused(request: Request, exc: WatchfloorError) -> JSONResponse:
        return problem(status_for(exc), str(exc), request.url.path)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "the server failed on this request; it is logged", request.url.path)


def ensure_store(engine: Engine) -> None:
    """Fail at start, not on the first request, when the store cannot be opened."""
    with transaction(engine) as session:
        session.connection()
