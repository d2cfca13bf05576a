"""Census and statistics: our `stats --json`, our `stats --counts-only` and a plain onnx.load + numpy script, on the
GPT-2-small export (124M, inline; and with external data) and the 1.1B Llama (external data), in one run.

    python bench/build_gpt2_small.py && python bench/build_llama_1b.py
    python bench/census_bench.py [--repeat 3] [--onnx-tool]

Each tool runs in its own process with a warm page cache; figures are medians: seconds, GB of weights per
second, peak RSS, and the ratios naive/ours.  `--onnx-tool` adds onnx-tool's model_profile (it fails on these
graphs' shape inference; its memory is real).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import medians  # noqa: E402

MODELS = Path(__file__).resolve().parent / "models"
NAIVE = """
import sys, numpy as np, onnx
from onnx import numpy_helper
m = onnx.load(sys.argv[1])                       # everything, external data included, into memory
total = 0
for t in m.graph.initializer:
    a = numpy_helper.to_array(t).astype(np.float64)
    if a.size > 1 and a.dtype.kind == "f":
        total += a.size
        a.mean(), a.std(), np.histogram(a, 100)  # two passes: moments, then the histogram
print(total)
"""
ONNX_TOOL = """
import sys, onnx_tool
shapes = {"input_ids": [1, 1], "attention_mask": [1, 17], "position_ids": [1, 1]}
try:
    onnx_tool.model_profile(sys.argv[1], dynamic_shapes=shapes)
except Exception as exc:
    print(f"onnx-tool profile failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    sys.exit(3)
"""
CASES = (("gpt2-small", "124M inline"), ("gpt2-small-ext", "124M external"), ("llama-1b", "1.1B external"))


def weight_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.name.startswith("model.onnx"))


def warm(folder: Path) -> None:
    for p in folder.iterdir():
        if p.name.startswith("model.onnx"):
            with open(p, "rb") as fh:
                while fh.read(1 << 24):
                    pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--onnx-tool", action="store_true")
    args = ap.parse_args()
    print("| model | tool | seconds | GB/s | peak RSS MB |\n|---|---|--:|--:|--:|")
    ratios = []
    for name, label in CASES:
        folder = MODELS / name
        if not (folder / "model.onnx").exists():
            print(f"| {label} | (not built: python bench/build_{'llama_1b' if 'llama' in name else 'gpt2_small'}.py) |")
            continue
        gb = weight_bytes(folder) / 1e9
        warm(folder)
        runs = {
            "inspector stats --json": [sys.executable, "-m", "inspector", "stats", str(folder), "--json"],
            "inspector stats --counts-only": [sys.executable, "-m", "inspector", "stats", str(folder), "--counts-only",
                                              "--json"],
            "onnx.load + numpy": [sys.executable, "-c", NAIVE, str(folder / "model.onnx")],
        }
        if args.onnx_tool:
            runs["onnx-tool model_profile"] = [sys.executable, "-c", ONNX_TOOL, str(folder / "model.onnx")]
        got = {}
        for tool, cmd in runs.items():
            seconds, rss, code = medians(cmd, args.repeat, allow_fail=tool.startswith("onnx-tool"))
            got[tool] = (seconds, rss)
            fail = " (failed)" if code else ""
            print(f"| {label} | {tool}{fail} | {seconds:.2f} | {gb / seconds:.2f} | {rss:.0f} |", flush=True)
        ours, naive = got["inspector stats --json"], got["onnx.load + numpy"]
        ratios.append((label, naive[0] / ours[0], naive[1] / ours[1]))
    print("\n| model | naive / ours, time | naive / ours, peak RSS |\n|---|--:|--:|")
    for label, t, m in ratios:
        print(f"| {label} | {t:.1f}× | {m:.1f}× |")


if __name__ == "__main__":
    main()
