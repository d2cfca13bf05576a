"""The Qt binding survives what the app does: thousands of signals from worker threads."""

import subprocess
import sys
from pathlib import Path


def test_cross_thread_signals_do_not_corrupt_the_interpreter():
    script = Path(__file__).parent / "data" / "signal_storm.py"
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "calls 20000" in r.stdout


def test_closing_while_a_worker_is_busy_ends_cleanly(tmp_path):
    """A slow load or a slow session start is still running when the window closes: no abort, no hang."""
    import shutil

    model = tmp_path / "model.onnx"
    shutil.copy(Path(__file__).parent.parent / "sample_models" / "fixtures" / "tiny-gpt2" / "model.onnx", model)
    script = Path(__file__).parent / "data" / "close_while_busy.py"
    for mode in ("load", "step"):
        r = subprocess.run([sys.executable, str(script), mode, str(model), "3"], capture_output=True, text=True,
                           timeout=120, cwd=Path(__file__).parent.parent)
        assert r.returncode == 0, (mode, r.stderr[-2000:])
        assert "Destroyed while thread" not in r.stderr and "closed after" in r.stdout, (mode, r.stderr[-2000:])
        closed = float(r.stdout.split("closed after ")[1].split()[0])
        assert closed < 2.5, (mode, r.stdout)  # the window went away at once; the work finished behind it


def test_workers_import_nothing_for_the_first_time():
    """What the workers use is imported on the GUI thread (app/workers.py): loading an fp16 model (its statistics
    use the compiled pattern count, stats/kernel.py) and a step of generation import no module for the first time
    on a worker thread."""
    import json

    script = Path(__file__).parent / "data" / "imports_off_the_gui_thread.py"
    model = Path(__file__).parent.parent / "sample_models" / "fortune-gpt" / "model_fp16.onnx"
    r = subprocess.run([sys.executable, str(script), str(model)], capture_output=True, text=True, timeout=180,
                       cwd=Path(__file__).parent.parent)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["loaded"] and out["stepped"], r.stderr[-2000:]
    assert out["off_thread"] == [], out["off_thread"]
