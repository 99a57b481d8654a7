"""Exact repeats and near-duplicates: one story republished ten times is one source, not ten.

Two keys find exact repeats: the sha256 of the raw bytes (the same file again) and a hash of
the normalized text (the same words in another wrapper). Near-duplicates (syndicated copies
with a site's own header and footer, links dropped, paragraphs moved, a teaser block cut)
are found with MinHash over word shingles and an LSH index. All of this is pure and in
memory; the store persists `signature_bytes` and rebuilds the index from them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from datasketch import LeanMinHash, MinHash, MinHashLSH

NUM_PERM = 128
# Words per shingle. Three words make a shingle specific to one text (two unrelated reports
# share almost none) while one edited word disturbs only three shingles.
SHINGLE_WORDS = 3
# Estimated Jaccard similarity at and above which two documents are near-duplicates.
# Measured (tests/test_dedup.py) on copies of the seed article: site header and footer
# added 0.95, six sentences dropped 0.94, paragraphs reordered 1.0, teaser block cut 0.85,
# all four at once 0.74; a short report with a header, a footer and two sentences dropped
# 0.65. Unrelated reports stay at or below 0.11, also two sharing one site's header and
# footer, and an independent report on the same event scores 0.02. 0.5 sits in that gap.
DEFAULT_THRESHOLD = 0.5
# Fixed so signatures computed in different processes and releases stay comparable.
_SEED = 1
_SCHEME = "affine32"

_WORD = re.compile(r"\w+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")

K = TypeVar("K", bound=Hashable)


def normalize_text(text: str) -> str:
    """Lowercase words only: punctuation, markup remnants and spacing do not count."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(folded))


def text_key(text: str) -> str:
    """sha256 of the normalized text: equal for the same words in different wrappings."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def raw_key(raw: bytes) -> str:
    """sha256 of the raw bytes, the same value as `Document.sha256`."""
    return hashlib.sha256(raw).hexdigest()


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The `size`-word shingles of the normalized text, taken within each paragraph.

    Shingles never span a blank line, so a copy with its paragraphs in another order has
    the same shingles; a paragraph shorter than `size` words is one shingle.
    """
    found: set[str] = set()
    for paragraph in _PARAGRAPH_BREAK.split(text):
        words = normalize_text(paragraph).split()
        if len(words) <= size:
            if words:
                found.add(" ".join(words))
            continue
        found.update(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))
    return found


def fingerprint(text: str, num_perm: int = NUM_PERM) -> LeanMinHash:
    """MinHash of the text's word shingles; empty (never similar to anything) for no words."""
    minhash = MinHash(num_perm=num_perm, seed=_SEED, scheme=_SCHEME)
    minhash.update_batch([shingle.encode("utf-8") for shingle in sorted(shingles(text))])
    return LeanMinHash(minhash)


def similarity(a: MinHash, b: MinHash) -> float:
    """Estimated Jaccard similarity of the two shingle sets (0.0 when either is empty)."""
    if a.is_empty() or b.is_empty():
        return 0.0
    return float(a.jaccard(b))


def signature_bytes(minhash: MinHash) -> bytes:
    """A portable byte string (little-endian; seed and scheme included) to store a MinHash."""
    lean = minhash if isinstance(minhash, LeanMinHash) else LeanMinHash(minhash)
    buffer = bytearray(lean.bytesize(byteorder="<"))
    lean.serialize(buffer, byteorder="<")
    return bytes(buffer)


def from_signature_bytes(data: bytes) -> LeanMinHash:
    """The MinHash stored by `signature_bytes`; ValueError for bytes that are not one."""
    try:
        return LeanMinHash.deserialize(data, byteorder="<")
    except Exception as exc:  # struct.error or ValueError, depending on how the bytes are off
        raise ValueError(f"not a stored MinHash signature ({exc})") from None


class NearDuplicateIndex(Generic[K]):
    """MinHash LSH over documents, answering "which stored documents is this a copy of?".

    LSH only proposes candidates; each is checked against the threshold with the estimated
    similarity, so `query` returns true near-duplicates, nearest first.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, num_perm: int = NUM_PERM) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._minhashes: dict[K, MinHash] = {}

    def __len__(self) -> int:
        return len(self._minhashes)

    def __contains__(self, key: object) -> bool:
        return key in self._minhashes

    def add(self, key: K, minhash: MinHash) -> None:
        """Index a document; a key can be added once. Empty fingerprints are kept out."""
        if key in self._minhashes:
            raise ValueError(f"{key!r} is already in the near-duplicate index")
        self._check(minhash)
        self._minhashes[key] = minhash
        if not minhash.is_empty():
            self._lsh.insert(key, minhash)

    def remove(self, key: K) -> None:
        minhash = self._minhashes.pop(key)
        if not minhash.is_empty():
            self._lsh.remove(key)

    def query(self, minhash: MinHash) -> list[K]:
        """Keys of the indexed near-duplicates of `minhash`, most similar first."""
        return [key for key, _ in self.matches(minhash)]

    def matches(self, minhash: MinHash) -> list[tuple[K, float]]:
        """(key, estimated similarity) of each near-duplicate, most similar first."""
        self._check(minhash)
        if minhash.is_empty():
            return []
        scored = [
            (key, similarity(minhash, self._minhashes[key])) for key in self._lsh.query(minhash)
        ]
        hits = [(key, score) for key, score in scored if score >= self.threshold]
        # Ties (exact copies) keep insertion order, so the earliest indexed copy comes first.
        order = {key: i for i, key in enumerate(self._minhashes)}
        return sorted(hits, key=lambda hit: (-hit[1], order[hit[0]]))

    def _check(self, minhash: MinHash) -> None:
        if len(minhash) != self.num_perm:
            raise ValueError(
                f"MinHash has {len(minhash)} permutations, the index {self.num_perm}; "
                "compute fingerprints with the same num_perm"
            )


@dataclass(frozen=True)
class Placement(Generic[K]):
    """Where a new document went: its cluster, the copy it matched and how closely."""

    key: K
    cluster: K
    duplicate_of: K | None
    similarity: float


class DuplicateClusters(Generic[K]):
    """Clusters of near-duplicate documents, kept the way the store keeps them.

    A new document joins the cluster of its nearest near-duplicate, or starts a cluster of
    its own (named by its key). The origin of a cluster is its earliest published member,
    the first one added when dates are missing or equal.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, num_perm: int = NUM_PERM) -> None:
        self.index: NearDuplicateIndex[K] = NearDuplicateIndex(threshold, num_perm)
        self._cluster_of: dict[K, K] = {}
        self._members: dict[K, list[tuple[date | None, int, K]]] = {}

    def add(self, key: K, minhash: MinHash, published: date | None = None) -> Placement[K]:
        matches = self.index.matches(minhash)
        self.index.add(key, minhash)
        if matches:
            nearest, score = matches[0]
            cluster = self._cluster_of[nearest]
            placement = Placement(key, cluster, nearest, score)
        else:
            cluster = key
            placement = Placement(key, key, None, 0.0)
        self._cluster_of[key] = cluster
        self._members.setdefault(cluster, []).append((published, len(self._cluster_of), key))
        return placement

    def cluster_of(self, key: K) -> K:
        return self._cluster_of[key]

    def members(self, cluster: K) -> list[K]:
        return [key for _, _, key in self._members[cluster]]

    def origin(self, cluster: K) -> K:
        dated = self._members[cluster]
        return min(dated, key=lambda m: (m[0] is None, m[0] or date.min, m[1]))[2]

    def clusters(self) -> Iterable[K]:
        return self._members.keys()
