"""Build the case-frequency table the truecaser reads (FILE: data/nlp/truecase.tsv.gz).

    python training/truecase.py [--data ../shared/data] [--out FILE]

For every word of mixed-case running text it counts how often the word is written in lower case
and how often otherwise (Title, UPPER, McMixed), skipping the places where case says nothing about
the word: the first word of a sentence, the word after an opening quote or a colon, and sentences
that are headlines (mostly capitalized or all capitals). The sources are texts the project may
learn from and that no evaluation draws on: the GUM and UD-EWT treebanks, GENEVA's sentences and
the EDOS posts (see ../shared/data/README.md). The real-text evaluation's corpora (RAMS,
WikiEvents, GVDB, the article pages, MUC-4) are left out on purpose.

The file holds word statistics only, never a sentence: one line per word, tab-separated, the
word's most common non-lower form (the lower form where it was never written otherwise), the
lower-case count and the other count. Words seen once in lower case only are left out: an unknown
word is decided by the truecaser's fallbacks.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = REPO.parent / "shared" / "data"
OUT = REPO / "src" / "watchfloor" / "data" / "nlp" / "truecase.tsv.gz"
WORD = re.compile(r"^[^\W\d_][\w'’.-]*$")
OPENERS = frozenset({'"', "``", "“", "‘", "'", ":", "(", "[", "-", "--", "—", "–", "*", "•"})
SIMPLE = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*['’]?|\S")


def conllu_sentences(path: Path) -> Iterator[list[str]]:
    words: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line:
                if words:
                    yield words
                words = []
                continue
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) > 1 and cols[0].isdigit():
                words.append(cols[1])
    if words:
        yield words


def geneva_sentences(folder: Path) -> Iterator[list[str]]:
    for name in ("val.json", "test.json", "train_union_of_released_subsets.jsonl"):
        path = folder / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        try:
            loaded = json.loads(text)
            items = loaded if isinstance(loaded, list) else [loaded]
        except json.JSONDecodeError:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        for item in items:
            tokens = item.get("tokens")
            if isinstance(tokens, list):
                yield [str(t) for t in tokens]


def edos_sentences(path: Path) -> Iterator[list[str]]:
    if not path.is_file():
        return
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for part in re.split(r"(?<=[.!?])\s+", row.get("text") or ""):
                words = SIMPLE.findall(part.replace("[USER]", "").replace("[URL]", ""))
                if words:
                    yield words


def sentences(data: Path) -> Iterator[list[str]]:
    for path in sorted((data / "gum").glob("*.conllu")):
        yield from conllu_sentences(path)
    for path in sorted((data / "ud-ewt" / "sources").rglob("*.conllu")):
        yield from conllu_sentences(path)
    yield from geneva_sentences(data / "events" / "geneva")
    yield from edos_sentences(data / "threats" / "edos" / "edos_labelled_aggregated.csv")


def headline(words: list[str]) -> bool:
    """Mostly capitalized or all capitals: case there marks the line, not the words."""
    alpha = [w for w in words if w[:1].isalpha()]
    if len(alpha) < 2:
        return True
    upper = sum(w.isupper() and len(w) > 1 for w in alpha)
    capital = sum(w[:1].isupper() for w in alpha)
    return upper > 0.5 * len(alpha) or (len(alpha) >= 3 and capital > 0.6 * len(alpha))


def counted_words(words: list[str]) -> Iterator[str]:
    """The words whose case is the word's own (not the sentence's or the line's)."""
    if headline(words):
        return
    previous = None
    for index, word in enumerate(words):
        initial = index == 0 or previous in OPENERS or (previous or "")[-1:] in ".!?"
        previous = word
        if initial or not WORD.match(word):
            continue
        yield word


def count(source: Iterable[list[str]]) -> dict[str, Counter[str]]:
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for words in source:
        for word in counted_words(words):
            forms[word.lower()][word] += 1
    return forms


def rows(forms: dict[str, Counter[str]]) -> list[tuple[str, int, int]]:
    out = []
    for key, counter in forms.items():
        lower = counter.get(key, 0)
        others = [(n, form) for form, n in counter.items() if form != key]
        other = sum(n for n, _ in others)
        if not others and lower < 2:
            continue
        best = max(others)[1] if others else key
        if len(best) != len(key):
            continue  # a case change that changes the length cannot keep offsets
        out.append((best, lower, other))
    return sorted(out, key=lambda r: r[0].lower())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    table = rows(count(sentences(args.data)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"{form}\t{lower}\t{other}\n" for form, lower, other in table)
    header = (
        "# watchfloor truecase table: word (its most common non-lower form), lower count, "
        "other count; built by training/truecase.py from GUM, UD-EWT, GENEVA and EDOS\n"
    )
    with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=9) as handle:
        handle.write(header + body)
    print(f"{len(table)} words -> {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
