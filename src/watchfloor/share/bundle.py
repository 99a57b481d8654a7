"""Assembling a bundle for one audience: every object passes the one access decision for the
audience's reader, references to what was withheld are cut, and the result is parsed by the
OASIS `stix2` library so that what leaves is well-formed STIX 2.1."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import stix2

from watchfloor.publish.access import decide
from watchfloor.publish.markings import Marking
from watchfloor.publish.rollup import rollup
from watchfloor.share import stixmarkings
from watchfloor.share.audience import Audience
from watchfloor.share.ids import NAMESPACE

# Properties that point at other objects; a pointer to a withheld object is removed.
_LIST_REFS = ("object_refs", "where_sighted_refs", "observed_data_refs")
_ONE_REFS = ("source_ref", "target_ref", "sighting_of_ref")


def marking_refs(obj: dict[str, Any]) -> list[str]:
    refs = list(obj.get("object_marking_refs") or ())
    refs += [g["marking_ref"] for g in obj.get("granular_markings") or () if "marking_ref" in g]
    return refs


def references(obj: dict[str, Any]) -> set[str]:
    """Every object id `obj` refers to (markings and its author included)."""
    out = {obj[k] for k in _ONE_REFS if obj.get(k)}
    for key in _LIST_REFS:
        out.update(obj.get(key) or ())
    if obj.get("created_by_ref"):
        out.add(obj["created_by_ref"])
    out.update(marking_refs(obj))
    return out


@dataclass
class BundleBuilder:
    audience: Audience
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    markings: dict[str, list[Marking]] = field(default_factory=dict)
    withheld: set[str] = field(default_factory=set)
    granular_definitions: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, obj: dict[str, Any], marking: Marking) -> str:
        """Queue `obj` marked `marking`; an object added twice (an actor in two threads) is
        marked with the roll-up of both."""
        self.objects.setdefault(obj["id"], obj)
        self.markings.setdefault(obj["id"], []).append(marking)
        return str(obj["id"])

    def mark_portion(self, obj: dict[str, Any], selector: str, marking: Marking) -> None:
        """Mark the part `selector` of `obj` (a granular marking per marking-definition)."""
        for definition in stixmarkings.definitions_for(marking):
            self.granular_definitions[definition["id"]] = definition
            obj.setdefault("granular_markings", []).append(
                {"marking_ref": definition["id"], "selectors": [selector]}
            )

    def _granular(self, obj: dict[str, Any]) -> None:
        """Granular markings under the official TLP 2.0 ids; one we cannot define is dropped
        (the object as a whole already carries the roll-up of its portions)."""
        if "granular_markings" not in obj:
            return
        labels = stixmarkings.tlp_table().labels
        out = []
        for granular in obj["granular_markings"]:
            ref = granular.get("marking_ref", "")
            if ref in labels:
                definition = stixmarkings.tlp_definition(labels[ref])
                self.granular_definitions[definition["id"]] = definition
                out.append({**granular, "marking_ref": definition["id"]})
            elif ref in self.granular_definitions:
                out.append(granular)
        if out:
            obj["granular_markings"] = out
        else:
            del obj["granular_markings"]

    def allowed(self, marking: Marking, **limits: frozenset[str]) -> bool:
        a = self.audience
        return decide(a.reader, marking, policy=a.policy, **limits).allowed

    def build(self) -> dict[str, Any]:
        """The bundle: decided, pruned of dangling references, checked by `stix2`."""
        kept: dict[str, dict[str, Any]] = {}
        definitions: dict[str, dict[str, Any]] = {}
        for object_id, obj in self.objects.items():
            marking = rollup(self.markings[object_id])
            if not self.allowed(marking):
                self.withheld.add(object_id)
                continue
            for definition in stixmarkings.definitions_for(marking):
                definitions[definition["id"]] = definition
            kept[object_id] = {**obj, "object_marking_refs": stixmarkings.refs_for(marking)}
            self._granular(kept[object_id])
        used = {ref for obj in kept.values() for ref in marking_refs(obj)}
        for ref, definition in self.granular_definitions.items():
            if ref in used:
                definitions.setdefault(ref, definition)
        kept = prune(kept, set(definitions))
        return make_bundle([*definitions.values(), *kept.values()])


def prune(objects: dict[str, dict[str, Any]], known: set[str]) -> dict[str, dict[str, Any]]:
    """Drop references to objects not kept; drop relationships that lose an end, repeatedly."""
    changed = True
    while changed:
        changed = False
        present = set(objects) | known
        for object_id, obj in list(objects.items()):
            if any(obj.get(k) and obj[k] not in present for k in _ONE_REFS):
                del objects[object_id]
                changed = True
                continue
            for key in _LIST_REFS:
                if key in obj:
                    refs = [r for r in obj[key] if r in present]
                    if not refs:
                        del objects[object_id]
                        changed = True
                        break
                    obj[key] = refs
    return objects


def make_bundle(objects: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A bundle of `objects`, each parsed by `stix2` (custom x_ properties allowed); its id is
    derived from the objects' ids and versions, so the same content gives the same bundle."""
    parsed = [stix2.parse(obj, allow_custom=True) for obj in objects]
    serialized = [json.loads(p.serialize()) for p in parsed]
    serialized.sort(key=lambda o: (o["type"] != "marking-definition", o["type"], o["id"]))
    key = ",".join(f"{o['id']}@{o.get('modified', '')}" for o in serialized)
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid5(NAMESPACE, key)}",
        "objects": serialized,
    }
