"""The longest stall of the GUI thread while the app loads a GPT-2-small export and generates from it.

    python bench/build_gpt2_small.py && python bench/gui_stall_bench.py [--tokens 64]

A 10 ms QTimer stamps each tick; a stall is a gap between ticks beyond the period.
Goal: the longest gap <= 50 ms in both phases.  Runs offscreen unless a display is set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

MODEL = Path(__file__).resolve().parent / "models" / "gpt2-small"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--model", default=str(MODEL))
    args = ap.parse_args()
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from inspector.app.qt_compat import QtCore, QtWidgets
    from inspector.app.main_window import MainWindow

    app = QtWidgets.QApplication([])
    settings = QtCore.QSettings(str(Path("/tmp") / "gui-stall-bench.ini"), QtCore.QSettings.IniFormat)
    window = MainWindow(settings)
    window.resize(1440, 900)
    window.show()
    stamps: list[float] = []
    timer = QtCore.QTimer(interval=10)
    timer.timeout.connect(lambda: stamps.append(time.perf_counter()))
    timer.setTimerType(QtCore.Qt.PreciseTimer)
    timer.start()

    def wait(condition, limit=600.0):
        end = time.perf_counter() + limit
        while not condition() and time.perf_counter() < end:
            app.processEvents(QtCore.QEventLoop.AllEvents, 5)
            time.sleep(0.001)

    def gaps(since: int) -> list[float]:
        s = stamps[since:]
        return [(b - a) * 1000 for a, b in zip(s, s[1:])]

    wait(lambda: len(stamps) > 20, 5)
    loaded = []
    window.model_loaded.connect(loaded.append)
    mark = len(stamps)
    t0 = time.perf_counter()
    window.open_model(args.model)
    wait(lambda: bool(loaded))
    wait(lambda: False, 0.3)  # let the views settle
    load_s = time.perf_counter() - t0
    load_gaps = gaps(mark)

    gen = window.generate
    gen.max_tokens.setValue(args.tokens)
    gen.prompt.setPlainText("The history of the")
    mark = len(stamps)
    t0 = time.perf_counter()
    gen.run()
    wait(lambda: gen.result is not None and gen.result.finish is not None)
    wait(lambda: False, 0.2)
    gen_s = time.perf_counter() - t0
    gen_gaps = gaps(mark)
    result = gen.result
    window.close()

    print(f"model: {args.model} ({window.census.parameters:,} parameters)" if window.census else args.model)
    for name, g, secs in (("loading", load_gaps, load_s), ("generating", gen_gaps, gen_s)):
        g = sorted(g)
        print(f"{name:<11} {secs:6.1f} s  ticks {len(g):5d}  longest gap {g[-1]:6.1f} ms  "
              f"p99 {g[int(0.99 * (len(g) - 1))]:5.1f} ms  median {statistics.median(g):5.1f} ms  "
              f"{'OK' if g[-1] <= 50 else 'over the 50 ms goal'}")
    print(f"generated {len(result.new_ids)} tokens at {result.metrics.tokens_per_s:.1f} tokens/s "
          f"(time to first token {result.metrics.ttft_ms:.0f} ms)")


if __name__ == "__main__":
    sys.exit(main())
