"""The Inside tab on a recording written without a backend: pick a layer and a view, scrub the epochs (the
slider, the loss plot's line, Play), follow a live run, and say plainly when a run recorded nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt

from studio.core import events as ev
from studio.ui.inside_view import EMPTY, InsideView
from tests.core.test_inspect_store import recorded, snapshot  # noqa: F401 - the fixture


def _view(qtbot, run=None) -> InsideView:
    view = InsideView()
    qtbot.addWidget(view)
    view.resize(900, 420)
    view.show()
    if run is not None:
        assert view.show_run(run)
    return view


def test_scrubbing_shows_each_recorded_epoch(qtbot, recorded):  # noqa: F811
    view = _view(qtbot, recorded[0])
    assert [view.layer.itemText(i) for i in range(view.layer.count())] == ["conv", "dense"]
    assert view.epochs == [0, 4, 6] and view.current_epoch() == 6 and view.epoch_label.text() == "epoch 6"
    shown = []
    view.epoch_changed.connect(shown.append)
    view.slider.setFocus()
    qtbot.keyClick(view.slider, Qt.Key.Key_Home)
    assert view.current_epoch() == 0 and view.epoch_label.text() == "before training" and shown == [0]
    assert view.marker.value() == 0 == view.norm_marker.value()  # the loss plot's line follows the slider
    assert view.dead_plot.isVisible()  # conv has dead units to show
    view.show_epoch(4.4)  # as dragging the loss plot's line near epoch 4 does
    assert view.current_epoch() == 4 and view.slider.value() == 1
    assert view.image.image is not None and view.image.image.shape[2] == 3
    caption = view.caption.text()
    assert "What conv outputs for sample 1" in caption and "25% of its units are dead" in caption


def norm_widths(view: InsideView) -> dict[str, int]:
    """Each block's gradient-norm line and its width (the picked layer's is drawn thick)."""
    return {c.name(): c.opts["pen"].width() for c in view.norm_plot.getPlotItem().listDataItems()}


def test_views_and_layers(qtbot, recorded):  # noqa: F811
    view = _view(qtbot, recorded[0])
    assert norm_widths(view) == {"conv": 3}  # dense recorded no gradients
    view.view.setCurrentIndex(view.view.findData("gradcam"))
    assert view.caption.text().startswith("Grad-CAM on conv")
    view.probe.setCurrentIndex(1)
    assert view.probe.currentText() == "sample 2"
    view.view.setCurrentIndex(view.view.findData("weights"))
    assert "conv's weights" in view.caption.text()
    view.select_layer("dense")  # a click on the block in the graph
    assert view.layer.currentText() == "dense"
    assert norm_widths(view) == {"conv": 1}
    model = view.view.model()
    assert not model.item(view.view.findData("weights")).isEnabled()  # dense recorded activations only
    assert view.view.currentData() == "activations"  # so the view moved to one it has
    assert model.item(view.view.findData("saliency")).isEnabled()  # the input's saliency is there whatever the layer


def test_play_steps_to_the_end_and_stops(qtbot, recorded):  # noqa: F811
    view = _view(qtbot, recorded[0])
    view.timer.setInterval(10)
    qtbot.mouseClick(view.play, Qt.MouseButton.LeftButton)  # at the end: starts again from the first
    assert view.play.text() == "Pause"
    qtbot.waitUntil(lambda: not view.play.isChecked(), timeout=3000)
    assert view.current_epoch() == 6 and not view.timer.isActive() and view.play.text() == "Play"


def test_a_live_run_follows_the_newest_snapshot(qtbot, recorded):  # noqa: F811
    run, writer = recorded
    view = _view(qtbot, run)
    view.on_epoch(ev.EpochEnd(epoch=6, epochs=10, logs={"loss": 0.4, "val_loss": 0.5}, learning_rate=0.01,
                              seconds=1.0, samples_per_s=1.0))
    writer.add(7, snapshot(7))
    view.on_inspect(ev.Inspect(epoch=7, file="inspect/epoch-00007.npz"))
    assert view.current_epoch() == 7
    qtbot.keyClick(view.slider, Qt.Key.Key_Home)  # scrubbing back: a new snapshot does not pull the view away
    writer.add(8, snapshot(8))
    view.on_inspect(ev.Inspect(epoch=8, file="inspect/epoch-00008.npz"))
    assert view.current_epoch() == 0 and view.epochs[-1] == 8


def test_a_run_without_a_recording_says_how_to_get_one(qtbot, tmp_path):
    view = _view(qtbot)
    assert not view.show_run(tmp_path)
    assert view.message.isVisible() and view.message.text() == EMPTY and not view.content.isVisible()
