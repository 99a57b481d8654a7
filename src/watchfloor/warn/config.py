"""Configuration of the warn stage: the case policy (who moves cases, waiver codes, deadlines,
escalation) and the delivery settings (SMTP, webhooks, outbox retries).

The case policy is data: `data/policy/cases.yaml`, or the file `WATCHFLOOR_CASE_POLICY` names.
Delivery settings belong to a deployment: a YAML file named by `WATCHFLOOR_NOTIFY_CONFIG`
(optional), then single environment variables on top (`WATCHFLOOR_SMTP_HOST` ...). Secrets are
never in that file: it names the environment variables that hold them, and `repr` hides them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict

from watchfloor.datafiles import Schema, load_yaml, read_yaml
from watchfloor.errors import WarnConfigError
from watchfloor.settings import setting
from watchfloor.store.models import CASE_STATES

DATA = Path(__file__).resolve().parent.parent / "data" / "policy"
CASE_POLICY_FILE = DATA / "cases.yaml"
CASE_POLICY_ENV = "WATCHFLOOR_CASE_POLICY"
NOTIFY_CONFIG_ENV = "WATCHFLOOR_NOTIFY_CONFIG"
SYSTEM_ROLE = "system"
SYSTEM_ACTOR = "watchfloor"


@dataclass(frozen=True)
class WaiverCode:
    code: str
    description: str
    confirmed: bool
    enabled: bool


@dataclass(frozen=True)
class Contact:
    """Where a notice goes: an email address and/or a webhook URL."""

    email: str | None = None
    webhook: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"email": self.email, "webhook": self.webhook}


class _WaiverSpec(Schema):
    description: str
    confirmed: bool = False
    enabled: bool = True


class _ContactSpec(Schema):
    model_config = ConfigDict(extra="forbid", frozen=True)  # Contact(**...) took no other key

    email: str | None = None
    webhook: str | None = None


class _Release(Schema):
    default: str = "TLP:AMBER"
    recipients: dict[str, str] | None = None


class CasesFile(Schema):
    """data/policy/cases.yaml (docs/warn.md)."""

    roles: frozenset[str]
    transitions: dict[str, list[str] | None]
    enter: dict[str, list[str] | None]
    waiver_codes: dict[str, _WaiverSpec]
    approver_role: str
    deadline_hours: dict[str, float]
    deadline_states: frozenset[str]
    escalation: Annotated[_ContactSpec, BeforeValidator(lambda v: v or {})] = _ContactSpec()
    notify_recipient_kind: str = "protector"
    release: Annotated[_Release, BeforeValidator(lambda v: v or {})] = _Release()


@dataclass(frozen=True)
class CasePolicy:
    roles: frozenset[str]
    transitions: dict[str, frozenset[str]]
    enter: dict[str, frozenset[str]]
    waiver_codes: dict[str, WaiverCode]
    approver_role: str
    deadline_hours: dict[str, float]
    deadline_states: frozenset[str]
    escalation: Contact
    notify_recipient_kind: str
    source: str = "<memory>"
    # The most restrictive marking each recipient (an address) may receive in a notice; a
    # recipient not listed gets release_default. Deny by default: keep it low.
    release_default: str = "TLP:AMBER"
    release_limits: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> CasePolicy:
        path = path or Path(setting(CASE_POLICY_ENV) or CASE_POLICY_FILE)
        data = load_yaml(path, CasesFile, error=WarnConfigError)
        policy = cls(
            roles=data.roles,
            transitions={k: frozenset(v or ()) for k, v in data.transitions.items()},
            enter={k: frozenset(v or ()) for k, v in data.enter.items()},
            waiver_codes={
                code: WaiverCode(code, spec.description, spec.confirmed, spec.enabled)
                for code, spec in data.waiver_codes.items()
            },
            approver_role=data.approver_role,
            deadline_hours=dict(data.deadline_hours),
            deadline_states=data.deadline_states,
            escalation=Contact(**data.escalation.model_dump()),
            notify_recipient_kind=data.notify_recipient_kind,
            source=str(path),
            release_default=data.release.default,
            release_limits=dict(data.release.recipients or {}),
        )
        policy._check()
        return policy

    def _check(self) -> None:
        states = set(CASE_STATES)
        named = set(self.transitions) | {s for v in self.transitions.values() for s in v}
        named |= set(self.enter) | set(self.deadline_states)
        unknown = sorted(named - states)
        if unknown:
            raise WarnConfigError(
                f"{self.source}: unknown case state {unknown[0]!r}; states are "
                + ", ".join(CASE_STATES)
            )
        roles = self.roles | {SYSTEM_ROLE}
        bad = sorted({r for v in self.enter.values() for r in v} - roles)
        if bad:
            raise WarnConfigError(f"{self.source}: enter: unknown role {bad[0]!r}; add it to roles")
        if self.approver_role not in self.roles:
            raise WarnConfigError(
                f"{self.source}: approver_role {self.approver_role!r} not in roles"
            )

    def release_limit(self, recipient: str) -> str:
        return self.release_limits.get(recipient, self.release_default)

    def enabled_codes(self) -> list[str]:
        return [c for c, spec in self.waiver_codes.items() if spec.enabled]


def _secret_env(name: str | None) -> str | None:
    return setting(name) if name else None


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 25
    starttls: bool = False
    ssl: bool = False  # implicit TLS (port 465); STARTTLS upgrades a plain connection instead
    username: str | None = None
    password_env: str = "WATCHFLOOR_SMTP_PASSWORD"
    sender: str = "watchfloor@localhost"
    timeout_s: float = 10.0
    ca_file: str | None = None  # a private CA to trust for TLS, besides the system's
    # Hidden from repr so that printing the configuration never shows it.
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class WebhookSettings:
    secret_env: str = "WATCHFLOOR_WEBHOOK_SECRET"
    timeout_s: float = 10.0
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class OutboxSettings:
    max_attempts: int = 8
    backoff_base_s: float = 5.0
    backoff_max_s: float = 3600.0
    # A claimed notice is not picked up by another sender for this long; a sender killed
    # mid-send leaves its claim to expire, and then the notice is sent again (same key).
    lease_s: float = 120.0
    poll_s: float = 5.0


@dataclass(frozen=True)
class NotifyConfig:
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)

    @classmethod
    def load(cls, path: Path | None = None) -> NotifyConfig:
        """The file (argument, else $WATCHFLOOR_NOTIFY_CONFIG, else none), then the env."""
        named = setting(NOTIFY_CONFIG_ENV)
        chosen = path or (Path(named) if named else None)
        data: dict[str, Any] = {}
        if chosen is not None:
            hint = f"Point {NOTIFY_CONFIG_ENV} at a readable notify config."
            data = read_yaml(chosen, error=WarnConfigError, hint=hint) or {}
            if not isinstance(data, dict):
                raise WarnConfigError(f"{chosen}: expected a mapping with smtp/webhook/outbox")
        where = str(chosen or "environment")
        smtp = dict(data.get("smtp") or {})
        webhook = dict(data.get("webhook") or {})
        outbox = dict(data.get("outbox") or {})
        for key, env in (
            ("host", "WATCHFLOOR_SMTP_HOST"),
            ("port", "WATCHFLOOR_SMTP_PORT"),
            ("starttls", "WATCHFLOOR_SMTP_STARTTLS"),
            ("ssl", "WATCHFLOOR_SMTP_SSL"),
            ("username", "WATCHFLOOR_SMTP_USER"),
            ("sender", "WATCHFLOOR_SMTP_FROM"),
            ("ca_file", "WATCHFLOOR_SMTP_CA_FILE"),
        ):
            if given := setting(env):
                smtp[key] = given
        try:
            smtp_settings = SmtpSettings(
                host=str(smtp.get("host", SmtpSettings.host)),
                port=int(smtp.get("port", SmtpSettings.port)),
                starttls=_flag(smtp.get("starttls", False)),
                ssl=_flag(smtp.get("ssl", False)),
                username=smtp.get("username") or None,
                password_env=str(smtp.get("password_env", SmtpSettings.password_env)),
                sender=str(smtp.get("sender", SmtpSettings.sender)),
                timeout_s=float(smtp.get("timeout_s", SmtpSettings.timeout_s)),
                ca_file=smtp.get("ca_file") or None,
            )
            smtp_settings = _with_password(smtp_settings)
            secret_env = str(webhook.get("secret_env", WebhookSettings.secret_env))
            webhook_settings = WebhookSettings(
                secret_env=secret_env,
                timeout_s=float(webhook.get("timeout_s", WebhookSettings.timeout_s)),
                secret=_secret_env(secret_env),
            )
            outbox_settings = OutboxSettings(
                **{k: type(getattr(OutboxSettings, k))(v) for k, v in outbox.items()}
            )
        except (TypeError, ValueError, AttributeError) as exc:
            raise WarnConfigError(f"{where}: invalid notify setting ({exc})") from exc
        if smtp_settings.ssl and smtp_settings.starttls:
            raise WarnConfigError(f"{where}: smtp: choose ssl or starttls, not both")
        return cls(smtp_settings, webhook_settings, outbox_settings)


def _with_password(settings: SmtpSettings) -> SmtpSettings:
    from dataclasses import replace

    return replace(settings, password=_secret_env(settings.password_env))


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{value!r} is not true or false")
