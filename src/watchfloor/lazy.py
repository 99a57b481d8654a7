"""Names a package or module re-exports from a submodule, imported only when first asked for
(a module-level `__getattr__`): the public face stays whole without importing every stage's
machinery, or closing an import circle, at start-up."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any


def lazy_attribute(owner: str, package: str, table: Mapping[str, str], name: str) -> Any:
    """`name` from the module `package.table[name]`; AttributeError, as Python words it, for a
    name `owner` does not re-export. A table entry "module:attribute" re-exports under `name`
    an attribute whose own name would be too plain on the face (`audit:verify` as
    `verify_audit`)."""
    where = table.get(name)
    if where is None:
        raise AttributeError(f"module {owner!r} has no attribute {name!r}")
    module, _, attribute = where.partition(":")
    return getattr(importlib.import_module(f"{package}.{module}"), attribute or name)
