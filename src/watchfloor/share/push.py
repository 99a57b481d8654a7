"""Push: when threads change, the new or changed threads of chosen protectees go out as STIX,
to a TAXII collection of ours (the store's shared objects, read by partners over TAXII) or to
a webhook, as the sharing config's `push` entries say. Each entry names the reader whose access
decides what goes out, and the recipient whose pseudonym settings apply.

Listens on the "threads changed" hook, inside the caller's transaction: objects published to a
collection commit with the assessment. A webhook that fails is logged and does not undo the
assessment (the next change sends the thread again)."""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Sequence
from typing import Any

import httpx
from sqlalchemy.orm import Session

from watchfloor import hooks
from watchfloor.assess.records import ThreadChange
from watchfloor.assess.views import get_thread
from watchfloor.errors import PushError, WatchfloorError
from watchfloor.ingest.guard import public_only
from watchfloor.publish.readers import get_reader
from watchfloor.share.audience import audience_for
from watchfloor.share.bundle import BundleBuilder
from watchfloor.share.collection import publish_bundle
from watchfloor.share.config import PushTarget, ShareConfig, default_config
from watchfloor.share.export import ThreadExporter
from watchfloor.warn.webhooks import signed_headers

log = logging.getLogger(__name__)
STIX_MEDIA = "application/stix+json;version=2.1"


def on_threads_changed(session: Session, changes: Sequence[ThreadChange]) -> None:
    try:
        config = default_config()
    except WatchfloorError as exc:
        # A broken sharing config must not stop ingest and assessment; it is said loudly.
        log.error("push is off: %s", exc)
        return
    if config.push:
        push_changes(session, changes, config)


def push_changes(
    session: Session, changes: Sequence[ThreadChange], config: ShareConfig | None = None
) -> list[tuple[PushTarget, dict[str, Any]]]:
    """Send what changed to every push target it concerns; what was sent, per target."""
    config = config or default_config()
    sent = []
    for target in config.push:
        threads = sorted(
            {c.thread_id for c in changes if c.changed and c.after.protectee in target.protectees}
        )
        if not threads:
            continue
        bundle = _bundle(session, target, threads, config)
        if bundle is None:
            continue
        try:
            _send(session, target, bundle)
        except WatchfloorError as exc:
            log.warning("push to %s failed: %s", target.webhook or target.collection, exc)
            continue
        sent.append((target, bundle))
    return sent


def _bundle(
    session: Session, target: PushTarget, threads: list[int], config: ShareConfig
) -> dict[str, Any] | None:
    reader = get_reader(session, target.reader)
    if reader is None:
        log.warning("push: reader %r is not in the store; nothing sent", target.reader)
        return None
    builder = BundleBuilder(audience_for(session, reader, target.recipient, config=config))
    exporter = ThreadExporter(session, builder, config.producer)
    for thread_id in threads:
        view = get_thread(session, thread_id)
        if view is not None:
            exporter.thread(view)
    bundle = builder.build()
    return bundle if any(o["type"] == "report" for o in bundle["objects"]) else None


def _send(session: Session, target: PushTarget, bundle: dict[str, Any]) -> None:
    if target.collection is not None:
        publish_bundle(session, target.collection, bundle)
        return
    assert target.webhook is not None
    post_bundle(target.webhook, bundle, os.environ.get(target.secret_env or "", ""))


def post_bundle(url: str, bundle: dict[str, Any], secret: str = "") -> int:
    """POST the bundle to `url` (signed as warn signs its webhooks when a secret is set)."""
    public_only(url)
    body = json.dumps(bundle, sort_keys=True, ensure_ascii=False).encode("utf-8")
    delivery = str(uuid.uuid4())
    headers = signed_headers(secret, delivery, body) if secret else {}
    headers["Content-Type"] = STIX_MEDIA
    try:
        with httpx.Client(timeout=10, follow_redirects=False) as client:
            response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise PushError(f"{url}: {type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise PushError(f"{url}: HTTP {response.status_code}")
    return response.status_code


hooks.on_threads_changed(on_threads_changed)
