"""What Try it is told about a model before its first answer: a model trained on a set that is downloaded (MNIST,
Fashion-MNIST, CIFAR-10), whose data the predictor does not load, still answers with its classes' names."""

from __future__ import annotations

from types import SimpleNamespace

from studio.core.presets import load_preset
from studio.engine.predictor_worker import _info


def _model(inputs: tuple, outputs: tuple) -> SimpleNamespace:
    return SimpleNamespace(inputs=[SimpleNamespace(shape=inputs)], outputs=[SimpleNamespace(shape=outputs)])


def test_a_download_set_names_its_classes_without_loading():
    info = _info(_model((None, 28, 28, 1), (None, 10)), load_preset("mnist_cnn"), None)
    assert info["task"] == "classification" and info["kind"] == "image"
    assert info["class_names"] == [str(i) for i in range(10)] and info["input_shape"] == [28, 28, 1]


def test_a_model_without_a_spec_says_nothing_it_does_not_know():
    info = _info(_model((None, 4), (None, 3)), None, None)
    assert info["task"] == "" and info["class_names"] == [] and info["output_shape"] == [3]
