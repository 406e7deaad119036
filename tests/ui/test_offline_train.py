"""Train on a dataset that is neither cached nor a local copy: the offline fix is offered before anything
starts, and choosing a local copy puts it into the spec."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox

from studio.core.presets import list_presets


def test_train_offers_the_offline_fix_before_starting(qtbot, window, dialogs, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    w = window
    mnist = next(p for p in list_presets() if p.name == "mnist_cnn")
    assert w.open_file(mnist.path, as_template=True)
    w.checker.wait_data()
    dialogs.answers["question"] = QMessageBox.StandardButton.Cancel
    w.act_train.trigger()
    kind, text = dialogs[-1]
    assert kind == "question" and "not in the cache" in text and "local copy" in text
    assert not w.bridge.running and w.controls.train.isEnabled()

    local = tmp_path / "mnist.npz"
    local.write_bytes(b"not read in this test")
    dialogs.answers["question"] = QMessageBox.StandardButton.Open
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(local), ""))
    started = []
    monkeypatch.setattr(w.bridge, "start", lambda spec, root, code=None: started.append(spec))
    w.act_train.trigger()
    assert w.doc.view()["data"]["params"]["path"] == str(local)
    assert started and started[0].data.params["path"] == str(local)
    w.plots.stop_live()
