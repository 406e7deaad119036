"""Editing in the GUI never imports a backend or the engine (checked in a fresh interpreter, since other
tests in this process may have imported them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = r"""
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QStandardPaths
QStandardPaths.setTestModeEnabled(True)
app = QApplication([])
from studio.ui.main_window import MainWindow
w = MainWindow(probe_devices=False)
w.show()
w.checker.wait_data()
for t in ("Input", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dropout", "Dense", "Add", "LSTM"):
    w.editor.add_block(t)
w.editor.select(["dense_1"]); w.editor.selection_changed.emit(["dense_1"])
w.inspector.form.fields["units"].set_value(3); w.inspector.form.fields["units"].committed.emit(3)
w.graph.connect_blocks("input_1", "add_1")
w.data_panel.source.setCurrentIndex(w.data_panel.source.findData("digits"))
w.data_panel.source.activated.emit(w.data_panel.source.currentIndex())
w.checker.wait_data()
w.background.pool.waitForDone(20000)
app.processEvents()
w.doc.undo_stack.undo(); w.doc.undo_stack.redo()
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("keras", "tensorflow", "torch", "jax", "jaxlib")
             or m.startswith("studio.engine"))
print(json.dumps({"bad": bad, "blocks": len(w.doc.view()["model"]["blocks"])}))
w.shutdown(); w.doc.undo_stack.setClean(); w.close()
"""


def test_editing_imports_no_backend(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["blocks"] == 9
    assert result["bad"] == []
