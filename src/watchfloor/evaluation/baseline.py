"""A keyword-and-name baseline, scored beside the extractor so the numbers have a floor.

For every token whose lemma or form is a threat keyword (data/evaluation/baseline.yaml), the
target is the nearest PERSON entity in the same sentence, else the nearest run of proper nouns
outside other entities; with neither, the keyword yields nothing. The status comes from the first
status word found in the sentence, else from tense. It links a target to the watchlist only by
an exact name or alias inside the target text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from watchfloor.datafiles import load_yaml
from watchfloor.evaluation.scoring import Prediction
from watchfloor.schemas import BaselineFile
from watchfloor.warn.policy import DutyToWarnPolicy

DEFAULT_BASELINE_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "evaluation" / "baseline.yaml"
)


@dataclass(frozen=True)
class BaselineRules:
    acts: Mapping[str, str]  # keyword -> act
    status_words: tuple[tuple[str, frozenset[str]], ...]
    past_tense_status: str
    default_status: str

    @classmethod
    def load(cls, path: Path | None = None) -> BaselineRules:
        path = path or DEFAULT_BASELINE_FILE
        data = load_yaml(path, BaselineFile)
        acts = {word: act for act, words in data.acts.items() for word in words}
        status_words = tuple((rule.status, frozenset(rule.words)) for rule in data.status_words)
        return cls(acts, status_words, data.past_tense_status, data.default_status)


class KeywordBaseline:
    def __init__(
        self,
        nlp: Language,
        names: Mapping[str, Sequence[str]] | None = None,
        rules: BaselineRules | None = None,
        policy: DutyToWarnPolicy | None = None,
    ) -> None:
        """`names` maps a protectee id to its name and aliases."""
        self.nlp = nlp
        self.rules = rules or BaselineRules.load()
        self.policy = policy or DutyToWarnPolicy.load()
        self.names = [
            (name.lower(), pid) for pid, all_names in (names or {}).items() for name in all_names
        ]
        # Longest name first so "Ambassador Marks" wins over a shorter alias inside it.
        self.names.sort(key=lambda item: -len(item[0]))

    def predict_many(
        self, texts: Iterable[str], batch_size: int = 32
    ) -> Iterator[list[Prediction]]:
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            yield self.predict_doc(doc)

    def predict_doc(self, doc: Doc) -> list[Prediction]:
        out: list[Prediction] = []
        seen: set[tuple[str, int, int]] = set()
        for sentence in doc.sents:
            status = self._status(sentence)
            for token in sentence:
                act = self.rules.acts.get(token.lemma_.lower()) or self.rules.acts.get(token.lower_)
                if act is None:
                    continue
                target = self._target(sentence, token.i)
                if target is None or (act, target.start_char, target.end_char) in seen:
                    continue
                seen.add((act, target.start_char, target.end_char))
                protectee = self._link(target.text)
                out.append(
                    Prediction(
                        act=act,
                        status=status,
                        target_text=target.text,
                        target_start=target.start_char,
                        target_end=target.end_char,
                        protectee=protectee,
                        duty_to_warn=self.policy.owes_warning(
                            act, status, identifiable_person=True
                        ),
                        evidence=sentence.text,
                    )
                )
        return out

    def _status(self, sentence: Span) -> str:
        words = {t.lower_ for t in sentence} | {t.lemma_.lower() for t in sentence}
        for status, cues in self.rules.status_words:
            if words & cues:
                return status
        if any("Past" in t.morph.get("Tense", []) for t in sentence if t.pos_ in ("VERB", "AUX")):
            return self.rules.past_tense_status
        return self.rules.default_status

    @staticmethod
    def _target(sentence: Span, keyword: int) -> Span | None:
        doc = sentence.doc
        people = [
            e for e in sentence.ents if e.label_ == "PERSON" and not e.start <= keyword < e.end
        ]
        if people:
            return min(people, key=lambda e: min(abs(e.start - keyword), abs(e.end - 1 - keyword)))
        runs: list[Span] = []
        start: int | None = None
        for token in sentence:
            name_like = token.pos_ == "PROPN" and token.ent_type_ in ("", "PERSON")
            if name_like and token.i != keyword and start is None:
                start = token.i
            elif not name_like and start is not None:
                runs.append(doc[start : token.i])
                start = None
        if start is not None:
            runs.append(doc[start : sentence.end])
        if not runs:
            return None
        return min(runs, key=lambda r: min(abs(r.start - keyword), abs(r.end - 1 - keyword)))

    def _link(self, target: str) -> str | None:
        lowered = target.lower()
        for name, pid in self.names:
            if name in lowered:
                return pid
        return None
