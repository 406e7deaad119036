"""Your own optimizer in the app: Train asks once per project folder before running its code (and runs
nothing when declined), a project naming untrusted code says so when it opens, and View ▸ Optimizer code
writes the template, saves it and checks it, naming the line of an error."""

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QMessageBox

from studio.core import events as ev
from studio.core.custom_code import template
from studio.core.trust import TrustStore
from tests.ui.conftest import close_window

LAB = Path(__file__).resolve().parents[2] / "presets" / "optimization_lab.json"


def project(folder: Path, custom: bool = True, source: str | None = None) -> Path:
    spec = json.loads(LAB.read_text())
    if custom:
        spec["optimizer"] = {"name": "custom", "path": "my_optimizer.py", "class_name": "MomentumSGD",
                             "learning_rate": 0.05}
        (folder / "my_optimizer.py").write_text(template() if source is None else source)
    (folder / "spec.json").write_text(json.dumps(spec))
    return folder / "spec.json"


@pytest.fixture
def scripted(qtbot, dialogs, tmp_path, monkeypatch):
    from studio.ui.main_window import MainWindow

    monkeypatch.setenv("KERAS_STUDIO_WARM_WORKERS", "0")  # the scripted run's model is never opened
    w = MainWindow(probe_devices=False, worker="tests.ui.scripted_worker", autosave_dir=tmp_path / "autosave")
    monkeypatch.setattr(w, "runs_root", lambda: tmp_path / "runs")
    w.show()
    qtbot.waitExposed(w)
    yield w
    close_window(w, qtbot)


def _questions(dialogs):
    return [text for kind, text in dialogs if kind == "question"]


def test_train_asks_once_per_folder_and_runs_nothing_until_trusted(scripted, dialogs, qtbot, tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    w = scripted
    assert w.open_file(str(project(folder)), ask=False)
    w.checker.wait_data()
    note = w.optimizer_code.trust_note
    assert w.docks["Optimizer code"].isVisible()  # the project's own code is shown, with what it means
    assert f"runs your own Python code from {folder / 'my_optimizer.py'}" in note.text() and not note.isHidden()

    dialogs.answers["question"] = QMessageBox.StandardButton.Cancel
    w.act_train.trigger()
    assert len(_questions(dialogs)) == 1 and str(folder / "my_optimizer.py") in _questions(dialogs)[0]
    assert not w.bridge.running and not (tmp_path / "runs").exists()  # declined: nothing ran
    assert not TrustStore().trusts(folder / "my_optimizer.py")

    dialogs.answers["question"] = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(w.bridge.ended, timeout=60_000) as ended:
        w.act_train.trigger()
    assert len(_questions(dialogs)) == 2 and isinstance(ended.args[0], ev.Finished)
    recorded = json.loads((Path(ended.args[0].run_dir) / "spec.json").read_text())["optimizer"]
    assert recorded["path"] == str(folder / "my_optimizer.py")  # the file beside the project, made absolute
    assert TrustStore().trusts(folder / "my_optimizer.py") and note.isHidden()
    qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)

    with qtbot.waitSignal(w.bridge.ended, timeout=60_000):
        w.act_train.trigger()
    assert len(_questions(dialogs)) == 2  # remembered: not asked again for this folder
    qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)


