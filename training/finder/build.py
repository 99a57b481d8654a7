"""Build the finder's training data: one example per sentence, with its neighbours as context.

Labels come from two places and are merged per sentence:
- the corpus's own annotation (training/finder/gold.py), which wins where it speaks;
- the rules (watchfloor's extract stage) over the same text: distillation. They fill what a
  corpus leaves out (the status of a RAMS attack, the trigger of a MUC-4 template) and label
  plain news that no corpus annotates.
The team's own examples (training/data/finder_examples.yaml) are added as they are.

    python -m training.finder.build --out var/finder/data
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from training.finder import gold
from training.finder.sources import Source, all_sources

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"
OWN_EXAMPLES = REPO / "training" / "data" / "finder_examples.yaml"
CONTEXT_CHARS = 240
FALLBACK_DAY = date(2016, 1, 1)


@dataclass
class Labelled:
    act: str
    status: str | None
    trigger: tuple[int, int] | None
    target: tuple[int, int] | None
    actor: tuple[int, int] | None
    origin: str  # gold | rules | both | own


@dataclass
class Example:
    id: str
    source: str
    text: str
    before: str
    after: str
    statements: list[Labelled] = field(default_factory=list)
    weight: float = 1.0
    split: str = "train"
    # Heads whose labels this example cannot vouch for (they are ignored in training).
    mask: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def rel(span: tuple[int, int] | None) -> list[int] | None:
            return [span[0], span[1]] if span else None

        return {
            "id": self.id,
            "source": self.source,
            "text": self.text,
            "before": self.before,
            "after": self.after,
            "weight": self.weight,
            "split": self.split,
            "mask": self.mask,
            "statements": [
                {
                    "act": s.act,
                    "status": s.status,
                    "trigger": rel(s.trigger),
                    "target": rel(s.target),
                    "actor": rel(s.actor),
                    "origin": s.origin,
                }
                for s in self.statements
            ],
        }


def overlaps(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def merge(golds: list[gold.GoldStatement], rules: list[Labelled]) -> list[Labelled]:
    """Gold statements, completed by the rules' reading of the same clause, plus the rules'
    other statements (except where the corpus says the event is not ours)."""
    negatives = [g for g in golds if g.negative]
    rules = [r for r in rules if not any(overlaps(r.trigger, n.trigger) for n in negatives)]
    used: set[int] = set()
    merged: list[Labelled] = []
    for g in (g for g in golds if not g.negative):
        match = next(
            (
                i
                for i, r in enumerate(rules)
                if i not in used
                and (
                    overlaps(r.trigger, g.trigger)
                    or ((g.trigger is None or g.trigger_guessed) and overlaps(r.target, g.target))
                )
            ),
            None,
        )
        if match is None:
            merged.append(Labelled(g.act, g.status, g.trigger, g.target, g.actor, "gold"))
            continue
        used.add(match)
        r = rules[match]
        merged.append(
            Labelled(
                act=_act(g.act, r.act),
                status=_status(g.status, r.status),
                trigger=r.trigger if g.trigger_guessed else g.trigger or r.trigger,
                target=g.target or r.target,
                actor=g.actor or r.actor,
                origin="both",
            )
        )
    merged.extend(r for i, r in enumerate(rules) if i not in used)
    return merged


def _act(gold_act: str, rules_act: str) -> str:
    # The corpus's type is coarse where ours is not: an attack that killed is a killing, and a
    # threat that names the harm is that harm, threatened.
    if gold_act == "attack" and rules_act == "kill":
        return "kill"
    if gold_act == "threaten" and rules_act in ("kill", "kidnap", "attack"):
        return rules_act
    return gold_act


STAGE_FAMILY = {
    "carried_out": "carried_out",
    "attempted": "attempted",
    "foiled": "attempted",
    "threatened": "threatened",
    "considered": "threatened",
    "planned": "threatened",
}


def _status(gold_status: str | None, rules_status: str | None) -> str | None:
    if gold_status is None:
        return rules_status
    # MUC-4's three stages are coarser than ours: keep the rules' finer reading within a stage.
    if rules_status is not None and STAGE_FAMILY.get(rules_status) == gold_status:
        return rules_status
    return gold_status


def _context(text: str, span: tuple[int, int] | None, before: bool) -> str:
    if span is None:
        return ""
    piece = " ".join(text[span[0] : span[1]].split())
    if len(piece) <= CONTEXT_CHARS:
        return piece
    return (
        piece[-CONTEXT_CHARS:].split(" ", 1)[-1]
        if before
        else piece[:CONTEXT_CHARS].rsplit(" ", 1)[0]
    )


@dataclass(frozen=True)
class RulesReading:
    """What the rules made of one document: its sentences and statements (cached on disk)."""

    sentences: list[tuple[int, int]]
    statements: list[Labelled]


def examples_of(source: Source, rules_reading: RulesReading) -> Iterator[Example]:
    document = source.document
    text = document.text
    sentences = list(document.sentences) or rules_reading.sentences
    sentences = [(a, b) for a, b in sentences if text[a:b].strip()]
    golds = source.gold(document, sentences) if source.gold else []
    split = (
        "dev"
        if int(hashlib.sha1(document.doc_id.encode()).hexdigest()[:4], 16) % 20 == 0
        else "train"
    )
    for index, (start, end) in enumerate(sentences):
        inside = [g for g in golds if _anchor(g.trigger, g.target, start, end)]
        rules = [s for s in rules_reading.statements if s.trigger and start <= s.trigger[0] < end]
        if any(g.target is None and not g.trigger_guessed and not g.negative for g in inside):
            continue  # an annotated event with no one named as its target: not ours to judge
        merged = merge(inside, rules)
        if any(m.origin == "rules" and not reliable(m, text) for m in merged):
            continue  # the rules alone, on a word they often misread: no label either way
        mask = []
        if any(m.origin == "rules" for m in merged) and _shouting(text[start:end]):
            mask = ["target", "actor"]  # the rules' phrases on all-caps text are unreliable
        if any(m.target is None for m in merged):
            mask.append("target")
        labelled = [_relative(s, start, end) for s in merged]
        yield Example(
            mask=mask,
            id=f"{document.corpus}:{document.doc_id}:{index}",
            source=document.corpus,
            text=text[start:end],
            before=_context(text, sentences[index - 1] if index else None, before=True),
            after=_context(
                text, sentences[index + 1] if index + 1 < len(sentences) else None, False
            ),
            statements=[s for s in labelled if s is not None],
            weight=source.weight,
            split=split,
        )


# Distillation keeps a rules statement as a label only where its trigger is plainly physical
# harm; elsewhere (threats without harm words, surveillance, "hurt", "target") the rules misread
# real text too often to teach from. This is a filter on training labels, not read at run time.
RELIABLE = {
    "kill": re.compile(
        r"\b(kill|murder|assassinat|slay|slain|massacr|behead|strangl|lynch|shot dead|dead|death)",
        re.IGNORECASE,
    ),
    "kidnap": re.compile(r"\b(kidnap|abduct|hostage|captiv)", re.IGNORECASE),
    "attack": re.compile(
        r"\b(attack|shot|shoot|stab|bomb|assault|beat|wound|injur|ambush|grenade|explo|blast|"
        r"gun|torch|hack|rape|maim|machinegun|opened fire)",
        re.IGNORECASE,
    ),
}


def reliable(statement: Labelled, text: str) -> bool:
    pattern = RELIABLE.get(statement.act)
    if pattern is None or statement.trigger is None or statement.status == "hypothetical":
        return False
    return bool(pattern.search(text[statement.trigger[0] : statement.trigger[1]]))


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.8 * len(letters)


def _anchor(
    trigger: tuple[int, int] | None, target: tuple[int, int] | None, a: int, b: int
) -> bool:
    point = trigger or target
    return point is not None and a <= point[0] < b


def _relative(s: Labelled, start: int, end: int) -> Labelled | None:
    def shift(span: tuple[int, int] | None) -> tuple[int, int] | None:
        if span is None or span[0] < start or span[1] > end:
            return None
        return span[0] - start, span[1] - start

    return Labelled(s.act, s.status, shift(s.trigger), shift(s.target), shift(s.actor), s.origin)


def read_with_rules(
    sources: list[Source], cache: Path, batch_size: int = 64
) -> dict[str, RulesReading]:
    """The rules' reading of every source document, from the cache where it has them."""
    known: dict[str, RulesReading] = {}
    if cache.is_file():
        with cache.open(encoding="utf-8") as handle:
            for line in handle:
                item = json.loads(line)
                known[item["key"]] = RulesReading(
                    [tuple(x) for x in item["sentences"]],  # type: ignore[misc]
                    [
                        Labelled(
                            s["act"],
                            s["status"],
                            tuple(s["trigger"]),
                            _pair(s["target"]),
                            _pair(s["actor"]),
                            "rules",
                        )
                        for s in item["statements"]
                    ],
                )
    missing = [s for s in sources if _key(s) not in known and s.document.text.strip()]
    if missing:
        from watchfloor.extract import Extractor

        extractor = Extractor()
        cache.parent.mkdir(parents=True, exist_ok=True)
        with cache.open("a", encoding="utf-8") as handle:
            for begin in range(0, len(missing), batch_size):
                chunk = missing[begin : begin + batch_size]
                items = [(s.document.text, s.document.published or FALLBACK_DAY) for s in chunk]
                for source, (doc, statements) in zip(
                    chunk, extractor.extract_many(items), strict=True
                ):
                    reading = RulesReading(
                        [(x.start_char, x.end_char) for x in doc.sents],
                        [
                            Labelled(
                                s.act,
                                s.status,
                                (s.trigger.start, s.trigger.end),
                                (s.target.start, s.target.end) if s.target else None,
                                (s.actor.start, s.actor.end) if s.actor else None,
                                "rules",
                            )
                            for s in statements
                        ],
                    )
                    known[_key(source)] = reading
                    handle.write(
                        json.dumps(
                            {
                                "key": _key(source),
                                "sentences": reading.sentences,
                                "statements": [
                                    {
                                        "act": s.act,
                                        "status": s.status,
                                        "trigger": s.trigger,
                                        "target": s.target,
                                        "actor": s.actor,
                                    }
                                    for s in reading.statements
                                ],
                            }
                        )
                        + "\n"
                    )
                print(
                    f"rules read {begin + len(chunk)} of {len(missing)} documents", file=sys.stderr
                )
    return known


