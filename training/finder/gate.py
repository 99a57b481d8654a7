"""Train the cascade's gate (watchfloor/extract/finder/gate.py): logistic regression over hashed
words and the pipeline's mean word vector, threshold set for a recall target on the dev split.

    python -m training.finder.gate --data var/finder/data --out src/watchfloor/models/finder
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from watchfloor.extract.finder.gate import BUCKETS, features, mean_vector, words


def _rows(path: Path, vocab: object, width: int) -> tuple[list[list[int]], np.ndarray, np.ndarray]:
    sparse, dense, labels = [], [], []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            sparse.append(features(row["text"]))
            dense.append(mean_vector(vocab, words(row["text"]), width))
            labels.append(1.0 if row["statements"] else 0.0)
    return sparse, np.asarray(dense, dtype="float32"), np.asarray(labels, dtype="float32")


def _scores(
    weights: np.ndarray,
    dense_w: np.ndarray,
    bias: float,
    sparse: list[list[int]],
    dense: np.ndarray,
) -> np.ndarray:
    return np.asarray([weights[f].sum() for f in sparse]) + dense @ dense_w + bias


def train(
    sparse: list[list[int]],
    dense: np.ndarray,
    labels: np.ndarray,
    epochs: int,
    l2: float,
    rate: float,
) -> tuple[np.ndarray, np.ndarray, float]:
    weights = np.zeros(BUCKETS, dtype="float32")
    squared = np.full(BUCKETS, 1e-6, dtype="float32")
    dense_w = np.zeros(dense.shape[1], dtype="float32")
    dense_sq = np.full(dense.shape[1], 1e-6, dtype="float32")
    bias, bias_sq = 0.0, 1e-6
    rng = np.random.default_rng(5)
    positive_weight = (len(labels) - labels.sum()) / max(1.0, labels.sum())
    for _ in range(epochs):
        for i in rng.permutation(len(labels)):
            f = sparse[i]
            z = weights[f].sum() + dense[i] @ dense_w + bias
            p = 1.0 / (1.0 + np.exp(-z))
            g = (p - labels[i]) * (positive_weight if labels[i] else 1.0)
            grad = g + l2 * weights[f]
            squared[f] += grad * grad
            weights[f] -= rate * grad / np.sqrt(squared[f])
            dense_grad = g * dense[i] + l2 * dense_w
            dense_sq += dense_grad * dense_grad
            dense_w -= rate * dense_grad / np.sqrt(dense_sq)
            bias_sq += g * g
            bias -= rate * g / np.sqrt(bias_sq)
    return weights, dense_w, float(bias)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("var/finder/data"))
    parser.add_argument("--out", type=Path, default=Path("src/watchfloor/models/finder"))
    parser.add_argument("--recall", type=float, default=0.98)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--no-vectors", action="store_true")
    args = parser.parse_args(argv)
    from watchfloor.nlp import load

    vocab = load().vocab
    width = 0 if args.no_vectors else vocab.vectors.shape[1]
    sparse, dense, labels = _rows(args.data / "train.jsonl", vocab, width)
    dev_sparse, dev_dense, dev_labels = _rows(args.data / "dev.jsonl", vocab, width)
    weights, dense_w, bias = train(sparse, dense, labels, args.epochs, l2=1e-5, rate=0.1)
    scores = _scores(weights, dense_w, bias, dev_sparse, dev_dense)
    positives = np.sort(scores[dev_labels == 1])
    threshold = float(positives[int((1 - args.recall) * len(positives))])
    passed = float((scores >= threshold)[dev_labels == 0].mean())
    print(
        f"dev: recall {float((positives >= threshold).mean()):.3f} at threshold {threshold:.3f}; "
        f"negatives passed {passed:.3f} ({len(positives)} positives)"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out / "gate.npz",
        weights=weights.astype("float16"),
        dense=dense_w,
        bias=np.float32(bias),
        threshold=np.float32(threshold),
    )
    print(f"wrote {args.out / 'gate.npz'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
