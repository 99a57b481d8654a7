"""`watchfloor serve` (the API and web UI under uvicorn), passwords, TOTP resets and API tokens.

The web UI and API take every actor from a login. These commands are for the local operator at
the store (like `--as` elsewhere): whoever can run them can already open the store itself.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from watchfloor.cli.common import app, console, fail, in_store, store_engine
from watchfloor.cli.warn import AsOpt, users_app
from watchfloor.errors import WatchfloorError
from watchfloor.identity import analyst_name
from watchfloor.settings import setting

PASSWORD_VAR = "WATCHFLOOR_PASSWORD"
tokens_app = typer.Typer(help="API tokens for machines (scoped, revocable).", no_args_is_help=True)


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    insecure_cookies: Annotated[
        bool,
        typer.Option(
            "--insecure-cookies",
            help="Send the session cookie over plain http (only for http://127.0.0.1; "
            "behind a TLS proxy leave it off, see docs/deploy.md).",
        ),
    ] = False,
    proxy_headers: Annotated[
        bool, typer.Option(help="Trust X-Forwarded-* from the reverse proxy on 127.0.0.1.")
    ] = True,
) -> None:
    """Serve the API (/api/v1, /openapi.json) and the web UI."""
    import uvicorn

    from watchfloor.api.settings import identity_settings
    from watchfloor.web.app import create_app

    engine = store_engine(create=True)
    try:
        settings = identity_settings()
    except WatchfloorError as exc:
        raise fail(str(exc)) from None
    if insecure_cookies:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise fail("--insecure-cookies only with --host 127.0.0.1; put TLS in front instead")
        cookie = settings.cookie.model_copy(update={"secure": False})
        settings = settings.model_copy(update={"cookie": cookie})
    console.print(f"watchfloor on http://{host}:{port}/ (API: /api/v1, /openapi.json)")
    uvicorn.run(
        create_app(engine, settings),
        host=host,
        port=port,
        proxy_headers=proxy_headers,
        log_level="info",
    )


def _password() -> str:
    given = setting(PASSWORD_VAR)
    if given:
        return given
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@users_app.command("password")
def users_password_command(
    name: Annotated[str, typer.Argument(help="The member of staff.")],
) -> None:
    """Set a password for the web UI and API (from $WATCHFLOOR_PASSWORD, stdin or a prompt)."""
    from watchfloor.api.identity import set_password

    password = _password()
    in_store(lambda s: set_password(s, name, password, by=analyst_name()))
    console.print(f"password set for {name}", highlight=False)


@users_app.command("totp-reset")
def users_totp_reset_command(
    name: Annotated[str, typer.Argument(help="The member of staff who lost their device.")],
    as_: AsOpt = None,
) -> None:
    """Turn off someone's TOTP (a lost device), ending their sessions; audited. They set it up
    again from their Account page."""
    from watchfloor.api.twofactor import reset

    in_store(lambda s: reset(s, name, by=analyst_name(as_)))
    console.print(f"TOTP reset for {name}; their sessions are ended", highlight=False)


@tokens_app.command("issue")
def tokens_issue_command(
    name: Annotated[str, typer.Argument(help="The member of staff the token acts for.")],
    scope: Annotated[list[str], typer.Option("--scope", help="A scope (repeat for more).")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Issue a token; its secret is printed once and stored only as a hash."""
    from watchfloor.api.identity import issue_token
    from watchfloor.api.settings import identity_settings

    secret = in_store(
        lambda s: issue_token(s, name, label, scope, identity_settings(), by=analyst_name())
    )
    console.print(secret, highlight=False)


app.add_typer(tokens_app, name="tokens")
