"""Every block type Studio offers, one `Block` each, registered by its category's module on import.

Add a block type with one `register(Block(...))` (in the category's module here, or anywhere for a plug-in);
the palette, inspector, checker, builder and Python export pick it up from the registry.
"""

from studio.core.blocks import (  # noqa: F401 - imported for their registrations (the palette orders by CATEGORIES)
    augmentation,
    convolution,
    core,
    merging,
    normalization,
    pooling,
    recurrent,
    regularization,
    reshaping,
)
from studio.core.blocks.base import (
    BLOCKS,
    CATEGORIES,
    Block,
    RunDefaults,
    all_blocks,
    augmentation_types,
    by_category,
    get,
    keras_object,
    kernel_regularizer,
    register,
    unregister,
    value_range,
)
from studio.core.blocks.declare import ACTIVATIONS

__all__ = [
    "ACTIVATIONS", "BLOCKS", "CATEGORIES", "Block", "RunDefaults", "all_blocks", "augmentation_types",
    "by_category", "get", "keras_object", "kernel_regularizer", "register", "unregister", "value_range",
]
