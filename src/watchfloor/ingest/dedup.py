"""Exact repeats and near-duplicates: one story republished ten times is one source, not ten.

Two keys find exact repeats: the sha256 of the raw bytes (the same file again) and a hash of
the normalized text (the same words in another wrapper). Near-duplicates (syndicated copies
with a site's own header and footer, links dropped, paragraphs moved, a teaser block cut)
are found with MinHash over word shingles. All of this is pure and in memory; the store
persists `signature_bytes` and the LSH band keys (ingest.neardup) and finds candidates by
them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from datasketch import LeanMinHash, MinHash

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
