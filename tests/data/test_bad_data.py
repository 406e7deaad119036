"""Bad data gets a clear message naming the file, column or row — one test per case of the issue."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from studio.core.spec import DataSpec
from studio.data.dataset import DataError
from studio.data.loaders import load

FILES = Path(__file__).resolve().parent / "files"


def load_csv(path: Path, **params):
    return load(DataSpec(source="csv", params={"path": str(path), **params}), seed=0)


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


# ------------------------------------------------------------------------------ wrong shapes
def test_npz_with_more_samples_than_targets(tmp_path):
    p = tmp_path / "pairs.npz"
    np.savez(p, x=np.zeros((100, 3)), y=np.zeros(90))
    with pytest.raises(DataError, match=r"pairs\.npz: x has 100 samples .* but y has 90 targets"):
        load(DataSpec(source="npz", params={"path": str(p)}))


def test_keras_file_with_the_wrong_image_shape(tmp_path):
    p = tmp_path / "mnist.npz"
    np.savez(p, x_train=np.zeros((10, 28, 27), np.uint8), y_train=np.zeros(10, np.uint8),
             x_test=np.zeros((5, 28, 28), np.uint8), y_test=np.zeros(5, np.uint8))
    with pytest.raises(DataError, match=r"mnist\.npz: x_train has shape \(10, 28, 27\) but mnist images are 28×28"):
        load(DataSpec(source="mnist", params={"path": str(p)}))


def test_keras_file_missing_an_array(tmp_path):
    p = tmp_path / "mnist.npz"
    np.savez(p, x_train=np.zeros((10, 28, 28), np.uint8), y_train=np.zeros(10, np.uint8))
    with pytest.raises(DataError, match=r"mnist\.npz has no array x_test; it holds x_train, y_train"):
        load(DataSpec(source="mnist", params={"path": str(p)}))


def test_damaged_cifar_archive(tmp_path):
    p = tmp_path / "cifar-10-python.tar.gz"
    p.write_bytes((FILES / "cifar-10-python.tar.gz").read_bytes()[:2000])
    with pytest.raises(DataError, match=r"cifar10: cannot read .*cifar-10-python\.tar\.gz.*download it again"):
        load(DataSpec(source="cifar10", params={"path": str(p)}))


def test_csv_row_with_a_missing_separator(tmp_path):
    p = write(tmp_path, "a,b,y\n1,2,0\n3,1\n4,5,1\n")
    with pytest.raises(DataError, match=r"data\.csv, row 3: has 2 values but the header has 3 columns"):
        load_csv(p)


# ------------------------------------------------------------------------------ NaN or infinite values
def test_npz_with_nan_names_the_file_and_row(tmp_path):
    x = np.ones((20, 3), np.float32)
    x[7, 2] = np.nan
    p = tmp_path / "arrays.npz"
    np.savez(p, x=x, y=np.arange(20) % 2)
    with pytest.raises(DataError, match=r"arrays\.npz holds a NaN value at row 7, column 2"):
        load(DataSpec(source="npz", params={"path": str(p)}))


def test_streamed_npy_with_infinity_names_the_row(tmp_path):
    x = np.ones((30, 4), np.float32)
    x[21, 1] = np.inf
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", np.arange(30) % 2)
    with pytest.raises(DataError, match=r"x\.npy, row 21 holds a NaN or infinite value"):
        load(DataSpec(source="npz", params={"path": str(tmp_path / "x.npy"), "y_path": str(tmp_path / "y.npy"),
                                            "stream": True}))


def test_csv_with_an_infinite_value(tmp_path):
    p = write(tmp_path, "a,b,y\n1,2,0\n3,inf,1\n4,5,1\n6,7,0\n")
    with pytest.raises(DataError, match=r"data\.csv, column `b`, row 3: infinite value 'inf'"):
        load_csv(p)


def test_npz_target_with_nan(tmp_path):
    p = tmp_path / "reg.npz"
    y = np.linspace(0, 1, 20)
    y[4] = np.nan
    np.savez(p, x=np.ones((20, 2)), y=y)
    with pytest.raises(DataError, match=r"reg\.npz: y holds a NaN or infinite value at row 4"):
        load(DataSpec(source="npz", params={"path": str(p), "task": "regression"}))


# ------------------------------------------------------------------------------ text in a numeric column
def test_csv_text_in_a_numeric_column(tmp_path):
    rows = "\n".join(f"{i},{i * 2},{i % 2}" for i in range(30))
    p = write(tmp_path, "a,b,y\n" + rows.replace("14,28,0", "14,twenty-eight,0") + "\n")
    with pytest.raises(DataError, match=r"data\.csv, column `b`, row 16: text 'twenty-eight' in a numeric column"):
        load_csv(p)


def test_csv_text_in_a_regression_target(tmp_path):
    p = write(tmp_path, "a,y\n1,2.5\n2,3.5\n3,high\n4,1.5\n")
    with pytest.raises(DataError, match=r"data\.csv, row 4: target `y` holds text 'high' but the task is regression"):
        load_csv(p, task="regression")


def test_csv_series_with_text(tmp_path):
    p = write(tmp_path, "t,v\n" + "\n".join(f"{i},{i}" for i in range(40)).replace("17,17", "17,oops") + "\n")
    with pytest.raises(DataError, match=r"data\.csv, column `v`, row 19: text 'oops' in the series"):
        load_csv(p, mode="series", target="v", window=5)


def test_csv_missing_target(tmp_path):
    p = write(tmp_path, "a,y\n1,0\n2,\n3,1\n")
    with pytest.raises(DataError, match=r"data\.csv, row 3: the target `y` is missing"):
        load_csv(p)


def test_csv_unknown_column(tmp_path):
    with pytest.raises(DataError, match=r"table\.csv has no column `cost`; its columns are rooms, area, city, price"):
        load_csv(FILES / "table.csv", target="cost")


# ------------------------------------------------------------------------------ class folders
def test_class_folder_with_no_images(tmp_path):
    root = tmp_path / "pets"
    shutil.copytree(FILES / "shapes", root)
    (root / "triangle").mkdir()
    (root / "triangle" / "notes.txt").write_text("no pictures here")
    with pytest.raises(DataError, match=r"the class folder .*pets/triangle holds no images"):
        load(DataSpec(source="image_folder", params={"path": str(root)}))


def test_image_folder_without_class_folders(tmp_path):
    root = tmp_path / "flat"
    root.mkdir()
    shutil.copy(FILES / "shapes" / "circle" / "circle_1.png", root / "a.png")
    with pytest.raises(DataError, match=r"flat has no sub-folders \(it holds loose images such as a\.png\)"):
        load(DataSpec(source="image_folder", params={"path": str(root)}))


def test_unreadable_image_names_the_file(tmp_path):
    root = tmp_path / "pets"
    shutil.copytree(FILES / "shapes", root)
    (root / "circle" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match=r"cannot read the image .*circle/broken\.png"):
        load(DataSpec(source="image_folder", params={"path": str(root)}))


# ------------------------------------------------------------------------------ a target with one class
def test_csv_target_with_one_class(tmp_path):
    p = write(tmp_path, "a,label\n1,cat\n2,cat\n3,cat\n")
    with pytest.raises(DataError, match=r"data\.csv: the target `label` holds a single class \('cat'\)"):
        load_csv(p)


def test_image_folder_with_one_class(tmp_path):
    root = tmp_path / "one"
    shutil.copytree(FILES / "shapes" / "circle", root / "circle")
    with pytest.raises(DataError, match=r"one has a single class folder \(circle\)"):
        load(DataSpec(source="image_folder", params={"path": str(root)}))


def test_npz_target_with_one_class(tmp_path):
    p = tmp_path / "same.npz"
    np.savez(p, x=np.ones((10, 2)), y=np.zeros(10, np.int64))
    with pytest.raises(DataError, match=r"the targets y of same\.npz hold a single class \('0'\)"):
        load(DataSpec(source="npz", params={"path": str(p), "task": "classification"}))


def test_series_too_short_for_the_window(tmp_path):
    p = write(tmp_path, "v\n1\n2\n3\n4\n5\n")
    with pytest.raises(DataError, match=r"data\.csv, column `v` has 5 steps, too short for window 24"):
        load_csv(p, mode="series")


# ------------------------------------------------------------------------------ issue 20, item 8
def _objects(tmp_path: Path, name: str, **arrays) -> Path:
    p = tmp_path / name
    np.savez(p, **arrays)  # np.savez pickles object arrays; np.load refuses them without allow_pickle
    return p


@pytest.mark.parametrize("kind", ["npz", "npy", "keras"])
def test_an_object_array_is_refused_without_numpys_allow_pickle_advice(tmp_path, kind):
    ragged = np.array([[1.0, 2.0], [3.0]], dtype=object)
    if kind == "npz":
        spec = DataSpec(source="npz", params={"path": str(_objects(tmp_path, "pairs.npz", x=ragged, y=np.zeros(2)))})
    elif kind == "npy":
        np.save(tmp_path / "x.npy", ragged, allow_pickle=True)
        np.save(tmp_path / "y.npy", np.zeros(2))
        spec = DataSpec(source="npz", params={"path": str(tmp_path / "x.npy"), "y_path": str(tmp_path / "y.npy")})
    else:
        p = _objects(tmp_path, "mnist.npz", x_train=ragged, y_train=np.zeros(2), x_test=ragged, y_test=np.zeros(2))
        spec = DataSpec(source="mnist", params={"path": str(p)})
    with pytest.raises(DataError) as info:
        load(spec, seed=0)
    text = str(info.value)
    assert "allow_pickle" not in text  # loading pickles runs code: never the advice to give
    assert "Python objects" in text and "numbers" in text
