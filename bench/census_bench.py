"""Census and statistics: our `stats --json`, our `stats --counts-only` and a plain onnx.load + numpy script, on the
GPT-2-small export (124M, inline; and with external data), the 1.1B Llama (external data) and its fp16 file, in one
run; then `stats --counts-only` on the giant shapes (sparse files: bench/build_giant.py), interpreter start-up
included; then the statistics alone (compute_statistics timed in-process after the census) on the fp16 and fp32
1.1B files, the rate the fp16 goal (2 GB/s) is about.

    python bench/build_gpt2_small.py && python bench/build_llama_1b.py && python bench/build_variants.py
    python bench/build_giant.py && python bench/build_giant.py llama3-70b --holes
    python bench/census_bench.py [--repeat 5] [--onnx-tool]

Each tool runs in its own process with a warm page cache; figures are medians with the fastest and slowest run:
seconds, GB of weights per second, peak RSS, and the ratios naive/ours.  `--onnx-tool` adds onnx-tool's
model_profile (it fails on these graphs' shape inference; its memory is real).  The load average is printed: on a
shared machine the spread says how far to trust the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import spread  # noqa: E402

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
CASES = (("gpt2-small", "124M inline"), ("gpt2-small-ext", "124M external"), ("llama-1b", "1.1B external"),
         ("llama-1b-variants/model_fp16.onnx", "1.1B fp16 external"))
STATS_ALONE = """
import json, os, sys, time
from inspector.model import load_model, take_census
from inspector.stats import compute_statistics
from inspector.stats import kernel  # noqa: F401  (its import is start-up, not statistics)
census = take_census(load_model(sys.argv[1]))
nbytes = sum(census.model.tensors[s].stored_nbytes for s in {p.stored for p in census.tensors})
t0, cpu0 = time.perf_counter(), os.times()
compute_statistics(census)
t1, cpu1 = time.perf_counter(), os.times()
print(json.dumps({"bytes": nbytes, "seconds": t1 - t0, "cpu": cpu1.user + cpu1.system - cpu0.user - cpu0.system}))
"""
ALONE = (("llama-1b-variants/model_fp16.onnx", "1.1B fp16 external"), ("llama-1b", "1.1B fp32 external"))
GIANTS = (("giant-llama3-70b", "70B shape"), ("giant-llama3-70b-holes", "70B shape, all holes"),
          ("giant-llama3-405b", "405B shape"), ("giant-deepseek-v3", "DeepSeek-V3 shape"))


def files(path: Path) -> list[Path]:
    """The model file and its external data (a folder's model.onnx*, or a file and the files named after it)."""
    if path.is_dir():
        return [p for p in path.iterdir() if p.name.startswith("model.onnx")]
    return [p for p in path.parent.iterdir() if p.name.startswith(path.name)]


def weight_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in files(path))


def warm(path: Path) -> None:
    for p in files(path):
        with open(p, "rb") as fh:
            while fh.read(1 << 24):
                pass


def cell(r: dict) -> str:
    return f"{r['seconds']:.2f} ({r['min']:.2f}–{r['max']:.2f})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--onnx-tool", action="store_true")
    args = ap.parse_args()
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    print("| model | tool | seconds, median (fastest–slowest) | GB/s | peak RSS MB |\n|---|---|--:|--:|--:|")
    ratios = []
    for name, label in CASES:
        path = MODELS / name
        if not path.exists():
            print(f"| {label} | (not built: see the docstring) |")
            continue
        gb = weight_bytes(path) / 1e9
        warm(path)
        model = str(path)
        runs = {
            "inspector stats --json": [sys.executable, "-m", "inspector", "stats", model, "--json"],
            "inspector stats --counts-only": [sys.executable, "-m", "inspector", "stats", model, "--counts-only",
                                              "--json"],
            "onnx.load + numpy": [sys.executable, "-c", NAIVE, str(path / "model.onnx" if path.is_dir() else path)],
        }
        if args.onnx_tool:
            runs["onnx-tool model_profile"] = [sys.executable, "-c", ONNX_TOOL,
                                               str(path / "model.onnx" if path.is_dir() else path)]
        got = {}
        for tool, cmd in runs.items():
            if tool == "onnx.load + numpy" and gb > 6:
                print(f"| {label} | {tool} | (not run: it would hold {gb * 2:.0f}+ GB) |")
                continue
            r = spread(cmd, args.repeat, allow_fail=tool.startswith("onnx-tool"))
            got[tool] = r
            fail = " (failed)" if r["code"] else ""
            print(f"| {label} | {tool}{fail} | {cell(r)} | {gb / r['seconds']:.2f} | {r['rss']:.0f} |", flush=True)
        if "onnx.load + numpy" in got:
            ours, naive = got["inspector stats --json"], got["onnx.load + numpy"]
            ratios.append((label, naive["seconds"] / ours["seconds"], naive["rss"] / ours["rss"],
                           naive["min"] / ours["max"], naive["max"] / ours["min"]))
    print("\n| model | naive / ours, time (worst–best pairing) | naive / ours, peak RSS |\n|---|--:|--:|")
    for label, t, m, lo, hi in ratios:
        print(f"| {label} | {t:.1f}× ({lo:.1f}–{hi:.1f}) | {m:.1f}× |")
    print("\n| giant shape | stats --counts-only, seconds (fastest–slowest) | peak RSS MB | parameters |\n"
          "|---|--:|--:|--:|")
    for name, label in GIANTS:
        path = MODELS / name
        if not path.exists():
            print(f"| {label} | (not built: python bench/build_giant.py) |")
            continue
        cmd = [sys.executable, "-m", "inspector", "stats", str(path), "--counts-only", "--json"]
        r = spread(cmd, args.repeat)
        count = json.loads(subprocess.run(cmd, capture_output=True, text=True).stdout)["parameters"]
        print(f"| {label} | {cell(r)} | {r['rss']:.0f} | {count:,} |", flush=True)
    print("\n| statistics alone (in one process, after the census; first pass, numba's kernel loaded) | "
          "seconds, median (fastest–slowest) | GB/s | GB per CPU-second |\n|---|--:|--:|--:|")
    for name, label in ALONE:
        path = MODELS / name
        if not path.exists():
            continue
        warm(path)
        runs = [json.loads(subprocess.run([sys.executable, "-c", STATS_ALONE, str(path)], capture_output=True,
                                          text=True, check=True).stdout) for _ in range(args.repeat)]
        seconds = sorted(r["seconds"] for r in runs)
        gb = runs[0]["bytes"] / 1e9
        cpu = statistics.median(r["cpu"] for r in runs)
        print(f"| {label} ({gb:.2f} GB) | {statistics.median(seconds):.2f} ({seconds[0]:.2f}–{seconds[-1]:.2f}) | "
              f"{gb / statistics.median(seconds):.2f} ({gb / seconds[-1]:.2f}–{gb / seconds[0]:.2f}) | "
              f"{gb / cpu:.2f} |", flush=True)
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
