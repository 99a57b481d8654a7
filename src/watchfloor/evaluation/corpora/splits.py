"""Which corpus documents may train the finder, and which are kept for scoring.

Fixed by a hash of the document id, never by content, so the split cannot drift toward what
the finder does well. The real-text set draws only documents that no training run sees; within
it, the held-out half is chosen the same way.
"""

from __future__ import annotations

import hashlib

# corpus -> share of documents (in 1/8ths) that may be used for training; the rest is scoring.
TRAIN_EIGHTHS: dict[str, int] = {
    "rams": 4,  # half for training, half for the RAMS score and the real-text set
    "gvdb": 6,
    "articles": 4,
    "muc4": 8,  # MUC-4 training messages (raw/dev) all train; TST1/TST2 are never read for it
    "wikievents": 0,  # development data only: never trained on
    "geneva": 8,
    "edos": 8,
}


def _bucket(corpus: str, doc_id: str, salt: str) -> int:
    digest = hashlib.sha1(f"{salt}:{corpus}:{doc_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 8


def trains_on(corpus: str, doc_id: str, article: str | None = None) -> bool:
    """True when the finder's training may read this document.

    `article` groups documents cut from one article (RAMS repeats a window of one article under
    several ids): the split then follows the article, so no copy lands on the other side.
    """
    return _bucket(corpus, article or doc_id, "train") < TRAIN_EIGHTHS.get(corpus, 0)


def realtext_split(corpus: str, doc_id: str) -> str:
    """`dev` or `heldout` for a document of the real-text set (half and half)."""
    return "heldout" if _bucket(corpus, doc_id, "realtext") < 4 else "dev"
