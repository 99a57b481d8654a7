"""Our markings as STIX marking-definitions and back: TLP labels as the official TLP 2.0
objects, classification banners as statement markings. The TLP ids are data (tlp.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from watchfloor.datafiles import load_yaml
from watchfloor.errors import StixInputError, WatchfloorError
from watchfloor.publish.markings import Marking, parse_marking
from watchfloor.schemas import TlpFile
from watchfloor.share import ids
from watchfloor.share.config import DATA
from watchfloor.store.models import DEFAULT_MARKING


@dataclass(frozen=True)
class TlpTable:
    extension: str
    created: str
    ids: dict[str, str]  # label -> official TLP 2.0 id
    labels: dict[str, str]  # any accepted id (official or alias) -> label


@cache
def tlp_table() -> TlpTable:
    data = load_yaml(DATA / "tlp.yaml", TlpFile).model_dump()
    official = {str(k): str(v) for k, v in data["tlp2"].items()}
    labels = {v: k for k, v in official.items()}
    labels.update({str(k): str(v) for k, v in data["aliases"].items()})
    return TlpTable(str(data["extension"]), str(data["created"]), official, labels)


def tlp_definition(label: str) -> dict[str, Any]:
    """The TLP 2.0 marking-definition object for `label`, as OASIS publishes it."""
    table = tlp_table()
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": table.ids[label],
        "created": table.created,
        "name": f"TLP:{label}",
        "extensions": {
            table.extension: {"extension_type": "property-extension", "tlp_2_0": label.lower()}
        },
    }


def statement_definition(banner: str) -> dict[str, Any]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": ids.statement_marking(banner),
        "created": tlp_table().created,
        "definition_type": "statement",
        "definition": {"statement": banner},
    }


def definitions_for(marking: Marking) -> list[dict[str, Any]]:
    """The marking-definitions an object marked `marking` refers to (TLP first)."""
    out = []
    if marking.tlp:
        out.append(tlp_definition(marking.tlp))
    banner = marking.classification_banner()
    if banner:
        out.append(statement_definition(banner))
    return out


def refs_for(marking: Marking) -> list[str]:
    return [d["id"] for d in definitions_for(marking)]


def marking_of(refs: list[str], definitions: dict[str, dict[str, Any]], where: str) -> Marking:
    """Our marking for an object marked with `refs`, reading statement markings from the
    bundle's `definitions`; a ref we cannot read is an error (never silently unmarked)."""
    tlp: str | None = None
    banner: str | None = None
    for ref in refs:
        label = tlp_table().labels.get(ref) or _tlp_of(definitions.get(ref))
        if label:
            tlp = label
            continue
        statement = _statement_of(definitions.get(ref))
        if statement is None:
            raise StixInputError(
                f"{where}: marking {ref} is not a TLP marking nor a statement marking in the "
                "bundle; add its marking-definition or remove the reference"
            )
        banner = statement
    if tlp is None and banner is None:
        # Unmarked is not unrestricted here: it gets the store's default for new sources.
        return parse_marking(DEFAULT_MARKING)
    text = " ".join(x for x in (banner, f"TLP:{tlp}" if tlp else None) if x)
    try:
        return parse_marking(text)
    except WatchfloorError as exc:
        raise StixInputError(f"{where}: marking {text!r} is not one we read: {exc}") from None


def _tlp_of(definition: dict[str, Any] | None) -> str | None:
    if not definition:
        return None
    if definition.get("definition_type") == "tlp":
        value = str((definition.get("definition") or {}).get("tlp", "")).upper()
        return "CLEAR" if value == "WHITE" else value or None
    if definition.get("x_opencti_definition_type") == "TLP":
        return str(definition.get("x_opencti_definition", "")).removeprefix("TLP:") or None
    for ext in (definition.get("extensions") or {}).values():
        if isinstance(ext, dict) and "tlp_2_0" in ext:
            return str(ext["tlp_2_0"]).upper()
    return None


def _statement_of(definition: dict[str, Any] | None) -> str | None:
    if not definition or definition.get("definition_type") != "statement":
        return None
    statement = (definition.get("definition") or {}).get("statement")
    return str(statement) if statement else None
