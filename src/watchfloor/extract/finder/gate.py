"""The cascade's first step: which sentences the encoder must read.

A sentence is read when the rules found a trigger in it, or when it holds a word of the gate's
vocabulary: the words that named the harm in the finder's training data often enough, and in
sentences that were statements at least half the time (so "attack" is in, "car" is out), plus
their first five letters, so that "massacring" passes because "massacred" was seen. The
vocabulary is learned from the annotated corpora by `training/finder/gate.py`, not written by
hand, and ships beside the model as gate.json. Checking a sentence costs one set lookup per
word; how many sentences pass, and how many statements the gate loses, is measured by
`benchmarks/extract.py` and `watchfloor eval`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


@dataclass(frozen=True)
class Gate:
    vocabulary: frozenset[str]
    stems: frozenset[str]
    stem_length: int

    @classmethod
    def load(cls, path: Path) -> Gate:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(frozenset(raw["words"]), frozenset(raw["stems"]), int(raw["stem_length"]))

    def passes(self, text: str) -> bool:
        n = self.stem_length
        return any(
            w in self.vocabulary or (len(w) > n and w[:n] in self.stems) for w in words(text)
        )
