"""Regularisation blocks: active while training, identity at inference."""

from __future__ import annotations

from studio.core.blocks.base import Block, register
from studio.core.blocks.core import same_shape
from studio.core.blocks.declare import fraction, real
from studio.core.shapes import need_rank


def _spatial_dropout(rank: int, name: str, what: str):
    def drop(inputs, _p):
        (x,) = inputs
        need_rank(x, rank, name, what)
        return x, 0, 0

    return drop


def _noise_preview(images, p, rng):
    return images + rng.normal(0, p["stddev"], size=images.shape)


register(Block("Dropout", "Regularization", "Randomly zero inputs while training", same_shape,
               (fraction("rate", 0.5, "Fraction of units dropped while training"),)))
register(Block("SpatialDropout1D", "Regularization", "Drop whole feature channels of a sequence while training",
               _spatial_dropout(2, "SpatialDropout1D", "steps×channels"),
               (fraction("rate", 0.2, "Fraction of channels dropped while training"),)))
register(Block("SpatialDropout2D", "Regularization", "Drop whole feature maps of an image while training",
               _spatial_dropout(3, "SpatialDropout2D", "height×width×channels"),
               (fraction("rate", 0.2, "Fraction of feature maps dropped while training"),)))
# also offered in the data's augmentation list (it works on any sample, images included)
register(Block("GaussianNoise", "Regularization", "Add zero-mean noise while training (sequences, tables, images)",
               same_shape, (real("stddev", 0.1, "Standard deviation of the noise", lo=0),),
               augmentation=True, preview=_noise_preview))
