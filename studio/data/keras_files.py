"""Readers for the files `keras.datasets` downloads, in their published formats, without Keras.

They serve the offline path: a user (or a lab machine without network) points a dataset's `path` at a
local copy, or the engine finds a copy in the Keras cache that is not the published file. Each reader checks
shapes and names the file and what it expected.

Formats:
  mnist          mnist.npz with x_train, y_train, x_test, y_test (uint8, 28×28)
  fashion_mnist  a folder with train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
                 t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (IDX files, gzip)
  cifar10        cifar-10-python.tar.gz, or its extracted folder cifar-10-batches-py
                 (pickled batches data_batch_1..5 and test_batch, plus batches.meta)
  cifar100       cifar-100-python.tar.gz, or its extracted folder cifar-100-python (train, test, meta)
Any of them also reads an .npz with x_train, y_train, x_test, y_test.
"""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from studio.core.numpy_files import OBJECTS, numpy_problem
from studio.data.errors import DataError

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

# What the user places for offline use, and the names under the Keras cache (~/.keras/datasets).
KERAS_FILES = {
    "mnist": "mnist.npz",
    "fashion_mnist": "the folder fashion-mnist holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                     "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz",
    "cifar10": "cifar-10-python.tar.gz",
    "cifar100": "cifar-100-python.tar.gz",
}
IMAGE_SHAPES = {"mnist": (28, 28), "fashion_mnist": (28, 28), "cifar10": (32, 32, 3), "cifar100": (32, 32, 3)}
FASHION_FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
CLASS_NAMES = {
    "mnist": [str(i) for i in range(10)],
    "fashion_mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                      "Ankle boot"],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
}


def keras_file_problem(path: str | Path) -> str | None:
    """Why `path` is not a .keras model file (a zip archive holding config.json), or None when it looks like one.

    Checked before Keras opens it, whose own message for a file that is not a zip says "File not found".
    """
    path = Path(path)
    try:
        if not zipfile.is_zipfile(path):
            return (f"{path.name} is not a valid .keras file (it is not a zip archive); give a model saved with "
                    "model.save('name.keras') by Keras 3")
        with zipfile.ZipFile(path) as z:
            if "config.json" not in z.namelist():
                return (f"{path.name} is not a valid .keras file (the archive has no config.json); save it again "
                        "with Keras 3")
    except (OSError, zipfile.BadZipFile) as exc:
        return f"{path.name} is not a valid .keras file ({exc})"
    return None


def read(name: str, path: Path) -> tuple[Arrays, list[str] | None]:
    """The four arrays of a local copy of keras dataset `name`, and the class names when the file has them."""
    path = Path(path).expanduser()
    if not path.exists():
        raise DataError(f"{name}: local file not found: {path}; place {KERAS_FILES[name]} there or fix the path")
    try:
        if path.suffix == ".npz":
            arrays, names = _npz(path), None
        elif name == "fashion_mnist":
            arrays, names = _idx_folder(path), None
        elif name in ("cifar10", "cifar100"):
            arrays, names = _cifar(name, path)
        else:
            raise DataError(f"{name}: expected {KERAS_FILES[name]} (the file Keras publishes), received {path.name}")
    except (OSError, EOFError, ValueError, KeyError, pickle.UnpicklingError, tarfile.TarError, struct.error,
            zipfile.BadZipFile, zlib.error) as exc:
        if isinstance(exc, DataError):
            raise
        if (problem := numpy_problem(exc)) == OBJECTS:
            raise DataError(f"{name}: cannot read {path}: {problem}") from None
        raise DataError(f"{name}: cannot read {path}: {type(exc).__name__}: {exc}; the file is damaged or not "
                        f"{KERAS_FILES[name]} — download it again") from None
    check_arrays(name, arrays, path.name)
    return arrays, names or CLASS_NAMES.get(name)


def check_arrays(name: str, arrays: Arrays, where: str) -> None:
    """Refuse arrays whose shapes are not those of dataset `name`, naming the array and the shapes."""
    want = IMAGE_SHAPES[name]
    for split, (x, y) in zip(("train", "test"), arrays, strict=True):
        if tuple(x.shape[1:]) != want:
            raise DataError(f"{where}: x_{split} has shape {tuple(x.shape)} but {name} images are "
                            f"{'×'.join(map(str, want))}: expected (samples, {', '.join(map(str, want))})")
        y_flat = np.asarray(y).reshape(len(y), -1)
        if len(y) != len(x) or y_flat.shape[1] != 1:
            raise DataError(f"{where}: y_{split} has shape {tuple(np.shape(y))} for {len(x)} images in x_{split}; "
                            f"expected one label per image, shape ({len(x)},)")
        if len(x) == 0:
            raise DataError(f"{where}: x_{split} holds no images")


