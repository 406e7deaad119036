"""Image augmentation blocks: random while training, identity at inference (RandomCrop: the centre).

Each carries a NumPy/SciPy `preview` drawing from the same parameter ranges as its Keras layer, so the GUI
can show variations without importing Keras; the training itself uses Keras. NumPy and SciPy are imported on
first use: the core must stay quick to import.
"""

from __future__ import annotations

from studio.core.blocks.base import Block, register, value_range
from studio.core.blocks.declare import choice, integer, real
from studio.core.shapes import ShapeError, fmt, image_fix, need_rank

FILL = ("reflect", "wrap", "constant", "nearest")


def _image(name: str, rgb: bool = False):
    def aug(inputs, _p):
        (x,) = inputs
        need_rank(x, 3, name, "height×width×channels", image_fix(x))
        if rgb and x[-1] != 3:
            raise ShapeError(f"{name} needs RGB images (3 channels) but received {fmt(x)}; "
                             "use RandomContrast or RandomBrightness for grey images")
        return x, 0, 0

    return aug


def _crop_rule(inputs, p):
    (x,) = inputs
    need_rank(x, 3, "RandomCrop", "height×width×channels", image_fix(x))
    return (p["height"], p["width"], x[-1]), 0, 0


def _pixel_range():
    return real("value_max", 1.0, "Largest pixel value of the data (1 for scaled images, 255 for raw)",
                lo=0, exclusive_min=True, advanced=True)


# ------------------------------------------------------------------------------------------- previews
def _each(images, fn):
    import numpy as np

    return np.stack([fn(img) for img in images])


def _flip(x, p, rng):
    h = p["mode"] in ("horizontal", "horizontal_and_vertical")
    v = p["mode"] in ("vertical", "horizontal_and_vertical")
    x = _each(x, lambda im: (im[:, ::-1] if h and rng.random() < 0.5 else im))
    return _each(x, lambda im: (im[::-1] if v and rng.random() < 0.5 else im))


def _rotate(x, p, rng):
    from scipy import ndimage

    f = p["factor"]
    return _each(x, lambda im: ndimage.rotate(im, rng.uniform(-f, f) * 360, axes=(1, 0), reshape=False,
                                              mode=p["fill_mode"], order=1))


def _translate(x, p, rng):
    from scipy import ndimage

    hf, wf = p["height_factor"], p["width_factor"]
    return _each(x, lambda im: ndimage.shift(im, (rng.uniform(-hf, hf) * im.shape[0],
                                                  rng.uniform(-wf, wf) * im.shape[1], 0),
                                             mode=p["fill_mode"], order=1))


def _zoom(x, p, rng):
    import numpy as np
    from scipy import ndimage

    hf, wf = p["height_factor"], p["width_factor"]

    def one(im):
        zh = 1 + rng.uniform(-abs(hf), abs(hf))
        zw = zh if wf is None else 1 + rng.uniform(-abs(wf), abs(wf))
        h, w = im.shape[:2]
        offset = [(h - h / zh) / 2, (w - w / zw) / 2, 0]
        return ndimage.affine_transform(im, np.diag([1 / zh, 1 / zw, 1.0]), offset=offset, mode=p["fill_mode"],
                                        order=1)

    return _each(x, one)


def _crop(x, p, rng):
    def one(im):
        h, w = im.shape[:2]
        height, width = min(p["height"], h), min(p["width"], w)
        top = int(rng.integers(0, h - height + 1))
        left = int(rng.integers(0, w - width + 1))
        return im[top:top + height, left:left + width]

    return _each(x, one)


def _contrast(x, p, rng):
    import numpy as np

    f = p["factor"]
    x = _each(x, lambda im: (im - im.mean()) * rng.uniform(1 - f, 1 + f) + im.mean())
    return np.clip(x, 0, p["value_max"])


def _brightness(x, p, rng):
    import numpy as np

    f = p["factor"] * p["value_max"]
    return np.clip(_each(x, lambda im: im + rng.uniform(-f, f)), 0, p["value_max"])


def _saturation(x, p, rng):
    import numpy as np

    if x.shape[-1] != 3:
        return x
    f = p["factor"]
    grey = x.mean(axis=-1, keepdims=True)
    s = rng.uniform(1 - f, 1 + f, size=(len(x), 1, 1, 1))
    return np.clip(grey + (x - grey) * s, 0, p["value_max"])


def _hue(x, p, rng):
    import numpy as np

    if x.shape[-1] != 3:
        return x
    f = p["factor"]
    return _each(x, lambda im: np.roll(im, 1, axis=-1) * (rng.random() < f) + im * (1 - (rng.random() < f)))


# ------------------------------------------------------------------------------------------- blocks
def _augmentation(name, help, params, preview, rule=None, adapters=()):
    register(Block(name, "Augmentation", help, rule or _image(name), params, training_only=True,
                   preview=preview, adapters=adapters))


_augmentation("RandomFlip", "Flip images at random while training", (
    choice("mode", "horizontal", ("horizontal", "vertical", "horizontal_and_vertical"), "Which flips"),
), _flip)
_augmentation("RandomRotation", "Rotate images at random while training", (
    real("factor", 0.1, "Largest rotation as a fraction of a full turn", lo=0, hi=1),
    choice("fill_mode", "reflect", FILL, "How to fill the corners", advanced=True),
), _rotate)
_augmentation("RandomZoom", "Zoom images in or out at random while training", (
    real("height_factor", 0.1, "Largest zoom as a fraction of the height", lo=-1, hi=1),
    real("width_factor", None, "Largest zoom of the width (empty: same as the height)", lo=-1, hi=1,
         optional=True),
    choice("fill_mode", "reflect", FILL, "How to fill the border", advanced=True),
), _zoom)
_augmentation("RandomTranslation", "Shift images at random while training", (
    real("height_factor", 0.1, "Largest vertical shift as a fraction of the height", lo=0, hi=1),
    real("width_factor", 0.1, "Largest horizontal shift as a fraction of the width", lo=0, hi=1),
    choice("fill_mode", "reflect", FILL, "How to fill the border", advanced=True),
), _translate)
_augmentation("RandomCrop", "Crop a random window while training (the centre at inference)", (
    integer("height", 24, "Height of the crop", unit="px"),
    integer("width", 24, "Width of the crop", unit="px"),
), _crop, rule=_crop_rule)
_augmentation("RandomContrast", "Change contrast at random while training", (
    real("factor", 0.2, "Largest contrast change", lo=0, hi=1),
    _pixel_range(),
), _contrast, adapters=(value_range,))
_augmentation("RandomBrightness", "Change brightness at random while training", (
    real("factor", 0.2, "Largest brightness change as a fraction of the value range", lo=0, hi=1),
    _pixel_range(),
), _brightness, adapters=(value_range,))
_augmentation("RandomSaturation", "Change colour saturation at random while training (RGB)", (
    real("factor", 0.5, "Strength: 0 keeps the colours, 1 allows anything from grey to vivid", lo=0, hi=1),
    _pixel_range(),
), _saturation, rule=_image("RandomSaturation", rgb=True), adapters=(value_range,))
_augmentation("RandomHue", "Shift the hue at random while training (RGB)", (
    real("factor", 0.1, "Largest hue shift as a fraction of the colour wheel", lo=0, hi=1),
    _pixel_range(),
), _hue, rule=_image("RandomHue", rgb=True), adapters=(value_range,))
