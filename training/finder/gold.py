"""Gold statements from the annotated corpora, in watchfloor's scheme.

Each corpus names events its own way; these adapters turn them into (act, status, trigger,
target, actor) with character offsets into the document text the corpus reader gives. What a
corpus does not say is left None (the training loss ignores it) rather than guessed: RAMS and
GENEVA give no status, MUC-4 gives no trigger, GVDB gives neither. `NEGATIVE` events are ones
the corpus marks that are not statements in our sense (a death from illness): rules that fire on
them are overruled.

The word lists below only place a trigger for MUC-4 and GVDB labels when building training
data; they are not read at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from watchfloor.evaluation.corpora import CorpusDocument, GoldEvent


@dataclass(frozen=True)
class GoldStatement:
    act: str
    status: str | None
    trigger: tuple[int, int] | None
    target: tuple[int, int] | None
    actor: tuple[int, int] | None
    negative: bool = False
    # The trigger was placed by a word list, not by an annotator: the rules' own trigger for
    # the same target is better, and the two are matched by target.
    trigger_guessed: bool = False


# --- RAMS and GENEVA: events with triggers and roles ----------------------------------------

# event type prefix -> (act, status or None, target roles, actor roles); None: not ours.
RAMS_TYPES: tuple[
    tuple[str, tuple[str, str | None, tuple[str, ...], tuple[str, ...]] | None], ...
] = (
    ("conflict.attack.stealrobhijack", None),
    ("conflict.attack.invade", None),
    ("conflict.attack", ("attack", None, ("target", "victim"), ("attacker",))),
    ("life.die.deathcausedbyviolentevents", ("kill", None, ("victim",), ("killer",))),
    ("life.die.nonviolentdeath", ("-", None, (), ())),
    ("life.die", ("kill?", None, ("victim",), ("killer",))),
    ("life.injure.injurycausedbyviolentevents", ("attack", None, ("victim",), ("injurer",))),
    ("life.injure.illnessdegradation", ("-", None, (), ())),
    ("life.injure", ("attack?", None, ("victim",), ("injurer",))),
    ("contact.threatencoerce", ("threaten", "threatened", ("recipient",), ("communicator",))),
)
GENEVA_TYPES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "Killing": ("kill", ("Victim",), ("Killer", "Cause")),
    "Attack": ("attack", ("Victim",), ("Assailant",)),
    "Terrorism": ("attack", ("Victim",), ("Terrorist", "Perpetrator")),
    "Bodily_harm": ("attack", ("Victim",), ("Agent", "Cause")),
    "Hostile_encounter": ("attack", ("Side_2",), ("Side_1",)),
}


def rams_statements(doc: CorpusDocument) -> list[GoldStatement]:
    out = []
    for event in doc.events:
        mapped = next((m for prefix, m in RAMS_TYPES if event.kind.startswith(prefix)), None)
        if mapped is None or event.trigger is None:
            continue
        act, status, targets, actors = mapped
        target = _first(event, targets)
        actor = _first(event, actors)
        if act == "-":
            out.append(GoldStatement("kill", None, event.trigger, None, None, negative=True))
            continue
        if act.endswith("?"):
            # An unspecified death or injury is ours only when someone caused it.
            if actor is None:
                continue
            act = act[:-1]
        out.append(GoldStatement(act, status, event.trigger, target, actor))
    return out


def geneva_statements(doc: CorpusDocument) -> list[GoldStatement]:
    out = []
    for event in doc.events:
        mapped = GENEVA_TYPES.get(event.kind)
        if mapped is None or event.trigger is None:
            continue
        act, targets, actors = mapped
        out.append(
            GoldStatement(act, None, event.trigger, _first(event, targets), _first(event, actors))
        )
    return out


def _first(event: GoldEvent, roles: Iterable[str]) -> tuple[int, int] | None:
    for role in roles:
        found = [a for a in event.role(role) if a.start >= 0]
        if found:
            return found[0].start, found[0].end
    return None


# --- MUC-4 and GVDB: templates without triggers ---------------------------------------------

HARM_WORDS: dict[str, tuple[str, ...]] = {
    "kill": (
        "killed",
        "kill",
        "killing",
        "killings",
        "murdered",
        "murder",
        "murders",
        "assassinated",
        "assassination",
        "massacre",
        "massacred",
        "dead",
        "death",
        "deaths",
        "bodies",
        "slain",
        "executed",
        "shot dead",
        "died",
        "fatally",
        "fatal",
    ),
    "kidnap": (
        "kidnapped",
        "kidnapping",
        "kidnap",
        "abducted",
        "abduction",
        "hostage",
        "hostages",
        "captive",
        "captors",
        "seized",
        "released",
        "held",
    ),
    "attack": (
        "attack",
        "attacked",
        "attacks",
        "shot",
        "shooting",
        "fired",
        "wounded",
        "injured",
        "injuring",
        "wounding",
        "bomb",
        "bombing",
        "bombed",
        "exploded",
        "explosion",
        "blast",
        "dynamite",
        "ambush",
        "ambushed",
        "machinegunned",
        "burned",
        "set fire",
        "clash",
        "clashes",
        "assault",
        "assaulted",
        "beaten",
        "stabbed",
        "gunfire",
    ),
    "threaten": ("threat", "threats", "threatened", "threatening", "warned"),
}
MUC_ACTS = {
    "MURDER": "kill",
    "KIDNAPPING": "kidnap",
    "ATTACK": "attack",
    "BOMBING": "attack",
    "ARSON": "attack",
}
MUC_STATUS = {"accomplished": "carried_out", "attempted": "attempted", "threatened": "threatened"}


def _harm_word(
    sentence: str, offset: int, acts: Iterable[str]
) -> tuple[str, tuple[int, int]] | None:
    best: tuple[int, str, tuple[int, int]] | None = None
    for act in acts:
        for word in HARM_WORDS[act]:
            pattern = r"(?<!\w)" + r"\s+".join(word.split()) + r"(?!\w)"
            for match in re.finditer(pattern, sentence, re.IGNORECASE):
                if best is None or match.start() < best[0]:
                    best = (match.start(), act, (offset + match.start(), offset + match.end()))
    return (best[1], best[2]) if best else None


def muc_statements(doc: CorpusDocument, sentences: list[tuple[int, int]]) -> list[GoldStatement]:
    """One statement per sentence that mentions a victim of an incident with a harm word."""
    out: list[GoldStatement] = []
    for event in doc.events:
        act = MUC_ACTS.get(event.kind)
        if act is None:
            continue
        status = MUC_STATUS.get(event.stage or "")
        victims = [a for a in event.arguments if a.role.startswith("victim") and a.start >= 0]
        perpetrators = [
            a for a in event.arguments if a.role.startswith("perpetrator") and a.start >= 0
        ]
        died = any("DEATH" in value for key, value in event.attributes if key == "human_effect")
        for start, end in sentences:
            inside = [v for v in victims if start <= v.start < end]
            if not inside:
                continue
            acts = ("threaten", act) if status == "threatened" else (act, "kill", "attack")
            found = _harm_word(doc.text[start:end], start, acts)
            if found is None:
                continue
            word_act, trigger = found
            chosen = act
            if word_act == "kill" and (died or act == "kill"):
                chosen = "kill"
            elif word_act == "kidnap":
                chosen = "kidnap"
            actor = next(((p.start, p.end) for p in perpetrators if start <= p.start < end), None)
            target = min(inside, key=lambda v: abs(v.start - trigger[0]))
            out.append(
                GoldStatement(
                    chosen, status, trigger, (target.start, target.end), actor, trigger_guessed=True
                )
            )
    return out


def gvdb_statements(doc: CorpusDocument, sentences: list[tuple[int, int]]) -> list[GoldStatement]:
    out: list[GoldStatement] = []
    event = doc.events[0] if doc.events else None
    if event is None:
        return out
    victims = event.role("victim")
    shooters = event.role("shooter")
    for start, end in sentences:
        inside = [v for v in victims if start <= v.start < end]
        if not inside:
            continue
        found = _harm_word(doc.text[start:end], start, ("kill", "attack"))
        if found is None:
            continue
        act, trigger = found
        actor = next(((s.start, s.end) for s in shooters if start <= s.start < end), None)
        for victim in inside:
            out.append(
                GoldStatement(
                    act,
                    "carried_out",
                    trigger,
                    (victim.start, victim.end),
                    actor,
                    trigger_guessed=True,
                )
            )
    return out
