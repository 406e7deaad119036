"""A block type is one `Block`: its parameters, shape rule, Keras class and kwargs adapter, preview and help.

Keras' own style: one layer, one class, `compute_output_shape` beside `build`. The palette, the inspector, the
spec validator, the checker, the builder and the Python export all read the registry below, so adding a block
type is one `register(Block(...))` call and nothing else. Everything here stays keras-free: the builder turns
`keras_config()` (plain data, Keras' own `{"module", "class_name", "config"}` form) into a layer.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from studio.core.params import Param, ParamError, coerce_params
from studio.core.shapes import Rule, Shape

CATEGORIES = (
    "Input", "Core", "Convolution", "Pooling", "Recurrent", "Normalization", "Regularization",
    "Reshaping", "Merging", "Augmentation",
)


@dataclass(frozen=True)
class RunDefaults:
    """What a block's Keras kwargs may fall back to from the rest of the run spec."""

    l1: float = 0.0
    l2: float = 0.0


# spec params (lists already tuples) + the run's defaults → Keras layer kwargs, all plain data
Adapter = Callable[[dict[str, Any], RunDefaults], dict[str, Any]]
# images (n, h, w, c) as float32, the block's checked params, a numpy Generator → the augmented images
Preview = Callable[[Any, dict[str, Any], Any], Any]

KERAS_LAYERS = "keras.layers"


def keras_object(module: str, class_name: str, config: dict[str, Any]) -> dict[str, Any]:
    """A Keras serialised object, which `keras.layers.deserialize` and `keras.regularizers.get` accept."""
    return {"module": module, "class_name": class_name, "config": config}


@dataclass(frozen=True)
class Block:
    type: str  # the registry key, also the Keras layer class unless `keras_class` says otherwise
    category: str
    help: str
    shape_rule: Rule  # (input shapes, checked params) → (output shape, params, non-trainable params)
    params: tuple[Param, ...] = ()
    arity: int | None = 1  # inputs it takes: 0 for Input, 1 for most, None for two or more (merging)
    keras_class: str | None = None
    adapters: tuple[Adapter, ...] = ()  # applied in order by keras_kwargs()
    training_only: bool = False  # augmentation: active during fit, identity at inference
    augmentation: bool | None = None  # may sit in the data's augmentation list; default: training_only
    preview: Preview | None = None  # NumPy stand-in for the augmentation preview (the GUI has no Keras)

    @property
    def keras_name(self) -> str:
        return self.keras_class or self.type

    @property
    def augments(self) -> bool:
        return self.training_only if self.augmentation is None else self.augmentation

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def check_params(self, given: dict[str, Any]) -> dict[str, Any]:
        """All parameters with defaults filled in; ParamError on an unknown name or a bad value."""
        return coerce_params(self.params, given, f"Block `{self.type}`")

    def compute_output_shape(self, inputs: list[Shape], params: dict[str, Any]) -> tuple[Shape, int, int]:
        """(output shape, parameter count, non-trainable count) for checked `params`; ShapeError on a misfit."""
        return self.shape_rule(inputs, params)

    def keras_kwargs(self, params: dict[str, Any], defaults: RunDefaults = RunDefaults()) -> dict[str, Any]:
        """The Keras layer's keyword arguments for checked `params`: lists become tuples, then the adapters."""
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
        for adapt in self.adapters:
            kwargs = adapt(kwargs, defaults)
        return kwargs

    def keras_config(self, params: dict[str, Any], name: str, defaults: RunDefaults = RunDefaults()) -> dict:
        """The layer as Keras serialises it; `keras.layers.deserialize` builds it."""
        return keras_object(KERAS_LAYERS, self.keras_name, {**self.keras_kwargs(params, defaults), "name": name})


# ------------------------------------------------------------------------------------------- adapters
def kernel_regularizer(kwargs: dict[str, Any], defaults: RunDefaults) -> dict[str, Any]:
    """kernel_l1 / kernel_l2 (empty: the run's penalty) → one L1L2 kernel_regularizer, or none at all."""
    kwargs = dict(kwargs)
    l1, l2 = kwargs.pop("kernel_l1", None), kwargs.pop("kernel_l2", None)
    l1 = defaults.l1 if l1 is None else l1
    l2 = defaults.l2 if l2 is None else l2
    if l1 or l2:
        kwargs["kernel_regularizer"] = keras_object("keras.regularizers", "L1L2", {"l1": l1, "l2": l2})
    return kwargs


def bias_start(kwargs: dict[str, Any], _defaults: RunDefaults) -> dict[str, Any]:
    """bias_start (a number) → a Constant bias_initializer; 0 leaves Keras' own (zeros)."""
    kwargs = dict(kwargs)
    start = kwargs.pop("bias_start", 0.0) or 0.0
    if start:
        kwargs["bias_initializer"] = keras_object("keras.initializers", "Constant", {"value": float(start)})
    return kwargs


def value_range(kwargs: dict[str, Any], _defaults: RunDefaults) -> dict[str, Any]:
    """value_max (the data's largest pixel value) → Keras' value_range=(0, value_max)."""
    kwargs = dict(kwargs)
    kwargs["value_range"] = (0.0, kwargs.pop("value_max"))
    return kwargs


# ------------------------------------------------------------------------------------------- registry
BLOCKS: dict[str, Block] = {}


def register(block: Block) -> Block:
    """Add a block type; every part of Studio offers it from then on. Refuses a duplicate or an unknown
    category, so two definitions of one type can never drift apart."""
    if block.type in BLOCKS:
        raise ValueError(f"Block type `{block.type}` is already registered; give the new block another name "
                         "or unregister the old one first")
    if block.category not in CATEGORIES:
        raise ValueError(f"Block `{block.type}` has category `{block.category}`; expected one of "
                         + ", ".join(CATEGORIES))
    BLOCKS[block.type] = block
    return block


def unregister(block_type: str) -> None:
    BLOCKS.pop(block_type, None)


def get(block_type: str) -> Block:
    """The entry for `block_type`; a clear error naming the close matches otherwise."""
    try:
        return BLOCKS[block_type]
    except KeyError:
        close = difflib.get_close_matches(block_type, BLOCKS, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ParamError(f"Unknown block type `{block_type}`.{hint}") from None


def all_blocks() -> tuple[Block, ...]:
    return tuple(BLOCKS.values())


def by_category() -> dict[str, list[Block]]:
    out: dict[str, list[Block]] = {c: [] for c in CATEGORIES}
    for b in BLOCKS.values():
        out[b.category].append(b)
    return out


def augmentation_types() -> list[str]:
    """The block types the data's augmentation list accepts: the augmentation blocks, then the others."""
    return [b.type for b in sorted(BLOCKS.values(), key=lambda b: not b.training_only) if b.augments]
