"""What reading the routers costs: decode speed of a mixture of experts with its routers' logits as extra outputs
(what the engine does for every MoE model) against the same model run plain.

    python bench/moe_routing_bench.py [--model sample_models/fixtures/tiny-gpt-oss] [--tokens 64] [--rounds 5]

Prints the median tokens/s of each and their ratio.  The routers' outputs are one [tokens, experts] block per MoE
layer, copied to the host at each step; the choice (top-k of a few numbers) is numpy's.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspector.engine import GenerationConfig, Generator  # noqa: E402
from inspector.engine.plan import plan_for  # noqa: E402
from inspector.model import load_model, take_census  # noqa: E402


def rate(model: str, routed: bool, tokens: int) -> float:
    plan = plan_for(take_census(load_model(model)))
    if not routed:
        plan = dataclasses.replace(plan, routers=None)
    gen = Generator(model, provider="cpu", validate=False, plan=plan)
    gen.generate([1, 2, 3], GenerationConfig(max_new_tokens=4, stop_at_eos=False))  # warm
    t0 = time.perf_counter()
    result = gen.generate([1, 2, 3], GenerationConfig(max_new_tokens=tokens, stop_at_eos=False))
    assert (result.steps[0].experts is not None) == routed
    return len(result.new_ids) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="sample_models/fixtures/tiny-gpt-oss")
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    plain, routed = [], []
    for _ in range(args.rounds):  # interleaved, so a busy moment weighs on both
        plain.append(rate(args.model, False, args.tokens))
        routed.append(rate(args.model, True, args.tokens))
    p, r = statistics.median(plain), statistics.median(routed)
    print(f"{args.model}: plain {p:.0f} tok/s, routers read {r:.0f} tok/s: {r / p:.3f}x (median of {args.rounds})")


if __name__ == "__main__":
    main()
