"""The live decision boundary: real training in a child on JAX sends grids of the model's predictions over
the plane of two-feature data (in the data's own units), and nothing for other data."""

from __future__ import annotations

import numpy as np
import pytest

from studio.core import events as ev
from studio.core.presets import load_preset
from studio.core.runs import read_boundary, read_events
from studio.data.loaders import LAB_X, LAB_Y
from tests.helpers import spec_from, train_in_child

pytestmark = pytest.mark.slow  # every test trains in a child


def _cell(b: ev.Boundary, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of the grid cell holding each point."""
    x0, x1, y0, y1 = b.extent
    col = np.clip(((points[:, 0] - x0) / (x1 - x0) * b.size).astype(int), 0, b.size - 1)
    row = np.clip(((points[:, 1] - y0) / (y1 - y0) * b.size).astype(int), 0, b.size - 1)
    return row, col


def test_the_lab_streams_a_boundary_that_separates_its_classes(tmp_path):
    spec = load_preset("optimization_lab")
    spec.training.backend = "jax"
    spec.data.normalize = "standard"  # the model sees standardised inputs; the grid stays in the data's units
    result, events = train_in_child(spec, tmp_path)
    assert isinstance(result, ev.Finished), getattr(result, "details", result)
    grids = [e for e in events if isinstance(e, ev.Boundary)]
    assert grids, "no boundary was sent"
    last = grids[-1]
    assert last.epoch == 199 and last.size == 64 and last.task == "classification" and last.num_classes == 2
    x = np.asarray(LAB_X, dtype=float)
    x0, x1, y0, y1 = last.extent
    assert x0 < 1 < 10 < x1 and y0 < 1 < 5 < y1 and x1 - x0 < 13  # the points' range plus a margin
    classes, confidence = last.arrays()
    assert classes.shape == confidence.shape == (64, 64)
    assert set(np.unique(classes)) == {0, 1} and confidence.min() >= 0.5 and confidence.max() <= 1
    row, col = _cell(last, x)
    agreement = np.mean(classes[row, col] == np.asarray(LAB_Y))
    assert agreement >= 0.9, agreement
    # the grid agrees with the model's own accuracy on these points, measured by Keras after training
    assert agreement == pytest.approx(result.summary["metrics"]["train"]["accuracy"], abs=0.1)
    # throttled: grids in order, far fewer than the 200 epochs on a run this short
    assert [g.epoch for g in grids] == sorted({g.epoch for g in grids}) and len(grids) < 100
    # the run keeps the last grid beside its events (not in them: they stay small)
    run = tmp_path / result.run_dir.split("/")[-1]
    kept = read_boundary(run)
    assert kept is not None and kept.epoch == 199 and kept.values == last.values
    assert "Boundary" not in {e["event"] for e in read_events(run)}


def test_a_regression_on_two_features_streams_its_surface(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(200, 2))
    y = 3 * x[:, 0] - x[:, 1] + 0.5
    spec = spec_from([{"type": "Input", "params": {"shape": [2]}},
                      {"type": "Dense", "params": {"units": 1, "activation": "linear"}}],
                     data={"source": "inline", "params": {"x": x.round(3).tolist(), "y": y.round(3).tolist()}},
                     optimizer={"name": "adam", "learning_rate": 0.1},
                     training={"epochs": 60, "batch_size": 32, "backend": "jax", "loss": "mean_squared_error",
                               "metrics": []})
    result, events = train_in_child(spec, tmp_path)
    assert isinstance(result, ev.Finished), getattr(result, "details", result)
    last = [e for e in events if isinstance(e, ev.Boundary)][-1]
    assert last.task == "regression" and last.epoch == 59
    surface, none = last.arrays()
    assert none is None and surface.shape == (64, 64)
    # the surface follows the plane it learned: up along x, down along y, in the target's units
    row, col = _cell(last, x)
    assert np.corrcoef(surface[row, col], y)[0, 1] > 0.95
    assert last.low < y.min() + 1.5 and last.high > y.max() - 1.5


def test_no_boundary_for_data_of_other_shapes(tmp_path):
    spec = spec_from([{"type": "Input", "params": {"shape": [4]}},
                      {"type": "Dense", "params": {"units": 3, "activation": "softmax"}}],
                     data={"source": "iris"},
                     training={"epochs": 3, "backend": "jax", "loss": "sparse_categorical_crossentropy"})
    result, events = train_in_child(spec, tmp_path)
    assert isinstance(result, ev.Finished), getattr(result, "details", result)
    assert len([e for e in events if isinstance(e, ev.EpochEnd)]) == 3
    assert not [e for e in events if isinstance(e, ev.Boundary)]
    assert read_boundary(tmp_path / result.run_dir.split("/")[-1]) is None
