"""Near-duplicate fingerprints as the store keeps them: MinHash signature plus LSH band keys.

The MinHash itself comes from watchfloor.ingest.dedup. Instead of an in-memory LSH index
rebuilt at start, the store writes each document's band keys to the `lsh_bands` table and
asks the database for candidates. Two processes ingesting at once (a `watch` loop and a
manual `ingest`) then see each other's documents, start-up costs nothing at any store size,
and memory does not grow with the number of documents. Candidates are confirmed with the
estimated Jaccard similarity of the stored signatures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from datasketch import MinHashLSH

from watchfloor.ingest import dedup
from watchfloor.store.repository import Fingerprint, NearDuplicatePolicy


def signature_similarity(a: bytes, b: bytes) -> float:
    return dedup.similarity(dedup.from_signature_bytes(a), dedup.from_signature_bytes(b))


@dataclass(frozen=True)
class Fingerprinter:
    """Computes fingerprints with the banding that datasketch picks for the threshold."""

    threshold: float = dedup.DEFAULT_THRESHOLD
    num_perm: int = dedup.NUM_PERM

    @cached_property
    def bands(self) -> tuple[int, int]:
        """(number of bands, rows per band), as MinHashLSH chooses them."""
        lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
        return lsh.b, lsh.r

    @property
    def policy(self) -> NearDuplicatePolicy:
        return NearDuplicatePolicy(signature_similarity, self.threshold)

    def fingerprint(self, text: str) -> Fingerprint:
        minhash = dedup.fingerprint(text, num_perm=self.num_perm)
        signature = dedup.signature_bytes(minhash)
        if minhash.is_empty():
            return Fingerprint(signature, ())
        return Fingerprint(signature, band_keys(np.asarray(minhash.hashvalues), *self.bands))


def band_keys(hashvalues: np.ndarray, bands: int, rows: int) -> tuple[int, ...]:
    """One signed 64-bit key per band (BIGINT on every database).

    The band number is hashed in, so a key names its band as well: candidates are found with
    one `key IN (...)` lookup on an index of keys alone.
    """
    values = hashvalues.astype("<u8")
    keys = []
    for band in range(bands):
        digest = hashlib.blake2b(
            values[band * rows : (band + 1) * rows].tobytes(),
            digest_size=8,
            salt=band.to_bytes(16, "little"),
        )
        keys.append(int.from_bytes(digest.digest(), "little", signed=True))
    return tuple(keys)
