"""The sentences the finder reads: the parser's sentences, cut again at a line break that starts
a new line of text (a headline, a dateline, a list item), as the rules read them."""

from __future__ import annotations

from spacy.tokens import Doc


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the document's sentences, whitespace trimmed, empty ones dropped."""
    cached = doc.user_data.get("watchfloor_sentences")
    if cached is not None:
        return cached
    spans: list[tuple[int, int]] = []
    for sent in doc.sents:
        start = sent.start
        for i in range(sent.start, sent.end):
            token = doc[i]
            breaks = token.is_space and "\n" in token.text and i + 1 < sent.end
            if breaks and not doc[i + 1].text[:1].islower():
                _add(doc, spans, start, i)
                start = i + 1
        _add(doc, spans, start, sent.end)
    doc.user_data["watchfloor_sentences"] = spans
    return spans


def _add(doc: Doc, spans: list[tuple[int, int]], first: int, last: int) -> None:
    while first < last and doc[first].is_space:
        first += 1
    while last > first and doc[last - 1].is_space:
        last -= 1
    if last > first and any(t.is_alpha for t in doc[first:last]):
        spans.append((doc[first].idx, doc[last - 1].idx + len(doc[last - 1].text)))
