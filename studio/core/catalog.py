"""The block catalogue, as its callers read it: a thin view of the registry in `studio.core.blocks`.

Each block type is defined once there (parameters, shape rule, Keras class and kwargs, preview, help);
`BLOCKS` is that live registry, so a block registered later shows up here too.
"""

from __future__ import annotations

from studio.core.blocks import (  # noqa: F401 - re-exported
    ACTIVATIONS,
    BLOCKS,
    CATEGORIES,
    Block,
    augmentation_types,
    by_category,
    get,
)


def __getattr__(name: str):
    if name == "BLOCK_LIST":  # computed on each read: it includes blocks registered after import
        from studio.core.blocks import all_blocks

        return all_blocks()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
