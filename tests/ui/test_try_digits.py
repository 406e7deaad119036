"""Try it on the 8×8 digits: a 7 drawn with the mouse (as tests draw: through DrawingCanvas.stroke) reads
as 7 once the pen and the centring match the training digits, even drawn small and off to one side as
people do; "Look inside" then explains the drawing. Trains a small convnet on JAX (≈ 20 s)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from studio.core import events as ev
from studio.core.spec import parse_spec
from studio.jobs.devices import installed_backends
from studio.jobs.process import TrainingProcess

DIGITS = {
    "meta": {"title": "Digits 8×8"},
    "model": {"blocks": [
        {"id": "input_1", "type": "Input", "params": {"shape": [8, 8, 1]}},
        {"id": "conv_1", "type": "Conv2D", "params": {"filters": 16, "kernel_size": [3, 3], "activation": "relu"}},
        {"id": "flatten_1", "type": "Flatten"},
        {"id": "dense_1", "type": "Dense", "params": {"units": 10, "activation": "softmax"}}]},
    "data": {"source": "digits", "params": {"as_images": True}, "validation_split": 0.1},
    "optimizer": {"name": "adam", "learning_rate": 0.01},
    "training": {"epochs": 25, "batch_size": 32, "backend": "jax", "seed": 7},
}


@pytest.mark.slow
@pytest.mark.skipif("jax" not in installed_backends(), reason="needs jax")
def test_a_drawn_seven_reads_as_seven_on_the_digits_model(qtbot, tmp_path):
    from studio.ui.evaluation.try_it import TryItPanel

    proc = TrainingProcess(parse_spec(DIGITS), tmp_path)
    run = proc.start()
    end = time.monotonic() + 240
    try:
        while proc.terminal is None and time.monotonic() < end:
            proc.poll(0.1)
    finally:
        proc.close()
    assert isinstance(proc.terminal, ev.Finished), proc.terminal
    panel = TryItPanel()
    qtbot.addWidget(panel)
    panel.open_run(run)
    qtbot.waitUntil(lambda: panel.ready, timeout=120_000)
    assert panel.canvas.grid == (8, 8)
    answers = {}
    for digit, strokes in {
        # small, in the upper left: a bar across the top, a diagonal down
        "7": [[(30, 30), (130, 30), (75, 150)]],
        "1": [[(200, 130), (200, 260)]],  # lower right
        "0": [[(70, 30), (40, 50), (35, 90), (40, 130), (70, 150), (100, 130), (105, 90), (100, 50),
               (70, 30)]],
    }.items():
        panel.canvas.clear()
        for s in strokes:
            with qtbot.waitSignal(panel.answered, timeout=20_000):
                panel.canvas.stroke(s)
        qtbot.wait(200)  # the latest answer (the clear's and the stroke's may both come back)
        answers[digit] = panel.answer.text().split()[0]
    assert answers["7"] == "7", answers
    assert sum(a == d for d, a in answers.items()) >= 2, answers
    _looks_inside_the_drawing(qtbot, panel)
    panel.shutdown()


def _looks_inside_the_drawing(qtbot, panel):
    """"Look inside" explains the drawing on show, then every new stroke: saliency over the drawing, Grad-CAM of
    the convolution, and a block's feature maps, as pictures."""
    assert panel.look_inside.isEnabled() and panel.inside.isHidden()
    with qtbot.waitSignal(panel.answered, timeout=60_000):
        panel.look_inside.setChecked(True)
    qtbot.waitUntil(lambda: panel.inside.answer is not None, timeout=10_000)
    inside = panel.inside
    drawn = inside.answer["x"].copy()  # the 0 on the canvas, as the model sees it
    assert not inside.isHidden() and drawn.shape == (8, 8, 1) and drawn.max() > 0
    assert panel.bars_plot.isHidden() and panel.answer.text()  # the picture takes the bars' place, the answer stays
    saliency = inside.values()
    assert saliency.shape == (8, 8, 1) and np.abs(saliency).max() > 0
    assert inside.image.image is not None and inside.image.image.shape[-1] == 3  # an RGB picture is on show
    gradcam = inside.view.findData("gradcam")
    assert inside.view.model().item(gradcam).isEnabled()
    inside.view.setCurrentIndex(gradcam)
    assert inside.values().shape == (6, 6)  # the convolution's grid
    inside.view.setCurrentIndex(inside.view.findData("activations"))
    inside.layer.setCurrentText("conv_1")
    assert inside.values().shape == (6, 6, 16) and "conv_1" in inside.caption.text()
    with qtbot.waitSignal(panel.answered, timeout=20_000):  # a new stroke is explained too, the view kept
        panel.canvas.stroke([(100, 100), (150, 150)])
    qtbot.waitUntil(lambda: not np.array_equal(inside.answer["x"], drawn), timeout=10_000)
    assert inside.view.currentData() == "activations" and inside.layer.currentText() == "conv_1"
    panel.look_inside.setChecked(False)
    assert inside.isHidden() and not panel.bars_plot.isHidden()