def _key(source: Source) -> str:
    digest = hashlib.sha1(source.document.text.encode("utf-8")).hexdigest()[:12]
    return f"{source.document.corpus}:{source.document.doc_id}:{digest}"


def _pair(value: Any) -> tuple[int, int] | None:
    return (value[0], value[1]) if value else None


def own_examples(path: Path) -> Iterator[Example]:
    if not path.is_file():
        print(f"note: {path} not found; building without the team's own examples", file=sys.stderr)
        return
    from training.finder.examples import load_examples

    for number, item in enumerate(load_examples(path)):
        yield Example(
            id=f"own:{number}",
            source="own",
            text=item.text,
            before=item.before or "",
            after=item.after or "",
            statements=[
                Labelled(s.act, s.status, s.trigger, s.target, s.actor, "own")
                for s in item.statements
            ],
            weight=2.0,
            split="dev" if number % 20 == 0 else "train",
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--out", type=Path, default=REPO / "var" / "finder" / "data")
    parser.add_argument("--own", type=Path, default=OWN_EXAMPLES)
    parser.add_argument("--negatives-per-positive", type=float, default=3.0)
    parser.add_argument("--min-negatives", type=int, default=400)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"error: {args.data} not found: the corpora live in ../shared/data", file=sys.stderr)
        return 2
    sources = [s for s in all_sources(args.data) if s.document.text.strip()]
    readings = read_with_rules(sources, args.out.parent / "rules-cache.jsonl")
    examples: list[Example] = []
    for source in sources:
        examples.extend(examples_of(source, readings[_key(source)]))
    examples.extend(own_examples(args.own))
    rng = random.Random(args.seed)
    chosen = [e for e in examples if e.statements or e.source == "own"]
    # Own negatives are all kept (the hard ones: figurative, fiction, denials). Other negatives
    # are drawn per corpus, in proportion to its positives but at least `--min-negatives`, so
    # that no one corpus's style of "nothing happened" dominates.
    by_source: dict[str, list[Example]] = {}
    for example in examples:
        if not example.statements and example.source != "own":
            by_source.setdefault(example.source, []).append(example)
    for source, negatives in sorted(by_source.items()):
        positives = sum(1 for e in examples if e.source == source and e.statements)
        rng.shuffle(negatives)
        keep = max(int(positives * args.negatives_per_positive), args.min_negatives)
        chosen += negatives[:keep]
    rng.shuffle(chosen)
    args.out.mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev"):
        with (args.out / f"{split}.jsonl").open("w", encoding="utf-8") as handle:
            for example in chosen:
                if example.split == split:
                    handle.write(json.dumps(example.to_json(), ensure_ascii=False) + "\n")
    # The gate learns from every sentence, at its natural rate of statements.
    with (args.out / "gate.jsonl").open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(
                json.dumps(
                    {
                        "text": example.text,
                        "statements": bool(example.statements),
                        "source": example.source,
                        "split": example.split,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    summary = Counter((e.source, bool(e.statements)) for e in chosen)
    for (source, positive), n in sorted(summary.items()):
        print(f"{source:12} {'positive' if positive else 'negative'} {n}")
    print(f"{len(chosen)} examples of {len(examples)} sentences -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
