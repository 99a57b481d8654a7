"""The one access decision: may this reader see this marked portion? Deny by default.

Every path that returns marked data (renderers now; API, UI, TAXII and exports later) asks
`decide`. A reader is allowed only when every constraint of the marking holds; anything the
function does not recognise (a clearance, a level, a control, an SCI system, a TLP label, a
nationality) denies, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import yaml

from watchfloor.datafiles import check_data, read_yaml
from watchfloor.errors import AccessPolicyError
from watchfloor.publish.markings import Marking, check
from watchfloor.publish.rollup import release_countries
from watchfloor.publish.vocabulary import MARKINGS_DIR, Vocabulary, vocabulary
from watchfloor.schemas import AccessFile
from watchfloor.settings import setting


@dataclass(frozen=True)
class Reader:
    """Someone a product may be rendered for.

    `compartments` holds SCI entries as markings write them ("SI", "SI-G", "TK"); holding a
    compartment implies holding its system ("SI-G" implies "SI"). `nationality` is a trigraph; an
    empty or unknown one is denied everything.
    """

    name: str
    clearance: str
    compartments: frozenset[str] = frozenset()
    nationality: str = ""
    audiences: frozenset[str] = frozenset()
    organization: str | None = None


# Why a portion is withheld, in the words a reader's copy may carry without revealing it.
NOT_CLEARED = "not cleared for its marking"
NOT_DISTRIBUTED = "not on its distribution"
FOREIGN = "not releasable to your nationality"
UNDECIDABLE = "marking or reader record not valid"


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    reason: str
    # For a refusal: which kinds of reason (NOT_CLEARED, NOT_DISTRIBUTED, FOREIGN, UNDECIDABLE).
    kinds: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class AccessPolicy:
    """Who counts as own organization, clients and community for TLP (data/markings/access.yaml)."""

    own_organization: str | None = None
    client_organizations: frozenset[str] = field(default=frozenset())
    # Empty: every registered reader is the community.
    community_organizations: frozenset[str] = field(default=frozenset())

    @classmethod
    def load(cls, path: Path | None = None) -> AccessPolicy:
        """Policy from `path`, else env WATCHFLOOR_ACCESS_POLICY, else the one `watchfloor init
        --organization` wrote in the store's home, else data/markings/access.yaml."""
        if path is None:
            path = policy_path()
        data = read_yaml(path, error=AccessPolicyError) or {}
        known = {"own_organization", "client_organizations", "community_organizations"}
        if not isinstance(data, dict) or set(data) - known:
            raise AccessPolicyError(f"{path}: expected only the keys {sorted(known)}")
        check_data(data, AccessFile, path, error=AccessPolicyError)
        own = data.get("own_organization")
        return cls(
            own_organization=str(own) if own is not None else None,
            client_organizations=frozenset(str(x) for x in data.get("client_organizations") or ()),
            community_organizations=frozenset(
                str(x) for x in data.get("community_organizations") or ()
            ),
        )


POLICY_ENV_VAR = "WATCHFLOOR_ACCESS_POLICY"
HOME_POLICY = "access.yaml"


def policy_path() -> Path:
    """The access policy in force: env, else the store home's, else the packaged default."""
    from watchfloor.store.engine import home

    env = setting(POLICY_ENV_VAR)
    if env:
        return Path(env)
    local = home() / HOME_POLICY
    return local if local.exists() else MARKINGS_DIR / "access.yaml"


