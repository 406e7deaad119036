"""Two-feature data in the app: the Data panel previews it as a scatter plot, and a real training draws the
model's decision boundary live in the results' Boundary tab, kept with the run for later."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from studio.core import events as ev
from studio.core.presets import load_preset
from studio.data.loaders import LAB_X, LAB_Y
from studio.jobs.devices import installed_backends
from studio.ui import theme


def _open_preset(w, title: str) -> None:
    action = next(a for a in w.preset_menu.actions() if a.text() == title)
    action.trigger()
    w.checker.wait_data()


def test_the_data_view_shows_two_features_as_a_scatter(qtbot, window):
    w = window
    _open_preset(w, "Optimisation lab")
    panel = w.data_panel
    qtbot.waitUntil(lambda: panel.stack.currentWidget() is panel.plane, timeout=20_000)
    plane = panel.plane.widget()
    assert plane.point_count() == len(LAB_X)
    assert plane.getAxis("bottom").labelText == "x1" and plane.getAxis("left").labelText == "x2"
    # the points sit where the data puts them, one colour per class
    xs = np.concatenate([s.data["x"] for s in plane.scatters])
    assert sorted(xs) == sorted(float(p[0]) for p in LAB_X)
    assert len({s.opts["brush"].color().name() for s in plane.scatters}) == 2
    # data of more features keeps its table
    _open_preset(w, "Regression MLP on diabetes data")
    qtbot.waitUntil(lambda: panel.stack.currentWidget() is panel.table, timeout=20_000)
    # no run yet: no Boundary tab
    assert not w.result_tabs.isTabVisible(w.result_tabs.indexOf(w.boundary))


def test_training_on_two_features_draws_the_boundary_live_and_keeps_it(qtbot, window):
    w = window
    spec = load_preset("optimization_lab")
    spec.training.backend = "jax" if "jax" in installed_backends() else installed_backends()[0]
    spec.data.normalize = "standard"  # the model sees standardised inputs, the plot the data's own units
    w.doc.load_dict(spec.to_dict(), None)
    w.checker.wait_data()
    view = w.boundary
    drawn: list[int] = []
    view.drawn.connect(drawn.append)
    with qtbot.waitSignal(w.bridge.ended, timeout=180_000) as ended:
        qtbot.mouseClick(w.controls.train, pg.QtCore.Qt.MouseButton.LeftButton)
    assert isinstance(ended.args[0], ev.Finished), ended.args[0]
    qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)
    # the tab came up with the run, and the image was redrawn up to the last epoch
    tabs = w.result_tabs
    assert tabs.isTabVisible(tabs.indexOf(view)) and tabs.currentWidget() is view
    assert drawn and drawn[-1] == 199 and view.has_image()
    qtbot.waitUntil(lambda: view.point_count() == len(LAB_X), timeout=20_000)
    assert "Epoch 200 of 200" in view.plotItem.titleLabel.text

    def class_under_points() -> list[int]:
        """The class whose colour the boundary image paints under each training point."""
        img = view.image.image
        rect = view.image.mapRectToParent(view.image.boundingRect())
        colors = [pg.mkColor(c) for c in theme.colors().series[:2]]
        out = []
        for x, y in LAB_X:
            col = int((x - rect.left()) / rect.width() * img.shape[1])
            row = int((y - rect.top()) / rect.height() * img.shape[0])
            rgb = img[row, col, :3].astype(int)
            out.append(int(np.argmin([abs(rgb - [c.red(), c.green(), c.blue()]).sum() for c in colors])))
        return out

    assert np.mean(np.array(class_under_points()) == np.array(LAB_Y)) >= 0.9
    first_image = view.image.image.copy()

    # another project hides the tab's content; showing the run again from the Runs panel brings it back
    view.image.clear()
    w.runs.refresh()
    w.runs.tree.setCurrentItem(w.runs.tree.topLevelItem(0))
    w.runs.show_btn.click()
    qtbot.waitUntil(lambda: view.has_image() and view.point_count() == len(LAB_X), timeout=20_000)
    assert np.array_equal(view.image.image, first_image) and view.epoch == 199
