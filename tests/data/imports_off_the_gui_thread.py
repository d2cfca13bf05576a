"""Open a model in the app, take a step of generation, and list every module first imported by a thread other than
the GUI thread.

    python imports_off_the_gui_thread.py MODEL [VARIANT]
PySide6's import hook must not run for a first import in a worker thread (a hang or a crash: app/workers.py);
the app imports up front what its workers use.  Prints one JSON object: {"loaded": bool, "stepped": bool,
"off_thread": [names]}.
"""
import json
import os
import sys
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
model = sys.argv[1]
variant = sys.argv[2] if len(sys.argv) > 2 else None
off_thread: list[str] = []


class Witness:
    """First on sys.meta_path: sees each module's first import, finds nothing, lets the real finders work."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if threading.current_thread() is not threading.main_thread():
            off_thread.append(name)
        return None


sys.meta_path.insert(0, Witness)

from inspector.app.qt_compat import QtCore, QtWidgets  # noqa: E402

app = QtWidgets.QApplication([])
app.setProperty("inspector_headless", True)
import inspector.app.workers as workers  # noqa: E402
from inspector.app.main_window import MainWindow  # noqa: E402

settings = QtCore.QSettings(os.path.join(os.environ.get("TMPDIR", "/tmp"), f"imports-{os.getpid()}.ini"),
                            QtCore.QSettings.IniFormat)
window = MainWindow(settings)
window.show()
loaded, stepped = [], []


def done(census):
    loaded.append(census is not None and census.statistics_done)
    window.generate.panel.step_btn.click()  # a session is made and one token generated, on the run's worker


def step(snapshot):
    if snapshot.steps and not stepped:
        stepped.append(True)
        QtCore.QTimer.singleShot(500, window.close)  # the workers a model starts (cost, hooks) get their turn


window.model_loaded.connect(done)
window.session.run.changed.connect(step)
window.open_model(model, variant)
QtCore.QTimer.singleShot(60000, window.close)
app.exec()
workers.reaper().wait_all()
os.remove(settings.fileName())
print(json.dumps({"loaded": bool(loaded and loaded[0]), "stepped": bool(stepped),
                  "off_thread": sorted(set(off_thread))}))
