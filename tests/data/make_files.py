"""Write the small files in tests/data/files/, each in the real format of what it stands for.

Run `python -m tests.data.make_files` to regenerate them (deterministic). The image files are real
pictures, not noise: MNIST-format digits are scikit-learn's 8×8 digits enlarged to 28×28, so a network can
learn them and a preset test can check more than "it ran".
"""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import tarfile
from pathlib import Path

import numpy as np

FILES = Path(__file__).resolve().parent / "files"


def digits28(n: int, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn digits as uint8 28×28 images (×3 enlarged, 2-pixel border), labels uint8."""
    from sklearn.datasets import load_digits

    d = load_digits()
    imgs = (d.images[offset:offset + n] / 16.0 * 255).astype(np.uint8)
    imgs = imgs.repeat(3, axis=1).repeat(3, axis=2)
    out = np.zeros((len(imgs), 28, 28), dtype=np.uint8)
    out[:, 2:26, 2:26] = imgs
    return out, d.target[offset:offset + n].astype(np.uint8)


def colour_images(n: int, classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """32×32 RGB images: a coloured square per class on a plain background, at a random place."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    x = np.zeros((n, 32, 32, 3), dtype=np.uint8)
    for i, c in enumerate(y):
        x[i] = (rng.integers(0, 60), rng.integers(0, 60), rng.integers(0, 60))
        colour = np.array([(c * 73) % 256, (c * 151) % 256, (c * 199 + 64) % 256], dtype=np.uint8)
        r, q = rng.integers(0, 20, size=2)
        x[i, r:r + 12, q:q + 12] = colour
    return x, y.astype(np.uint8)


def _idx(arr: np.ndarray) -> bytes:
    return struct.pack(">HBB", 0, 0x08, arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape) + arr.tobytes()


def _tar_add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), 1_600_000_000
    tar.addfile(info, io.BytesIO(data))


def _cifar_batch(x: np.ndarray, labels: np.ndarray, label_key: bytes) -> bytes:
    data = x.transpose(0, 3, 1, 2).reshape(len(x), 3072)  # the published layout: 1024 R, 1024 G, 1024 B
    return pickle.dumps({b"batch_label": b"tiny", label_key: [int(v) for v in labels], b"data": data}, protocol=2)


def main() -> None:
    FILES.mkdir(parents=True, exist_ok=True)
    # mnist.npz — the file keras.datasets.mnist downloads (uint8 28×28, uint8 labels)
    xt, yt = digits28(400)
    xs, ys = digits28(150, offset=1500)
    np.savez_compressed(FILES / "mnist.npz", x_train=xt, y_train=yt, x_test=xs, y_test=ys)

    # fashion-mnist/ — the four gzip IDX files keras.datasets.fashion_mnist downloads
    fm = FILES / "fashion-mnist"
    fm.mkdir(exist_ok=True)
    fx, fy = digits28(60, offset=600)
    gx, gy = digits28(30, offset=900)
    for fname, arr in (("train-images-idx3-ubyte.gz", fx), ("train-labels-idx1-ubyte.gz", fy),
                       ("t10k-images-idx3-ubyte.gz", gx), ("t10k-labels-idx1-ubyte.gz", gy)):
        with open(fm / fname, "wb") as f:  # mtime 0: byte-identical on every run
            f.write(gzip.compress(_idx(arr), mtime=0))

    # cifar-10-python.tar.gz — pickled batches as published (5 training batches, a test batch, the meta)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for i in range(1, 6):
            x, y = colour_images(20, 10, seed=i)
            _tar_add(tar, f"cifar-10-batches-py/data_batch_{i}", _cifar_batch(x, y, b"labels"))
        x, y = colour_images(20, 10, seed=99)
        _tar_add(tar, "cifar-10-batches-py/test_batch", _cifar_batch(x, y, b"labels"))
        names = [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog", b"frog", b"horse", b"ship", b"truck"]
        _tar_add(tar, "cifar-10-batches-py/batches.meta",
                 pickle.dumps({b"label_names": names, b"num_vis": 3072, b"num_cases_per_batch": 20}, protocol=2))
    (FILES / "cifar-10-python.tar.gz").write_bytes(gzip.compress(buf.getvalue(), mtime=0))

    # cifar-100-python.tar.gz — train, test, meta with fine and coarse labels
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for part, seed, n in (("train", 5, 200), ("test", 6, 100)):
            x, y = colour_images(n, 100, seed)
            d = pickle.loads(_cifar_batch(x, y, b"fine_labels"))
            d[b"coarse_labels"] = [int(v) // 5 for v in y]
            _tar_add(tar, f"cifar-100-python/{part}", pickle.dumps(d, protocol=2))
        _tar_add(tar, "cifar-100-python/meta",
                 pickle.dumps({b"fine_label_names": [f"class{i}".encode() for i in range(100)],
                               b"coarse_label_names": [f"super{i}".encode() for i in range(20)]}, protocol=2))
    (FILES / "cifar-100-python.tar.gz").write_bytes(gzip.compress(buf.getvalue(), mtime=0))

    # shapes/ — an image folder, one sub-folder per class (PNG and JPEG, different sizes)
    from PIL import Image

    rng = np.random.default_rng(3)
    for cls in ("circle", "square"):
        d = FILES / "shapes" / cls
        d.mkdir(parents=True, exist_ok=True)
        for i in range(6):
            size = 20 + 4 * (i % 3)
            img = np.full((size, size, 3), rng.integers(0, 80), dtype=np.uint8)
            yy, xx = np.mgrid[:size, :size]
            c = size / 2 + rng.uniform(-2, 2)
            mask = ((yy - c) ** 2 + (xx - c) ** 2 < (size / 3) ** 2) if cls == "circle" else \
                (np.abs(yy - c) < size / 3) & (np.abs(xx - c) < size / 3)
            img[mask] = (230, 200 - 20 * i, 60)
            Image.fromarray(img).save(d / f"{cls}_{i}.{'png' if i % 2 else 'jpg'}")

    # arrays.npz and x.npy / y.npy — the user's own arrays
    rng = np.random.default_rng(7)
    x = rng.normal(size=(120, 5)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    np.savez(FILES / "arrays.npz", x=x, y=y)
    np.save(FILES / "x.npy", x)
    np.save(FILES / "y.npy", y)


if __name__ == "__main__":
    main()
