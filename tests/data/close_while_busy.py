"""Close the window while a worker is busy with work that cannot be interrupted; the process must end cleanly.

    python close_while_busy.py load|step MODEL SECONDS
`load`: the census takes SECONDS (a slow parse); `step`: onnxruntime takes SECONDS to create its session.
"""
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
mode, model, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])

from inspector.app.qt_compat import QtCore, QtWidgets  # noqa: E402

app = QtWidgets.QApplication([])
app.setProperty("inspector_headless", True)
import inspector.app.workers as workers  # noqa: E402
import inspector.engine.generator as generator  # noqa: E402
import inspector.pipeline as pipeline  # noqa: E402
from inspector.app.main_window import MainWindow  # noqa: E402


def slowly(fn):
    def wrapper(*a, **kw):
        time.sleep(seconds)
        return fn(*a, **kw)
    return wrapper


settings = QtCore.QSettings(os.path.join(os.path.dirname(os.path.abspath(model)), ".close-test.ini"),
                            QtCore.QSettings.IniFormat)
window = MainWindow(settings)
window.show()
started = time.monotonic()
if mode == "load":
    pipeline.take_census = slowly(pipeline.take_census)
    window.open_model(model)
    QtCore.QTimer.singleShot(300, window.close)
else:
    generator.create_session = slowly(generator.create_session)

    def loaded(_census):
        window.generate.panel.step_btn.click()  # the worker starts creating its session
        QtCore.QTimer.singleShot(300, window.close)

    window.model_loaded.connect(loaded)
    window.open_model(model)
app.exec()
closed = time.monotonic() - started
workers.reaper().wait_all()
print(f"closed after {closed:.2f} s, exited after {time.monotonic() - started:.2f} s")
