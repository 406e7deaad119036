"""The window fits the screen it opens on (issue 20, item 10): a size saved on a larger screen reopens clamped to
this one's available area, never beyond it (the status bar and the window's edges stay on screen)."""

from __future__ import annotations

from studio.ui import window_layout
from studio.ui.graph_view import GAP_Y, NODE_H
from studio.ui.main_window import MainWindow
from tests.ui.conftest import close_window


def test_a_size_saved_on_a_larger_screen_reopens_within_this_one(qtbot, dialogs, tmp_path):
    big = MainWindow(probe_devices=False, autosave_dir=tmp_path / "a")
    big.show()
    qtbot.waitExposed(big)
    screen = big.screen().availableGeometry()
    big.setGeometry(0, 0, screen.width() * 2, screen.height() * 2)  # as saved on a screen twice the size
    window_layout.save(big)
    close_window(big, qtbot)
    w = MainWindow(probe_devices=False, autosave_dir=tmp_path / "b")
    try:
        w.restore_layout()
        w.show()
        qtbot.waitExposed(w)
        frame = w.frameGeometry()
        assert frame.width() <= screen.width() and frame.height() <= screen.height(), (frame, screen)
        assert screen.contains(frame.topLeft()) and screen.contains(frame.bottomRight()), (frame, screen)
    finally:
        close_window(w, qtbot)


# a 1280×720 desktop: a 32 px panel and a 30 px title bar leave the window about 658 px
AVAILABLE_H = 720 - 32 - 30


def _past_run(root):
    from studio.core.runs import create_run_dir, set_status

    path = create_run_dir(root, {"meta": {"title": "a run"}})
    rows = ["epoch,accuracy,loss,val_accuracy,val_loss,learning_rate,seconds"]
    rows += [f"{i + 1},{0.5 + i / 10},{1 / (i + 1)},{0.4 + i / 10},{1.1 / (i + 1)},0.01,0.1" for i in range(3)]
    (path / "metrics.csv").write_text("\n".join(rows) + "\n")
    set_status(path, "finished")
    return str(path)


def test_at_1280x720_results_log_and_a_recurrent_preset_fit_the_screen(window, qtbot, tmp_path):
    w = window
    w.show_run(_past_run(tmp_path / "runs"))  # results shown: headline, curves
    qtbot.wait(10)
    assert w.result_tabs.isVisible()
    heights = {"results": w.minimumSizeHint().height()}
    w.docks["Log"].show()  # as after a failed run
    qtbot.wait(10)
    heights["results and log"] = w.minimumSizeHint().height()
    w.open_file("presets/timeseries_gru.json", as_template=True)  # a recurrent model on a series
    w.checker.wait_data()
    w.show_run(_past_run(tmp_path / "runs"))
    qtbot.wait(10)
    heights["recurrent preset, results and log"] = w.minimumSizeHint().height()
    assert all(h <= AVAILABLE_H for h in heights.values()), heights


def test_at_1280x720_training_tab_status_bar_and_results_fit_and_the_graph_shows_more_than_a_block(
        window, qtbot, tmp_path):
    w = window
    w.open_file("presets/optimization_lab.json", as_template=True)
    w.checker.wait_data()
    w.show_run(_past_run(tmp_path / "runs"))
    w.docks["Log"].show()
    w.resize(1280, AVAILABLE_H - 30)  # the window's inside, without its title bar
    w.setup_tabs.show_panel(w.training_panel)
    qtbot.wait(50)
    assert w.setup_tabs.currentWidget().horizontalScrollBar().maximum() == 0  # the Training tab: no sideways scroll
    assert w.statusBar().isVisible() and w.statusBar().geometry().bottom() <= w.height()
    port = w.results.views_scroll.viewport()
    qtbot.wait(100)  # the views made, the docks give way to them
    assert w.result_tabs.width() <= port.width()  # nothing of the views cut off at the right
    room = w.graph.view.viewport().height()
    assert room >= 2 * NODE_H + GAP_Y, room  # two rows of blocks, not one