def set_own_organization(organization: str) -> Path:
    """Write the policy with this own organization to the store's home (keeping its clients
    and community) and return where; with WATCHFLOOR_ACCESS_POLICY set, that file is edited."""
    from watchfloor.store.engine import home

    organization = organization.strip()
    if not organization:
        raise AccessPolicyError("--organization: give the organization's name")
    current = AccessPolicy.load()
    env = setting(POLICY_ENV_VAR)
    path = Path(env) if env else home() / HOME_POLICY
    data = {
        "own_organization": organization,
        "client_organizations": sorted(current.client_organizations),
        "community_organizations": sorted(current.community_organizations),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    except OSError as exc:
        raise AccessPolicyError(f"{path}: cannot write the access policy: {exc}") from exc
    default_policy.cache_clear()
    return path


@cache
def default_policy() -> AccessPolicy:
    return AccessPolicy.load()


def decide(
    reader: Reader,
    marking: Marking,
    *,
    audiences: frozenset[str] = frozenset(),
    recipients: frozenset[str] = frozenset(),
    policy: AccessPolicy | None = None,
) -> AccessDecision:
    """May `reader` see a portion marked `marking`, restricted to `audiences` (reader needs one of
    them when there are any) and, for TLP:RED, to the named `recipients`?"""
    vocab = vocabulary()
    policy = policy or default_policy()
    kinds: set[str] = set()
    try:
        problems = _reader_problems(reader, vocab) or _marking_problems(marking, vocab)
        if problems:
            kinds.add(UNDECIDABLE)
        else:
            cleared, foreign = _classification(reader, marking, vocab)
            audience = _audience(reader, audiences)
            tlp = _tlp(reader, marking, recipients, policy)
            problems = (*cleared, *foreign, *audience, *tlp)
            for kind, found in (
                (NOT_CLEARED, cleared),
                (FOREIGN, foreign),
                (NOT_DISTRIBUTED, audience),
                # TLP:RED names its recipients (a distribution); the other labels bound the
                # organizations a marking is for.
                (NOT_DISTRIBUTED if marking.tlp == "RED" else NOT_CLEARED, tlp),
            ):
                if found:
                    kinds.add(kind)
    except Exception as exc:  # a malformed input must never fall through to "allowed"
        return AccessDecision(
            False,
            f"cannot decide ({type(exc).__name__}: {exc}); denied",
            frozenset({UNDECIDABLE}),
        )
    if problems:
        return AccessDecision(False, "; ".join(problems), frozenset(kinds))
    return AccessDecision(True, f"{reader.name} may read {marking.banner()}")


def _reader_problems(reader: Reader, vocab: Vocabulary) -> tuple[str, ...]:
    if reader.clearance not in {level.code for level in vocab.levels}:
        return (f"reader {reader.name} has unknown clearance '{reader.clearance}'",)
    if reader.nationality not in vocab.trigraphs:
        return (f"reader {reader.name} has unknown nationality '{reader.nationality}'",)
    return ()


@lru_cache(maxsize=4096)
def _marking_problems(marking: Marking, vocab: Vocabulary) -> tuple[str, ...]:
    # Cached: a product asks about the same few markings for every reader.
    problem = check(marking, vocab)
    return (f"invalid marking: {problem}",) if problem else ()


def _held(compartments: frozenset[str]) -> frozenset[str]:
    """A reader's SCI entries with the parents each implies ("SI-G ABCD" -> "SI-G", "SI")."""
    out = set(compartments)
    for entry in compartments:
        if " " in entry:
            out.add(entry.rsplit(" ", 1)[0])
        out.add(entry.split("-")[0])
    return frozenset(out)


def _classification(
    reader: Reader, marking: Marking, vocab: Vocabulary
) -> tuple[list[str], list[str]]:
    """What the reader is not cleared for, and what is not releasable to their nationality."""
    problems = []
    level = marking.level or vocab.levels[0].code
    if vocab.rank(reader.clearance) < vocab.rank(level):
        problems.append(f"needs {level} clearance; reader holds {reader.clearance}")
    missing = sorted(set(marking.sci) - _held(reader.compartments))
    if missing:
        problems.append(f"needs SCI {', '.join(missing)}; reader does not hold them")
    allowed = release_countries(marking, vocab)
    if allowed is not None and reader.nationality not in allowed:
        if any(vocab.control(c).release == "own_country" for c in marking.controls):
            why = "not releasable to foreign nationals"
        elif marking.rel_to or marking.display_only:
            why = "releasable only to " + ", ".join(marking.rel_to + marking.display_only)
        else:
            why = f"classified without a release marking: {vocab.own_country} nationals only"
        return problems, [f"{why}; reader is {reader.nationality}"]
    return problems, []


def _audience(reader: Reader, audiences: frozenset[str]) -> list[str]:
    if audiences and not audiences & reader.audiences:
        return [f"restricted to audience {', '.join(sorted(audiences))}; reader is in none"]
    return []


def _tlp(
    reader: Reader, marking: Marking, recipients: frozenset[str], policy: AccessPolicy
) -> list[str]:
    label, org = marking.tlp, reader.organization
    if label is None or label == "CLEAR":
        return []
    own = policy.own_organization
    if label == "RED":
        ok = reader.name in recipients
        need = "named recipients only"
    elif label == "AMBER+STRICT":
        ok = own is not None and org == own
        need = f"organization {own or '(none configured)'} only"
    elif label == "AMBER":
        ok = org is not None and (org == own or org in policy.client_organizations)
        need = f"organization {own or '(none configured)'} and its clients only"
    elif label == "GREEN":
        community = policy.community_organizations
        ok = not community or (
            org is not None
            and (org in community or org == own or org in policy.client_organizations)
        )
        need = "the community only"
    else:
        return [f"unknown TLP label '{label}'"]
    if ok:
        return []
    who = f"{reader.name} of {org}" if org else f"{reader.name} (no organization)"
    return [f"TLP:{label} is for {need}; reader is {who}"]
