"""share: STIX 2.1 out and in, a TAXII 2.1 server, push (docs/share.md).

- service: what `export stix` selects; export: threads as STIX objects; bundle: the access
  decision per object and the bundle; audience: the reader and pseudonyms; ids: pycti-style
  deterministic ids; stixmarkings: TLP 2.0 and statement markings.
- payload: reading and checking a bundle; importer: importing it whole; collection: the stored
  shared objects; taxii/: the TAXII server, its token table and the TAXII import; push: the
  "threads changed" listener.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchfloor.lazy import lazy_attribute

# What the CLI (and the API) call, loaded on first use: a command imports the stage's face,
# never its modules, and importing the face stays cheap (stix2 loads only when used).
if TYPE_CHECKING:
    from watchfloor.share.audience import audience_for as audience_for
    from watchfloor.share.collection import publish_bundle as publish_bundle
    from watchfloor.share.importer import import_limit as import_limit
    from watchfloor.share.importer import import_location as import_location
    from watchfloor.share.importer import import_payload as import_payload
    from watchfloor.share.service import Selection as Selection
    from watchfloor.share.service import export_stix as export_stix
    from watchfloor.share.taxii.client import import_collection as import_collection
    from watchfloor.share.taxii.server import TaxiiError as TaxiiError
    from watchfloor.share.taxii.server import make_app as make_app
    from watchfloor.share.taxii.server import taxii_routes as taxii_routes
    from watchfloor.share.taxii.tokens import TokenTable as TokenTable
    from watchfloor.share.taxii.tokens import table_authenticator as table_authenticator

_LAZY = {
    "Selection": "service",
    "TaxiiError": "taxii.server",
    "TokenTable": "taxii.tokens",
    "audience_for": "audience",
    "export_stix": "service",
    "import_collection": "taxii.client",
    "import_limit": "importer",
    "import_location": "importer",
    "import_payload": "importer",
    "make_app": "taxii.server",
    "taxii_routes": "taxii.server",
    "publish_bundle": "collection",
    "table_authenticator": "taxii.tokens",
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, __name__, _LAZY, name)
