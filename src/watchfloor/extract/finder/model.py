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
            for i, reading in zip(chosen, self._run(batch, [rows[i][0] for i in chosen]), strict=True):
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
    triggers = []
    for first, last, act, probability in _trigger_runs(pieces, trigger):
        start, end = _words(text, row.offsets[first], row.offsets[last])  # type: ignore[arg-type]
        status_probs = _softmax(status[first])
        best = max(range(len(status_probs)), key=status_probs.__getitem__)
        triggers.append(
            FoundTrigger(start, end, probability, act, STATUS_CLASSES[best], status_probs[best])
        )
    return SentenceReading(
        probability=_sigmoid(sentence_logit),
        triggers=tuple(triggers),
        targets=tuple(_span_runs(pieces, target, row, text)),
        actors=tuple(_span_runs(pieces, actor, row, text)),
        truncated=row.truncated,
    )


def _trigger_runs(
    pieces: list[int], logits: list[list[float]]
) -> list[tuple[int, int, str, float]]:
    runs: list[tuple[int, int, str, float]] = []
    current: list[Any] | None = None
    for i in pieces:
        probs = _softmax(logits[i])
        tag = max(range(len(probs)), key=probs.__getitem__)
        found = tag_act(tag)
        if found is None:
            current = None
            continue
        act, begins = found
        if current is not None and not begins and current[2] == act:
            current[1] = i
            continue
        # A trigger starts at B, or at an I without a B before it (the head slipped a piece).
        current = [i, i, act, 1.0 - probs[0]]
        runs.append(current)  # type: ignore[arg-type]
    return [(a, b, act, p) for a, b, act, p in runs]


def _span_runs(
    pieces: list[int], logits: list[list[float]], row: Encoded, text: str
) -> list[Piece]:
    spans: list[Piece] = []
    current: list[Any] | None = None
    for i in pieces:
        probs = _softmax(logits[i])
        tag = max(range(3), key=probs.__getitem__)
        if tag == 0:
            current = None
            continue
        if current is not None and tag == 2:
            current[1] = i
            continue
        current = [i, i, 1.0 - probs[0]]
        spans.append(current)  # type: ignore[arg-type]
    out = []
    for first, last, probability in spans:  # type: ignore[misc]
        start, end = _words(text, row.offsets[first], row.offsets[last])  # type: ignore[arg-type]
        out.append(Piece(start, end, probability))
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
