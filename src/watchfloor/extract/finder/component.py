"""`watchfloor_threat_finder`: the trained finder as a spaCy component after the rules.

It reads the statements the rules put on `Doc._.threat_statements`, chooses the sentences the
encoder must see (every sentence with a rules trigger, and those the gate passes), reads them in
batches across documents (`pipe`), and puts the combined statements back. What it skipped or cut
is counted on `Doc._.finder_notes`, so a caller can say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from watchfloor.extract.finder.combine import ReadSentence, combine
from watchfloor.extract.finder.config import FinderConfig, load_config
from watchfloor.extract.finder.gate import Gate
from watchfloor.extract.finder.model import PACKAGED, FinderModel
from watchfloor.extract.finder.sentences import sentence_spans
from watchfloor.extract.lexicon import load_lexicon
from watchfloor.extract.syntax import Syntax
from watchfloor.extract.triggers import ARTICLE_END

FINDER = "watchfloor_threat_finder"
GATE_FILE = "gate.json"


def register_extensions() -> None:
    if not Doc.has_extension("finder_notes"):
        Doc.set_extension("finder_notes", default=None)


@cache
def _model(folder: str, threads: int) -> FinderModel:
    return FinderModel.load(Path(folder), threads=threads)


class ThreatFinder:
    def __init__(
        self, nlp: Language, name: str, model_dir: str, lexicon_dir: str, max_np_tokens: int
    ) -> None:
        register_extensions()
        self.name = name
        self.folder = Path(model_dir) if model_dir else PACKAGED
        self.config: FinderConfig = load_config()
        self.model = _model(str(self.folder), self.config.threads)
        gate_file = self.folder / GATE_FILE
        self.gate = Gate.load(gate_file) if self.config.use_gate and gate_file.is_file() else None
        self.lex = load_lexicon(lexicon_dir)
        self.syn = Syntax(self.lex, max_np_tokens)

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._process(batch)
                batch = []
        if batch:
            yield from self._process(batch)

    def _candidates(self, doc: Doc) -> list[tuple[int, int, str, str, str]]:
        triggers = doc._.threat_triggers or []
        trigger_chars = [doc[t.start].idx for t in triggers]
        spans = sentence_spans(doc)
        article_end = doc.user_data.get(ARTICLE_END, len(doc.text))
        chosen = []
        for index, (start, end) in enumerate(spans):
            if start >= article_end:
                break
            text = doc.text[start:end]
            has_trigger = any(start <= c < end for c in trigger_chars)
            if not has_trigger and self.gate is not None and not self.gate.passes(text):
                continue
            before = doc.text[spans[index - 1][0] : spans[index - 1][1]] if index else ""
            after = (
                doc.text[spans[index + 1][0] : spans[index + 1][1]]
                if index + 1 < len(spans)
                else ""
            )
            if not self.config.context:
                before = after = ""
            chosen.append((start, end, text, " ".join(before.split()), " ".join(after.split())))
        return chosen

    def _process(self, docs: list[Doc]) -> Iterator[Doc]:
        per_doc = [self._candidates(doc) for doc in docs]
        rows = [(text, before, after) for chosen in per_doc for _, _, text, before, after in chosen]
        readings = iter(self.model.predict(rows, batch_size=self.config.batch_size))
        for doc, chosen in zip(docs, per_doc, strict=True):
            read = [
                ReadSentence(start, end, next(readings), text) for start, end, text, *_ in chosen
            ]
            doc._.finder_notes = {
                "sentences_read": len(read),
                "sentences": len(sentence_spans(doc)),
                "truncated": sum(r.reading.truncated for r in read),
            }
            doc._.threat_statements = combine(
                doc, doc._.threat_statements or [], read, self.config, self.lex, self.syn
            )
            yield doc


@Language.factory(FINDER, default_config={"model_dir": "", "lexicon_dir": "", "max_np_tokens": 25})
def make_threat_finder(
    nlp: Language, name: str, model_dir: str, lexicon_dir: str, max_np_tokens: int
) -> ThreatFinder:
    """The trained finder, combined with the rules' statements (runs after them)."""
    return ThreatFinder(nlp, name, model_dir, lexicon_dir, max_np_tokens)
