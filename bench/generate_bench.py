"""Decode speed of the engine against Optimum's ORTModelForCausalLM and a bare onnxruntime KV loop.

    python bench/build_gpt2_small.py && python bench/generate_bench.py [--provider cpu|cuda] [--repeat 5]
    python bench/build_llama_1b.py && python bench/generate_bench.py --model bench/models/llama-1b --runners engine,bare
    python bench/generate_bench.py --runners engine,inside      # the inside view's cost (attention, logit lens)

One export (GPT-2 small by default), one prompt, greedy, 64 new tokens.  Each runner runs alone in
its own process (rounds in rotating order) and is timed the same way, by the wall clock as
each token arrives.  Prints decode tokens/s and time to first token (medians) and the ratios the goals are
stated in: engine / Optimum decode tokens/s (goal >= 1.3 on the CPU) and the cost of the
engine's instrumentation against the bare loop (goal <= 5 %).
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

import numpy as np
import onnxruntime as ort

MODEL = Path(__file__).resolve().parent / "models" / "gpt2-small"
PROMPT_IDS = list(range(100, 132))  # 32 prompt tokens
NEW = 64


def _rates(t0: float, stamps: list[float]) -> tuple[float, float]:
    """Time to first token (ms) and decode tokens/s from wall-clock stamps taken as each token arrives."""
    return (stamps[0] - t0) * 1000, (len(stamps) - 1) / (stamps[-1] - stamps[0])


def _model() -> Path:
    return Path(os.environ.get("INSPECTOR_BENCH_MODEL", MODEL))


class EngineRun:
    """The engine with all its instrumentation (candidates, entropy, memory), timed from outside."""

    inside = False

    def __init__(self, provider: str):
        from inspector.engine import GenerationConfig, Generator

        self.gen = Generator(_model(), provider=provider)
        self.config = GenerationConfig(max_new_tokens=NEW, stop_at_eos=False, inside=self.inside)

    def run(self) -> tuple[float, float, list[int]]:
        t0 = time.perf_counter()
        self.gen.start(PROMPT_IDS, self.config)
        stamps = [time.perf_counter() for _step in self.gen.steps()]
        return (*_rates(t0, stamps), self.gen.result().new_ids)


class InsideRun(EngineRun):
    """The engine with the inside view on: attention and the logit lens at every step."""

    inside = True


class BareLoop:
    """The least a KV-cache loop can do: run, argmax, feed the cache back. No top-k, entropy, memory."""

    def __init__(self, provider: str):
        from inspector.engine.providers import create_session
        from inspector.engine.model_io import read_io

        self.sess, self.provider = create_session(str(_model() / "model.onnx"), provider)
        self.io = read_io(self.sess)
        self.out_names = ["logits"] + [n for kv in self.io.present for n in kv]
        self.past_names = [n for kv in self.io.past for n in kv]

    def run(self) -> tuple[float, float, list[int]]:
        ids = list(PROMPT_IDS)
        cache = self.io.empty_past()
        stamps = []
        t0 = time.perf_counter()
        for step in range(NEW):
            new = ids if step == 0 else ids[-1:]
            past = len(ids) - len(new)
            feeds = {"input_ids": np.array([new], np.int64), "attention_mask": np.ones((1, len(ids)), np.int64),
                     "position_ids": np.arange(past, len(ids), dtype=np.int64)[None]}
            feeds.update(cache)
            out = self.sess.run(self.out_names, feeds)
            cache = dict(zip(self.past_names, out[1:]))
            ids.append(int(np.argmax(out[0][0, -1])))
            stamps.append(time.perf_counter())
        return (*_rates(t0, stamps), ids[len(PROMPT_IDS):])


class OptimumRun:
    def __init__(self, provider: str):
        from optimum.onnxruntime import ORTModelForCausalLM

        prov = "CUDAExecutionProvider" if provider == "cuda" else "CPUExecutionProvider"
        self.model = ORTModelForCausalLM.from_pretrained(_model(), provider=prov, use_cache=True, use_io_binding=provider == "cuda")

    def run(self) -> tuple[float, float, list[int]]:
        import torch
        from transformers.generation.streamers import BaseStreamer

        class Clock(BaseStreamer):
            def __init__(self):
                self.times = []

            def put(self, value):
                self.times.append(time.perf_counter())

            def end(self):
                pass

        clock = Clock()
        ids = torch.tensor([PROMPT_IDS])
        t0 = time.perf_counter()
        out = self.model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=NEW, min_new_tokens=NEW,
                                  do_sample=False, streamer=clock, pad_token_id=0)
        # put() is called once with the prompt, then once per new token
        return (*_rates(t0, clock.times[1:]), out[0, len(PROMPT_IDS):].tolist())


RUNNERS = {"engine": EngineRun, "bare": BareLoop, "optimum": OptimumRun, "inside": InsideRun}
DEFAULT_RUNNERS = "engine,bare,optimum"


def run_one(name: str, provider: str, repeat: int) -> list:
    """In this process: build one runner, warm it up, time `repeat` generations."""
    ort.set_default_logger_severity(3)
    runner = RUNNERS[name](provider)
    runner.run()  # warm-up: the first run allocates arenas
    return [runner.run() for _ in range(repeat)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--provider", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--rounds", type=int, default=3, help="processes per runner, in rotating order")
    ap.add_argument("--repeat", type=int, default=5, help="timed generations per process")
    ap.add_argument("--model", default=str(MODEL), help="an export folder (default: bench/models/gpt2-small)")
    ap.add_argument("--runners", default=DEFAULT_RUNNERS, help=f"which of {','.join(RUNNERS)}")
    ap.add_argument("--runner", help=argparse.SUPPRESS)  # internal: one runner in this process
    args = ap.parse_args()
    os.environ["INSPECTOR_BENCH_MODEL"] = args.model
    if not (Path(args.model) / "model.onnx").exists():
        sys.exit("build the model first: python bench/build_gpt2_small.py (or build_llama_1b.py)")
    if args.runner:
        print(json.dumps(run_one(args.runner, args.provider, args.repeat)))
        return
    names = [n for n in args.runners.split(",") if n in RUNNERS]
    results = {k: [] for k in names}
    for r in range(args.rounds):  # each runner alone in its own process: no session's threads disturb another
        for name in names[r % len(names):] + names[:r % len(names)]:
            out = subprocess.run([sys.executable, __file__, "--runner", name, "--provider", args.provider,
                                  "--repeat", str(args.repeat), "--model", args.model],
                                 capture_output=True, text=True, check=True)
            results[name] += json.loads(out.stdout.strip().splitlines()[-1])
    ids = {k: v[0][2] for k, v in results.items()}
    same = len({tuple(v) for v in ids.values()}) == 1
    med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v)) for k, v in results.items()}
    print(f"{Path(args.model).name}, {len(PROMPT_IDS)} prompt tokens, {NEW} new, greedy, provider {args.provider}, "
          f"{args.rounds} processes x {args.repeat} runs each; same tokens from all: {same}")
    print(f"{'runner':<12}{'TTFT ms':>10}{'decode tok/s':>14}")
    for k, (ttft, tps) in med.items():
        print(f"{k:<12}{ttft:>10.1f}{tps:>14.1f}")
    e = med["engine"][1]
    if "optimum" in med:
        print(f"engine / optimum decode tokens/s: {e / med['optimum'][1]:.2f}x  (goal >= 1.3 on the CPU)")
    if "bare" in med:
        print(f"engine / bare loop decode tokens/s: {e / med['bare'][1]:.3f}x  (goal >= 0.95)")
    if "inside" in med:
        print(f"inside view / plain engine decode tokens/s: {med['inside'][1] / e:.3f}x  (goal >= 0.6)")


if __name__ == "__main__":
    main()
