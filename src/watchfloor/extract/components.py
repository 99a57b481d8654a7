"""The extract stage's spaCy components, registered by name.

`watchfloor_threat_triggers` runs one Matcher pass over the document for every lexicon at once
(triggers, status cues, hedges, methods, filters) and keeps the literal threat triggers on
`Doc._.threat_triggers`, with the cues on `Doc._.threat_cues`. `watchfloor_threat_statements`
then reads the parse only around those triggers and puts `ThreatStatement`s on
`Doc._.threat_statements`. Set `Doc._.published` before running them to resolve relative dates.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from watchfloor.extract.lexicon import Lexicon, load_lexicon
from watchfloor.extract.records import ThreatStatement
from watchfloor.extract.statements import StatementReader
from watchfloor.extract.syntax import Syntax
from watchfloor.extract.triggers import ThreatTriggers, Trigger

TRIGGERS = "watchfloor_threat_triggers"
STATEMENTS = "watchfloor_threat_statements"


def register_extensions() -> None:
    """The Doc attributes the components read and write (idempotent)."""
    for name in ("published", "threat_triggers", "threat_cues", "threat_statements"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register_extensions()


@Language.factory(
    TRIGGERS,
    default_config={"lexicon_dir": "", "article_end": True},
)
def make_threat_triggers(
    nlp: Language, name: str, lexicon_dir: str, article_end: bool
) -> ThreatTriggers:
    """Find literal threat triggers and the cues around them (one Matcher pass)."""
    return ThreatTriggers(nlp, name, lexicon_dir, article_end)


class ThreatStatements:
    """Turn each trigger into a ThreatStatement: actor, target, status, attribution and context."""

    def __init__(self, nlp: Language, name: str, lexicon_dir: str, max_np_tokens: int) -> None:
        self.name = name
        self.lex: Lexicon = load_lexicon(lexicon_dir)
        self.syn = Syntax(self.lex, max_np_tokens)

    def __call__(self, doc: Doc) -> Doc:
        triggers: list[Trigger] | None = doc._.threat_triggers
        if triggers is None:
            raise ValueError(
                f"{STATEMENTS} needs {TRIGGERS} to run first: add it to the pipeline before "
                f"{STATEMENTS}, or use watchfloor.extract.Extractor."
            )
        statements: list[ThreatStatement] = []
        if triggers:
            reader = StatementReader(
                doc, self.lex, self.syn, doc._.threat_cues or {}, doc._.published
            )
            statements = reader.statements(triggers)
        doc._.threat_statements = statements
        return doc


@Language.factory(
    STATEMENTS,
    default_config={"lexicon_dir": "", "max_np_tokens": 25},
)
def make_threat_statements(
    nlp: Language, name: str, lexicon_dir: str, max_np_tokens: int
) -> ThreatStatements:
    """Build threat statements around the triggers found by watchfloor_threat_triggers."""
    return ThreatStatements(nlp, name, lexicon_dir, max_np_tokens)
