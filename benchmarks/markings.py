"""Markings benchmark: parsing (first time and cached), roll-up and the access decision.

    python benchmarks/markings.py [--n 20000]

Parses a fixed set of realistic markings `--n` times in all (first-time parses use distinct
spellings so the cache cannot help), rolls up banners of 10 portions and asks `decide` for each
portion and a reader; prints microseconds per call (median of 5 runs).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from watchfloor.publish import AccessPolicy, Reader, decide, parse_marking, rollup
from watchfloor.publish.markings import _parse_cached, parse_with
from watchfloor.publish.vocabulary import vocabulary

SAMPLES = [
    "TOP SECRET//SI-G/TK//NOFORN",
    "(TS//SI-G ABCD/TK//OC/NF)",
    "SECRET//REL TO USA, GBR, AUS",
    "(S//REL TO USA, FVEY)",
    "(C//OC/REL TO USA, NATO)",
    "UNCLASSIFIED//FOUO",
    "(U)",
    "(U//SBU-NF)",
    "TLP:AMBER+STRICT",
    "(S//NF) (TLP:AMBER)",
]


def timed(label: str, calls: int, run: Callable[[], None]) -> None:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        run()
        runs.append((time.perf_counter() - start) / calls * 1e6)
    print(f"{label:<34} {statistics.median(runs):8.2f} µs/call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    n = parser.parse_args().n
    vocab = vocabulary()
    texts = [SAMPLES[i % len(SAMPLES)] for i in range(n)]
    parsed = [parse_marking(t) for t in SAMPLES]
    reader = Reader("ann", "TS", frozenset({"SI-G", "TK"}), "GBR", frozenset(), "acme")
    policy = AccessPolicy(own_organization="acme")

    def uncached() -> None:
        for text in texts:
            parse_with(text, vocab)

    def cached() -> None:
        for text in texts:
            parse_marking(text)

    def rollups() -> None:
        for _ in range(n // 10):
            rollup(parsed)

    def decisions() -> None:
        for i in range(n):
            decide(reader, parsed[i % len(parsed)], policy=policy)

    _parse_cached.cache_clear()
    timed("parse_marking, not cached", n, uncached)
    timed("parse_marking, cached", n, cached)
    timed("rollup of 10 portions", n // 10, rollups)
    timed("decide", n, decisions)


if __name__ == "__main__":
    main()
