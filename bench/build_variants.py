"""The 1.1B Llama benchmark export stored three more ways, made by onnxruntime's own tools as hub folders ship
them: fp16 (its float16 converter), dynamic int8 (quantize_dynamic, MatMul weights) and int4 (MatMulNBits, block
32, symmetric).  The planner's runtime fit (bench/plan_bench.py --fit) measures what onnxruntime holds for each.

    python bench/build_llama_1b.py && python bench/build_variants.py     # bench/models/llama-1b-variants

Each file keeps its weights in its own external data file.  Needs about 9 GB of memory while it runs.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "models" / "llama-1b"
OUT = HERE / "models" / "llama-1b-variants"
VARIANTS = ("model_fp16.onnx", "model_quantized.onnx", "model_q4.onnx")


def _save(model, path: Path) -> None:
    import onnx

    onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location=path.name + "_data", size_threshold=1024)
    print(f"{path.name}: {sum(p.stat().st_size for p in path.parent.glob(path.name + '*')) / 1e9:.2f} GB")


def build(force: bool = False) -> Path:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
    from onnxruntime.transformers import float16

    if not (SRC / "model.onnx").exists():
        raise SystemExit("build the 1.1B model first: python bench/build_llama_1b.py")
    OUT.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "generation_config.json"):
        if (SRC / name).exists():
            shutil.copy(SRC / name, OUT / name)
    if force or not (OUT / "model_fp16.onnx").exists():
        # shape inference would serialize the 4.4 GB model (over protobuf's 2 GB); the default block list keeps
        # the graph consistent (with Cast blocked too, an RMSNorm's Add was left half fp32)
        model = float16.convert_float_to_float16(onnx.load(SRC / "model.onnx"), keep_io_types=False,
                                                 disable_shape_infer=True)
        _save(model, OUT / "model_fp16.onnx")
        del model
    if force or not (OUT / "model_quantized.onnx").exists():
        quantize_dynamic(SRC / "model.onnx", OUT / "model_quantized.onnx", weight_type=QuantType.QInt8,
                         use_external_data_format=True, extra_options={"MatMulConstBOnly": True})
    if force or not (OUT / "model_q4.onnx").exists():
        q4 = MatMulNBitsQuantizer(onnx.load(SRC / "model.onnx"), block_size=32, is_symmetric=True)
        q4.process()
        _save(q4.model.model, OUT / "model_q4.onnx")
    return OUT


if __name__ == "__main__":
    build(force="--force" in sys.argv)
    print(f"built {OUT}")
