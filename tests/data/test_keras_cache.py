"""The keras-free cache check and the rough training-time estimate the gallery shows."""

from __future__ import annotations

from studio.core.presets import load_preset
from studio.data import keras_cache
from studio.data.train_estimate import duration_text, estimate_seconds


def test_cache_names_match_the_engine():
    from studio.engine import keras_data  # imports no keras at module level

    assert {n: tuple(f.name for f in files) for n, files in keras_data.CACHE.items()} == keras_cache.CACHE_FILES


def test_needs_download_unless_cached_or_local(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert keras_cache.needs_download({"source": "mnist", "params": {}}) == "mnist"
    assert keras_cache.needs_download({"source": "mnist", "params": {"path": "/x/mnist.npz"}}) is None
    assert keras_cache.needs_download({"source": "digits", "params": {}}) is None
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "mnist.npz").write_bytes(b"x")
    assert keras_cache.needs_download({"source": "mnist", "params": {}}) is None
    assert "not in the cache" in keras_cache.offline_fix_text("cifar10")


def test_estimate_errs_long_and_grows_with_the_work():
    mnist = load_preset("mnist_cnn")
    # measured on this project's 2-core CPU: ≈ 3 min on TensorFlow, ≈ 9 min on JAX for 15 epochs
    assert 9 * 60 <= estimate_seconds(mnist) <= 30 * 60
    shorter = mnist.model_copy(update={"training": mnist.training.model_copy(update={"epochs": 3})})
    assert estimate_seconds(shorter) < estimate_seconds(mnist) / 3
    assert estimate_seconds(load_preset("optimization_lab")) < 60
    assert duration_text(42) == "≈ 40 s" and duration_text(700) == "≈ 12 min" and duration_text(9000) == "≈ 2.5 h"
