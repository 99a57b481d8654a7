"""Readers for the third-party corpora in ../shared/data, as plain documents with gold events.

Every reader gives `CorpusDocument`s: the document text (rebuilt deterministically from the
corpus's tokens where the corpus has no running text), its sentence spans, and its gold events
with character offsets into that text. The evaluation (real-text set, MUC-4, RAMS, WikiEvents)
and the finder's training recipe both read the corpora through here, so an offset written in a
label file means the same thing everywhere. Nothing here is ever copied into the repository.
"""

from __future__ import annotations

from watchfloor.evaluation.corpora.articles import read_articles
from watchfloor.evaluation.corpora.gvdb import read_gvdb
from watchfloor.evaluation.corpora.muc4raw import read_muc4_raw
from watchfloor.evaluation.corpora.rams import read_rams
from watchfloor.evaluation.corpora.records import (
    CorpusDocument,
    GoldArgument,
    GoldEvent,
    sentence_hash,
)
from watchfloor.evaluation.corpora.wikievents import read_wikievents

__all__ = [
    "CorpusDocument",
    "GoldArgument",
    "GoldEvent",
    "read_articles",
    "read_gvdb",
    "read_muc4_raw",
    "read_rams",
    "read_wikievents",
    "sentence_hash",
]
