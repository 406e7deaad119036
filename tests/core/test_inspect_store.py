"""The inspect/ folder's writer and reader, without a backend: the size rule, lookups that name what exists,
and the pictures the app and the command line share."""

from __future__ import annotations

import json

import numpy as np
import pytest

from studio.core import inside_pictures as pictures
from studio.core.inspect_store import INDEX_FILE, INSPECT_DIR, InspectError, InspectRecord, InspectWriter, \
    histogram, snapshot_name


def snapshot(epoch: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(epoch)
    kernel = rng.normal(size=(3, 3, 1, 4)) * (1 + epoch)
    out = {"activations/conv": rng.random((2, 6, 6, 4)).astype(np.float16),
           "activations/dense": rng.random((2, 5)).astype(np.float16),
           "stats/conv": np.array([0.5, 0.1, 0.25, np.nan], np.float32),
           "filters/conv": kernel.astype(np.float16),
           "saliency/image": rng.normal(size=(2, 6, 6, 1)).astype(np.float16),
           "gradcam/conv": rng.random((2, 6, 6)).astype(np.float16),
           "predictions": rng.random((2, 3)).astype(np.float32)}
    for view, scale in (("weights", 1.0), ("gradients", 0.1 / (1 + epoch) ** 2)):
        for part, a in histogram(kernel * scale).items():
            out[f"{view}/conv/kernel/{part}"] = np.asarray(a)
    return out


@pytest.fixture
def recorded(tmp_path):
    run = tmp_path / "run"
    writer = InspectWriter(run, max_snapshots=4)
    writer.meta = {"probes": 2, "inputs": ["image"]}
    writer.write_probes({"x/image": np.random.default_rng(0).random((2, 6, 6, 1)), "y": np.array([0, 1])})
    for epoch in range(0, 7):
        writer.add(epoch, snapshot(epoch))
    return run, writer


def test_past_the_cap_every_second_snapshot_goes_and_the_spacing_doubles(recorded):
    run, writer = recorded
    record = InspectRecord(run)
    assert record.epochs == [0, 4, 6] and writer.spacing == 4  # thinned twice: 0 2 4 6 → kept first and newest
    on_disk = sorted(p.name for p in (run / INSPECT_DIR).glob("epoch-*.npz"))
    assert on_disk == [snapshot_name(e) for e in record.epochs]
    index = json.loads((run / INSPECT_DIR / INDEX_FILE).read_text())
    assert index["bytes"] == sum((run / INSPECT_DIR / n).stat().st_size for n in on_disk)


def test_a_size_cap_thins_too(tmp_path):
    writer = InspectWriter(tmp_path, max_snapshots=100, max_bytes=1)
    for epoch in range(5):
        writer.add(epoch, snapshot(epoch))
    assert len(writer.epochs) == 2 and writer.epochs[0] == 0 and writer.epochs[-1] == 4


def test_listing_and_lookups_name_what_exists(recorded):
    record = InspectRecord(recorded[0])
    assert record.listing() == {"epochs": [0, 4, 6], "probes": 2, "layers": {
        "conv": ["activations", "weights", "gradients", "filters", "gradcam"], "dense": ["activations"],
        "image": ["saliency"]}}
    assert record.arrays("activations", "conv", epoch=4, probe=1)["conv"].shape == (6, 6, 4)
    hist = record.arrays("weights", "conv", epoch="last")
    assert hist["kernel/counts"].sum() == 36 and hist["kernel/edges"].shape == (33,)
    with pytest.raises(InspectError, match="no layer `nope`; the recorded layers are conv, dense, image"):
        record.arrays("activations", "nope")
    with pytest.raises(InspectError, match=r"no snapshot of epoch 5; recorded epochs: 0, 4, 6"):
        record.arrays("activations", "conv", epoch=5)
    with pytest.raises(InspectError, match="dense has no gradcam view; it has activations; gradcam is recorded "
                                           "for conv"):
        record.arrays("gradcam", "dense")
    with pytest.raises(InspectError, match="unknown view `maps`; the views are activations, weights"):
        record.arrays("maps")
    with pytest.raises(InspectError, match="no probe 2; the run has probes 0 to 1"):
        record.arrays("saliency", "image", probe=2)
    assert record.nearest(4.9) == 4 and record.nearest(5.2) == 6 and record.nearest(100) == 6


def test_series_over_epochs(recorded):
    record = InspectRecord(recorded[0])
    norms = record.norms("gradients")["conv"]
    assert norms.shape == (3,) and norms[0] > norms[-1] > 0  # the fake gradients shrink, as written
    stats = record.stats("conv")
    assert list(stats["dead"]) == [0.25] * 3 and np.isnan(stats["saturated"]).all()
    assert np.isnan(record.stats("dense")["mean"]).all()  # not recorded: NaN, not an error


def test_a_run_without_a_recording_says_how_to_get_one(tmp_path):
    with pytest.raises(InspectError, match="no recording of the inside of the model .* inspect.enabled = true"):
        InspectRecord(tmp_path)
    (tmp_path / INSPECT_DIR).mkdir()
    (tmp_path / INSPECT_DIR / INDEX_FILE).write_text("[1, 2]")
    with pytest.raises(InspectError, match="is not a Keras Studio inspect index"):
        InspectRecord(tmp_path)


def test_float16_keeps_pictures_finite():
    from studio.core.inspect_store import compact

    assert np.isfinite(compact(np.array([1e9, -1e9, 0.5]))).all()


@pytest.mark.parametrize("view", ["activations", "weights", "gradients", "filters", "saliency", "gradcam"])
def test_every_view_has_a_picture(recorded, view):
    record = InspectRecord(recorded[0])
    layer = "image" if view == "saliency" else "conv"
    rgb = pictures.picture(record, view, layer, 6, probe=1)
    assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3 and min(rgb.shape[:2]) >= 30
    assert rgb.std() > 0  # not a blank picture


def test_table_and_sequence_saliency_are_bars():
    assert pictures.bars(np.array([1.0, -2.0, 0.5])).shape[1] == 3 * 19
    dead = pictures.feature_maps(np.zeros((4, 4, 2))).reshape(-1, 3)
    colours = {tuple(c) for c in dead} - {pictures.BACKGROUND}
    assert len(colours) == 1  # a flat (dead) map shows as one colour, apart from the gaps
