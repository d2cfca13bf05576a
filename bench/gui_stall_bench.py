"""The longest stall of the GUI thread while the app loads a GPT-2-small export, generates from it, generates
again with the inside view on (the Inside tab showing each step as it comes) and steps through that run there.

    python bench/build_gpt2_small.py && python bench/gui_stall_bench.py [--tokens 64]

A 10 ms QTimer stamps each tick; a stall is a gap between ticks beyond the period.
Goal: the longest gap <= 50 ms in every phase.  Runs offscreen unless a display is set.
Each round is a fresh process (cold caches, as a user opening the app); the summary gives
the median and the worst over rounds of each round's longest gap.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from stall_clock import StallClock, figures, verdict

MODEL = Path(__file__).resolve().parent / "models" / "gpt2-small"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--model", default=str(MODEL))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # internal: one round, JSON out
    args = ap.parse_args()
    if not args.one:
        return summary(args)
    clock = StallClock("gui-stall-bench.ini", 1440, 900)
    window, wait, gaps, stamps = clock.window, clock.wait, clock.gaps, clock.stamps
    loaded = []
    window.model_loaded.connect(loaded.append)
    arrived = []
    orig = window.overview.fill
    window.overview.fill = lambda c: (arrived.append(time.perf_counter()), orig(c))[1]
    mark = load_mark = len(stamps)
    t0 = t_open = time.perf_counter()
    window.open_model(args.model)
    wait(lambda: bool(loaded))
    wait(lambda: False, 0.3)  # let the views settle
    load_s = time.perf_counter() - t0
    load_gaps = gaps(mark)

    run = window.session.run
    run.update_settings(max_tokens=args.tokens, prompt="The history of the")
    def timed_run() -> tuple[float, list[float]]:
        """A whole run: its seconds and the timer's gaps while it ran."""
        mark = len(stamps)
        t0 = time.perf_counter()
        run.go(0)
        wait(lambda: run.result is not None and run.result.finish is not None)
        wait(lambda: False, 0.2)
        return time.perf_counter() - t0, gaps(mark)

    gen_s, gen_gaps = timed_run()
    result = run.result

    run.reset()
    run.update_settings(inside=True)
    window.show_tab("inside")
    inside_s, inside_gaps = timed_run()
    mark = len(stamps)
    t0 = time.perf_counter()
    for i in range(len(run.steps)):  # a user paging through the run in the Inside tab
        window.inside.step.setValue(i + 1)
        wait(lambda: False, 0.03)
    browse_s = time.perf_counter() - t0
    browse_gaps = gaps(mark)
    window.close()

    s_load = stamps[load_mark:load_mark + len(load_gaps) + 1]
    k = max(range(len(load_gaps)), key=load_gaps.__getitem__)
    where = {"gap_start_s": s_load[k] - t_open, "census_arrived_s": arrived[0] - t_open if arrived else None}
    out = {"where": where, "parameters": window.census.parameters if window.census else None,
           "tokens": len(result.new_ids), "tokens_per_s": result.metrics.tokens_per_s}
    for name, g, secs in (("loading", load_gaps, load_s), ("generating", gen_gaps, gen_s),
                          ("inside run", inside_gaps, inside_s), ("inside browse", browse_gaps, browse_s)):
        out[name] = figures(secs, g)
    print(json.dumps(out))


def summary(args) -> None:
    rounds = []
    for _ in range(args.rounds):
        r = subprocess.run([sys.executable, __file__, "--one", "--tokens", str(args.tokens), "--model", args.model],
                           capture_output=True, text=True, check=True)
        rounds.append(json.loads(r.stdout.strip().splitlines()[-1]))
    print(f"{args.model}: {rounds[0]['parameters']:,} parameters, {args.rounds} rounds (fresh processes), "
          f"{rounds[0]['tokens']} tokens generated per round")
    for name in ("loading", "generating", "inside run", "inside browse"):
        longest = [r[name]["longest"] for r in rounds]
        p99 = statistics.median(r[name]["p99"] for r in rounds)
        med = statistics.median(longest)
        print(f"{name:<14} longest gap: median {med:5.1f} ms, worst {max(longest):5.1f} ms "
              f"(rounds: {', '.join(f'{x:.0f}' for x in longest)}); p99 {p99:4.1f} ms  "
              f"{verdict(med)} (goal <= 50 ms)")
    print(f"decode while drawing: {statistics.median(r['tokens_per_s'] for r in rounds):.1f} tokens/s")


if __name__ == "__main__":
    sys.exit(main())
