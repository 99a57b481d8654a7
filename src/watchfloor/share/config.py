"""Sharing configuration as data: who gets pseudonyms, how large an import may be, what is
pushed where. Validated by pydantic so a typo is one error naming the file and the field."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from watchfloor.errors import ShareConfigError

DATA = Path(__file__).resolve().parents[1] / "data" / "share"
CONFIG_ENV_VAR = "WATCHFLOOR_SHARE_CONFIG"


class Recipient(BaseModel):
    """How one recipient (a reader's organization, else the reader's name) sees protectees."""

    model_config = ConfigDict(extra="forbid")
    pseudonymize: bool = True
    # Keyed pseudonyms: the same protectee gets the same pseudonym for this recipient only.
    key: str = Field(default="", description="secret that keys this recipient's pseudonyms")


class PushTarget(BaseModel):
    """New or changed threads of `protectees` go to a TAXII collection or a webhook."""

    model_config = ConfigDict(extra="forbid")
    protectees: list[str] = Field(min_length=1)
    reader: str = Field(min_length=1, description="the reader whose access the push uses")
    recipient: str | None = None
    collection: str | None = None
    webhook: str | None = None
    # The environment variable holding the webhook's signing secret (unsigned when unset).
    secret_env: str | None = None
    kind: Literal["taxii", "webhook"] = "taxii"

    @model_validator(mode="after")
    def _one_destination(self) -> PushTarget:
        if (self.collection is None) == (self.webhook is None):
            raise ValueError("give exactly one of collection or webhook")
        self.kind = "taxii" if self.collection else "webhook"
        return self


class ShareConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    producer: str = "watchfloor"
    max_import_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    recipients: dict[str, Recipient] = Field(default_factory=dict)
    push: list[PushTarget] = Field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None) -> ShareConfig:
        path = path or config_path()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            return cls.model_validate(data)
        except (OSError, yaml.YAMLError) as exc:
            raise ShareConfigError(f"{path}: cannot read the sharing config: {exc}") from exc
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
            )
            raise ShareConfigError(f"{path}: {problems}") from None

    def recipient(self, name: str | None) -> Recipient | None:
        """The settings for `name`; a recipient not listed gets none (real names stay ours)."""
        return self.recipients.get(name) if name else None


def config_path() -> Path:
    from watchfloor.store.engine import home

    env = os.environ.get(CONFIG_ENV_VAR)
    if env:
        return Path(env)
    local = home() / "share.yaml"
    return local if local.exists() else DATA / "share.yaml"


@cache
def default_config() -> ShareConfig:
    return ShareConfig.load()
