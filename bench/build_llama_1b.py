"""Build a Llama export of TinyLlama's shape (1.1B parameters, random weights, external data) for the benchmarks.

Not committed (4.4 GB).  Writes bench/models/llama-1b: model.onnx + model.onnx_data, with the sample
tokenizer (only its first 2048 ids have text: enough to drive it).

    pip install -e ".[bench]" && python bench/build_llama_1b.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = HERE / "models"
SHAPE = dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=22, num_attention_heads=32,
             num_key_value_heads=4, vocab_size=32000, max_position_embeddings=2048, tie_word_embeddings=False)


def build(force: bool = False) -> Path:
    import torch
    from optimum.exporters.onnx import main_export
    from transformers import LlamaConfig, LlamaForCausalLM

    out = MODELS / "llama-1b"
    if (out / "model.onnx").exists() and not force:
        return out
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(**SHAPE)).eval()
    print(f"exporting {model.num_parameters():,} parameters")
    tok = HERE.parent / "sample_models" / "tokenizer.json"
    with tempfile.TemporaryDirectory(dir=MODELS) as tmp:
        model.save_pretrained(tmp)
        del model
        main_export(tmp, output=str(out), task="text-generation-with-past", device="cpu")
    shutil.copy(tok, out / "tokenizer.json")
    return out


if __name__ == "__main__":
    MODELS.mkdir(exist_ok=True)
    build(force="--force" in sys.argv)
    print(f"built {MODELS}")
