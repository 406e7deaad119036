"""Changing the backend and training again needs no restart: each run is a fresh child with its own backend,
and the window never imports one."""

from __future__ import annotations

import sys

import pytest

from studio.core import events as ev
from studio.core.presets import load_preset
from studio.jobs.devices import installed_backends

ORDER = [b for b in ("jax", "torch", "tensorflow") if b in installed_backends()]


@pytest.mark.slow
@pytest.mark.skipif(len(ORDER) < 2, reason="needs two installed backends")
def test_train_switch_backend_in_the_panel_and_train_again(qtbot, window):
    w = window
    backends = {"keras", "tensorflow", "torch", "jax"}
    loaded_before = backends & {m.split(".")[0] for m in sys.modules}
    spec = load_preset("optimization_lab")
    spec.training.epochs = 3
    w.doc.load_dict(spec.to_dict(), None)
    for backend in ORDER[:2]:
        box = w.training_panel.backend
        box.setCurrentIndex(box.findData(backend))
        box.activated.emit(box.currentIndex())
        assert w.doc.view()["training"]["backend"] == backend
        with qtbot.waitSignal(w.bridge.started, timeout=120_000) as started, \
                qtbot.waitSignal(w.bridge.ended, timeout=180_000) as ended:
            w.train()
        assert started.args[0].backend == backend
        assert isinstance(ended.args[0], ev.Finished), ended.args[0]
        qtbot.waitUntil(lambda: w.controls.train.isEnabled(), timeout=5_000)
    assert backends & {m.split(".")[0] for m in sys.modules} == loaded_before  # the window imported none
    qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)
