"""Folders given to `ingest` become the files inside them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from watchfloor.ingest.files import SUPPORTED_SUFFIXES


def iter_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Expand folders (recursively) into the supported files inside them, sorted.

    Paths named explicitly are passed through even with an unknown suffix or when missing, so
    `read_document` can sniff them or say what is wrong; hidden files and folders found while
    walking (".git", ".DS_Store") and links out of the folder are skipped.
    """
    seen: set[Path] = set()
    for path in paths:
        path = Path(path)
        if path.is_dir():
            root = path.resolve()  # a symbolic link may not lead out of the folder
            found = sorted(
                child
                for child in path.rglob("*")
                if child.is_file()
                and child.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in child.relative_to(path).parts)
                and child.resolve().is_relative_to(root)
            )
        else:
            found = [path]
        for item in found:
            if item not in seen:
                seen.add(item)
                yield item
