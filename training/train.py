"""One command to rebuild watchfloor's English pipeline from the open treebanks.

    python training/train.py        # the default: CNN + MiniLM static vectors (cnn_vectors.cfg)
    python training/train.py --config training/cnn.cfg --no-package     # the CNN from scratch
    python training/train.py --config training/minilm.cfg --output training/output/minilm \
        --no-package                        # the MiniLM alternative (needs the [training] extra)

Steps: convert ../shared/data (UD-EWT official split, GUM with held-out documents) to DocBin,
train with spaCy, stamp the pipeline's meta (name, version, sources, licenses), and copy the best
checkpoint into src/watchfloor/models/en_watchfloor unless --no-package. Retrain only when
`training/evaluate.py` shows an improvement: the packaged model is committed to the repository.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import spacy

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PACKAGED = REPO / "src" / "watchfloor" / "models" / "en_watchfloor"

META = {
    "name": "watchfloor",
    "version": "0.1.0",
    "description": (
        "watchfloor's English pipeline: tagger/morphologizer, dependency parser, lemmatizer and "
        "entity recognizer trained on UD English-EWT and GUM, with static vectors from MiniLM-L6."
    ),
    "license": "CC BY-SA 4.0 (from UD English-EWT, CC BY-SA 4.0, and GUM annotations, CC BY 4.0)",
    "sources": [
        {
            "name": "UD English-EWT",
            "url": "https://github.com/UniversalDependencies/UD_English-EWT",
            "license": "CC BY-SA 4.0",
        },
        {"name": "GUM", "url": "https://github.com/amir-zeldes/gum", "license": "CC BY 4.0"},
    ],
}


def add_lemma_backoff(pipeline_dir: Path) -> None:
    """Put the verb lemma backoff after the trained lemmatizer (rule tables from the
    [training] extra's spacy-lookups-data, saved inside the pipeline)."""
    from watchfloor.nlp.lemmas import LEMMA_BACKOFF

    nlp = spacy.load(pipeline_dir)
    nlp.add_pipe(LEMMA_BACKOFF, after="trainable_lemmatizer").initialize()
    nlp.to_disk(pipeline_dir)


def run(command: list[str]) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--config", type=Path, default=HERE / "cnn_vectors.cfg")
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--output", type=Path, default=HERE / "output" / "cnn")
    parser.add_argument(
        "--no-package", action="store_true", help="do not replace the packaged model"
    )
    parser.add_argument(
        "overrides", nargs="*", help="spaCy config overrides, e.g. --training.max_steps=100"
    )
    args = parser.parse_args()

    if not (args.shared / "data" / "ud-ewt").is_dir():
        sys.exit(
            f"error: {args.shared}/data/ud-ewt not found; pass --shared PATH to the shared folder"
        )
    run(
        [
            sys.executable,
            str(HERE / "convert.py"),
            "--shared",
            str(args.shared),
            "--out",
            str(args.corpus),
        ]
    )
    if 'vectors = "training/output/vectors"' in args.config.read_text(encoding="utf-8"):
        # The static vectors come from MiniLM's embedding table (needs the [training] extra).
        vectors = REPO / "training" / "output" / "vectors"
        run([sys.executable, str(HERE / "vectors.py"), "--out", str(vectors)])
    run(
        [
            sys.executable,
            "-m",
            "spacy",
            "train",
            str(args.config),
            "--code",
            str(HERE / "callbacks.py"),
            "--output",
            str(args.output),
            "--paths.train",
            str(args.corpus / "train.spacy"),
            "--paths.dev",
            str(args.corpus / "dev.spacy"),
            *args.overrides,
        ]
    )
    best = args.output / "model-best"
    if "trainable_lemmatizer" in spacy.load(best).pipe_names:
        add_lemma_backoff(best)
    meta_path = best / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta.update(META)
    meta_path.write_text(json.dumps(meta, indent=2))
    if not args.no_package:
        shutil.rmtree(PACKAGED, ignore_errors=True)
        shutil.copytree(best, PACKAGED)
        print(f"packaged {best} -> {PACKAGED}")


if __name__ == "__main__":
    main()
