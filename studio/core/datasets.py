"""Catalogue of data sources: what each is, its parameters, and what it yields.

Loading lives in `studio.data` (NumPy and scikit-learn, no Keras) and, for `keras.datasets`, in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studio.core.params import Param, ParamError, coerce_params


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    group: str  # Keras | Bundled | Generated | Your data | Inline
    kind: str  # table | image | series
    task: str  # classification | regression | auto (decided from the data)
    help: str
    params: tuple[Param, ...] = ()
    offline: bool = True  # False: needs a download or a local copy

    def check_params(self, given: dict[str, Any]) -> dict[str, Any]:
        return coerce_params(self.params, given, f"Dataset `{self.name}`")


_n = Param("n_samples", "int", 500, "Number of samples", minimum=10, maximum=1_000_000)
_noise = Param("noise", "float", 0.1, "Noise added to each sample", minimum=0)
_limit = Param("limit", "int", None, "Use only the first N training samples (empty: all)", minimum=10, optional=True)
_local = Param("path", "str", None, "A local copy of the file Keras publishes (for offline use; mnist.npz, the "
               "fashion-mnist folder of 4 .gz files, cifar-10-python.tar.gz …); empty: download once and cache",
               optional=True)
_window = Param("window", "int", 24, "Past steps the network sees", minimum=1, maximum=10_000)
_horizon = Param("horizon", "int", 1, "How many steps ahead to predict", minimum=1, maximum=10_000)
_relative = Param("relative", "bool", False, "Predict the change from the last value seen (each window is shifted "
                  "to end at 0): helps on a series that trends beyond the range seen in training")
_stream = Param("stream", "bool", False, "Read batch by batch from disk with parallel workers instead of loading "
                "everything into memory first (for data larger than memory)", advanced=True)


def _keras(name: str, title: str, help: str) -> DatasetInfo:
    return DatasetInfo(name, title, "Keras", "image", "classification", help, (_local, _limit), offline=False)


DATASET_LIST: tuple[DatasetInfo, ...] = (
    DatasetInfo("optimization_lab", "Optimisation lab (10 points)", "Inline", "table", "classification",
                "Ten 2-D points, two classes: the smallest problem that still shows over-fitting"),
    DatasetInfo("inline", "Inline arrays", "Inline", "table", "auto", "Samples written into the spec itself", (
        Param("x", "list", None, "Samples: a list of feature lists"),
        Param("y", "list", None, "Targets: one per sample"),
    )),
    _keras("mnist", "MNIST digits", "70,000 handwritten digits, 28×28 grey"),
    _keras("fashion_mnist", "Fashion-MNIST", "70,000 clothing images, 28×28 grey, 10 classes"),
    _keras("cifar10", "CIFAR-10", "60,000 small colour images, 32×32, 10 classes"),
    _keras("cifar100", "CIFAR-100", "60,000 small colour images, 32×32, 100 classes"),
    DatasetInfo("digits", "Digits (scikit-learn)", "Bundled", "image", "classification",
                "1,797 handwritten digits, 8×8 grey, ships with scikit-learn", (
                    Param("as_images", "bool", True, "Shape 8×8×1 images (true) or 64 features (false)"),
                    Param("upscale", "int", 1, "Enlarge each image by this factor (3: 24×24, for MNIST-sized "
                          "models)", minimum=1, maximum=4),
                )),
    DatasetInfo("iris", "Iris", "Bundled", "table", "classification", "150 flowers, 4 measurements, 3 species"),
    DatasetInfo("wine", "Wine", "Bundled", "table", "classification",
                "178 wines, 13 chemical measurements, 3 cultivars"),
    DatasetInfo("breast_cancer", "Breast cancer", "Bundled", "table", "classification",
                "569 tumours, 30 features, benign or malignant"),
    DatasetInfo("diabetes", "Diabetes", "Bundled", "table", "regression",
                "442 patients, 10 features, disease progression after a year"),
    DatasetInfo("moons", "Two moons", "Generated", "table", "classification", "Two interleaving half circles",
                (_n, _noise)),
    DatasetInfo("circles", "Circles", "Generated", "table", "classification", "A small circle inside a large one",
                (_n, Param("noise", "float", 0.05, "Noise", minimum=0),
                 Param("factor", "float", 0.5, "Inner radius / outer radius", minimum=0, maximum=1,
                       exclusive_min=True, exclusive_max=True))),
    DatasetInfo("blobs", "Blobs", "Generated", "table", "classification", "Gaussian clusters, one per class", (
        _n, Param("centers", "int", 3, "Number of classes", minimum=2, maximum=100),
        Param("n_features", "int", 2, "Features per sample", minimum=1),
        Param("cluster_std", "float", 1.0, "Spread of each cluster", minimum=0, exclusive_min=True))),
    DatasetInfo("spirals", "Spirals", "Generated", "table", "classification", "Interleaved spiral arms", (
        _n, Param("classes", "int", 2, "Number of arms", minimum=2, maximum=10),
        Param("noise", "float", 0.2, "Noise", minimum=0))),
    DatasetInfo("sine", "Sine wave series", "Generated", "series", "regression",
                "A sine with trend and noise, cut into windows of its past to predict ahead", (
                    Param("length", "int", 1200, "Number of time steps", minimum=50),
                    Param("period", "float", 50.0, "Steps per cycle", minimum=2),
                    Param("trend", "float", 0.0, "Added per step", ),
                    Param("noise", "float", 0.1, "Noise standard deviation", minimum=0),
                    _window, _horizon, _relative)),
    DatasetInfo("co2", "Mauna Loa CO₂ (weekly)", "Bundled", "series", "regression",
                "Weekly atmospheric CO₂ at Mauna Loa, 1958–2001 (2,284 weeks, ppm; public domain, Scripps/CDIAC "
                "via statsmodels); gaps filled by interpolation", (
                    Param("window", "int", 52, "Past weeks the network sees", minimum=1, maximum=2000),
                    Param("horizon", "int", 4, "How many weeks ahead to predict", minimum=1, maximum=500),
                    Param("relative", "bool", True, _relative.help))),
    DatasetInfo("sunspots", "Sunspots (yearly)", "Bundled", "series", "regression",
                "Yearly sunspot numbers 1700–2008 (309 years; public domain, NOAA NGDC via statsmodels)", (
                    Param("window", "int", 22, "Past years the network sees", minimum=1, maximum=250),
                    Param("horizon", "int", 1, "How many years ahead to predict", minimum=1, maximum=50),
                    _relative)),
    DatasetInfo("csv", "CSV file", "Your data", "table", "auto",
                "A table: choose the target and feature columns (text columns become categories, empty cells "
                "are filled with the training mean); or a time series: one column, cut into windows", (
                    Param("path", "str", "", "The CSV file"),
                    Param("mode", "choice", "table", "table: predict the target from the other columns; series: "
                          "forecast one column from its own past", choices=("table", "series")),
                    Param("target", "str", None, "Target column, or the column to forecast (empty: the last)",
                          optional=True),
                    Param("features", "list", None, "Feature columns (empty: all but the target)", optional=True),
                    Param("task", "choice", "auto", "Classification or regression (auto: decided from the target)",
                          choices=("auto", "classification", "regression")),
                    _window, _horizon, _relative,
                )),
    DatasetInfo("npz", "NumPy arrays", "Your data", "table", "auto",
                "An .npz with x and y arrays (or a pair of .npy)", (
        Param("path", "str", "", "The .npz file, or the x .npy file"),
        Param("y_path", "str", None, "The y .npy file when `path` is an .npy", optional=True),
        Param("x_key", "str", "x", "Array name of the samples in the .npz"),
        Param("y_key", "str", "y", "Array name of the targets in the .npz"),
        Param("task", "choice", "auto", "Classification or regression",
              choices=("auto", "classification", "regression")),
        _stream,
    )),
    DatasetInfo("image_folder", "Image folder", "Your data", "image", "classification",
                "A folder with one sub-folder of images per class (cats/…, dogs/…); every image is resized", (
                    Param("path", "str", "", "The folder holding one sub-folder per class"),
                    Param("height", "int", 64, "Height the images are resized to", minimum=4, maximum=2048,
                          unit="px"),
                    Param("width", "int", 64, "Width the images are resized to", minimum=4, maximum=2048,
                          unit="px"),
                    Param("color", "choice", "rgb", "rgb: 3 channels; grayscale: 1", choices=("rgb", "grayscale")),
                    _stream,
                )),
)

DATASETS: dict[str, DatasetInfo] = {d.name: d for d in DATASET_LIST}


def get(name: str) -> DatasetInfo:
    try:
        return DATASETS[name]
    except KeyError:
        raise ParamError(f"Unknown data source `{name}`; choose one of {', '.join(DATASETS)}") from None
