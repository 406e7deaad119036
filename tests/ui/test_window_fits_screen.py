"""The window fits the screen it opens on (issue 20, item 10): a size saved on a larger screen reopens clamped to
this one's available area, never beyond it (the status bar and the window's edges stay on screen)."""

from __future__ import annotations

from studio.ui import window_layout
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
