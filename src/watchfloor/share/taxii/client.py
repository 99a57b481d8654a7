"""Importing from a TAXII 2.1 collection (ours or a partner's) with the `taxii2-client`
library: every page of the collection gathered into one bundle, then imported whole."""

from __future__ import annotations

from typing import Any

import requests
from sqlalchemy.orm import Session
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Collection, as_pages

from watchfloor.errors import StixInputError
from watchfloor.ingest.guard import public_only
from watchfloor.share.config import ShareConfig, default_config
from watchfloor.share.importer import ImportResult, import_bundle


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def fetch_collection(url: str, token: str, *, limit: int) -> dict[str, Any]:
    """Every object (latest versions) of the collection at `url`, as a bundle dict."""
    public_only(url)
    objects: list[dict[str, Any]] = []
    size = 0
    try:
        collection = Collection(url, auth=BearerAuth(token))
        for page in as_pages(collection.get_objects, per_request=500):
            for obj in page.get("objects", []):
                size += len(str(obj))
                if size > limit:
                    raise StixInputError(
                        f"{url}: the collection is over the import limit of {limit:,} bytes; "
                        "import it in parts (added_after) or raise max_import_bytes"
                    )
                objects.append(obj)
    except (TAXIIServiceException, requests.RequestException) as exc:
        raise StixInputError(f"{url}: cannot read the TAXII collection ({exc})") from None
    return {
        "type": "bundle",
        "id": "bundle--00000000-0000-4000-8000-000000000000",
        "objects": objects,
    }


def import_collection(
    session: Session, url: str, token: str, *, config: ShareConfig | None = None
) -> ImportResult:
    config = config or default_config()
    bundle = fetch_collection(url, token, limit=config.max_import_bytes)
    return import_bundle(session, bundle, url)
