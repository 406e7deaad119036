"""The window's first paint waits for nothing it does not show: no backend, and no pyqtgraph (0.27 s to
import, ~10 ms a plot) while the results area is the empty-state card and the plots sit on hidden tabs. Checked in
a fresh interpreter, since other tests in this process have imported both. The time itself is measured by
benchmarks/gui_bench.py, not here."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = r"""
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QEvent, QObject, QStandardPaths
from PySide6.QtWidgets import QApplication
QStandardPaths.setTestModeEnabled(True)
app = QApplication([])

class FirstPaint(QObject):
    seen = None
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.seen is None:
            self.seen = sorted(m for m in sys.modules if m.split(".")[0] in
                               ("pyqtgraph", "keras", "tensorflow", "torch", "jax"))
        return False

spy = FirstPaint()
app.installEventFilter(spy)
from studio.ui.main_window import MainWindow
w = MainWindow(probe_devices=False)
w.show()
while spy.seen is None:
    app.processEvents()
at_paint = spy.seen
w.checker.wait_data()
w.background.pool.waitForDone(20000)
app.processEvents()
# the results are built on first need and work as before
w.plots.setup(["loss", "accuracy"])
tabs = [w.result_tabs.tabText(i) for i in range(w.result_tabs.count())]
print(json.dumps({"at_paint": at_paint, "tabs": tabs, "pg_now": "pyqtgraph" in sys.modules}))
w.shutdown(); w.doc.undo_stack.setClean(); w.close()
"""


def test_first_paint_loads_no_plotting_library_and_no_backend(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["at_paint"] == []
    assert result["tabs"][:4] == ["Curves", "Inside", "Evaluation", "Try it"] and result["pg_now"]