def _npz(path: Path) -> Arrays:
    with np.load(path, allow_pickle=False) as z:
        missing = [k for k in ("x_train", "y_train", "x_test", "y_test") if k not in z.files]
        if missing:
            raise DataError(f"{path.name} has no array {missing[0]}; it holds {', '.join(z.files) or 'nothing'} "
                            "(expected x_train, y_train, x_test, y_test)")
        return (z["x_train"], z["y_train"]), (z["x_test"], z["y_test"])


# ------------------------------------------------------------------------------------------- IDX (fashion)
def _idx(data: bytes, fname: str) -> np.ndarray:
    if len(data) < 8:
        raise DataError(f"{fname} is too short to be an IDX file")
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise DataError(f"{fname} is not an IDX file of unsigned bytes (header {data[:4].hex()})")
    dims = struct.unpack(">" + "I" * ndim, data[4: 4 + 4 * ndim])
    body = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise DataError(f"{fname}: the header announces {dims} values but the file holds {body.size}; "
                        "the download is incomplete")
    return body.reshape(dims)


def _idx_folder(path: Path) -> Arrays:
    folder = path if path.is_dir() else path.parent
    arrays = []
    for fname in FASHION_FILES:
        f = folder / fname
        if not f.exists():
            raise DataError(f"fashion_mnist: {folder} lacks {fname}; it needs all four files "
                            + ", ".join(FASHION_FILES))
        with gzip.open(f, "rb") as g:
            arrays.append(_idx(g.read(), fname))
    y_train, x_train, y_test, x_test = arrays
    return (x_train, y_train), (x_test, y_test)


# ------------------------------------------------------------------------------------------- CIFAR pickles
class _SafeUnpickler(pickle.Unpickler):
    """Unpickle CIFAR batches: plain containers and NumPy arrays only, never arbitrary code."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
               ("numpy._core.multiarray", "scalar"), ("_codecs", "encode")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a dataset file")


def _unpickle(data: bytes) -> dict[str, Any]:
    d = _SafeUnpickler(io.BytesIO(data), encoding="bytes").load()
    if not isinstance(d, dict):
        raise DataError("a CIFAR batch must hold a dictionary")
    return {(k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in d.items()}


def _batch(d: dict[str, Any], label_key: str, fname: str) -> tuple[np.ndarray, np.ndarray]:
    if "data" not in d or label_key not in d:
        raise DataError(f"{fname}: a CIFAR batch needs `data` and `{label_key}`; found {', '.join(map(str, d))}")
    data = np.asarray(d["data"], dtype=np.uint8)
    if data.ndim != 2 or data.shape[1] != 3072:
        raise DataError(f"{fname}: `data` has shape {data.shape}; expected (images, 3072) = 3×32×32 bytes each")
    labels = np.asarray(d[label_key], dtype=np.int64)
    if len(labels) != len(data):
        raise DataError(f"{fname}: {len(data)} images but {len(labels)} labels")
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels


def _members(path: Path) -> dict[str, bytes]:
    """Base name → bytes of every file in the archive or folder."""
    out: dict[str, bytes] = {}
    if path.is_dir():
        for f in path.rglob("*"):
            if f.is_file():
                out[f.name] = f.read_bytes()
        return out
    with tarfile.open(path, "r:*") as tar:
        for m in tar.getmembers():
            if m.isfile():
                fh = tar.extractfile(m)
                if fh is not None:
                    out[Path(m.name).name] = fh.read()
    return out


def _cifar(name: str, path: Path) -> tuple[Arrays, list[str] | None]:
    files = _members(path)
    if name == "cifar10":
        train_names = sorted(n for n in files if n.startswith("data_batch_"))
        test_names, label_key, meta, names_key = ["test_batch"], "labels", "batches.meta", "label_names"
    else:
        train_names, test_names, label_key, meta, names_key = ["train"], ["test"], "fine_labels", "meta", \
            "fine_label_names"
    expected = ("data_batch_1 … data_batch_5 and test_batch" if name == "cifar10" else "train and test")
    if not train_names or any(n not in files for n in train_names + test_names):
        raise DataError(f"{name}: {path.name} does not hold the CIFAR batches ({expected}); "
                        f"expected {KERAS_FILES[name]}")
    parts = []
    for group in (train_names, test_names):
        xs, ys = zip(*(_batch(_unpickle(files[n]), label_key, n) for n in group), strict=True)
        parts.append((np.concatenate(xs), np.concatenate(ys)))
    names = None
    if meta in files:
        m = _unpickle(files[meta])
        if names_key in m:
            names = [n.decode("utf8") if isinstance(n, bytes) else str(n) for n in m[names_key]]
    return (parts[0], parts[1]), names
