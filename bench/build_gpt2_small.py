"""Build a GPT-2-small-size export (124M parameters, random weights) for the benchmarks.

Not committed (about 500 MB).  Writes bench/models/gpt2-small (weights inside the .onnx)
and bench/models/gpt2-small-ext (the same graph with weights in model.onnx_data).

    pip install -e ".[bench]" && python bench/build_gpt2_small.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = HERE / "models"


def build(force: bool = False) -> Path:
    import onnx
    import torch
    from optimum.exporters.onnx import main_export
    from transformers import GPT2Config, GPT2LMHeadModel

    inline, ext = MODELS / "gpt2-small", MODELS / "gpt2-small-ext"
    if (inline / "model.onnx").exists() and (ext / "model.onnx").exists() and not force:
        return inline
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config()).eval()  # the GPT-2 small configuration: 12 layers, d 768
    print(f"exporting {model.num_parameters():,} parameters")
    tok = Path(__file__).resolve().parent.parent / "sample_models" / "tokenizer.json"
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        main_export(tmp, output=str(inline), task="text-generation-with-past", device="cpu")
    shutil.copy(tok, inline / "tokenizer.json")  # only the first 2048 ids have text; enough to drive it
    ext.mkdir(parents=True, exist_ok=True)
    proto = onnx.load(inline / "model.onnx")
    onnx.save_model(proto, ext / "model.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
                    location="model.onnx_data", size_threshold=1024)
    for name in ("config.json", "tokenizer.json", "generation_config.json"):
        if (inline / name).exists():
            shutil.copy(inline / name, ext / name)
    return inline


if __name__ == "__main__":
    build(force="--force" in sys.argv)
    print(f"built {MODELS}")
