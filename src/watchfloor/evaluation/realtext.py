"""The real-text set: sentences of real reporting from ../shared/data, labelled in our scheme.

The corpora's text may not enter the repository, so a label file holds only pointers and
labels: which corpus and document, the sentence's character span in the text the corpus reader
gives (`watchfloor.evaluation.corpora`), a fingerprint of that sentence, and per statement the
act, status, the spans of trigger, target and actor, the protectee and whether a warning is
owed. Sentences with no statement are the negatives; `kind` says what sort (figurative, fiction,
other). Every document belongs to one split, `dev` or `heldout`: held-out documents are scored
only for the record and nothing is ever tuned to them.

Labels are written in a readable working form (sentences and phrases as text, outside the
repository) and compiled into the committed form:

    python -m watchfloor.evaluation.realtext compile WORK.yaml OUT.yaml
    python -m watchfloor.evaluation.realtext show OUT.yaml      # labels over the real text
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from watchfloor.datafiles import as_input_error, read_yaml
from watchfloor.errors import InputError
from watchfloor.evaluation.corpora import (
    CorpusDocument,
    read_articles,
    read_gvdb,
    read_muc4_raw,
    read_rams,
    read_wikievents,
    sentence_hash,
)
from watchfloor.extract.records import ACTS, STATUSES

SHARED_DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
SPLITS = ("dev", "heldout")
KINDS = ("threat", "violence", "figurative", "fiction", "other")
# Where each corpus lives under ../shared/data, and how it is read. MUC-4 is its development set
# (TST1, TST2) only: its training messages train the finder.
READERS: dict[str, tuple[str, Callable[[Path], Iterable[CorpusDocument]]]] = {
    "rams": ("events/rams", read_rams),
    "wikievents": ("events/wikievents", read_wikievents),
    "gvdb": ("events/gvdb", read_gvdb),
    "muc4": ("muc4/raw", lambda path: read_muc4_raw(path, "dev")),
    # Messages of MUC-4's training part reserved for the set (threats are rare elsewhere); the
    # finder's training skips every document a label file names.
    "muc4train": ("muc4/raw", lambda path: read_muc4_raw(path, "train")),
    "articles": ("article-extraction", read_articles),
}


@dataclass(frozen=True)
class RealStatement:
    act: str
    status: str
    trigger: tuple[int, int]
    target: tuple[int, int] | None
    actor: tuple[int, int] | None
    protectee: str | None
    duty_to_warn: bool


@dataclass(frozen=True)
class RealSentence:
    start: int
    end: int
    kind: str
    statements: tuple[RealStatement, ...]

    @property
    def negative(self) -> bool:
        return not self.statements


@dataclass(frozen=True)
class RealDocument:
    corpus: str
    doc_id: str
    split: str
    text: str
    published: date | None
    sentences: tuple[RealSentence, ...]


@dataclass(frozen=True)
class RealFile:
    path: Path
    corpus: str
    watchlist: Path | None
    documents: tuple[RealDocument, ...]


@cache
def _corpus(corpus: str, data: Path) -> dict[str, CorpusDocument]:
    if corpus not in READERS:
        raise InputError(f"corpus {corpus!r}", f"use one of {', '.join(READERS)}")
    folder, reader = READERS[corpus]
    return {d.doc_id: d for d in reader(data / folder)}


def labelled_documents(directory: Path) -> set[tuple[str, str]]:
    """(corpus, doc id) of every document the label files of `directory` name, without reading
    the corpora: what the finder's training must never see."""
    named: set[tuple[str, str]] = set()
    for path in sorted(directory.glob("*.yaml")):
        if path.name.endswith(".watchlist.yaml"):
            continue
        raw = _yaml(path)
        for item in raw.get("documents") or []:
            named.add((str(raw.get("corpus")), str(item.get("doc"))))
    return named


def corpus_document(corpus: str, doc_id: str, data: Path = SHARED_DATA) -> CorpusDocument:
    documents = _corpus(corpus, data)
    if doc_id not in documents:
        raise InputError(f"{corpus} document {doc_id!r}", "not in the corpus; check the id")
    return documents[doc_id]


# --- the committed form ---------------------------------------------------------------------


