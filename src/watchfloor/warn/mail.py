"""Email over SMTP: plain, STARTTLS or implicit TLS, with optional login.

The Message-ID is built from the notice's idempotency key, so every resend of one notice is the
same message to the receiving mail system, which keeps one copy per Message-ID. The password
comes from the environment variable the settings name and appears in no message or log.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from watchfloor.warn.config import SmtpSettings
from watchfloor.warn.webhooks import DeliveryError

MESSAGE_ID_DOMAIN = "watchfloor"


def message_id(idempotency_key: str) -> str:
    return f"<{idempotency_key}@{MESSAGE_ID_DOMAIN}>"


def build_message(
    settings: SmtpSettings,
    *,
    recipient: str,
    subject: str,
    body: str,
    idempotency_key: str,
    case_id: int,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(idempotency_key)
    message["X-Watchfloor-Case"] = str(case_id)
    message.set_content(body)
    return message


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand one message to the SMTP server; raises DeliveryError on any failure."""
    where = f"smtp://{settings.host}:{settings.port}"
    if settings.username and not (settings.ssl or settings.starttls):
        # The password would cross the network in clear: refuse before connecting.
        raise DeliveryError(
            f"{where}: login as {settings.username} needs TLS; set smtp.starttls or smtp.ssl "
            "(WATCHFLOOR_SMTP_STARTTLS=1), or drop the username for an unauthenticated relay"
        )
    context = (
        ssl.create_default_context(cafile=settings.ca_file)
        if (settings.ssl or settings.starttls)
        else None
    )
    try:
        client: smtplib.SMTP
        if settings.ssl:
            client = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout_s, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
        with client:
            if settings.starttls:
                client.starttls(context=context)
            if settings.username:
                if not settings.password:
                    raise DeliveryError(
                        f"{where}: login as {settings.username} needs a password in "
                        f"${settings.password_env}"
                    )
                client.login(settings.username, settings.password)
            refused = client.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{where}: login refused ({exc.smtp_code})") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{where}: {type(exc).__name__}: {exc}") from None
    if refused:
        raise DeliveryError(f"{where}: recipients refused: {', '.join(refused)}")
