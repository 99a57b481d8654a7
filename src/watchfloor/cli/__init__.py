"""The `watchfloor` command: one Typer app over the same core the API and web UI use.

Each module registers the commands of one stage on the shared app; importing this package
imports them all.
"""

from __future__ import annotations

from watchfloor.cli.common import app

# --help lists commands in the order they are registered: the order of the data flow.
# isort: off
from watchfloor.cli import (
    extract,
    evaluate,
    store,
    link,
    assess,
    warn,
    audit,
    publish,
    firsthour,
    share,
    serve,
)
# isort: on

__all__ = [
    "app",
    "assess",
    "audit",
    "evaluate",
    "extract",
    "firsthour",
    "link",
    "main",
    "publish",
    "serve",
    "share",
    "store",
    "warn",
]


def main() -> None:
    app()
