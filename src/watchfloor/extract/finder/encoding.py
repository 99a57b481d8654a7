"""How a sentence and its neighbours become the encoder's input, the same in training and use.

The input is a pair: the sentence itself (segment 0), then the sentence before and the one after
it (segment 1) as context. Only the sentence's own word pieces are tagged; the context only
informs them. Lengths are capped so that one long sentence cannot blow up a batch: a sentence
longer than `max_sentence` pieces is cut (the caller says so), and the context gets what room
is left up to `max_total`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tokenizers import Tokenizer

CONTEXT_JOIN = " … "


@dataclass(frozen=True)
class Encoded:
    """One input row: ids, segments, and each sentence piece's character span in the sentence."""

    ids: list[int]
    segments: list[int]
    # (start, end) in the sentence for pieces of segment 0, None for specials and context.
    offsets: list[tuple[int, int] | None]
    truncated: bool


class Encoder:
    """Wraps a `tokenizers` WordPiece tokenizer; no padding, no truncation of its own."""

    def __init__(self, tokenizer: Tokenizer, max_sentence: int = 96, max_total: int = 144) -> None:
        self.tokenizer = tokenizer
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.max_sentence = max_sentence
        self.max_total = max_total
        vocab = tokenizer.get_vocab()
        self.cls = vocab["[CLS]"]
        self.sep = vocab["[SEP]"]
        self.pad = vocab["[PAD]"]

    def encode(self, sentence: str, before: str = "", after: str = "") -> Encoded:
        return self.encode_many([(sentence, before, after)])[0]

    def encode_many(self, rows: Sequence[tuple[str, str, str]]) -> list[Encoded]:
        sentences = self.tokenizer.encode_batch([r[0] for r in rows], add_special_tokens=False)
        contexts = self.tokenizer.encode_batch(
            [CONTEXT_JOIN.join(p for p in (r[1], r[2]) if p) for r in rows],
            add_special_tokens=False,
        )
        out = []
        for sentence, context in zip(sentences, contexts, strict=True):
            ids = sentence.ids[: self.max_sentence]
            offsets: list[tuple[int, int] | None] = list(sentence.offsets[: self.max_sentence])
            room = max(0, self.max_total - len(ids) - 3)
            extra = context.ids[:room]
            out.append(
                Encoded(
                    ids=[self.cls, *ids, self.sep, *extra, self.sep],
                    segments=[0] * (len(ids) + 2) + [1] * (len(extra) + 1),
                    offsets=[None, *offsets, None] + [None] * (len(extra) + 1),
                    truncated=len(sentence.ids) > self.max_sentence,
                )
            )
        return out


def pad_batch(
    rows: Sequence[Encoded], pad: int
) -> tuple[list[list[int]], list[list[int]], list[list[int]]]:
    """ids, attention mask and segments, padded to the longest row."""
    width = max(len(r.ids) for r in rows)
    ids = [r.ids + [pad] * (width - len(r.ids)) for r in rows]
    mask = [[1] * len(r.ids) + [0] * (width - len(r.ids)) for r in rows]
    segments = [r.segments + [0] * (width - len(r.segments)) for r in rows]
    return ids, mask, segments
