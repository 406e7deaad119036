"""The window around the model (issue 10): results start as an empty-state card, the log opens itself on
trouble, backend and device are picked in the toolbar, the graph reads at 100 %, augmentation shows where
it changes the shape, and the optimizer offers only what the spec accepts."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QComboBox

from studio.core import catalog
from studio.core import events as ev
from studio.core.presets import load_preset
from studio.jobs import devices
from studio.ui import theme
from studio.ui.main_window import MainWindow
from tests.ui.conftest import close_window


def _load(w, preset: str, qtbot) -> None:
    w.doc.load_dict(load_preset(preset).to_dict(), None)
    w.checker.wait_data()
    qtbot.wait(50)


def _choose(qtbot, combo: QComboBox, index: int) -> None:
    """Pick an item as a user does: open the list, move to it, press Return."""
    combo.showPopup()
    combo.view().setCurrentIndex(combo.model().index(index, 0))
    qtbot.keyClick(combo.view(), Qt.Key.Key_Return)


def test_empty_window_shows_the_card_not_empty_axes_and_it_collapses(window, qtbot):
    w = window
    assert w.empty_state.isVisible() and "Press Train" in w.empty_state.title.text()
    axes = [p for p in w.results.findChildren(pg.PlotWidget) if p.isVisible()]
    assert axes == []  # no empty 0–1 axes before any run
    assert w.results.height() <= w.centralWidget().height() // 4  # a strip, not half the window
    qtbot.mouseClick(w.results_toggle, Qt.MouseButton.LeftButton)
    assert not w.empty_state.isVisible() and w.results_toggle.isVisible()
    qtbot.mouseClick(w.results_toggle, Qt.MouseButton.LeftButton)
    assert w.empty_state.isVisible()


def test_log_starts_hidden_and_opens_itself_when_a_run_fails(qtbot, dialogs, tmp_path):
    w = MainWindow(probe_devices=False, worker="tests.ui.crashing_worker", autosave_dir=tmp_path)
    try:
        w.show()
        qtbot.waitExposed(w)
        w.checker.wait_data()
        assert not w.docks["Log"].isVisible()
        w.open_file("presets/optimization_lab.json", as_template=True)
        with qtbot.waitSignal(w.bridge.ended, timeout=60_000) as ended:
            w.act_train.trigger()
        assert isinstance(ended.args[0], ev.Failed)
        assert w.docks["Log"].isVisible() and "error:" in w.log.toPlainText()
        qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)
    finally:
        close_window(w, qtbot)


def test_toolbar_has_the_backend_and_device_pickers_and_they_edit_the_spec(window, qtbot):
    w = window
    combos = w.toolbar.findChildren(QComboBox)
    backend, device = w.training_panel.backend, w.training_panel.device
    assert backend in combos and device in combos and backend.isVisible() and device.isVisible()
    # one picker: the Training tab no longer has its own
    assert backend not in w.setup_tabs.findChildren(QComboBox)
    installed = devices.installed_backends()
    other = next(b for b in installed if b != w.doc.view()["training"]["backend"])
    _choose(qtbot, backend, backend.findData(other))
    assert w.doc.view()["training"]["backend"] == other
    assert w.train_button.isVisible() and "background" in w.train_button.styleSheet()  # Train is accented


def test_graph_shows_mnist_cnn_readable_at_1280x720(window, qtbot):
    w = window
    w.resize(1280, 720)
    _load(w, "mnist_cnn", qtbot)
    qtbot.waitUntil(lambda: w.graph.view.viewport().height() > 200)
    g = w.graph
    assert w.model_tabs.currentWidget() is g
    assert abs(g.view.zoom() - 1.0) < 1e-6
    port = g.view.viewport().rect()
    shown = []
    for bid, node in g.nodes.items():
        rect = g.view.mapFromScene(node.sceneBoundingRect()).boundingRect()
        if port.contains(rect):
            shown.append(bid)
        for text in node.texts:  # nothing runs past its node, and nothing is tiny
            assert node.rect().contains(node.mapRectFromItem(text, text.boundingRect())), text.text()
            assert QFontInfo(text.font()).pixelSize() >= 10
    assert len(shown) >= 8, shown
    # output shapes are written on the edges
    assert "28" in g.shape_labels["input_1"].text() and "10" in g.shape_labels["dense_1"].text()
    # nodes are coloured by their catalogue category
    conv = g.nodes["conv2d_1"].childItems()[1]  # the category stripe
    assert conv.brush().color().name() == theme.category_color(catalog.get("Conv2D").category)
    assert set(catalog.CATEGORIES) <= set(theme.CATEGORY_COLORS)


def test_augmentation_is_greyed_after_the_input_with_the_cropped_shape(window, qtbot):
    w = window
    _load(w, "cifar10_augmentation", qtbot)
    g = w.graph
    aug = g.aug_nodes
    assert [n.texts[0].text() for n in aug][:2] == ["RandomCrop", "RandomFlip"]
    crop = aug[0]
    assert not crop.flags() & crop.GraphicsItemFlag.ItemIsSelectable  # data, not a model block
    assert crop.pen().style() == Qt.PenStyle.DashLine and crop.texts[0].brush().color().name() == \
        theme.colors().muted
    assert crop.sceneBoundingRect().top() > g.nodes["input_1"].sceneBoundingRect().bottom()
    assert "32" in g.shape_labels["input_1"].text()
    crop_shape = g.shape_labels[crop.block_id].text()
    assert "28" in crop_shape and "32" not in crop_shape
    sources = {e.source for e in g.edges}
    assert "input_1" not in sources  # the model's first block reads the augmented data, drawn through the chain


def test_optimizer_offers_only_what_the_spec_accepts(window, qtbot):
    w = window
    panel = w.optimizer_panel
    w.setup_tabs.setCurrentIndex(1)
    panel.plateau.setChecked(True)  # as a click on the group's check box does
    assert w.doc.view()["optimizer"]["reduce_on_plateau"] is not None
    model = panel.schedule.model()
    for i in range(panel.schedule.count()):
        name = panel.schedule.itemData(i)
        enabled = model.item(i).isEnabled()
        assert enabled == (name == "constant"), name
        if not enabled:
            assert "constant schedule" in panel.schedule.itemData(i, Qt.ItemDataRole.ToolTipRole)
    panel.plateau.setChecked(False)
    other = next(i for i in range(panel.schedule.count()) if panel.schedule.itemData(i) != "constant")
    _choose(qtbot, panel.schedule, other)
    assert w.doc.view()["optimizer"]["schedule"]["name"] != "constant"
    assert not panel.plateau.isEnabled() and "constant schedule" in panel.plateau.toolTip()


def test_the_selected_block_is_scrolled_into_view(window, qtbot):
    w = window
    w.resize(1280, 720)
    _load(w, "cifar10_augmentation", qtbot)
    g = w.graph
    qtbot.mouseClick(g.buttons["+"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(g.buttons["+"], Qt.MouseButton.LeftButton)
    assert g.view.zoom() > 1.4 and g.zoom_label.text() == "156 %"
    last = g.nodes["dense_2"]
    port = g.view.viewport().rect()
    w.editor.select(["dense_2"])  # as picking it in the Layers list does
    assert port.intersects(g.view.mapFromScene(last.sceneBoundingRect()).boundingRect())
    qtbot.mouseClick(g.buttons["Fit"], Qt.MouseButton.LeftButton)
    for node in g.nodes.values():  # Fit: everything in view
        assert port.contains(g.view.mapFromScene(node.sceneBoundingRect()).boundingRect())


@pytest.mark.slow
def test_after_a_run_a_headline_sits_above_the_curves_and_a_past_run_is_named(window, qtbot):
    w = window
    spec = load_preset("optimization_lab")
    spec.training.epochs = 3
    spec.training.backend = "jax" if "jax" in devices.installed_backends() else devices.installed_backends()[0]
    w.doc.load_dict(spec.to_dict(), None)
    w.checker.wait_data()
    assert not w.headline.isVisible()
    with qtbot.waitSignal(w.bridge.ended, timeout=180_000) as ended:
        w.act_train.trigger()
    assert isinstance(ended.args[0], ev.Finished), ended.args[0]
    line = w.headline.line.text()
    assert w.headline.isVisible() and line.startswith("train accuracy") and f"on {spec.training.backend}/" in line
    assert not w.headline.banner.isVisible()  # the live run needs no banner
    assert w.result_tabs.isVisible() and not w.empty_state.isVisible()
    # Train / Pause / Stop live in the toolbar only: the progress row shows no second set
    assert not any(b.isVisible() for b in (w.controls.train, w.controls.pause, w.controls.resume, w.controls.stop))
    assert w.controls.progress.isVisible()
    qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)
    w.show_run(ended.args[0].run_dir)
    assert w.headline.banner.isVisible() and "Optimisation lab" in w.headline.banner.text()
    assert w.headline.line.text() == line
