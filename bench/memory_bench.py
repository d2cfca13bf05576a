"""What the window gives back: the process RSS after a big model, then a small one opened in its place.

    python bench/build_llama_1b.py && python bench/memory_bench.py [--big bench/models/llama-1b]

Each variant runs in its own process: the app as shipped, and the app with the heap trim turned off (glibc keeps
freed memory otherwise).  Prints the RSS at each stage and the small model's run: its RSS at the start and its peak,
which a report quotes (goal: the small model's figures near a fresh start's, not the big model's).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "sample_models" / "fortune-gpt"


def child(big: str, trim: bool) -> dict:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import psutil

    from inspector.app.qt_compat import QtCore, QtWidgets

    app = QtWidgets.QApplication([])
    app.setProperty("inspector_headless", True)
    import inspector.app.main_window as main_window
    import inspector.app.session.model as model_session
    import inspector.app.workers as workers

    if not trim:
        model_session.release_memory = workers.release_memory = lambda: None
    w = main_window.MainWindow(QtCore.QSettings(tempfile.mktemp(suffix=".ini"), QtCore.QSettings.IniFormat))
    w.show()
    rss = lambda: round(psutil.Process().memory_info().rss / 1e6)  # noqa: E731

    def wait(done, seconds=900):
        end = time.time() + seconds
        while not done() and time.time() < end:
            app.processEvents()
            time.sleep(0.01)

    def load(path):
        got = []
        w.model_loaded.connect(got.append)
        w.open_model(str(path))
        wait(lambda: got)
        w.model_loaded.disconnect()

    def run(n):
        got = []
        w.session.run.update_settings(max_tokens=n)
        w.session.run.finished.connect(got.append)
        w.session.run.go(0)
        wait(lambda: got)
        w.session.run.finished.disconnect()
        return got[0].metrics

    out = {"start": rss()}
    load(big)
    run(4)
    out["big after 4 tokens"] = rss()
    load(SMALL)
    for _ in range(100):  # the old worker's thread ends and is reaped
        app.processEvents()
        time.sleep(0.02)
    out["small loaded"] = rss()
    m = run(8)
    out["small run: RSS at start"], out["small run: peak"] = round(m.start_rss / 1e6), round(m.peak_rss / 1e6)
    w.close()
    workers.reaper().wait_all()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", default=str(ROOT / "bench" / "models" / "llama-1b"))
    ap.add_argument("--child", choices=["trim", "no-trim"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.big, args.child == "trim")))
        return 0
    rows = {}
    for variant in ("trim", "no-trim"):
        r = subprocess.run([sys.executable, __file__, "--big", args.big, "--child", variant], capture_output=True,
                           text=True, cwd=ROOT, check=True)
        rows[variant] = json.loads(r.stdout.strip().splitlines()[-1])
    print(f"| stage (MB) | {' | '.join(rows)} |\n|---|" + "--:|" * len(rows))
    for stage in rows["trim"]:
        print(f"| {stage} | " + " | ".join(str(rows[v][stage]) for v in rows) + " |")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
