"""A small token table for running the TAXII server on its own: token digests mapped to reader
names, the readers read from the store on each request. The API's own tokens (`watchfloor
serve`) plug in through the same `Authenticator` callable instead."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine

from watchfloor.errors import ShareConfigError
from watchfloor.publish.access import Reader
from watchfloor.publish.readers import get_reader
from watchfloor.store.engine import transaction


class TokenTable(BaseModel):
    """`tokens`: sha256 hex digest of a token -> the reader it acts as."""

    model_config = ConfigDict(extra="forbid")
    tokens: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> TokenTable:
        try:
            return cls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        except (OSError, yaml.YAMLError, ValidationError) as exc:
            raise ShareConfigError(f"{path}: not a token table ({exc})") from None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def table_authenticator(engine: Engine, table: TokenTable) -> Callable[[str], Reader | None]:
    def authenticate(token: str) -> Reader | None:
        if not token:
            return None
        wanted = digest(token)
        for known, name in table.tokens.items():
            if hmac.compare_digest(known, wanted):
                with transaction(engine) as session:
                    return get_reader(session, name)
        return None

    return authenticate
