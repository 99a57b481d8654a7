"""Choose the combination's thresholds (data/finder/finder.yaml) on development data only.

The team's labelled set and the dev split of the real-text set are parsed and read by the model
once; every setting of the grid then recombines the cached readings with the rules, links and
scores. The held-out split is never read here.

    python -m training.finder.tune
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Prepared:
    doc: Any
    rules: list[Any]
    read: list[Any]
    day: date


def prepare(texts: list[tuple[str, date]], nlp: Any) -> list[Prepared]:
    from watchfloor.extract import Extractor
    from watchfloor.extract.finder.combine import ReadSentence
    from watchfloor.extract.finder.component import FINDER

    extractor = Extractor(nlp)
    finder = nlp.create_pipe(FINDER)
    finder.gate = None  # every sentence is read, so any threshold can be tried
    out = []
    for text, day in texts:
        doc, rules = extractor.extract(text, day)
        chosen = finder._candidates(doc)
        readings = finder.model.predict([(t, b, a) for _, _, t, b, a in chosen])
        read = [
            ReadSentence(s, e, r, t) for (s, e, t, _, _), r in zip(chosen, readings, strict=True)
        ]
        out.append(Prepared(doc, rules, read, day))
    return out


def statements(prepared: Prepared, config: Any, lex: Any, syn: Any) -> list[Any]:
    from watchfloor.extract.finder.combine import combine

    return combine(prepared.doc, prepared.rules, prepared.read, config, lex, syn)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--realtext", type=Path, default=REPO / "tests" / "data" / "realtext")
    args = parser.parse_args(argv)

    from watchfloor import nlp as nlp_module
    from watchfloor.evaluation.cases import WATCHLIST_FILE, load_cases
    from watchfloor.evaluation.realtext import load_realtext
    from watchfloor.evaluation.scoring import Prediction, score_set
    from watchfloor.extract.components import STATEMENTS
    from watchfloor.extract.finder.config import load_config
    from watchfloor.link import Linker, Watchlist, load_watchlist
    from watchfloor.pipeline import Finding
    from watchfloor.warn.policy import DutyToWarnPolicy

    nlp = nlp_module.load()
    reader = nlp.create_pipe(STATEMENTS)
    policy = DutyToWarnPolicy.load()
    team_dir = REPO / "tests" / "data" / "eval"
    cases = load_cases(team_dir)
    team_linker = Linker(load_watchlist(team_dir / WATCHLIST_FILE))
    team = prepare([(c.text, c.published) for c in cases], nlp)
    real = []
    for labelled in load_realtext(args.realtext):
        watchlist = load_watchlist(labelled.watchlist) if labelled.watchlist else Watchlist.empty()
        docs = [d for d in labelled.documents if d.split == "dev"]
        prepared = prepare([(d.text, d.published or date(2016, 1, 1)) for d in docs], nlp)
        real.append((Linker(watchlist), docs, prepared))
    base = load_config()
    grid = itertools.product((0.3, 0.4, 0.5, 0.6, 0.7), (0.5, 0.7, 0.85), (0.0, 0.02, 0.05))
    print("trigger sentence veto | team P R F1 warnR | real P R F1 warnR negFP")
    for trigger_p, sentence_p, veto in grid:
        config = base.model_copy(
            update={
                "trigger_probability": trigger_p,
                "sentence_probability": sentence_p,
                "veto_below": veto,
            }
        )
        predictions = []
        for p in team:
            found = statements(p, config, reader.lex, reader.syn)
            links = team_linker.link(p.doc, found, p.day)
            predictions.append(
                [
                    Prediction.from_finding(Finding(s, t, a, _warns(policy, s, t)))
                    for s, (t, a) in zip(found, links, strict=True)
                ]
            )
        t = score_set(cases, predictions).summary()
        r = _score_real(real, config, reader, policy)
        print(
            f"{trigger_p:.2f} {sentence_p:.2f} {veto:.2f} | {t['precision']:.3f} {t['recall']:.3f} "
            f"{t['f1']:.3f} {t['duty_to_warn']['recall']:.3f} | {r}",
            flush=True,
        )
    return 0


def _warns(policy: Any, statement: Any, target: Any) -> bool:
    return bool(
        policy.owes_warning(
            statement.act,
            statement.status,
            identifiable_person=target.protectee is not None or target.person_named,
        )
    )


def _score_real(real: list[Any], config: Any, reader: Any, policy: Any) -> str:
    tp = fp = gold = warn_gold = warn_tp = negatives = negative_hits = 0
    for linker, docs, prepared in real:
        for document, p in zip(docs, prepared, strict=True):
            found = statements(p, config, reader.lex, reader.syn)
            links = linker.link(p.doc, found, p.day)
            pairs = list(zip(found, links, strict=True))
            for sentence in document.sentences:
                inside = [
                    (s, t)
                    for s, (t, _) in pairs
                    if sentence.start <= s.trigger.start < sentence.end
                ]
                if sentence.negative:
                    negatives += 1
                    negative_hits += bool(inside)
                    fp += len(inside)
                    continue
                used: set[int] = set()
                for g in sentence.statements:
                    gold += 1
                    warn_gold += g.duty_to_warn
                    for i, (s, t) in enumerate(inside):
                        span = (s.target.start, s.target.end) if s.target else None
                        trig = (s.trigger.start, s.trigger.end)
                        hit = _overlaps(span, g.target) if g.target else _overlaps(trig, g.trigger)
                        if i not in used and hit:
                            used.add(i)
                            tp += 1
                            warn_tp += g.duty_to_warn and _warns(policy, s, t)
                            break
                fp += len(inside) - len(used)
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, gold)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    return (
        f"{precision:.3f} {recall:.3f} {f1:.3f} {warn_tp}/{warn_gold} {negative_hits}/{negatives}"
    )


def _overlaps(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


if __name__ == "__main__":
    sys.exit(main())
