"""Normalisation blocks."""

from __future__ import annotations

from studio.core.blocks.base import Block, register
from studio.core.blocks.core import same_shape
from studio.core.blocks.declare import flag, real
from studio.core.shapes import last_dim


def _batchnorm(inputs, p):
    (x,) = inputs
    c = last_dim(x, "BatchNormalization")
    trainable = c * (int(p["center"]) + int(p["scale"]))
    return x, trainable + 2 * c, 2 * c


def _layernorm(inputs, p):
    (x,) = inputs
    c = last_dim(x, "LayerNormalization")
    return x, c * (int(p["center"]) + int(p["scale"])), 0


def _offset_and_scale():
    return (
        real("epsilon", 0.001, "Added to the variance for stability", lo=0, exclusive_min=True, advanced=True),
        flag("center", True, "Learn an offset (beta)", advanced=True),
        flag("scale", True, "Learn a scale (gamma)", advanced=True),
    )


register(Block("BatchNormalization", "Normalization", "Normalise each feature over the batch; speeds training",
               _batchnorm,
               (real("momentum", 0.99, "Momentum of the moving averages", lo=0, hi=1, advanced=True),)
               + _offset_and_scale()))
register(Block("LayerNormalization", "Normalization", "Normalise each sample over its features", _layernorm,
               _offset_and_scale()))
register(Block("Rescaling", "Normalization", "Multiply and shift the input, e.g. 1/255 for raw pixels", same_shape, (
    real("scale", 1 / 255, "Multiplier"),
    real("offset", 0.0, "Added after scaling"),
)))
