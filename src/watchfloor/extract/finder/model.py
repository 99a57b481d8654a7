"""The packaged finder model at run time: ONNX Runtime and `tokenizers`, no PyTorch.

`FinderModel.load()` opens `watchfloor/models/finder` (or a folder given by the settings) once
per process; `predict` reads batches of sentences with their neighbours and returns, per
sentence, the probability that it states a threat or act of violence against someone, and the
triggers (with act and status), targets and actors the heads tag, as character spans of the
sentence.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from watchfloor.errors import PipelineNotFound
from watchfloor.extract.finder.encoding import Encoded, Encoder, pad_batch
from watchfloor.extract.finder.labels import SPAN_TAGS, STATUS_CLASSES, TRIGGER_TAGS, tag_act

PACKAGED = Path(__file__).resolve().parents[2] / "models" / "finder"


@dataclass(frozen=True)
class Piece:
    """A tagged span of the sentence (characters) with the model's probability for it."""

    start: int
    end: int
    probability: float


@dataclass(frozen=True)
class FoundTrigger(Piece):
    act: str = "attack"
    status: str = "carried_out"
    status_probability: float = 0.0


@dataclass(frozen=True)
class SentenceReading:
    """What the model reads in one sentence."""

    probability: float
    triggers: tuple[FoundTrigger, ...]
    targets: tuple[Piece, ...]
    actors: tuple[Piece, ...]
    truncated: bool


def _softmax(row: Sequence[float]) -> list[float]:
    top = max(row)
    exps = [math.exp(v - top) for v in row]
    total = sum(exps)
    return [e / total for e in exps]


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value)) if value > -60 else 0.0


class FinderModel:
    def __init__(self, session: Any, encoder: Encoder, meta: dict[str, Any]) -> None:
        self.session = session
        self.encoder = encoder
        self.meta = meta

    @classmethod
    def load(cls, folder: Path = PACKAGED, threads: int = 1) -> FinderModel:
        model_file = folder / "finder.onnx"
        if not model_file.is_file():
            raise PipelineNotFound(
                f"{model_file}: the trained finder is not there; reinstall watchfloor, or build "
                "it with `make train-finder`, or run the rules alone (finder: rules)"
            )
        import onnxruntime
        from tokenizers import Tokenizer

        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        expected = (list(TRIGGER_TAGS), list(SPAN_TAGS), list(STATUS_CLASSES))
        if (meta["trigger_tags"], meta["span_tags"], meta["status_classes"]) != expected:
            raise PipelineNotFound(
                f"{folder}: the finder was trained on other labels than this watchfloor uses; "
                "rebuild it with `make train-finder`"
            )
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            str(model_file), options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        encoder = Encoder(tokenizer, meta["max_sentence"], meta["max_total"])
        return cls(session, encoder, meta)

    def predict(
        self, rows: Sequence[tuple[str, str, str]], batch_size: int = 32
    ) -> list[SentenceReading]:
        """Readings for (sentence, before, after) rows, in order; batches by similar length."""
        encoded = self.encoder.encode_many(rows)
        order = sorted(range(len(rows)), key=lambda i: len(encoded[i].ids))
        readings: dict[int, SentenceReading] = {}
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            batch = [encoded[i] for i in chosen]
            for i, reading in zip(
                chosen, self._run(batch, [rows[i][0] for i in chosen]), strict=True
            ):
                readings[i] = reading
        return [readings[i] for i in range(len(rows))]

    def _run(self, batch: list[Encoded], sentences: list[str]) -> list[SentenceReading]:
        import numpy as np

        ids, mask, segments = pad_batch(batch, self.encoder.pad)
        outputs = self.session.run(
            None,
            {
                "input_ids": np.asarray(ids, dtype=np.int64),
                "attention_mask": np.asarray(mask, dtype=np.int64),
                "token_type_ids": np.asarray(segments, dtype=np.int64),
            },
        )
        sentence, trigger, target, actor, status = (o.tolist() for o in outputs)
        return [
            decode(
                row,
                text,
                sentence[b],
                trigger[b],
                target[b],
                actor[b],
                status[b],
            )
            for b, (row, text) in enumerate(zip(batch, sentences, strict=True))
        ]


# A word piece belongs to a trigger or a span when the model gives it at least this much
# probability of not being outside one. Lower than 0.5 on purpose: the heads are trained on
# sentences where most pieces are outside, so their argmax is shy; precision is restored by the
# sentence and trigger thresholds of the combination (data/finder/finder.yaml).
PIECE_PROBABILITY = 0.3
# A single piece between two tagged ones ("Sen . John McCain") joins them if it reaches this.
BRIDGE_PROBABILITY = 0.1


def decode(
    row: Encoded,
    text: str,
    sentence_logit: float,
    trigger: list[list[float]],
    target: list[list[float]],
    actor: list[list[float]],
    status: list[list[float]],
) -> SentenceReading:
    pieces = [i for i, o in enumerate(row.offsets) if o is not None and o[1] > o[0]]
    trigger_probs = {i: _softmax(trigger[i]) for i in pieces}
    triggers = []
    for first, last in _runs(pieces, {i: 1.0 - p[0] for i, p in trigger_probs.items()}):
        run = range(first, last + 1)
        act_scores: dict[str, float] = {}
        for i in run:
            for tag, probability in enumerate(trigger_probs[i]):
                found = tag_act(tag)
                if found is not None:
                    act_scores[found[0]] = act_scores.get(found[0], 0.0) + probability
        act = max(act_scores, key=act_scores.__getitem__)
        probability = max(1.0 - trigger_probs[i][0] for i in run)
        start, end = _words(text, row.offsets[first], row.offsets[last])  # type: ignore[arg-type]
        status_probs = _softmax(status[first])
        best = max(range(len(status_probs)), key=status_probs.__getitem__)
        triggers.append(
            FoundTrigger(start, end, probability, act, STATUS_CLASSES[best], status_probs[best])
        )
    return SentenceReading(
        probability=_sigmoid(sentence_logit),
        triggers=tuple(triggers),
        targets=tuple(_spans(pieces, target, row, text)),
        actors=tuple(_spans(pieces, actor, row, text)),
        truncated=row.truncated,
    )


def _runs(pieces: list[int], inside: dict[int, float]) -> list[tuple[int, int]]:
    """Maximal runs of consecutive pieces that are inside, bridging single weak gaps."""
    runs: list[tuple[int, int]] = []
    for position, i in enumerate(pieces):
        if inside[i] < PIECE_PROBABILITY:
            continue
        if (runs and runs[-1][1] == i - 1) or (
            runs
            and runs[-1][1] == i - 2
            and position > 0
            and inside.get(i - 1, 0.0) >= BRIDGE_PROBABILITY
        ):
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _spans(pieces: list[int], logits: list[list[float]], row: Encoded, text: str) -> list[Piece]:
    inside = {i: 1.0 - _softmax(logits[i])[0] for i in pieces}
    out = []
    for first, last in _runs(pieces, inside):
        start, end = _words(text, row.offsets[first], row.offsets[last])  # type: ignore[arg-type]
        out.append(Piece(start, end, max(inside[i] for i in range(first, last + 1))))
    return out


def _words(text: str, first: tuple[int, int], last: tuple[int, int]) -> tuple[int, int]:
    """Grow a piece span to whole words ("assassin" + "##ated" -> "assassinated")."""
    start, end = first[0], last[1]
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


@cache
def packaged_model() -> FinderModel:
    """The packaged finder, loaded once per process."""
    return FinderModel.load()
