"""Draw the preset gallery's thumbnails (160×100 PNG) into presets/thumbnails/.

Each picture is drawn from the preset's real material, not clip art: MNIST-like digits from scikit-learn,
the bundled CO₂ series, CIFAR-like tiles under the preset's augmentations, the diabetes table, and the paths
that SGD, momentum, Adam and RMSprop take on the same ill-conditioned valley (simulated here with their
update rules). Run:  QT_QPA_PLATFORM=offscreen python packaging/make_thumbnails.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "presets" / "thumbnails"
W, H = 160, 100
BG = QColor(24, 28, 38)
ACCENT = QColor(90, 170, 255)
WARM = QColor(255, 150, 70)
GREY = QColor(120, 130, 150)


def canvas() -> tuple[QImage, QPainter]:
    img = QImage(W, H, QImage.Format.Format_ARGB32)
    img.fill(BG)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    return img, p


def to_qimage(arr: np.ndarray) -> QImage:
    """uint8 (h, w) grey or (h, w, 3) RGB → QImage (a copy)."""
    arr = np.ascontiguousarray(arr)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    h, w, _ = arr.shape
    rgba = np.concatenate([arr, np.full((h, w, 1), 255, np.uint8)], axis=2)
    rgba = np.ascontiguousarray(rgba)
    return QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


def polyline(p: QPainter, xs, ys, rect: QRectF, lo=None, hi=None, pen: QPen | None = None) -> None:
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    lo = ys.min() if lo is None else lo
    hi = ys.max() if hi is None else hi
    path = QPainterPath()
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        px = rect.left() + (x - xs.min()) / (xs.max() - xs.min()) * rect.width()
        py = rect.bottom() - (y - lo) / (hi - lo) * rect.height()
        (path.moveTo if i == 0 else path.lineTo)(px, py)
    p.setPen(pen or QPen(ACCENT, 1.5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)


# -------------------------------------------------------------------------------------------- pictures
def mnist_cnn() -> QImage:
    from sklearn.datasets import load_digits

    img, p = canvas()
    d = load_digits()
    picks = [int(np.flatnonzero(d.target == k)[3]) for k in range(10)]
    for i, idx in enumerate(picks):
        tile = (255 - d.images[idx] / 16 * 255).astype(np.uint8)
        tile = 255 - tile
        q = to_qimage(tile).scaled(22, 22, Qt.AspectRatioMode.IgnoreAspectRatio,
                                   Qt.TransformationMode.FastTransformation)
        p.drawImage(QPointF(22 + (i % 5) * 24, 4 + (i // 5) * 24), q)
    # feature maps shrinking into a softmax head
    for k, (x, s) in enumerate(((6, 24), (40, 18), (68, 12), (90, 8))):
        for j in range(3):
            p.setPen(QPen(ACCENT.lighter(100 + 20 * j), 1))
            p.setBrush(QColor(40 + 15 * k, 70 + 10 * k, 110, 200))
            p.drawRect(QRectF(x + 3 * j, 70 - s / 2 + 3 * j - 2, s, s))
    for j in range(10):
        p.setBrush(WARM if j == 7 else GREY)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawRect(QRectF(118 + j * 3.8, 84 - (22 if j == 7 else 3), 2.8, 22 if j == 7 else 3))
    p.end()
    return img


def timeseries(kind: str) -> QImage:
    import csv

    with open(ROOT / "assets" / "data" / "co2_mauna_loa_weekly.csv", newline="") as f:
        rows = list(csv.reader(f))[1:]
    vals = np.array([float(r[1]) if r[1] else np.nan for r in rows])
    idx = np.arange(len(vals))
    vals[np.isnan(vals)] = np.interp(idx[np.isnan(vals)], idx[~np.isnan(vals)], vals[~np.isnan(vals)])
    seg = vals[-300:]
    img, p = canvas()
    rect = QRectF(8, 10, 144, 78)
    lo, hi = seg.min() - 1, seg.max() + 1
    window_start, split = 190, 250
    # the window the network reads
    x0 = rect.left() + window_start / 299 * rect.width()
    x1 = rect.left() + split / 299 * rect.width()
    p.fillRect(QRectF(x0, rect.top(), x1 - x0, rect.height()), QColor(90, 170, 255, 40))
    polyline(p, np.arange(split), seg[:split], QRectF(rect.left(), rect.top(), x1 - rect.left(), rect.height()),
             lo, hi, QPen(ACCENT, 1.4))
    # the forecast (a smoothed continuation) and the naive flat line
    future = seg[split:]
    xs = QRectF(x1, rect.top(), rect.right() - x1, rect.height())
    polyline(p, np.arange(len(future)), future, xs, lo, hi, QPen(QColor(200, 205, 215), 1.2, Qt.PenStyle.DotLine))
    smooth = np.convolve(future, np.ones(5) / 5, mode="same")
    smooth[:2], smooth[-2:] = future[:2], future[-2:]
    polyline(p, np.arange(len(future)), smooth, xs, lo, hi, QPen(WARM if kind == "lstm" else QColor(120, 220, 140),
                                                                 2.0))
    polyline(p, [0, 1], [seg[split - 1]] * 2, xs, lo, hi, QPen(GREY, 1.2, Qt.PenStyle.DashLine))
    # a recurrent cell icon
    p.setPen(QPen(QColor(230, 230, 240), 1.4))
    p.setBrush(QColor(40, 50, 70))
    p.drawRoundedRect(QRectF(12, 12, 30, 18), 4, 4)
    p.drawArc(QRectF(30, 6, 14, 12), 0, 180 * 16)
    if kind == "gru":
        p.drawLine(QPointF(18, 21), QPointF(36, 21))
    else:
        for y in (17, 21, 25):
            p.drawLine(QPointF(17, y), QPointF(37, y))
    p.end()
    return img


def cifar10_augmentation() -> QImage:
    rng = np.random.default_rng(4)
    img, p = canvas()
    base = np.zeros((32, 32, 3), np.uint8)
    yy, xx = np.mgrid[:32, :32]
    base[:] = (70, 120, 200)  # sky
    base[yy > 20] = (60, 140, 70)  # grass
    body = ((yy - 18) ** 2 / 30 + (xx - 15) ** 2 / 80) < 1
    base[body] = (200, 60, 50)  # a red car-ish blob
    base[((yy - 24) ** 2 + (xx - 9) ** 2) < 8] = (20, 20, 20)
    base[((yy - 24) ** 2 + (xx - 22) ** 2) < 8] = (20, 20, 20)
    tiles = [base]
    for k in range(5):
        t = base.astype(float)
        if k % 2 == 0:
            t = t[:, ::-1]
        dy, dx = rng.integers(0, 5, size=2)
        t = np.pad(t, ((2, 2), (2, 2), (0, 0)), mode="reflect")[dy:dy + 32, dx:dx + 32]
        t = t * rng.uniform(0.7, 1.3) + rng.uniform(-30, 30)
        grey = t.mean(axis=2, keepdims=True)
        t = grey + (t - grey) * rng.uniform(0.4, 1.6)
        tiles.append(np.clip(t, 0, 255).astype(np.uint8))
    for i, t in enumerate(tiles):
        q = to_qimage(t).scaled(40, 40, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation)
        x, y = 8 + (i % 3) * 50, 6 + (i // 3) * 48
        p.save()
        p.translate(x + 20, y + 20)
        p.rotate(0 if i == 0 else float(rng.uniform(-12, 12)))
        p.drawImage(QPointF(-20, -20), q)
        p.setPen(QPen(ACCENT if i == 0 else GREY, 1.2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(QRectF(-20, -20, 40, 40))
        p.restore()
    p.end()
    return img


def regression_mlp() -> QImage:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression

    x, y = load_diabetes(return_X_y=True)
    pred = LinearRegression().fit(x, y).predict(x)
    img, p = canvas()
    rect = QRectF(12, 8, 136, 84)
    lo, hi = min(y.min(), pred.min()), max(y.max(), pred.max())

    def pt(a, b):
        return QPointF(rect.left() + (a - lo) / (hi - lo) * rect.width(),
                       rect.bottom() - (b - lo) / (hi - lo) * rect.height())

    p.setPen(QPen(GREY, 1))
    p.drawLine(rect.bottomLeft(), rect.bottomRight())
    p.drawLine(rect.bottomLeft(), rect.topLeft())
    p.setPen(QPen(WARM, 1.6, Qt.PenStyle.DashLine))
    p.drawLine(pt(lo, lo), pt(hi, hi))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(90, 170, 255, 150))
    for a, b in zip(y, pred, strict=True):
        p.drawEllipse(pt(a, b), 1.6, 1.6)
    p.end()
    return img


def _valley_paths() -> dict[str, np.ndarray]:
    """Paths of four optimizers on f(x, y) = 0.5 (x² + 25 y²) from the same start, with their update rules."""
    a = np.array([1.0, 25.0])
    start = np.array([-1.8, 0.55])
    paths = {}
    for name in ("sgd", "momentum", "adam", "rmsprop"):
        w, v, m, s = start.copy(), np.zeros(2), np.zeros(2), np.zeros(2)
        out = [w.copy()]
        for t in range(1, 41):
            g = a * w
            if name == "sgd":
                w = w - 0.035 * g
            elif name == "momentum":
                v = 0.8 * v - 0.035 * g
                w = w + v
            elif name == "adam":
                m = 0.9 * m + 0.1 * g
                s = 0.999 * s + 0.001 * g * g
                w = w - 0.12 * (m / (1 - 0.9 ** t)) / (np.sqrt(s / (1 - 0.999 ** t)) + 1e-8)
            else:
                s = 0.9 * s + 0.1 * g * g
                w = w - 0.06 * g / (np.sqrt(s) + 1e-8)
            out.append(w.copy())
        paths[name] = np.array(out)
    return paths


def optimizer(name: str) -> QImage:
    img, p = canvas()
    sx, sy = 38.0, 75.0

    def pt(w):
        return QPointF(90 + w[0] * sx, 50 - w[1] * sy)

    for r in (0.15, 0.35, 0.6, 0.9, 1.3, 1.8):  # contour ellipses of the valley
        p.setPen(QPen(QColor(60, 70, 95), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(QPointF(90, 50), r * sx, r / 5 * sy)
    colours = {"sgd": GREY, "momentum": QColor(120, 220, 140), "adam": WARM, "rmsprop": QColor(220, 120, 230)}
    paths = _valley_paths()
    for other, path in paths.items():  # the others faint, this one bright
        pen = QPen(colours[other] if other == name else QColor(80, 88, 110), 2.0 if other == name else 1.0)
        pp = QPainterPath(pt(path[0]))
        for w in path[1:]:
            pp.lineTo(pt(w))
        if other != name:
            p.setPen(pen)
            p.drawPath(pp)
    path = paths[name]
    pp = QPainterPath(pt(path[0]))
    for w in path[1:]:
        pp.lineTo(pt(w))
    p.setPen(QPen(colours[name], 2.0))
    p.drawPath(pp)
    p.setBrush(QBrush(colours[name]))
    for w in path[::4]:
        p.drawEllipse(pt(w), 1.8, 1.8)
    p.setBrush(QColor(255, 255, 255))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(QPointF(90, 50), 2.5, 2.5)
    p.end()
    return img


def optimization_lab() -> QImage:
    xs = [[1, 2], [2, 1], [3, 3], [4, 5], [5, 4], [6, 1], [7, 2], [8, 3], [9, 4], [10, 5]]
    img, p = canvas()
    p.setPen(QPen(GREY, 1.2, Qt.PenStyle.DashLine))
    p.drawLine(QPointF(86, 6), QPointF(80, 94))
    for i, (a, b) in enumerate(xs):
        p.setBrush(ACCENT if i < 5 else WARM)
        p.setPen(QPen(QColor(240, 240, 250), 1))
        p.drawEllipse(QPointF(10 + a * 13.5, 88 - b * 15), 5, 5)
    p.end()
    return img


PICTURES = {
    "mnist_cnn": mnist_cnn,
    "timeseries_rnn": lambda: timeseries("lstm"),
    "timeseries_gru": lambda: timeseries("gru"),
    "cifar10_augmentation": cifar10_augmentation,
    "regression_mlp": regression_mlp,
    "optimizer_sgd": lambda: optimizer("sgd"),
    "optimizer_momentum": lambda: optimizer("momentum"),
    "optimizer_adam": lambda: optimizer("adam"),
    "optimizer_rmsprop": lambda: optimizer("rmsprop"),
    "optimization_lab": optimization_lab,
}


def main(argv: list[str] | None = None) -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - fonts and painting need it
    OUT.mkdir(parents=True, exist_ok=True)
    for name in (argv or list(PICTURES)):
        path = OUT / f"{name}.png"
        if not PICTURES[name]().save(str(path), "PNG"):
            print(f"could not write {path}", file=sys.stderr)
            return 1
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
