"""The planner proven: real generations at several contexts, predicted against measured peak memory and tokens/s;
and, with --fit, the measurements the planner's runtime model is fitted to (inspector/plan/runtime_fit.json).

    python bench/build_gpt2_small.py && python bench/build_llama_1b.py
    python bench/plan_bench.py [--models gpt2-small,llama-1b] [--contexts 256,1024] [--new-tokens 32]
                               [--repeat 3] [--provider cpu|cuda]
    python bench/build_variants.py && python bench/plan_bench.py --fit [--fit-again]
    python bench/plan_bench.py --fit --provider cuda        # on a GPU: the CUDA context's device memory

Each run is a fresh process: a prompt of (context − new tokens) ids read at once, then `--new-tokens` greedy
steps by the inspector's engine.  Measured: the process's peak RSS (the kernel's ru_maxrss; on CUDA the GPU
memory NVML sees it add, sampled every 20 ms) and the decode steps' tokens/s; predicted: `plan` for that context
and prompt on this machine.  Goals: memory within 10 % (1.1B; 15 % at 124M), decode at 0.6–1.1× the bound.
Speed figures on a shared machine are noisy: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MODELS = ROOT / "bench" / "models"
GOALS = {"gpt2-small": 0.15, "gpt2-small-ext": 0.15, "llama-1b": 0.10}  # memory: |measured / predicted − 1|
SPEED = (0.6, 1.1)
FIT_CASES = (  # model file, prompt lengths measured in one process (increasing: onnxruntime's arena only grows)
    ("../../sample_models/fortune-gpt", (16, 64)),  # tiny: what a session costs whatever its weights
    ("../../sample_models/fortune-gpt/model_fp16.onnx", (16, 64)),
    ("../../sample_models/fortune-gpt/model_quantized.onnx", (16, 64)),
    ("gpt2-small", (64, 256, 512, 1000)),
    ("gpt2-small-ext", (64, 256, 512, 1000)),
    ("llama-1b", (64, 256, 768)),
    ("llama-1b-variants/model_fp16.onnx", (64, 512)),
    ("llama-1b-variants/model_quantized.onnx", (64, 512)),
    ("llama-1b-variants/model_q4.onnx", (64, 512)),
)
FIT_NEW_TOKENS = 4
SMALL = 50 * 10**6  # weights under this say what a session costs by itself


# ------------------------------------------------------------------------------------------------ the child
def child(model: str, prompts: list[int], new: int, provider: str) -> None:
    """Runs in its own process; prints one JSON line per phase."""
    import resource
    import threading

    def peak() -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    from inspector.engine.generator import GenerationConfig, Generator
    from inspector.engine.metrics import MemoryProbe

    probe = MemoryProbe(gpu=provider == "cuda")
    gpu_base = probe.gpu()
    gpu_peak = [gpu_base or 0]
    rss_peak = [0]  # the highest RSS sampled since the last reset: a run's own peak, not the session's
    stop = threading.Event()

    def sample():
        while not stop.wait(0.002):
            rss_peak[0] = max(rss_peak[0], probe.rss())
            g = probe.gpu()
            if g is not None:
                gpu_peak[0] = max(gpu_peak[0], g)

    threading.Thread(target=sample, daemon=True).start()
    print(json.dumps({"phase": "imports", "rss": probe.rss(), "peak": peak()}), flush=True)
    gen = Generator(model, provider=provider)
    print(json.dumps({"phase": "session", "rss": probe.rss(), "peak": peak(), "provider": gen.provider,
                      "gpu": None if gpu_base is None else gpu_peak[0] - gpu_base}), flush=True)
    vocab = min(gen.io.vocab_size or 2000, 2000)
    for p in prompts:
        ids = [int(i) for i in (range(p) if p <= vocab else [j % vocab for j in range(p)])]
        ids = [(7 * i + 11) % vocab for i in ids]  # a fixed prompt of ordinary ids
        rss_peak[0] = probe.rss()
        gen.start(ids, GenerationConfig(max_new_tokens=new, stop_at_eos=False))
        for _ in gen.steps():
            pass
        m = gen.result().metrics
        print(json.dumps({"phase": "run", "prompt": p, "new": new, "rss": probe.rss(), "peak": peak(),
                          "run_peak": max(rss_peak[0], probe.rss()),
                          "tokens_per_s": m.tokens_per_s, "decode_ms": m.decode_ms,
                          "gpu": None if gpu_base is None else gpu_peak[0] - gpu_base}), flush=True)
    stop.set()


def run_child(model: Path, prompts, new: int, provider: str) -> list[dict]:
    cmd = [sys.executable, __file__, "--child", str(model), "--prompts", ",".join(map(str, prompts)),
           "--new-tokens", str(new), "--provider", provider]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if r.returncode:
        raise RuntimeError(f"{model}: {r.stderr.strip()[-800:]}")
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


# ------------------------------------------------------------------------------------------------ helpers
def shape(model: Path):
    from inspector.model import load_model, take_census
    from inspector.plan.shape import shape_of

    loaded = load_model(model)
    try:
        return shape_of(take_census(loaded))
    finally:
        loaded.close()


def model_path(name: str) -> Path:
    return MODELS / name


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


# ------------------------------------------------------------------------------------------------ compare
def compare(args) -> None:
    from inspector.plan.planner import make_plan

    print(f"load average (1, 5, 15 min) at start: {load()}; {os.cpu_count()} CPUs; provider {args.provider}")
    if args.provider == "cpu":  # measured now, under the load the runs will see, not taken from the cache
        from inspector.plan.bandwidth import read_bandwidth

        print(f"read bandwidth, measured again: {read_bandwidth(refresh=True):.1f} GB/s")
    print("| model | context | predicted MB | measured peak MB (runs) | measured / predicted | bound tok/s | "
          "measured tok/s (runs) | measured / bound |\n|---|--:|--:|--:|--:|--:|--:|--:|")
    rows = []
    for name in args.models.split(","):
        path = model_path(name)
        if not (path / "model.onnx").exists() and not path.is_file():
            print(f"| {name} | (not built) |")
            continue
        s = shape(path)
        for context in (int(c) for c in args.contexts.split(",")):
            prompt = context - args.new_tokens
            plan = make_plan(s, context=context, prompt=prompt, device=args.provider, compare=False)
            predicted = plan.device_bytes if args.provider == "cuda" else plan.total_bytes
            mem, speed = [], []
            for _ in range(args.repeat):
                out = run_child(path, [prompt], args.new_tokens, args.provider)
                run = out[-1]
                mem.append(run["gpu"] if args.provider == "cuda" else run["peak"])
                decode = run["decode_ms"][len(run["decode_ms"]) // 4:]  # the first steps warm the caches
                speed.append(1000 * len(decode) / sum(decode))
            m, t = statistics.median(mem), statistics.median(speed)
            mid = make_plan(s, context=prompt + args.new_tokens // 2, prompt=prompt, device=args.provider,
                            compare=False).tokens_per_s_bound  # the bound half-way through the decode steps
            rows.append((name, m / predicted, t / mid if mid else None))
            print(f"| {name} | {context} | {predicted / 1e6:,.0f} | {m / 1e6:,.0f} "
                  f"({', '.join(f'{x / 1e6:,.0f}' for x in mem)}) | {m / predicted:.3f} | {mid or 0:.1f} | {t:.1f} "
                  f"({', '.join(f'{x:.1f}' for x in speed)}) | {t / mid if mid else float('nan'):.2f} |", flush=True)
    print(f"\nload average at the end: {load()}")
    for name, mem_ratio, speed_ratio in rows:
        goal = GOALS.get(name, 0.15)
        ok_mem = abs(mem_ratio - 1) <= goal
        ok_speed = speed_ratio is not None and SPEED[0] <= speed_ratio <= SPEED[1]
        print(f"{name}: memory {'within' if ok_mem else 'OUTSIDE'} ±{goal:.0%} ({mem_ratio:.3f}); decode "
              f"{'within' if ok_speed else 'OUTSIDE'} {SPEED[0]}–{SPEED[1]}× its bound "
              f"({speed_ratio if speed_ratio is None else round(speed_ratio, 2)})")


# ------------------------------------------------------------------------------------------------ fit
def fit(args) -> None:
    import numpy as np
    import onnxruntime

    from inspector.plan.bandwidth import machine_key
    from inspector.plan.runtime import FIT_FILE

    print(f"load average at start: {load()}")
    points, process, sessions = [], [], []
    for name, prompts in FIT_CASES:
        path = model_path(name).resolve()
        if not path.exists():
            print(f"skipped {name}: not built")
            continue
        s = shape(path)
        key = f"{s.storage} {'inline' if s.inline else 'external'}"
        try:
            out = measured(path, list(prompts))
        except RuntimeError as exc:
            print(f"skipped {name}: {str(exc).splitlines()[-1][:300]}")
            continue
        imports, session = out[0], out[1]
        process.append(imports["rss"])
        held = s.weights_bytes - (0 if s.inline else s.lookup_bytes)  # mapped tables are resident as they are read
        sessions.append((key, held, session["rss"] - imports["rss"], session["peak"] - imports["rss"],
                         s.largest_matrix_bytes))
        for run in out[2:]:
            p, c = run["prompt"], run["prompt"] + run["new"]
            points.append({"model": name, "storage": key, "prompt": p, "context": c, "peak": run["peak"],
                           "run_peak": run["run_peak"],
                           "session_rss": session["rss"], "process": imports["rss"], "weights": s.weights_bytes,
                           "hidden": p * (s.d_model + s.ffn_dim) * 4, "logits": p * s.vocab_size * 4,
                           "attention": 0 if s.fused_attention else s.n_head * p * p * 4,
                           "cache": s.cache_bytes(c)})
        print(f"{name} ({key}): process {imports['rss'] / 1e6:.0f} MB, session "
              f"+{(session['rss'] - imports['rss']) / 1e6:.0f} MB (peak +{(session['peak'] - imports['rss']) / 1e6:.0f})"
              f" for {s.weights_bytes / 1e6:.0f} MB of weights; "
              + ", ".join(f"P={r['prompt']}: peak {r['peak'] / 1e6:.0f} MB" for r in out[2:]), flush=True)
    # what the prefill adds beyond the open session, as a sum of the features, none negative
    features = ("hidden", "logits", "attention", "cache")
    x = np.array([[pt[f] for f in features] for pt in points], float)
    y = np.array([pt["run_peak"] - pt["session_rss"] for pt in points], float)
    coef = _nonnegative_lstsq(x, y)
    # a session costs s0 whatever its weights (the tiny models say how much), and a ratio of its stored bytes
    small = [r for _k, w, r, _p, _m in sessions if w < SMALL]
    s0 = int(statistics.median(small)) if small else 0
    resident, transient = {}, []
    for key, w, r, pk, largest in sessions:
        if w >= SMALL:
            resident.setdefault(key, []).append((r - s0) / w)
            transient.append((pk - r) / largest)  # the peak while creating it, beyond what it then holds
            print(f"  {key}: creating the session peaked {(pk - r) / 1e6:.0f} MB above what it then held; its "
                  f"largest matrix holds {largest / 1e6:.0f} MB")
    constants = {
        "process_bytes": int(statistics.median(process)),
        "session_bytes": s0,
        "resident": {k: round(statistics.median(v), 4) for k, v in resident.items()},
        "load_transient": round(statistics.median(transient), 4),
        "activations": round(float(coef[0]), 4), "logits": round(float(coef[1]), 4),
        "attention": round(float(coef[2]), 4), "cache_copies": round(float(coef[3]), 4),
        "cuda_context_bytes": _previous_cuda(FIT_FILE),
    }
    from inspector.plan.runtime import RuntimeFit, runtime

    f = RuntimeFit(constants["process_bytes"], constants["session_bytes"], constants["resident"],
                   constants["load_transient"], constants["activations"], constants["logits"], constants["attention"],
                   constants["cache_copies"])
    for pt in points:
        s = shape(model_path(pt["model"]))
        cache = s.cache_bytes(pt["context"])
        rt = runtime(s, pt["prompt"], cache, "cpu", f)
        pt["predicted"] = s.weights_bytes + cache + rt.total  # the run's peak (the load's is fitted apart)
        pt["error"] = round(pt["run_peak"] / pt["predicted"] - 1, 4)
        print(f"  {pt['model']} P={pt['prompt']}: the run's peak {pt['run_peak'] / 1e6:,.0f} MB, fitted "
              f"{pt['predicted'] / 1e6:,.0f} MB ({pt['error']:+.1%})")
    data = {
        "source": (f"bench/plan_bench.py --fit on {machine_key()}, onnxruntime {onnxruntime.__version__}, "
                   f"{time.strftime('%Y-%m-%d')}: fresh processes, {FIT_NEW_TOKENS} greedy steps after each prompt; "
                   "process: RSS after the engine's imports; session: what opening a model under 50 MB adds; "
                   "resident: RSS after creating the session, less the process and the session, per stored byte "
                   "held (larger models; an external file's lookup tables are mapped, resident only as read, so "
                   "not held); load_transient: the peak RSS while creating it beyond its RSS after, per byte of "
                   "the largest matrix as held; the rest: non-negative least squares of each "
                   "run's peak RSS (sampled every 2 ms) beyond the open session on the features of each point"),
        "cuda_source": _previous_cuda_source(FIT_FILE),
        "constants": constants,
        "sessions": [{"storage": k, "weights_held": w, "session_rss": r, "session_peak": pk, "largest_matrix": m}
                     for k, w, r, pk, m in sessions],
        "points": points,
    }
    FIT_FILE.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {FIT_FILE.relative_to(ROOT)}; load average at the end: {load()}")


def fit_cuda(args) -> None:
    """On a GPU: what the CUDA context and onnxruntime's CUDA provider take of the device's memory whatever the
    weights (the tiny sample model's device memory, NVML's used memory before and after the session), written into
    runtime_fit.json beside the CPU fit."""
    import onnxruntime

    from inspector.plan.runtime import FIT_FILE

    seen = []
    for name in ("../../sample_models/fortune-gpt", "../../sample_models/fortune-gpt/model_fp16.onnx"):
        out = run_child(model_path(name).resolve(), [16], FIT_NEW_TOKENS, "cuda")
        session = out[1]
        if session.get("provider") != "cuda" or session.get("gpu") is None:
            raise SystemExit(f"{name} did not run on CUDA: {session}")
        seen.append(session["gpu"])
        print(f"{name}: the session added {session['gpu'] / 1e6:.0f} MB of GPU memory")
    data = json.loads(FIT_FILE.read_text())
    data["constants"]["cuda_context_bytes"] = int(statistics.median(seen))
    data["cuda_source"] = (f"bench/plan_bench.py --fit --provider cuda, onnxruntime {onnxruntime.__version__}, "
                           f"{time.strftime('%Y-%m-%d')}: NVML's used memory after creating a session of the "
                           f"sample model (a few MB of weights), less before: {[round(x / 1e6) for x in seen]} MB")
    FIT_FILE.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote the CUDA context into {FIT_FILE.relative_to(ROOT)}")


def measured(path: Path, prompts: list[int]) -> list[dict]:
    """A fit case's child output, kept in bench/models/plan-fit-cache.json until the model file changes
    (--fit-again measures everything again)."""
    cache_file = MODELS / "plan-fit-cache.json"
    cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    key = f"{path}|{','.join(map(str, prompts))}|{FIT_NEW_TOKENS}"
    stamp = (path / "model.onnx" if path.is_dir() else path).stat().st_mtime
    if not FIT_AGAIN and key in cache and cache[key]["mtime"] == stamp:
        return cache[key]["out"]
    out = run_child(path, prompts, FIT_NEW_TOKENS, "cpu")
    cache[key] = {"mtime": stamp, "out": out}
    cache_file.write_text(json.dumps(cache))
    return out


FIT_AGAIN = False


def _nonnegative_lstsq(x, y):
    """Least squares with every coefficient ≥ 0: features whose coefficient comes out negative are dropped."""
    import numpy as np

    active = list(range(x.shape[1]))
    while True:
        coef = np.zeros(x.shape[1])
        if active:
            coef[active] = np.linalg.lstsq(x[:, active], y, rcond=None)[0]
        negative = [i for i in active if coef[i] < 0]
        if not negative:
            return coef
        active.remove(min(negative, key=lambda i: coef[i]))


def _previous_cuda(path: Path):
    try:
        return json.loads(path.read_text())["constants"].get("cuda_context_bytes")
    except (OSError, ValueError, KeyError):
        return None


def _previous_cuda_source(path: Path) -> str:
    try:
        return json.loads(path.read_text()).get("cuda_source", "")
    except (OSError, ValueError):
        return ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="gpt2-small,llama-1b")
    ap.add_argument("--contexts", default="256,1024")
    ap.add_argument("--new-tokens", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--provider", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument("--fit", action="store_true", help="measure and write inspector/plan/runtime_fit.json")
    ap.add_argument("--fit-again", action="store_true", help="with --fit: measure every case again, cached or not")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--prompts", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, [int(p) for p in args.prompts.split(",")], args.new_tokens, args.provider)
    elif args.fit and args.provider == "cuda":
        fit_cuda(args)
    elif args.fit:
        global FIT_AGAIN
        FIT_AGAIN = args.fit_again
        fit(args)
    else:
        compare(args)


if __name__ == "__main__":
    main()
