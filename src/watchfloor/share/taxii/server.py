"""TAXII 2.1 under /taxii2/: discovery, one API root, its collections, objects (added_after,
match[id|type|version|spec_version], limit/next pagination), one object, its versions, and
the manifest. Every request carries a bearer token the `authenticator` turns into a Reader;
every object version returned is decided for that reader on its own marking (deny by
default), so two clients of one collection may see different objects."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from watchfloor.publish.access import AccessPolicy, Reader
from watchfloor.share import collection as store
from watchfloor.share.ids import NAMESPACE
from watchfloor.store.engine import transaction

MEDIA = "application/taxii+json;version=2.1"
STIX_MEDIA = "application/stix+json;version=2.1"
ROOT = "watchfloor"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# A bearer token -> its Reader, or None (401). It may raise TaxiiError(403, ...) for a token
# it knows that is not allowed TAXII (the API's tokens without the "taxii" scope).
Authenticator = Callable[[str], Reader | None]


class TaxiiError(Exception):
    def __init__(self, status: int, title: str, description: str = "") -> None:
        super().__init__(title)
        self.status, self.title, self.description = status, title, description


def collection_id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"taxii-collection:{name}"))


def taxii_time(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_time(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise TaxiiError(400, f"{name} is not a timestamp", value) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _reply(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(body, status_code=status, media_type=MEDIA, headers=headers)


class Taxii:
    def __init__(
        self,
        engine: Engine,
        authenticator: Authenticator,
        *,
        collections: Sequence[str] = (store.PUBLISHED,),
        policy: AccessPolicy | None = None,
        title: str = "watchfloor",
    ) -> None:
        self.engine = engine
        self.authenticator = authenticator
        self.configured = tuple(collections)
        self.policy = policy
        self.title = title

    # --- plumbing -----------------------------------------------------------------------

    def reader(self, request: Request) -> Reader:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        reader = self.authenticator(token.strip()) if scheme.lower() == "bearer" else None
        if reader is None:
            raise TaxiiError(401, "Authentication required", "send Authorization: Bearer TOKEN")
        accept = request.headers.get("accept", MEDIA).replace(" ", "")
        if not any(x in accept for x in ("application/taxii+json", "*/*", "application/json")):
            raise TaxiiError(406, "Not acceptable", f"ask for {MEDIA}")
        return reader

    def names(self) -> list[str]:
        with transaction(self.engine) as session:
            return sorted(set(self.configured) | set(store.collections(session)))

    def named(self, request: Request) -> str:
        wanted = request.path_params["collection"]
        for name in self.names():
            if wanted in (name, collection_id(name)):
                return name
        raise TaxiiError(404, "No such collection", wanted)

    def visible(self, request: Request, reader: Reader, **filters: Any) -> list[store.Stored]:
        with transaction(self.engine) as session:
            rows = store.rows(session, self.named(request), **filters)
        return store.readable(rows, reader, self.policy)

    # --- endpoints ----------------------------------------------------------------------

    def discovery(self, request: Request) -> Response:
        self.reader(request)
        base = str(request.base_url).rstrip("/")
        return _reply(
            {
                "title": self.title,
                "description": "Threats against protected people, marked per reader.",
                "default": f"{base}/taxii2/{ROOT}/",
                "api_roots": [f"{base}/taxii2/{ROOT}/"],
            }
        )

    def api_root(self, request: Request) -> Response:
        self.reader(request)
        self._root(request)
        return _reply(
            {
                "title": self.title,
                "versions": [MEDIA],
                "max_content_length": 0,  # read-only: objects arrive by export, not by POST
            }
        )

    def collections(self, request: Request) -> Response:
        self.reader(request)
        self._root(request)
        return _reply({"collections": [self._collection(n) for n in self.names()]})

    def one_collection(self, request: Request) -> Response:
        self.reader(request)
        self._root(request)
        return _reply(self._collection(self.named(request)))

    def objects(self, request: Request) -> Response:
        reader = self.reader(request)
        self._root(request)
        items = self._matching(request, reader)
        return self._envelope(request, items, "objects", lambda item: item.body)

    def one_object(self, request: Request) -> Response:
        reader = self.reader(request)
        self._root(request)
        items = self._matching(request, reader, object_id=request.path_params["object_id"])
        if not items:
            raise TaxiiError(404, "No such object", request.path_params["object_id"])
        return self._envelope(request, items, "objects", lambda item: item.body, keep_empty=True)

    def versions(self, request: Request) -> Response:
        reader = self.reader(request)
        self._root(request)
        object_id = request.path_params["object_id"]
        items = self._filtered(request, reader, object_id=object_id, version="all")
        if not items:
            raise TaxiiError(404, "No such object", object_id)
        return self._envelope(
            request, items, "versions", lambda item: item.version, keep_empty=True
        )

    def manifest(self, request: Request) -> Response:
        reader = self.reader(request)
        self._root(request)
        items = self._matching(request, reader)
        return self._envelope(request, items, "objects", _manifest_entry)

    def _envelope(
        self,
        request: Request,
        items: list[Any],
        key: str,
        render: Callable[[Any], Any],
        *,
        keep_empty: bool = False,
    ) -> Response:
        """One page of `items` under `key`, with `more`, `next` and the X-TAXII-Date-Added-*
        headers; an empty page leaves the key out unless `keep_empty`."""
        page, more, after = self._page(request, items)
        body: dict[str, Any] = {"more": more}
        if more:
            body["next"] = after
        if page or keep_empty:
            body[key] = [render(item) for item in page]
        return _reply(body, headers=self._added_headers(page))

    # --- filters and pages --------------------------------------------------------------

    def _root(self, request: Request) -> None:
        if request.path_params.get("root") != ROOT:
            raise TaxiiError(404, "No such API root", request.path_params.get("root", ""))

    def _collection(self, name: str) -> dict[str, Any]:
        return {
            "id": collection_id(name),
            "title": name,
            "can_read": True,
            "can_write": False,
            "media_types": [STIX_MEDIA],
        }

    def _matching(
        self, request: Request, reader: Reader, object_id: str | None = None
    ) -> list[store.Stored]:
        version = request.query_params.get("match[version]", "last")
        return self._filtered(request, reader, object_id=object_id, version=version)

    def _filtered(
        self, request: Request, reader: Reader, *, object_id: str | None, version: str
    ) -> list[store.Stored]:
        query = request.query_params
        after = query.get("added_after")
        ids = _listed(query.get("match[id]"))
        if object_id is not None:
            ids = [object_id]
        spec = _listed(query.get("match[spec_version]"))
        if spec and "2.1" not in spec:
            return []
        items = self.visible(
            request,
            reader,
            added_after=_parse_time(after, "added_after") if after else None,
            ids=ids,
            types=_listed(query.get("match[type]")),
        )
        return _versions(items, version)

    def _page(
        self, request: Request, items: list[store.Stored]
    ) -> tuple[list[store.Stored], bool, str]:
        query = request.query_params
        try:
            limit = min(int(query.get("limit", DEFAULT_LIMIT)), MAX_LIMIT)
            start = int(base64.urlsafe_b64decode(query["next"]).decode()) if "next" in query else 0
        except (ValueError, UnicodeDecodeError):
            raise TaxiiError(400, "limit or next is not valid") from None
        if limit < 1 or start < 0:
            raise TaxiiError(400, "limit must be positive")
        page = items[start : start + limit]
        more = start + limit < len(items)
        return page, more, base64.urlsafe_b64encode(str(start + limit).encode()).decode()

    @staticmethod
    def _added_headers(page: list[store.Stored]) -> dict[str, str]:
        if not page:
            return {}
        added = sorted(item.added_at for item in page)
        return {
            "X-TAXII-Date-Added-First": taxii_time(added[0]),
            "X-TAXII-Date-Added-Last": taxii_time(added[-1]),
        }


def _listed(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


def _versions(items: list[store.Stored], wanted: str) -> list[store.Stored]:
    """match[version]: last (default), first, all, or a list of exact versions."""
    chosen = set(_listed(wanted)) or {"last"}
    if "all" in chosen:
        return items
    out: dict[tuple[str, str], store.Stored] = {}
    by_object: dict[str, list[store.Stored]] = {}
    for item in items:
        by_object.setdefault(item.stix_id, []).append(item)
    for stix_id, versions in by_object.items():
        ordered = sorted(versions, key=lambda i: i.version)
        picks = [v for v in ordered if v.version in chosen]
        if "last" in chosen:
            picks.append(ordered[-1])
        if "first" in chosen:
            picks.append(ordered[0])
        for pick in picks:
            out[(stix_id, pick.version)] = pick
    return sorted(out.values(), key=lambda i: (i.added_at, i.stix_id, i.version))


def make_app(engine: Engine, authenticator: Authenticator, **options: Any) -> Starlette:
    """The TAXII server as an ASGI app of its own (`watchfloor taxii serve`)."""
    return Starlette(routes=taxii_routes(engine, authenticator, **options))


def taxii_routes(engine: Engine, authenticator: Authenticator, **options: Any) -> list[Route]:
    """The TAXII routes, each starting with /taxii2/: an app of its own (`make_app`) or added
    to another one (`watchfloor serve`), whose other paths then stay that app's."""
    taxii = Taxii(engine, authenticator, **options)

    def wrap(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            try:
                return handler(request)
            except TaxiiError as exc:
                return _reply(
                    {
                        "title": exc.title,
                        "description": exc.description,
                        "http_status": str(exc.status),
                    },
                    exc.status,
                )

        return endpoint

    base = "/taxii2/{root}/collections/{collection}"
    routes = [
        Route("/taxii2/", wrap(taxii.discovery)),
        Route("/taxii2/{root}/", wrap(taxii.api_root)),
        Route("/taxii2/{root}/collections/", wrap(taxii.collections)),
        Route(f"{base}/", wrap(taxii.one_collection)),
        Route(f"{base}/objects/", wrap(taxii.objects)),
        Route(f"{base}/objects/{{object_id}}/", wrap(taxii.one_object)),
        Route(f"{base}/objects/{{object_id}}/versions/", wrap(taxii.versions)),
        Route(f"{base}/manifest/", wrap(taxii.manifest)),
    ]
    return routes


def _manifest_entry(item: Any) -> dict[str, Any]:
    return {
        "id": item.stix_id,
        "date_added": taxii_time(item.added_at),
        "version": item.version,
        "media_type": STIX_MEDIA,
    }
