"""The longest stall of the GUI thread while the app opens a giant-shaped export with the Cost tab on show: the
counts, the Cost tab's first plan (on a worker), some seconds of the statistics streaming, the context slider
dragged from end to end, the batch and the KV-cache precision changed, and a Generate the memory guard refuses
(the "does not fit" dialog, answered Cancel).

    python bench/build_giant.py llama3-70b deepseek-v3 && python bench/cost_stall_bench.py [--model DIR] [--stream 10]

A 10 ms QTimer stamps each tick; a stall is a gap between ticks beyond the period (goal: <= 50 ms in every phase).
Each round is a fresh process; the summary gives the median and the worst of each round's longest gap.  The
statistics of a giant shape take minutes (hundreds of GB of zeros at the fp16 rate): only their first `--stream`
seconds are watched, then the load is cancelled.
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

from stall_clock import StallClock, figures, verdict

MODEL = Path(__file__).resolve().parent / "models" / "giant-llama3-70b"
PHASES = ("opening", "statistics streaming", "slider dragged", "batch and KV changed", "refused generate",
          "slider dragged, load over", "batch and KV changed, load over")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(MODEL))
    ap.add_argument("--stream", type=float, default=10.0, help="seconds of statistics watched (then cancelled)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tab", default="cost", help="the tab on show while the model opens (overview: a baseline)")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # internal: one round, JSON out
    args = ap.parse_args()
    if not args.one:
        return summary(args)
    clock = StallClock("cost-stall-bench.ini", 1280, 720)
    window, wait = clock.window, clock.wait
    window.show_tab(args.tab)

    def phase(work, until=lambda: True, settle=0.3, limit=120.0):
        mark, t0 = clock.mark(), time.perf_counter()
        work()
        wait(until, limit)
        wait(lambda: False, settle)
        return time.perf_counter() - t0, clock.gaps(mark)

    cost, view, run = window.session.cost, window.views["cost"], window.session.run
    out = {}
    out["opening"] = phase(lambda: window.open_model(args.model), lambda: cost.shape is not None)
    out["statistics streaming"] = phase(lambda: None, settle=args.stream)
    window.show_tab("cost")

    def drag():  # as a hand drags it: a position every 20 ms, the event loop running between
        for position in range(0, view.slider.maximum() + 1, 25):
            view.slider.setValue(position)
            wait(lambda: False, 0.02)

    out["slider dragged"] = phase(drag)

    def choices():
        for batch in (2, 4, 8, 1):
            view.batch_box.setValue(batch)
            wait(lambda: False, 0.1)
        for kv in ("fp16", "int8", None):
            cost.set_choices(kv_dtype=kv)
            wait(lambda: False, 0.1)

    out["batch and KV changed"] = phase(choices)
    refused = []
    run.refused.connect(refused.append)
    out["refused generate"] = phase(lambda: run.go(0), lambda: bool(refused))
    dialog = window.fit_watch.dialog
    if dialog is not None:
        dialog.reject()
    window.cancel_load()
    wait(lambda: window.views["cost"] is None, 1.0)  # the load's worker ends (at its next tensor)
    out["slider dragged, load over"] = phase(drag)
    out["batch and KV changed, load over"] = phase(choices)
    result = {"parameters": window.census.parameters, "refused": bool(refused),
              "needs": refused[0].needed_bytes if refused else None}
    for name, (secs, gaps) in out.items():
        result[name] = figures(secs, gaps)
    window.close()
    print(json.dumps(result))


def summary(args) -> None:
    rounds = []
    for _ in range(args.rounds):
        r = subprocess.run([sys.executable, __file__, "--one", "--model", args.model, "--stream", str(args.stream),
                            "--tab", args.tab],
                           capture_output=True, text=True, check=True)
        rounds.append(json.loads(r.stdout.strip().splitlines()[-1]))
    print(f"{args.model}: {rounds[0]['parameters']:,} parameters, {args.tab} tab on show while it opens, "
          f"{args.rounds} rounds (fresh processes); load "
          f"average {os.getloadavg()[0]:.1f}; generate refused: {all(r['refused'] for r in rounds)}")
    for name in PHASES:
        longest = [r[name]["longest"] for r in rounds]
        med = statistics.median(longest)
        print(f"{name:<22} {statistics.median(r[name]['seconds'] for r in rounds):6.2f} s; longest gap: median "
              f"{med:5.1f} ms, worst {max(longest):5.1f} ms (rounds: {', '.join(f'{x:.0f}' for x in longest)}); "
              f"p99 {statistics.median(r[name]['p99'] for r in rounds):4.1f} ms  "
              f"{verdict(med)}")


if __name__ == "__main__":
    sys.exit(main())
