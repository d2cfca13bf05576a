"""Many queued signals from a worker thread: PySide6 6.12.0 aborts here (a refcount bug)."""
import sys, os
os.environ["QT_QPA_PLATFORM"]="offscreen"
from PySide6 import QtCore, QtWidgets
app = QtWidgets.QApplication([])
class Worker(QtCore.QObject):
    prog = QtCore.Signal(int, float, str)
    done = QtCore.Signal()
    @QtCore.Slot()
    def run(self):
        for i in range(20000):
            self.prog.emit(1, 0.5, "x")
        self.done.emit()
class Recv(QtCore.QObject):
    n = 0
    @QtCore.Slot(int, float, str)
    def on(self, a, b, c):
        self.n += 1
r = Recv()
w = Worker(); t = QtCore.QThread(); w.moveToThread(t)
w.prog.connect(r.on); t.started.connect(w.run)
loop = QtCore.QEventLoop(); w.done.connect(loop.quit, QtCore.Qt.QueuedConnection)
before = sys.getrefcount(None)
t.start(); loop.exec(); app.processEvents()
t.quit(); t.wait()
print(QtCore.__version__, "None refs before", before, "after", sys.getrefcount(None), "calls", r.n)
