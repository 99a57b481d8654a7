"""ingest: files, URLs, feeds and STIX bundles become Documents."""

from watchfloor.ingest.records import Document

__all__ = ["Document"]
