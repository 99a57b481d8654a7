"""Documents into the store: read, skip exact repeats, analyze, store with statements, quarantine.

One document is one transaction (the document, its raw bytes, its statements and its cluster),
so a run that is killed part way leaves every document either fully stored or not at all, and
running it again stores exactly the ones that were missing. A document that cannot be read or
analyzed goes to the `failures` table and the run goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from watchfloor.errors import InputError, PipelineNotFound, WatchfloorError
from watchfloor.ingest.neardup import Fingerprinter
from watchfloor.ingest.records import Document
from watchfloor.store import repository as repo
from watchfloor.store.engine import transaction
from watchfloor.store.models import DEFAULT_MARKING, DEFAULT_RELIABILITY, Source, utcnow

if TYPE_CHECKING:
    from watchfloor.warn.records import Finding

log = logging.getLogger(__name__)

AnalyzeMany = Callable[[list[Document], "date | None"], Iterable[tuple[Document, list["Finding"]]]]
# Called inside a newly stored document's transaction with its id (the later stages: assess,
# warn). It sees the document and its statements; if it fails, neither is stored.
AfterStore = Callable[[Session, int], None]


@dataclass(frozen=True)
class SourceSpec:
    """The source documents are filed under, created with these settings the first time."""

    name: str
    kind: str = "site"
    reliability: str = DEFAULT_RELIABILITY
    marking: str = DEFAULT_MARKING
    url: str | None = None


@dataclass(frozen=True)
class Item:
    """One thing to ingest: where it is and how to read it."""

    location: str
    load: Callable[[], Document]
    # The raw bytes when `load` fails, so that the failure keeps them (None: not available).
    raw: Callable[[], bytes | None] | None = None
    source: SourceSpec | None = None


@dataclass(frozen=True)
class Outcome:
    location: str
    status: Literal["stored", "repeat", "failed"]
    document_id: int | None = None
    statements: int = 0
    cluster_id: int | None = None
    reason: str | None = None
    # A stored document's date and where it came from ("2026-03-02 from its dateline");
    # None when it had none and was dated by the day of ingest.
    dated: str | None = None


@dataclass
class Summary:
    stored: int = 0
    repeats: int = 0
    failed: int = 0
    statements: int = 0

    def add(self, outcome: Outcome) -> None:
        if outcome.status == "stored":
            self.stored += 1
            self.statements += outcome.statements
        elif outcome.status == "repeat":
            self.repeats += 1
        else:
            self.failed += 1

    @property
    def nothing_ingested(self) -> bool:
        """True when not one input is now in the store (neither newly stored nor already there)."""
        return self.stored + self.repeats == 0

    def line(self) -> str:
        return (
            f"{self.stored} stored, {self.repeats} repeats, {self.failed} failed, "
            f"{self.statements} statements"
        )


def file_item(path: Path, max_bytes: int, source: SourceSpec | None = None) -> Item:
    from watchfloor.ingest.files import read_document

    def raw() -> bytes | None:
        try:
            if path.is_file() and path.stat().st_size <= max_bytes:
                return path.read_bytes()
        except OSError:
            return None
        return None

    return Item(str(path), lambda: read_document(path, max_bytes=max_bytes), raw, source)


class Ingestor:
    """Runs items through analysis into the store, one transaction per document."""

    def __init__(
        self,
        engine: Engine,
        source: SourceSpec,
        *,
        analyze: AnalyzeMany | None,
        published: date | None = None,
        fingerprinter: Fingerprinter | None = None,
        batch_size: int = 16,
        after_store: AfterStore | None = None,
    ) -> None:
        self.engine = engine
        self.after_store = after_store
        self.source = source
        self.analyze = analyze
        self.published = published
        self.fingerprinter = fingerprinter
        self.batch_size = batch_size
        self._sources: dict[str, Source] = {}

    def run(self, items: Iterable[Item]) -> Iterator[Outcome]:
        """Ingest every item; yields one Outcome per item, in order of completion."""
        batch: list[Item] = []
        for item in items:
            batch.append(item)
            if len(batch) >= self.batch_size:
                yield from self._batch(batch)
                batch = []
        if batch:
            yield from self._batch(batch)

    # -- one batch -------------------------------------------------------------------------

    def _batch(self, items: list[Item]) -> Iterator[Outcome]:
        read: list[tuple[Item, Document, datetime]] = []
        for item in items:
            retrieved = utcnow()
            try:
                document = item.load()
            except WatchfloorError as exc:
                yield self._quarantine(item, _reason(exc), raw=item.raw() if item.raw else None)
                continue
            except Exception:  # a reader's bug on one input must not stop the others
                log.exception("reading %s failed", item.location)
                yield self._quarantine(item, "could not be read: " + _exception_reason())
                continue
            read.append((item, document, retrieved))
        if not read:
            return
        with transaction(self.engine) as session:
            known = repo.document_ids_for_shas(session, [d.sha256 for _, d, _ in read])
            for item, document, _ in read:
                if document.sha256 in known:
                    repo.resolve_failure(session, item.location, known[document.sha256])
        loaded: list[tuple[Item, Document, datetime]] = []
        for entry in read:
            item, document, _ = entry
            if document.sha256 in known:
                # Same bytes as a stored document: nothing to analyze or store again.
                yield Outcome(item.location, "repeat", known[document.sha256])
            else:
                loaded.append(entry)
        if not loaded:
            return
        for (item, document, retrieved), findings in self._analyze(loaded):
            if isinstance(findings, str):
                yield self._quarantine(item, findings, document=document)
                continue
            yield self._store(item, document, findings, retrieved)

    def _analyze(
        self, loaded: list[tuple[Item, Document, datetime]]
    ) -> Iterator[tuple[tuple[Item, Document, datetime], list[Finding] | str]]:
        """Findings per document, or the reason analysis failed for that document."""
        if self.analyze is None:
            for entry in loaded:
                yield entry, []
            return
        documents = [document for _, document, _ in loaded]
        try:
            results = list(self.analyze(documents, self.published))
        except PipelineNotFound:
            raise  # a configuration problem, not a bad document: stop and say so
        except Exception:  # one bad document must not sink its batch
            if len(loaded) == 1:
                log.exception("analysis failed for %s", loaded[0][0].location)
                yield loaded[0], "analysis failed: " + _exception_reason()
                return
            # Find the culprit by analyzing the batch one document at a time.
            for entry in loaded:
                yield from self._analyze([entry])
            return
        for entry, (_, findings) in zip(loaded, results, strict=True):
            yield entry, findings

    def _store(
        self, item: Item, document: Document, findings: list[Finding], retrieved: datetime
    ) -> Outcome:
        fingerprint = self.fingerprinter.fingerprint(document.text) if self.fingerprinter else None
        near = self.fingerprinter.policy if self.fingerprinter else None
        try:
            source = self._source(item.source or self.source)
            with transaction(self.engine) as session:
                result = repo.add_document_with_statements(
                    session,
                    document,
                    findings,
                    source=source,
                    location=item.location,
                    published=self.published,
                    retrieved=retrieved,
                    fingerprint=fingerprint,
                    near=near,
                    analyzed=self.analyze is not None,
                )
                repo.resolve_failure(session, item.location, result.document_id)
                if result.status == "stored" and self.after_store is not None:
                    self._after_store(session, item, result.document_id)
        except WatchfloorError as exc:
            return self._quarantine(item, _reason(exc), document=document)
        except (IntegrityError, DataError) as exc:
            # Values this database refuses (a statement field out of range, say) are a problem
            # of this document; the next one may be fine.
            return self._quarantine(item, f"refused by the database: {exc.orig}", document=document)
        return Outcome(
            item.location,
            result.status,
            result.document_id,
            result.statements if result.status == "stored" else 0,
            result.cluster_id,
            dated=self._dated(document),
        )

    def _dated(self, document: Document) -> str | None:
        if self.published is not None:
            return f"{self.published.isoformat()} (--published)"
        if document.published is None:
            return None
        return f"{document.published.isoformat()} from its {document.dated_by or 'metadata'}"

    def _after_store(self, session: Session, item: Item, document_id: int) -> None:
        assert self.after_store is not None
        try:
            self.after_store(session, document_id)
        except (WatchfloorError, IntegrityError, DataError):
            raise
        except Exception as exc:
            # Like a failed analysis: this document is quarantined, the run goes on.
            log.exception("processing after storing failed for %s", item.location)
            raise WatchfloorError(
                f"assessment failed after storing: {type(exc).__name__}: {exc}"
            ) from exc

    def _source(self, spec: SourceSpec) -> Source:
        # Its own transaction: a document that fails later must not roll back a source that
        # the cache already hands out.
        cached = self._sources.get(spec.name)
        if cached is None:
            with transaction(self.engine) as session:
                cached = repo.get_or_create_source(
                    session, spec.name, spec.kind, spec.reliability, spec.marking, spec.url
                )
            self._sources[spec.name] = cached
        return cached

    def _quarantine(
        self,
        item: Item,
        reason: str,
        *,
        raw: bytes | None = None,
        document: Document | None = None,
    ) -> Outcome:
        sha256 = document.sha256 if document else None
        if document is not None:
            raw = document.raw or None
        if raw is not None and sha256 is None:
            import hashlib

            sha256 = hashlib.sha256(raw).hexdigest()
        log.warning("quarantined %s: %s", item.location, reason)
        with transaction(self.engine) as session:
            repo.quarantine(
                session,
                item.location,
                reason,
                source_name=(item.source or self.source).name,
                sha256=sha256,
                raw=raw,
            )
        return Outcome(item.location, "failed", reason=reason)


def _reason(exc: WatchfloorError) -> str:
    if isinstance(exc, InputError):
        return exc.problem
    return str(exc)


def _exception_reason() -> str:
    import sys

    exc = sys.exc_info()[1]
    return f"{type(exc).__name__}: {exc}" if exc else "unknown error"


def retry_items(
    engine: Engine,
    max_bytes: int,
    fetch: Callable[[str], Document] | None = None,
) -> list[Item]:
    """One item per unresolved failure: read its location again, else its kept raw bytes."""
    from watchfloor.ingest.files import document_from_bytes, read_document

    with transaction(engine) as session:
        failures = [(f.location, f.sha256, f.source_name) for f in repo.list_failures(session)]

    def loader(location: str, sha256: str | None) -> Callable[[], Document]:
        def load() -> Document:
            try:
                if _is_url(location):
                    if fetch is None:
                        raise InputError(location, "cannot fetch URLs in this run")
                    return fetch(location)
                return read_document(Path(location), max_bytes=max_bytes)
            except InputError:
                if sha256 is None:
                    raise
                with transaction(engine) as session:
                    raw = repo.blob_bytes(session, sha256)
                if raw is None:
                    raise
                # The location is gone or still unreadable: try the bytes kept at the time.
                return document_from_bytes(raw, location, max_bytes=max_bytes)

        return load

    return [
        Item(location, loader(location, sha256), None, SourceSpec(source_name))
        for location, sha256, source_name in failures
    ]


def _is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))
