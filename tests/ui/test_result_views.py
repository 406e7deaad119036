"""A result view is one registration: registered, it is a tab of the results area in its order, made only when
it is first shown or asked for by its key, and told through its context of the run shown, the model run, the
live training's events and the blocks picked in the graph."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from studio.core import events as ev
from studio.core.presets import load_preset
from studio.core.runs import create_run_dir, set_status
from studio.ui.results.registry import ResultView, register, unregister, views
from tests.ui.conftest import close_window


class Seen:
    def __init__(self) -> None:
        self.made: list = []  # the contexts the factory was given
        self.runs: list[str] = []
        self.models: list[str] = []
        self.epochs: list[int] = []
        self.selected: list[list[str]] = []
        self.live_at_start: list[bool] = []  # at a Started event: is it the run shown, and live?
        self.shown = 0

    def make(self, ctx) -> QLabel:
        self.made.append(ctx)
        ctx.run_changed.connect(self.runs.append)
        ctx.model_changed.connect(self.models.append)
        ctx.listen(ev.EpochEnd, lambda e: self.epochs.append(e.epoch))
        ctx.listen(ev.Started, lambda e: self.live_at_start.append(ctx.live and ctx.run_dir == e.run_dir))
        ctx.selection_changed.connect(self.selected.append)
        ctx.shown.connect(self._shown)
        return QLabel(f"inside {ctx.run_dir}")

    def _shown(self) -> None:
        self.shown += 1


@pytest.fixture
def dummy():
    seen = Seen()
    register(ResultView("dummy", "Dummy", seen.make, order=25, tip="A view registered by a test"))
    yield seen
    unregister("dummy")


def _run(root, title: str, model: bool = False) -> str:
    path = create_run_dir(root, {"meta": {"title": title}})
    (path / "metrics.csv").write_text("epoch,loss,val_loss,learning_rate,seconds\n1,0.5,0.6,0.01,0.1\n")
    if model:
        (path / "model.keras").write_bytes(b"not opened here")
    set_status(path, "finished")
    return str(path)


def _click_tab(qtbot, w, title: str) -> None:
    tabs = w.result_tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == title)
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tabs.tabBar().tabRect(index).center())


def test_a_registered_view_appears_in_its_order_is_made_on_first_show_and_hears_of_runs_and_picks(qtbot, window,
                                                                                                  dummy, tmp_path):
    w = window
    first, second = _run(tmp_path, "first"), _run(tmp_path, "second", model=True)
    w.show_run(first)
    tabs = w.result_tabs
    shown = [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]
    assert shown == ["Curves", "Inside", "Evaluation", "Dummy", "Try it"]  # Boundary waits for two-feature data
    assert tabs.tabToolTip(shown.index("Dummy")) == "A view registered by a test"
    assert dummy.made == [] and w.results.built("dummy") is None  # not made before it is shown
    _click_tab(qtbot, w, "Dummy")
    assert len(dummy.made) == 1 and dummy.shown == 1
    ctx = dummy.made[0]
    view = w.results.view("dummy")
    assert tabs.currentWidget() is view and w.results.current_key() == "dummy" and ctx.is_shown()
    assert view.text() == f"inside {first}" and ctx.run_dir == first and ctx.model_run is None
    # another run shown: the view hears of it, and of its model (Export is offered for it)
    assert not w.act_export.isEnabled()
    w.show_run(second)
    assert dummy.runs == [second] and dummy.models == [second] and ctx.model_run == second
    assert w.act_export.isEnabled() and len(dummy.made) == 1  # made once
    # a block picked in the graph is the view's pick too
    w.doc.load_dict(load_preset("mnist_cnn").to_dict(), None)
    block = w.doc.view()["model"]["blocks"][1]["id"]
    node = w.graph.nodes[block]
    w.graph.view.ensureVisible(node)
    qtbot.mouseClick(w.graph.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=w.graph.view.mapFromScene(node.sceneBoundingRect().center()))
    assert dummy.selected[-1] == [block] and ctx.selection == [block]
    # code asks for views by key; the built-in ones are registrations like this one
    assert w.results.keys() == ["curves", "inside", "evaluation", "dummy", "try_it", "boundary"]
    _click_tab(qtbot, w, "Curves")
    assert w.results.current_key() == "curves" and not ctx.is_shown()
    ctx.bring_forward()
    assert w.results.current_key() == "dummy" and dummy.shown == 2


def test_a_second_view_with_the_same_key_is_refused(dummy):
    with pytest.raises(ValueError, match="`dummy` is registered already"):
        register(ResultView("dummy", "Other", dummy.make))
    assert [v.key for v in views()].count("dummy") == 1


def test_a_view_asked_for_by_key_hears_the_live_training_and_its_model(qtbot, dialogs, dummy, tmp_path,
                                                                        monkeypatch):
    from studio.ui.main_window import MainWindow

    monkeypatch.setenv("KERAS_STUDIO_WARM_WORKERS", "0")  # the fake model is never loaded in a backend
    w = MainWindow(probe_devices=False, worker="tests.ui.scripted_worker", autosave_dir=tmp_path)
    try:
        w.show()
        qtbot.waitExposed(w)
        w.open_file("presets/optimization_lab.json", as_template=True)
        w.checker.wait_data()
        monkeypatch.setattr(w, "runs_root", lambda: tmp_path / "runs")
        w.results.view("dummy")  # made now, not shown: it follows the run from its start
        ctx = dummy.made[0]
        assert dummy.shown == 0 and w.results.current_key() == "curves"
        with qtbot.waitSignal(w.bridge.ended, timeout=60_000) as ended:
            w.act_train.trigger()
        assert isinstance(ended.args[0], ev.Finished), ended.args[0]
        run_dir = ended.args[0].run_dir
        assert dummy.runs == [run_dir] and dummy.epochs == [0, 1] and dummy.models == [run_dir]
        assert dummy.live_at_start == [True]  # the run changed before its first event arrived
        assert ctx.run_dir == run_dir and not ctx.live and w.act_export.isEnabled()
        assert w.plots.curves.metrics["loss"].series["epoch"].n == 2  # the Curves view heard the same events
        qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)
    finally:
        close_window(w, qtbot)


def test_try_its_tab_holds_the_room_of_its_panel_before_the_panel_is_made(qtbot, window, tmp_path):
    """A tab widget is as large as its largest page: were Try it's room not held, opening it the first time would
    push the docks and the splitter about (and the window would not look as it did when every view was made)."""
    from studio.ui.evaluation import TryItPanel
    from studio.ui.results.try_it import VIEW

    holder = QWidget()  # a page, not a window: a window's layout has wider margins
    qtbot.addWidget(holder)
    panel = TryItPanel(holder)
    need = panel.minimumSizeHint()
    assert need.width() <= VIEW.room[0] and need.height() <= VIEW.room[1]
    window.show_run(_run(tmp_path, "a run"))
    held = window.result_tabs.minimumSizeHint()
    assert window.results.built("try_it") is None and held.width() >= VIEW.room[0] and held.height() >= VIEW.room[1]
    panel.shutdown()
