"""The cascade's first step: a linear model that decides, cheaply, which sentences the encoder
must read.

Features are the sentence's lower-cased words, their first six letters (so "knifed" and
"knifing" share one), word pairs, all hashed into a fixed table, plus the mean of the pipeline's
static word vectors (so a violent word never seen in training still lands near the ones that
were). Scoring a sentence costs a few dozen table lookups; the threshold is set in training for
a recall target on held-back sentences, and every sentence where the rules found a trigger is
read by the encoder whatever the gate says.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
BUCKETS = 1 << 18
PREFIX = 6


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def features(text: str) -> list[int]:
    """Hashed feature ids of a sentence (unique, sorted)."""
    tokens = words(text)
    keys: set[str] = set()
    for i, word in enumerate(tokens):
        keys.add("w:" + word)
        if len(word) > PREFIX:
            keys.add("p:" + word[:PREFIX])
        if i:
            keys.add("b:" + tokens[i - 1] + " " + word)
    return sorted({zlib.crc32(k.encode("utf-8")) % BUCKETS for k in keys})


def mean_vector(vocab: Any, tokens: Iterable[str], width: int) -> list[float]:
    """Mean of the static vectors of the words the vocabulary has (zeros when none)."""
    total = [0.0] * width
    count = 0
    vectors = vocab.vectors
    for word in tokens:
        key = vocab.strings[word] if word in vocab.strings else None
        if key is None or key not in vectors:
            continue
        row = vectors[key]
        for j in range(width):
            total[j] += float(row[j])
        count += 1
    return [v / count for v in total] if count else total


@dataclass(frozen=True)
class Gate:
    weights: Any  # numpy array of BUCKETS floats
    dense: Any  # numpy array of the vector width
    bias: float
    threshold: float

    @classmethod
    def load(cls, path: Path) -> Gate:
        import numpy as np

        data = np.load(path)
        return cls(
            weights=data["weights"],
            dense=data["dense"],
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
        )

    def score(self, text: str, vector: Sequence[float] | None = None) -> float:
        value = self.bias + float(self.weights[features(text)].sum())
        if vector is not None and len(self.dense):
            value += float(sum(w * v for w, v in zip(self.dense, vector, strict=False)))
        return value

    def passes(self, text: str, vector: Sequence[float] | None = None) -> bool:
        return self.score(text, vector) >= self.threshold