def load_realtext(directory: Path, data: Path = SHARED_DATA) -> list[RealFile]:
    """Every `*.yaml` label file of `directory` (watchlists excepted), resolved against `data`."""
    files = sorted(p for p in directory.glob("*.yaml") if not p.name.endswith(".watchlist.yaml"))
    if not files:
        raise InputError(str(directory), "holds no label files (*.yaml)")
    return [load_file(path, data) for path in files]


def load_file(path: Path, data: Path = SHARED_DATA) -> RealFile:
    raw = _yaml(path)
    corpus = _field(path, raw, "corpus", str)
    watchlist = raw.get("watchlist")
    documents = tuple(
        _document(f"{path}: documents[{i}]", corpus, item, data)
        for i, item in enumerate(_field(path, raw, "documents", list))
    )
    seen: set[str] = set()
    for document in documents:
        if document.doc_id in seen:
            raise InputError(str(path), f"document {document.doc_id!r} is listed twice")
        seen.add(document.doc_id)
    return RealFile(path, corpus, path.parent / watchlist if watchlist else None, documents)


def _document(where: str, corpus: str, item: Any, data: Path) -> RealDocument:
    if not isinstance(item, dict):
        raise InputError(where, "must be a mapping with doc, split and sentences")
    doc_id = str(_field(where, item, "doc", (str, int)))
    split = _field(where, item, "split", str)
    if split not in SPLITS:
        raise InputError(where, f"split {split!r}: use dev or heldout")
    source = corpus_document(corpus, doc_id, data)
    published = item.get("published") or source.published
    sentences = tuple(
        _sentence(f"{where}.sentences[{i}]", source.text, s)
        for i, s in enumerate(_field(where, item, "sentences", list))
    )
    return RealDocument(corpus, doc_id, split, source.text, published, sentences)


def _sentence(where: str, text: str, item: Any) -> RealSentence:
    start, end = _pair(where, item.get("at"), "at")
    if end > len(text):
        raise InputError(where, f"sentence span {start}-{end} lies past the end of the text")
    if item.get("sha") != sentence_hash(text[start:end]):
        raise InputError(where, "the sentence's text has changed since it was labelled (sha)")
    kind = item.get("kind", "threat" if item.get("statements") else "other")
    if kind not in KINDS:
        raise InputError(where, f"kind {kind!r}: use one of {', '.join(KINDS)}")
    statements = tuple(
        _statement(f"{where}.statements[{i}]", s)
        for i, s in enumerate(item.get("statements") or [])
    )
    for statement in statements:
        if not start <= statement.trigger[0] < statement.trigger[1] <= end:
            raise InputError(where, "a trigger lies outside its sentence")
    return RealSentence(start, end, kind, statements)


def _statement(where: str, item: Any) -> RealStatement:
    act, status = item.get("act"), item.get("status")
    if act not in ACTS:
        raise InputError(where, f"act {act!r}: use one of {', '.join(ACTS)}")
    if status not in STATUSES:
        raise InputError(where, f"status {status!r}: use one of {', '.join(STATUSES)}")
    warn = item.get("duty_to_warn")
    if not isinstance(warn, bool):
        raise InputError(where, "duty_to_warn must be true or false")
    return RealStatement(
        act=act,
        status=status,
        trigger=_pair(where, item.get("trigger"), "trigger"),
        target=_pair(where, item["target"], "target") if item.get("target") else None,
        actor=_pair(where, item["actor"], "actor") if item.get("actor") else None,
        protectee=item.get("protectee"),
        duty_to_warn=warn,
    )


def _pair(where: str, value: Any, name: str) -> tuple[int, int]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) for v in value)
        or not 0 <= value[0] < value[1]
    ):
        raise InputError(where, f"`{name}` must be [start, end] character offsets, start < end")
    return value[0], value[1]


def _yaml(path: Path) -> dict[str, Any]:
    raw = read_yaml(path, error=as_input_error)
    if not isinstance(raw, dict):
        raise InputError(str(path), "must be a mapping with corpus and documents")
    return raw


def _field(where: object, raw: dict[str, Any], key: str, kind: Any) -> Any:
    value = raw.get(key)
    if not isinstance(value, kind):
        raise InputError(str(where), f"needs `{key}`")
    return value


# --- the working form -----------------------------------------------------------------------