def test_the_editor_writes_the_template_saves_it_and_names_the_line_of_an_error(scripted, qtbot, tmp_path):
    w = scripted
    assert w.open_file(str(project(tmp_path, custom=False)), ask=False)
    code = w.optimizer_code
    assert not w.docks["Optimizer code"].isVisible() and not code.check_button.isEnabled()
    qtbot.mouseClick(code.use_custom, Qt.MouseButton.LeftButton)
    opt = w.doc.run_spec.optimizer
    assert (opt.name, opt.path, opt.class_name) == ("custom", "my_optimizer.py", "MomentumSGD")
    assert w.docks["Optimizer code"].isVisible() and code.check_button.isEnabled()

    qtbot.mouseClick(code.new_button, Qt.MouseButton.LeftButton)
    written = (tmp_path / "my_optimizer.py").read_text()
    assert "class MomentumSGD(keras.optimizers.Optimizer):" in written and code.text.toPlainText() == written

    lines = written.splitlines()
    at = next(i for i, line in enumerate(lines) if "def update_step" in line)
    cursor = QTextCursor(code.text.document().findBlockByNumber(at))
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    code.text.setTextCursor(cursor)  # where the user clicks: the end of the def line
    qtbot.keyClick(code.text, Qt.Key.Key_Backspace)  # a typo: the colon is gone, not yet saved
    assert "(not saved)" in code.where.text()
    qtbot.mouseClick(code.check_button, Qt.MouseButton.LeftButton)  # saves, then reads it: no code runs
    lines[at] = lines[at][:-1]
    assert (tmp_path / "my_optimizer.py").read_text() == "\n".join(lines) + "\n"
    assert f"line {at + 1}: syntax error" in code.result.text()
    assert code.marked_line() == at + 1 and code.text.textCursor().blockNumber() == at


@pytest.mark.slow
def test_check_runs_one_step_in_the_warm_worker_and_names_the_failing_line(qtbot, dialogs, tmp_path, monkeypatch):
    from studio.core.trust import TrustStore
    from studio.ui.main_window import MainWindow

    source = template().replace("self.assign_add(variable, v)", "self.assign_add(variable, v * undefined_name)")
    spec = project(tmp_path, source=source)
    TrustStore().trust(tmp_path)
    w = MainWindow(probe_devices=False, autosave_dir=tmp_path / "autosave")
    try:
        w.show()
        qtbot.waitExposed(w)
        assert w.open_file(str(spec), ask=False)
        w.doc.patch(lambda s: s["training"].update(backend="jax"), "jax")
        code = w.optimizer_code
        bad = next(i for i, line in enumerate(source.splitlines(), 1) if "undefined_name" in line)
        with qtbot.waitSignal(code.checked, timeout=120_000) as said:
            qtbot.mouseClick(code.check_button, Qt.MouseButton.LeftButton)
        assert said.args[0] is False and f"my_optimizer.py, line {bad}" in said.args[1], said.args[1]
        assert "NameError" in said.args[1] and code.marked_line() == bad
        assert not _questions(dialogs)  # the folder was trusted already

        code.text.setPlainText(template())
        with qtbot.waitSignal(code.checked, timeout=120_000) as said:
            qtbot.mouseClick(code.check_button, Qt.MouseButton.LeftButton)
        assert said.args[0] is True and "One step on a tiny model took the loss from" in said.args[1], said.args[1]
    finally:
        close_window(w, qtbot)


def test_choosing_custom_in_the_optimizer_panel_opens_its_code(scripted, qtbot, tmp_path):
    w = scripted
    assert w.open_file(str(project(tmp_path, custom=False)), ask=False)
    w.docks["Setup"].show()
    w.setup_tabs.setCurrentWidget(w.optimizer_panel)
    combo = w.optimizer_panel.name
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_End)  # `custom`, the catalogue's last entry
    opt = w.doc.run_spec.optimizer
    assert (opt.name, opt.path, opt.class_name) == ("custom", "my_optimizer.py", "MomentumSGD")
    assert "Your own optimizer" in w.optimizer_panel.help.text()
    assert w.docks["Optimizer code"].isVisible() and "(no file yet)" in w.optimizer_code.where.text()


def test_a_preset_opened_as_a_template_keeps_its_own_optimizer_file(scripted, tmp_path):
    w = scripted
    assert w.open_file(str(project(tmp_path)), as_template=True, ask=False)
    assert w.doc.path is None and w.doc.run_spec.optimizer.path == str(tmp_path / "my_optimizer.py")
    assert w.optimizer_code.text.toPlainText() == template()  # the preset's own file, not one in the cwd
