"""Census time and peak RSS of `inspector stats` against onnx-tool's profile, on a GPT-2-small export.

    python bench/build_gpt2_small.py && python bench/census_bench.py [--repeat 3]

Each tool runs in its own process; figures are medians.  Both the inline export and the
external-data one are measured.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import medians  # noqa: E402

MODELS = Path(__file__).resolve().parent / "models"
ONNX_TOOL = """
import sys, onnx_tool
shapes = {"input_ids": [1, 1], "attention_mask": [1, 17], "position_ids": [1, 1]}
for i in range(12):
    for kv in ("key", "value"):
        shapes[f"past_key_values.{i}.{kv}"] = [1, 12, 16, 64]
try:
    onnx_tool.model_profile(sys.argv[1], dynamic_shapes=shapes)
except Exception as exc:  # its shape inference fails on optimum's GPT-2 graph: report, don't hide
    print(f"onnx-tool profile failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    sys.exit(3)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{'model':<16}{'tool':<28}{'seconds':>9}{'peak RSS MB':>13}")
    for name in ("gpt2-small", "gpt2-small-ext"):
        model = MODELS / name / "model.onnx"
        if not model.exists():
            sys.exit("build the model first: python bench/build_gpt2_small.py")
        ours = medians([sys.executable, "-m", "inspector", "stats", str(model), "--json"], args.repeat)
        peer = medians([sys.executable, "-c", ONNX_TOOL, str(model)], args.repeat, allow_fail=True)
        print(f"{name:<16}{'inspector stats --json':<28}{ours[0]:>9.2f}{ours[1]:>13.0f}")
        label = "onnx-tool model_profile" + ("" if peer[2] == 0 else " (failed)")
        print(f"{name:<16}{label:<28}{peer[0]:>9.2f}{peer[1]:>13.0f}")
        print(f"{name:<16}{'ratio inspector/onnx-tool':<28}{ours[0] / peer[0]:>9.2f}{ours[1] / peer[1]:>13.2f}")


if __name__ == "__main__":
    main()