def _find(
    where: str, haystack: str, needle: str, offset: int, occurrence: int = 1
) -> tuple[int, int]:
    """Whole-word, whitespace-tolerant search (MUC-4 breaks lines inside sentences)."""
    words = needle.split()
    if not words:
        raise InputError(where, "an empty phrase")
    left = r"(?<!\w)" if words[0][:1].isalnum() else ""
    right = r"(?!\w)" if words[-1][-1:].isalnum() else ""
    pattern = left + r"\s+".join(re.escape(w) for w in words) + right
    hits = list(re.finditer(pattern, haystack))
    if len(hits) < occurrence:
        raise InputError(where, f"{needle!r} occurs {len(hits)} times, not {occurrence}")
    return offset + hits[occurrence - 1].start(), offset + hits[occurrence - 1].end()


def compile_working(path: Path, data: Path = SHARED_DATA) -> dict[str, Any]:
    """The committed form of a working file (sentences and phrases written out as text)."""
    raw = _yaml(path)
    corpus = _field(path, raw, "corpus", str)
    out: dict[str, Any] = {"corpus": corpus}
    if raw.get("watchlist"):
        out["watchlist"] = raw["watchlist"]
    out["documents"] = [
        _compile_document(f"{path}: {item.get('doc')}", corpus, item, data)
        for item in _field(path, raw, "documents", list)
    ]
    return out


def _compile_document(where: str, corpus: str, item: dict[str, Any], data: Path) -> dict[str, Any]:
    source = corpus_document(corpus, str(item["doc"]), data)
    out: dict[str, Any] = {"doc": str(item["doc"]), "split": item["split"]}
    if item.get("published"):
        out["published"] = item["published"]
    out["sentences"] = []
    for s in item.get("sentences") or []:
        start, end = _find(where, source.text, s["sentence"], 0, s.get("occurrence", 1))
        sentence: dict[str, Any] = {
            "at": [start, end],
            "sha": sentence_hash(source.text[start:end]),
        }
        if s.get("kind"):
            sentence["kind"] = s["kind"]
        if s.get("note"):
            sentence["note"] = s["note"]
        statements = []
        for st in s.get("statements") or []:
            here = f"{where} / {s['sentence'][:40]!r}"
            inside = source.text[start:end]
            compiled: dict[str, Any] = {"act": st["act"], "status": st["status"]}
            for name in ("trigger", "target", "actor"):
                if st.get(name):
                    a, b = _find(here, inside, st[name], start, st.get(f"{name}_occurrence", 1))
                    compiled[name] = [a, b]
            compiled["protectee"] = st.get("protectee")
            compiled["duty_to_warn"] = bool(st.get("duty_to_warn", False))
            if st.get("note"):
                compiled["note"] = st["note"]
            statements.append(compiled)
        if statements:
            sentence["statements"] = statements
        out["sentences"].append(sentence)
    return out


def show(path: Path, data: Path = SHARED_DATA) -> Iterator[str]:
    """The labels of a committed file over the real text, for review."""
    labelled = load_file(path, data)
    for document in labelled.documents:
        yield f"## {document.corpus} {document.doc_id} ({document.split}, {document.published})"
        for sentence in document.sentences:
            text = " ".join(document.text[sentence.start : sentence.end].split())
            yield f"- [{sentence.kind}] {text}"
            for s in sentence.statements:

                def part(span: tuple[int, int] | None, d: RealDocument = document) -> str:
                    return " ".join(d.text[span[0] : span[1]].split()) if span else "-"

                yield (
                    f"    {s.act}/{s.status} trigger={part(s.trigger)!r} target={part(s.target)!r}"
                    f" actor={part(s.actor)!r} protectee={s.protectee} warn={s.duty_to_warn}"
                )


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "compile":
        compiled = compile_working(Path(argv[1]))
        Path(argv[2]).write_text(
            "# Labels over ../shared/data (offsets only; see watchfloor/evaluation/realtext.py).\n"
            + yaml.safe_dump(
                compiled, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
            ),
            encoding="utf-8",
        )
        return 0
    if len(argv) == 2 and argv[0] == "show":
        for line in show(Path(argv[1])):
            print(line)
        return 0
    print("usage: python -m watchfloor.evaluation.realtext compile WORK.yaml OUT.yaml | show FILE")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
