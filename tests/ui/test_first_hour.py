"""Small things a first-time user meets in the first hour: the data preview's header, Ctrl+E, Try it after
Open image, the drawing pen and centring, the paused read-out and the pause/resume log."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from studio.core import events as ev
from studio.jobs.devices import installed_backends
from studio.ui.evaluation import try_it
from studio.ui.run_controls import RunControls

FAST = [b for b in ("jax", "tensorflow", "torch") if b in installed_backends()]


def choose_source(qtbot, window, name: str) -> None:
    combo = window.data_panel.source
    combo.setCurrentIndex(combo.findData(name))
    combo.activated.emit(combo.currentIndex())


def test_preview_header_is_not_left_from_the_previous_source(qtbot, window):
    w = window
    panel = w.data_panel
    qtbot.waitUntil(lambda: "train" in panel.preview_title.text(), timeout=10_000)  # the lab: 10 points
    choose_source(qtbot, w, "mnist")  # no network, no cache: cannot be previewed here
    qtbot.waitUntil(lambda: panel.message_label.text().startswith("No preview"), timeout=10_000)
    header = panel.preview_title.text()
    assert "shape (2,)" not in header and "train" not in header
    assert "MNIST" in header and "not available" in header


def test_ctrl_e_toggles_the_selected_block(qtbot, window, tmp_path):
    from studio.core.presets import load_preset
    from studio.core.runs import create_run_dir, set_status

    w = window
    # a run with a model is shown, so Export is enabled too: both wanted Ctrl+E, and then neither fired
    run = create_run_dir(tmp_path, {"meta": {"title": "earlier"}})
    (run / "metrics.csv").write_text("epoch,loss,val_loss,learning_rate,seconds\n1,0.5,0.6,0.01,0.1\n")
    (run / "model.keras").write_bytes(b"not opened here")
    set_status(run, "finished")
    w.show_run(str(run))
    assert w.act_export.isEnabled()
    w.doc.load_dict(load_preset("mnist_cnn").model_dump(mode="json"), None)
    ids = [b["id"] for b in w.doc.view()["model"]["blocks"]]
    # in the graph, the view the window opens on
    assert w.model_tabs.currentWidget() is w.graph
    node = w.graph.nodes[ids[1]]
    w.graph.view.ensureVisible(node)
    qtbot.mouseClick(w.graph.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=w.graph.view.mapFromScene(node.sceneBoundingRect().center()))
    assert w.editor.selected_ids() == [ids[1]]
    w.graph.view.setFocus()
    qtbot.waitUntil(w.graph.view.hasFocus, timeout=2000)
    qtbot.keyClick(w.graph.view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert w.doc.view()["model"]["blocks"][1].get("enabled", True) is False
    # and in the layer list
    bar = w.model_tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(w.model_tabs.indexOf(w.editor)).center())
    w.editor.select([ids[1]])
    w.editor.tree.setFocus()
    qtbot.waitUntil(w.editor.tree.hasFocus, timeout=2000)
    qtbot.keyClick(w.editor.tree, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert w.doc.view()["model"]["blocks"][1].get("enabled", True) is True
    assert w.act_export.shortcut().toString() == "Ctrl+Shift+E"
    shortcuts = [a.shortcut().toString() for a in w.findChildren(type(w.act_export)) if not a.shortcut().isEmpty()]
    assert shortcuts.count("Ctrl+E") == 1


def test_open_image_leaves_no_earlier_drawing(qtbot, tmp_path):
    panel = try_it.TryItPanel()
    qtbot.addWidget(panel)
    panel.canvas.stroke([(40, 40), (200, 220)])
    assert panel.canvas.array().max() > 0.5
    picture = QImage(28, 28, QImage.Format.Format_Grayscale8)
    picture.fill(QColor(0, 0, 0))
    for i in range(6, 22):
        picture.setPixelColor(14, i, QColor(255, 255, 255))
    path = tmp_path / "one.png"
    assert picture.save(str(path))
    panel.open_image(path)
    assert panel.canvas.array().max() == 0 and panel.canvas.ink().max() == 0
    panel.shutdown()


def test_pen_width_follows_the_model_input_size(qtbot):
    small, large = try_it.DrawingCanvas(8, 8), try_it.DrawingCanvas(28, 28)
    qtbot.addWidget(small)
    qtbot.addWidget(large)
    # one stroke covers more than one of the 8×8 pixels (35 screen pixels each), about 2 of MNIST's 28
    assert small.pen_width > 280 / 8
    assert 280 / 28 * 1.5 <= large.pen_width <= 280 / 28 * 3
    large.grid = (8, 8)  # the model's input decides: Try it sets the grid when a model is loaded
    assert large.pen_width == small.pen_width


def test_a_drawing_in_a_corner_is_centred_by_mass_like_the_training_digits(qtbot):
    canvas = try_it.DrawingCanvas(8, 8)
    qtbot.addWidget(canvas)
    canvas.stroke([(20, 20), (60, 20), (60, 90)])  # a small 7 in the top left corner
    x = canvas.array()
    assert x.shape == (8, 8)
    ys, xs = np.indices(x.shape)
    cy, cx = (ys * x).sum() / x.sum(), (xs * x).sum() / x.sum()
    assert abs(cy - 3.5) <= 0.75 and abs(cx - 3.5) <= 0.75
    rows, cols = np.nonzero(x > 0.1)
    assert rows.max() - rows.min() >= 6  # scaled up to the digits' size, not a dot in a corner
    # MNIST-sized models get MNIST's 20-pixel digit inside a 28-pixel picture
    big = try_it.centre_by_mass(canvas.ink(), (28, 28))
    rows, cols = np.nonzero(big > 0.1)
    assert rows.max() - rows.min() <= 21 and rows.min() >= 3


def test_the_paused_read_out_stays_on_one_line(qtbot):
    controls = RunControls()
    qtbot.addWidget(controls)
    controls.resize(620, controls.sizeHint().height())
    controls.show()
    qtbot.waitExposed(controls)
    height = controls.info.height()
    controls.set_state("starting")
    controls.on_started(ev.Started(run_dir="x", backend="tensorflow", device="cpu", summary=[], total_params=34826,
                                   trainable_params=34826, epochs=15, steps_per_epoch=469, train_samples=60000,
                                   val_samples=6000, test_samples=10000, metrics=["loss"]))
    controls.set_state("running")
    controls.on_batch(ev.BatchEnd(epoch=3, step=120, steps=469, global_step=1527, logs={"loss": 0.1},
                                  samples_per_s=12345.0))
    qtbot.wait(150)
    controls.set_state("paused")
    qtbot.wait(10)
    info = controls.info
    assert info.text().startswith("Paused") and "ETA" not in info.text()  # nothing runs, nothing to estimate
    assert not info.wordWrap()
    shown = info.shown_text() if hasattr(info, "shown_text") else info.text()
    assert info.fontMetrics().horizontalAdvance(shown) <= info.contentsRect().width()
    assert info.height() == height
    bar = controls.progress  # its own text fits too (it wrapped onto two clipped lines when squeezed)
    assert bar.fontMetrics().horizontalAdvance(bar.text()) + 8 <= bar.width(), (bar.text(), bar.width())
    controls.on_end(ev.Stopped(run_dir="x", summary={}))


@pytest.mark.slow
@pytest.mark.skipif(not FAST, reason="no backend installed")
def test_pause_and_resume_are_logged_once_each(qtbot, window):
    w = window
    spec = w.doc.view()
    spec["model"]["blocks"] = [{"id": "input_1", "type": "Input", "params": {"shape": [2]}},
                               {"id": "dense_1", "type": "Dense", "params": {"units": 2, "activation": "softmax"}}]
    spec["training"].update(epochs=5000, batch_size=2, backend=FAST[0])
    w.doc.load_dict(spec, None)
    assert w.checker.report.ok, w.checker.report.errors()
    with qtbot.waitSignal(w.bridge.epoch, timeout=120_000):
        w.act_train.trigger()
    text = lambda: w.log.toPlainText()  # noqa: E731
    qtbot.mouseClick(w.controls.pause, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: text().count("Paused") >= 1 and text().rstrip().endswith("Paused"), timeout=30_000)
    qtbot.mouseClick(w.controls.resume, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Resumed" in text(), timeout=30_000)
    qtbot.wait(300)
    with qtbot.waitSignal(w.bridge.ended, timeout=60_000):
        qtbot.mouseClick(w.controls.stop, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)
    lines = text().splitlines()
    assert sum(line.endswith("Resumed") for line in lines) == 1, lines
    assert sum(line.endswith("Paused") for line in lines) == 1, lines
