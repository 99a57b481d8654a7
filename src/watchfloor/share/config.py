"""Sharing configuration as data: who gets pseudonyms, how large an import may be, what is
pushed where. Validated by pydantic so a typo is one error naming the file and the field."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from watchfloor.datafiles import load_yaml
from watchfloor.errors import ShareConfigError
from watchfloor.settings import setting

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
        return load_yaml(path, cls, error=ShareConfigError)

    def recipient(self, name: str | None) -> Recipient | None:
        """The settings for `name`; a recipient not listed gets none (real names stay ours)."""
        return self.recipients.get(name) if name else None


def config_path() -> Path:
    from watchfloor.store.engine import home

    env = setting(CONFIG_ENV_VAR)
    if env:
        return Path(env)
    local = home() / "share.yaml"
    return local if local.exists() else DATA / "share.yaml"


@cache
def default_config() -> ShareConfig:
    return ShareConfig.load()
