"""Turn a corpus's token lists back into running text, with each token's character offsets.

The rebuild is deterministic (the same tokens always give the same text), so label files can
point into it by offset. It undoes the usual treebank splits: no space before closing
punctuation, clitics ("'s", "n't") and after opening brackets and quotes.
"""

from __future__ import annotations

from collections.abc import Sequence

NO_SPACE_BEFORE = frozenset(
    {
        ",",
        ".",
        ";",
        ":",
        "!",
        "?",
        "%",
        ")",
        "]",
        "}",
        "'s",
        "'S",
        "n't",
        "N'T",
        "'re",
        "'ve",
        "'m",
        "'ll",
        "'d",
        "’s",
        "’",
        "''",
        "”",
        "...",
        "'",
    }
)
NO_SPACE_AFTER = frozenset({"(", "[", "{", "$", "``", "“", "#"})
ENDS_SENTENCE = frozenset({".", "!", "?", '"', "”", "''", "'", ")"})
QUOTE = '"'


def detokenize(tokens: Sequence[str], start: int = 0) -> tuple[str, list[tuple[int, int]]]:
    """The text of `tokens` and each token's (start, end), offsets counted from `start`."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    position = start
    open_quote = False
    previous = ""
    for index, token in enumerate(tokens):
        space = index > 0
        if (
            token in NO_SPACE_BEFORE
            or previous in NO_SPACE_AFTER
            or previous == "-"
            or token == "-"
        ):
            space = False
        if token == QUOTE:
            # A straight quote opens or closes; only an opening one takes a space before it.
            space = index > 0 and not open_quote
            open_quote = not open_quote
        elif previous == QUOTE and open_quote:
            space = False
        if space:
            parts.append(" ")
            position += 1
        parts.append(token)
        offsets.append((position, position + len(token)))
        position += len(token)
        previous = token
    return "".join(parts), offsets


def join_sentences(
    sentences: Sequence[Sequence[str]],
) -> tuple[str, list[tuple[int, int]], list[list[tuple[int, int]]]]:
    """Running text of tokenized sentences: sentence spans and token offsets per sentence.

    A sentence that ends without final punctuation (a headline, a byline) is followed by a
    blank line, so that the pipeline does not run it into the next one.
    """
    text = ""
    spans: list[tuple[int, int]] = []
    token_offsets: list[list[tuple[int, int]]] = []
    for tokens in sentences:
        if text:
            text += " " if text[-1] in ENDS_SENTENCE or text.endswith("''") else "\n\n"
        sentence, offsets = detokenize(tokens, start=len(text))
        spans.append((len(text), len(text) + len(sentence)))
        token_offsets.append(offsets)
        text += sentence
    return text, spans, token_offsets
