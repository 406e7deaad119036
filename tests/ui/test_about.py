"""Help ▸ About shows the icon, the version and the installed backends with their versions; the window has
the application icon and the desktop entry's name (Wayland finds the icon through it)."""

from importlib.metadata import version

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from studio import __version__
from studio.jobs.devices import installed_backends


def _menu_action(window, menu_title, text):
    for menu_action in window.menuBar().actions():
        if menu_action.text().replace("&", "") == menu_title:
            for action in menu_action.menu().actions():
                if action.text().replace("&", "") == text:
                    return action
    raise AssertionError(f"no {menu_title} ▸ {text}")


def test_about_shows_version_icon_and_installed_backends(window, qtbot):
    from studio.ui.about import AboutDialog

    _menu_action(window, "Help", "About Keras Studio").trigger()
    dialog = qtbot.waitUntil(lambda: window.findChild(AboutDialog) is not None) or window.findChild(AboutDialog)
    assert dialog.isVisible()
    text = dialog.text.text()
    assert f"Keras Studio {__version__}" in text
    assert f"<td>keras</td><td>{version('keras')}</td>" in text
    for backend in installed_backends():
        assert f"<td>{backend}</td><td>{version(backend)}</td>" in text
    icon = [label for label in dialog.findChildren(QLabel) if label.pixmap() and not label.pixmap().isNull()]
    assert icon and icon[0].pixmap().width() >= 64
    dialog.reject()


def test_the_application_has_its_icon_and_desktop_file_name(qapp, tmp_path, capsys):
    from studio.ui.launch import launch

    assert launch(["--screenshot", str(tmp_path / "shot.png"), "--preset", "optimization_lab",
                   "--size", "800x600"]) == 0
    assert QApplication.desktopFileName() == "io.github.kerasstudio.KerasStudio"
    assert not QApplication.windowIcon().isNull()
    assert QApplication.applicationVersion() == __version__


def test_training_on_a_backend_this_installation_lacks_names_the_command_that_adds_it(window, dialogs, qtbot,
                                                                                     monkeypatch):
    from studio.core.presets import load_preset
    from studio.jobs import devices

    window.doc.load_dict(load_preset("optimization_lab").to_dict(), None)  # the preset trains on TensorFlow
    monkeypatch.setattr(devices, "installed_backends", lambda: ["jax"])  # as in a keras-studio[jax] install
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert dialogs == [("warning", 'The tensorflow backend is not installed; add it with: pip install '
                                   '"keras-studio[tensorflow]", or choose an installed one: jax in the toolbar.')]
