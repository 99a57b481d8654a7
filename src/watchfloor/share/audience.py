"""Who an export is for: the reader whose access decides every object, and whether protectee
names reach them as keyed pseudonyms. Protectee names are personal data: our own organization
sees them; a recipient listed in the sharing config gets what it says; anyone else gets
pseudonyms (deny by default)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from watchfloor.publish.access import AccessPolicy, Reader, default_policy
from watchfloor.share.config import ShareConfig, default_config
from watchfloor.store.keys import load_key
from watchfloor.store.models import ProtecteeRow

# Shorter words of a name (initials, "de", "al") would scrub ordinary words from the text.
_MIN_PART = 4


@cache
def _pseudonym_key() -> bytes:
    return load_key("pseudonym", "WATCHFLOOR_PSEUDONYM_KEY", "WATCHFLOOR_PSEUDONYM_KEY_FILE")


@dataclass(frozen=True)
class Audience:
    reader: Reader
    recipient: str | None = None
    pseudonymize: bool = False
    policy: AccessPolicy | None = None
    # Filled by `with_names`: every way the store writes each protectee (name, aliases).
    names: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def pseudonym(self, key: str) -> str:
        """A stable stand-in for protectee (or person target) `key`, keyed per recipient so
        two partners cannot join their copies on it."""
        message = f"{self.recipient or self.reader.name}\0{key}".encode()
        digest = hmac.new(_pseudonym_key(), message, hashlib.sha256).hexdigest()
        return f"Protectee {digest[:10].upper()}"

    def person(self, protectee: str | None, label: str) -> str:
        """How a targeted person is named for this audience."""
        if not self.pseudonymize:
            return label
        return self.pseudonym(protectee or f"label:{label.lower()}")

    def scrub(self, text: str) -> str:
        """`text` with every protectee's names replaced by their pseudonyms."""
        if not self.pseudonymize or not text:
            return text
        for protectee, spellings in self.names.items():
            pattern = _pattern(spellings)
            if pattern is not None:
                text = pattern.sub(self.pseudonym(protectee), text)
        return text


def _pattern(spellings: tuple[str, ...]) -> re.Pattern[str] | None:
    """Every spelling whole, and the longer words of the name (the first spelling): "Marks"
    alone names her too. Words only in an alias ("Ambassador") are titles and stay."""
    words = {s for s in spellings if s.strip()}
    if spellings:
        words.update(part for part in spellings[0].split() if len(part) >= _MIN_PART)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def audience_for(
    session: Session,
    reader: Reader,
    recipient: str | None = None,
    *,
    config: ShareConfig | None = None,
    policy: AccessPolicy | None = None,
) -> Audience:
    """The audience for `reader`; `recipient` (default: the reader's organization, else name)
    picks the pseudonymization settings."""
    config = config or default_config()
    policy = policy or default_policy()
    recipient = recipient or reader.organization or reader.name
    own = policy.own_organization is not None and reader.organization == policy.own_organization
    settings = config.recipient(recipient)
    pseudonymize = settings.pseudonymize if settings is not None else not own
    names: dict[str, tuple[str, ...]] = {}
    if pseudonymize:
        for pid, name, aliases in session.execute(
            select(ProtecteeRow.id, ProtecteeRow.name, ProtecteeRow.aliases)
        ):
            names[pid] = (name, *(str(a) for a in json.loads(aliases or "[]")))
    return Audience(reader, recipient, pseudonymize, policy, names)
