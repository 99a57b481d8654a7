"""Learn the cascade gate's vocabulary (watchfloor/extract/finder/gate.py) from training data.

A word joins when it was part of a labelled trigger at least `--min-count` times and the
training sentences that contain it were statements at least `--min-precision` of the time.

    python -m training.finder.gate --data var/finder/data --out src/watchfloor/models/finder
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from watchfloor.extract.finder.gate import words

STEM = 5


def learn(rows: list[dict], min_count: int, min_precision: float) -> dict[str, object]:
    as_trigger: Counter[str] = Counter()
    in_positive: Counter[str] = Counter()
    in_any: Counter[str] = Counter()
    for row in rows:
        text = row["text"]
        present = set(words(text))
        in_any.update(present)
        if row["statements"]:
            in_positive.update(present)
        for statement in row["statements"]:
            if statement["trigger"]:
                a, b = statement["trigger"]
                as_trigger.update(words(text[a:b]))
    vocabulary = sorted(
        w
        for w, n in as_trigger.items()
        if n >= min_count and in_positive[w] / max(1, in_any[w]) >= min_precision
    )
    stems = sorted({w[:STEM] for w in vocabulary if len(w) > STEM})
    return {"words": vocabulary, "stems": stems, "stem_length": STEM}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("var/finder/data"))
    parser.add_argument("--out", type=Path, default=Path("src/watchfloor/models/finder"))
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--min-precision", type=float, default=0.5)
    args = parser.parse_args(argv)
    with (args.data / "train.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    gate = learn(rows, args.min_count, args.min_precision)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gate.json").write_text(json.dumps(gate, indent=1) + "\n", encoding="utf-8")
    print(f"{len(gate['words'])} words, {len(gate['stems'])} stems -> {args.out / 'gate.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
