"""Every loader against files that ship with the tests (small files in the real formats), keras-free."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from studio.core import datasets
from studio.core.spec import DataSpec
from studio.data.arrays import LazyArray, is_lazy
from studio.data.loaders import data_shape, inspect_csv, load, windows

FILES = Path(__file__).resolve().parent / "files"


def spec(source: str, **kw) -> DataSpec:
    params = kw.pop("params", {})
    return DataSpec(source=source, params=params, **kw)


# ------------------------------------------------------------------------------ keras.datasets formats
@pytest.mark.parametrize("name, file, n_train, n_test, shape, first_class", [
    ("mnist", "mnist.npz", 400, 150, (28, 28, 1), "0"),
    ("fashion_mnist", "fashion-mnist", 60, 30, (28, 28, 1), "T-shirt/top"),
    ("cifar10", "cifar-10-python.tar.gz", 100, 20, (32, 32, 3), "airplane"),
    ("cifar100", "cifar-100-python.tar.gz", 200, 100, (32, 32, 3), "class0"),
])
def test_keras_dataset_from_a_local_copy(name, file, n_train, n_test, shape, first_class):
    ds = load(spec(name, params={"path": str(FILES / file)}, validation_split=0.1), seed=1)
    assert ds.input_shape == shape and ds.kind == "image"
    assert ds.sizes() == (n_train - round(n_train * 0.1), round(n_train * 0.1), n_test)
    assert ds.x_train.dtype == np.float32 and ds.x_train.min() >= 0 and ds.x_train.max() <= 1
    assert ds.class_names[0] == first_class and ds.num_classes == (100 if name == "cifar100" else 10)
    assert data_shape(spec(name, params={"path": str(FILES / file)})).input_shape == shape


def test_mnist_local_copy_is_the_published_content():
    with np.load(FILES / "mnist.npz") as z:
        raw = z["x_test"]
        labels = z["y_test"]
    ds = load(spec("mnist", params={"path": str(FILES / "mnist.npz")}), seed=0)
    np.testing.assert_allclose(ds.x_test[..., 0], raw / 255.0, atol=1e-6)
    np.testing.assert_array_equal(ds.y_test, labels)


def test_limit_keeps_the_first_training_images():
    ds = load(spec("mnist", params={"path": str(FILES / "mnist.npz"), "limit": 50}), seed=0)
    assert ds.sizes() == (50, 0, 150)


def test_keras_dataset_without_path_or_engine_names_the_file():
    with pytest.raises(ValueError, match="mnist.npz"):
        load(spec("mnist"))
    shape = data_shape(spec("cifar10"))  # the checker knows the published shape without the file
    assert shape.input_shape == (32, 32, 3) and shape.num_classes == 10


# ------------------------------------------------------------------------------ bundled and generated
@pytest.mark.parametrize("source, n_features, task", [
    ("iris", 4, "classification"), ("wine", 13, "classification"), ("breast_cancer", 30, "classification"),
    ("diabetes", 10, "regression"),
])
def test_scikit_learn_tables(source, n_features, task):
    ds = load(spec(source, normalize="standard", test_split=0.2), seed=0)
    assert ds.input_shape == (n_features,) and ds.task == task


def test_digits_as_images_and_upscaled():
    ds = load(spec("digits", params={"upscale": 3}), seed=0)
    assert ds.input_shape == (24, 24, 1) and ds.num_classes == 10
    flat = load(spec("digits", params={"as_images": False}, normalize="standard"), seed=0)
    assert flat.input_shape == (64,)
    # flat pixels are a table: normalised as asked, tried with a form (not the drawing canvas)
    assert flat.kind == "table"
    assert abs(float(flat.x_train.mean())) < 1e-3 and 0.9 < float(flat.x_train.std()) < 1.1


@pytest.mark.parametrize("source, params, classes", [
    ("moons", {"n_samples": 200}, 2), ("circles", {"n_samples": 200}, 2),
    ("spirals", {"n_samples": 300, "classes": 3}, 3), ("blobs", {"n_samples": 200, "centers": 4}, 4),
])
def test_generated_sets(source, params, classes):
    ds = load(spec(source, params=params), seed=0)
    assert len(ds.x_train) in (params["n_samples"], params["n_samples"] // classes * classes)
    assert ds.num_classes == classes


def test_generated_series_parameters_shape_the_windows():
    ds = load(spec("sine", params={"length": 300, "window": 10, "horizon": 3, "trend": 0.01, "noise": 0.0}), seed=0)
    assert ds.kind == "series" and ds.input_shape == (10, 1)
    series = np.asarray(ds.extra["series"])
    assert len(ds.x_train) == 300 - 10 - 3 + 1
    np.testing.assert_allclose(ds.x_train[5, :, 0], series[5:15], atol=1e-6)
    assert ds.y_train[5] == pytest.approx(series[5 + 10 + 3 - 1], abs=1e-6)
    assert series[-1] > series[0] + 2  # the trend


def test_relative_windows_predict_the_change():
    s = np.arange(20, dtype=np.float32) ** 2
    x, y = windows(s, 4, 2, relative=True)
    assert x[0, -1, 0] == 0 and y[0] == s[5] - s[3]


@pytest.mark.parametrize("source, steps", [("co2", 2284), ("sunspots", 309)])
def test_real_world_series_ship_with_the_project(source, steps):
    ds = load(spec(source, validation_split=0.15, test_split=0.15, normalize="standard"), seed=0)
    info = datasets.get(source)
    assert len(ds.extra["series"]) == steps and np.isfinite(ds.extra["series"]).all()  # gaps interpolated
    assert "public domain" in info.help
    readme = (Path(__file__).resolve().parents[2] / "assets" / "data" / "README.md").read_text()
    assert ds.extra["file"] in readme and "Public domain" in readme


def test_series_splits_are_ordered_and_the_naive_baseline_is_right():
    ds = load(spec("sine", params={"length": 400, "window": 8, "horizon": 2}, validation_split=0.2,
                   test_split=0.2, normalize="standard"), seed=0)
    # ordered: the test windows are the last ones
    series = (np.asarray(ds.extra["series"]) - ds.extra["target_scale"]["shift"]) / ds.extra["target_scale"]["scale"]
    np.testing.assert_allclose(ds.y_test[-1], series[-1], atol=1e-5)
    base = ds.extra["naive_baseline"]
    guess = ds.x_test[:, -1, 0]
    assert base["test"]["mse"] == pytest.approx(float(np.mean((ds.y_test - guess) ** 2)), rel=1e-5)
    assert set(base) == {"train", "validation", "test"} and base["test"]["mae"] > 0


def test_naive_baseline_in_relative_mode_is_the_same_error():
    common = dict(validation_split=0.2, test_split=0.2, normalize="none")
    a = load(spec("sunspots", params={"relative": False}, **common), seed=0)
    b = load(spec("sunspots", params={"relative": True}, **common), seed=0)
    assert a.extra["naive_baseline"]["test"]["mse"] == pytest.approx(b.extra["naive_baseline"]["test"]["mse"])


# ------------------------------------------------------------------------------ normalisation
def test_normalisation_statistics_come_from_the_training_split_only():
    ds = load(spec("wine", normalize="standard", validation_split=0.2, test_split=0.2), seed=3)
    raw = load(spec("wine", validation_split=0.2, test_split=0.2), seed=3)
    np.testing.assert_allclose(ds.extra["normalization"]["shift"], raw.x_train.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(ds.x_train.mean(axis=0), 0, atol=1e-4)
    assert not np.allclose(ds.x_test.mean(axis=0), 0, atol=1e-3)  # test data is not used to fit
    mm = load(spec("wine", normalize="minmax", test_split=0.2), seed=3)
    assert mm.x_train.min() == pytest.approx(0) and mm.x_train.max() == pytest.approx(1)


# ------------------------------------------------------------------------------ CSV
def test_csv_table_numeric_categorical_and_missing(tmp_path):
    ds = load(spec("csv", params={"path": str(FILES / "table.csv"), "target": "price"}, test_split=0.25,
                   normalize="standard"), seed=0)
    assert ds.task == "regression" and "regression" in ds.extra["task_reason"]
    assert ds.feature_names == ["rooms", "area", "city=Lyon", "city=Nantes", "city=Paris"]
    assert np.isfinite(ds.x_train).all() and np.isfinite(ds.x_test).all()
    raw = load(spec("csv", params={"path": str(FILES / "table.csv"), "target": "price"}, test_split=0.25), seed=0)
    # the missing area (row 4) is the training split's mean, not the whole file's
    train_area = raw.x_train[:, 1]  # the imputed cell holds the mean of the others, so the mean is unchanged
    assert raw.extra["imputed_means"]["area"] == pytest.approx(float(train_area.mean()), rel=1e-6)
    file_mean = np.mean([72, 148, 30, 120, 80, 55, 95])
    assert raw.extra["imputed_means"]["area"] != pytest.approx(file_mean, rel=1e-3)
    cls = load(spec("csv", params={"path": str(FILES / "table.csv"), "target": "city",
                                   "features": ["rooms", "area"]}), seed=0)
    assert cls.task == "classification" and cls.class_names == ["Lyon", "Nantes", "Paris"]


def test_inspect_csv_shows_column_kinds_and_the_task():
    info = inspect_csv(FILES / "table.csv", target="city")
    kinds = {c["name"]: (c["kind"], c["missing"]) for c in info["columns"]}
    assert kinds == {"rooms": ("numeric", 0), "area": ("numeric", 1), "city": ("categorical", 0),
                     "price": ("numeric", 0)}
    assert info["task"] == "classification" and "text" in info["task_reason"]
    assert inspect_csv(FILES / "table.csv")["task"] == "regression"


def test_csv_series_mode_with_column_window_and_horizon():
    path = Path(__file__).resolve().parents[2] / "assets" / "data" / "sunspots_yearly.csv"
    ds = load(spec("csv", params={"path": str(path), "mode": "series", "target": "SUNACTIVITY", "window": 11,
                                  "horizon": 2}, test_split=0.2), seed=0)
    assert ds.kind == "series" and ds.input_shape == (11, 1) and ds.task == "regression"
    assert len(ds.x_train) + len(ds.x_test) == 309 - 11 - 2 + 1
    assert "naive_baseline" in ds.extra


# ------------------------------------------------------------------------------ arrays and images
def test_npz_and_npy_pair():
    a = load(spec("npz", params={"path": str(FILES / "arrays.npz")}), seed=0)
    b = load(spec("npz", params={"path": str(FILES / "x.npy"), "y_path": str(FILES / "y.npy")}), seed=0)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert a.task == "classification" and a.input_shape == (5,)


def test_streamed_npy_is_memory_mapped_and_normalised_lazily():
    ds = load(spec("npz", params={"path": str(FILES / "x.npy"), "y_path": str(FILES / "y.npy"), "stream": True},
                   validation_split=0.25, normalize="standard"), seed=0)
    assert is_lazy(ds.x_train) and is_lazy(ds.x_val)
    assert isinstance(ds.x_train.source.array, np.memmap)
    full = np.load(FILES / "x.npy")
    eager = load(spec("npz", params={"path": str(FILES / "x.npy"), "y_path": str(FILES / "y.npy")},
                      validation_split=0.25, normalize="standard"), seed=0)
    np.testing.assert_allclose(np.asarray(ds.x_train), eager.x_train, atol=1e-5)
    np.testing.assert_allclose(np.asarray(ds.x_val), eager.x_val, atol=1e-5)
    assert len(ds.x_train) + len(ds.x_val) == len(full)


def test_image_folder_in_memory_and_streamed():
    params = {"path": str(FILES / "shapes"), "height": 16, "width": 16}
    ds = load(spec("image_folder", params=params, validation_split=0.25), seed=0)
    assert ds.class_names == ["circle", "square"] and ds.input_shape == (16, 16, 3)
    assert isinstance(ds.x_train, np.ndarray) and ds.sizes() == (9, 3, 0)
    lazy = load(spec("image_folder", params={**params, "stream": True, "color": "grayscale"},
                     validation_split=0.25), seed=0)
    assert isinstance(lazy.x_train, LazyArray) and lazy.input_shape == (16, 16, 1)
    batch = lazy.x_train.take([0, 2])
    assert batch.shape == (2, 16, 16, 1) and batch.min() >= 0 and batch.max() <= 1
    assert data_shape(spec("image_folder", params=params)).num_classes == 2


def test_the_catalogue_lists_every_source_the_issue_names():
    names = set(datasets.DATASETS)
    assert {"mnist", "fashion_mnist", "cifar10", "cifar100", "digits", "iris", "wine", "breast_cancer", "diabetes",
            "moons", "circles", "spirals", "blobs", "sine", "co2", "csv", "image_folder", "npz"} <= names
    assert {p.name for p in datasets.get("csv").params} >= {"mode", "target", "features", "window", "horizon"}
    json.dumps([d.name for d in datasets.DATASET_LIST])
