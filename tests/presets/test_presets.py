"""Every preset is complete, passes the checker, and trains on every backend on offline data; the MNIST
convnet reaches ≥ 95 % on scikit-learn's digits and the LSTM forecaster beats the naive baseline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from studio.core.analysis import check_spec
from studio.core.presets import list_presets, load_preset, presets_dir
from studio.core.spec import RunSpec, parse_spec, with_overrides
from studio.data.loaders import data_shape, load
from tests.helpers import BACKENDS, train_in_child, train_in_one_child

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "tests" / "data" / "files"
PRESETS = sorted(p.stem for p in presets_dir().glob("*.json"))
EXPECTED = {"mnist_cnn", "mnist_mlp", "mnist_cnn_5x5", "sequence_lstm", "sequence_gru", "regression_sgd",
            "timeseries_rnn", "timeseries_gru", "optimization_lab", "cifar10_augmentation",
            "regression_mlp", "optimizer_sgd", "optimizer_momentum", "optimizer_adam", "optimizer_rmsprop"}
# offline stand-ins for the data that needs a download
OFFLINE = {"mnist": FILES / "mnist.npz", "fashion_mnist": FILES / "fashion-mnist",
           "cifar10": FILES / "cifar-10-python.tar.gz", "cifar100": FILES / "cifar-100-python.tar.gz"}


def offline(spec: RunSpec) -> RunSpec:
    if spec.data.source in OFFLINE and not spec.data.params.get("path"):
        return with_overrides(spec, [f"data.params.path={json.dumps(str(OFFLINE[spec.data.source]))}"])
    return spec


def test_the_issue_presets_exist():
    assert set(PRESETS) >= EXPECTED, f"missing presets: {EXPECTED - set(PRESETS)}"


@pytest.mark.parametrize("name", PRESETS)
def test_preset_passes_the_check(name):
    spec = load_preset(name)
    assert spec.meta.title and spec.meta.description and spec.meta.teaches
    report = check_spec(spec, data_shape(spec.data, spec.training.seed))  # keras sets: their published shape
    assert report.ok, report.errors()
    report = check_spec(spec, data_shape(offline(spec).data, spec.training.seed))  # and the offline copy
    assert report.ok, report.errors()


def test_gallery_lists_every_preset_with_its_thumbnail():
    from PIL import Image

    listed = {p.name: p for p in list_presets()}
    assert set(listed) == set(PRESETS)  # none is refused by the spec parser
    for name in PRESETS:
        if name == "optimization_lab":
            continue  # not owned here; its thumbnail file exists for the lead to reference
        thumb = listed[name].thumbnail
        assert thumb is not None and thumb.is_file(), f"{name}: no thumbnail"
        with Image.open(thumb) as img:
            assert img.size == (160, 100)
            assert len(np.unique(np.asarray(img.convert("L")))) > 8  # a picture, not a blank
    assert (presets_dir() / "thumbnails" / "optimization_lab.png").is_file()


def test_mnist_preset_is_the_keras_io_convnet():
    spec = load_preset("mnist_cnn")
    types = [b.type for b in spec.model.blocks]
    assert types == ["Input", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense"]
    assert check_spec(spec, data_shape(spec.data)).total_params == 34_826  # keras.io: 34,826 parameters
    assert (spec.optimizer.name, spec.training.batch_size, spec.training.epochs, spec.data.validation_split) == \
        ("adam", 128, 15, 0.1)
    assert spec.data.source == "mnist"


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_preset_trains_on_offline_data(backend, tmp_path):
    """All presets, one epoch each, in one process per backend. On TensorFlow MNIST comes through
    keras_data.load from a Keras cache holding the small MNIST-format file; elsewhere through `path`."""
    specs = {}
    for name in PRESETS:
        spec = load_preset(name)
        if not (backend == "tensorflow" and name == "mnist_cnn"):
            spec = offline(spec)
        # one full-batch step per epoch: one compiled training step per preset (JAX compiles each batch shape)
        sets = ["training.epochs=1", f"training.backend={backend}", "training.device=cpu", "training.batch_size=null",
                # recording the inside compiles its own step per preset on JAX and TensorFlow, which doubled this
                # test: every preset records on torch here, every view on all three in test_inspect_recording
                f"inspect.enabled={str(backend == 'torch').lower()}"]
        specs[name] = with_overrides(spec, sets).to_dict()
    cache = tmp_path / "keras_home" / "datasets"
    cache.mkdir(parents=True)
    shutil.copy(FILES / "mnist.npz", cache / "mnist.npz")
    results = train_in_one_child(backend, specs, tmp_path, {"KERAS_HOME": str(tmp_path / "keras_home")})
    for name in PRESETS:
        r = results[name]
        assert r["kind"] == "Finished", f"{name} on {backend}: {r['message']}\n{r['details']}"
        assert r["summary"]["epochs_run"] == 1
        assert not [m for m in r["logs"] if "Recording the inside" in m], (name, r["logs"])
        assert any((tmp_path / "runs" / name).glob("*/inspect/index.json")) == (backend == "torch"), name
        for split in r["summary"]["metrics"].values():
            assert all(np.isfinite(v) for v in split.values()), (name, split)
    if backend == "tensorflow":
        assert any("not the published file" in m for m in results["mnist_cnn"]["logs"]) or \
            results["mnist_cnn"]["summary"]["samples"]["test"] == 150  # the small file's 150 test images


@pytest.mark.slow
def test_mnist_convnet_reaches_95_percent_on_digits(tmp_path):
    spec = load_preset("mnist_cnn")
    data = spec.to_dict()
    data["data"].update(source="digits", params={"upscale": 3}, test_split=0.2)
    data["model"]["blocks"][0]["params"]["shape"] = [24, 24, 1]
    data["training"].update(backend="tensorflow", device="cpu")
    term, _ = train_in_child(parse_spec(data), tmp_path, timeout=240)
    assert term.kind == "Finished", getattr(term, "message", "")
    test = term.summary["metrics"]["test"]
    assert test["accuracy"] >= 0.95, test
    assert term.summary["samples"]["test"] == round(1797 * 0.2)  # held out, never trained on


@pytest.mark.slow
def test_lstm_forecaster_beats_the_naive_baseline(tmp_path):
    spec = load_preset("timeseries_rnn")
    spec = with_overrides(spec, ['data.source="sine"', 'data.params={"window": 24, "horizon": 5, "noise": 0.1}',
                                 "model.blocks.input_1.params.shape=[24,1]", "training.epochs=8",
                                 "training.device=cpu"])
    ds = load(spec.data, spec.training.seed)
    naive = ds.extra["naive_baseline"]["test"]["mse"]
    term, _ = train_in_child(spec, tmp_path, timeout=240)
    assert term.kind == "Finished", getattr(term, "message", "")
    mse = term.summary["metrics"]["test"]["loss"]
    assert mse < 0.5 * naive, f"LSTM test MSE {mse:.4f} vs naive {naive:.4f}"


def test_every_presets_lesson_fits_its_spec():
    from studio.core.spec import lesson_problems

    for name in PRESETS:
        assert lesson_problems(load_preset(name)) == [], name
