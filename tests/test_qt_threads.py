"""The Qt binding survives what the app does: thousands of signals from worker threads."""

import subprocess
import sys
from pathlib import Path


def test_cross_thread_signals_do_not_corrupt_the_interpreter():
    script = Path(__file__).parent / "data" / "signal_storm.py"
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "calls 20000" in r.stdout
