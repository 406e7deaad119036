"""Spec → compiled keras.Model, from the block catalogue.

Every block becomes the Keras layer its definition in `studio.core.blocks` names, from the Keras config
that definition makes of its parameters. Models are always built with the functional API, so a
plain chain and a branching graph take the same path.
"""

from __future__ import annotations

from typing import Any, overload

import keras
import numpy as np

from studio.core import catalog, head_fit
from studio.core.analysis import DataShape, check_spec, resolve_graph
from studio.core.blocks import RunDefaults
from studio.core.optimizers import CUSTOM, OPTIMIZER_CLASSES
from studio.core.spec import RunSpec
from studio.engine import recipe


class ModelBuildError(ValueError):
    """A model that cannot be built; the message names the block and what to change."""


def make_layer(block_type: str, params: dict[str, Any], name: str, spec: RunSpec):
    """The block's own Keras config (class and kwargs adapted in studio.core.blocks), deserialised by Keras."""
    defaults = RunDefaults(l1=spec.regularization.l1, l2=spec.regularization.l2)
    return keras.layers.deserialize(catalog.get(block_type).keras_config(params, name, defaults))


def build_model(spec: RunSpec, data: DataShape | None = None) -> keras.Model:
    """The uncompiled functional model; ModelBuildError for a model the checker refuses."""
    report = check_spec(spec, data)
    if not report.ok:
        raise ModelBuildError("The model does not fit together:\n" + "\n".join(f"  - {e}" for e in report.errors()))
    order, outputs = resolve_graph(spec.model, spec.data.augmentation)
    tensors: dict[str, Any] = {}
    inputs = []
    for block, srcs in order:
        params = block.resolved_params()
        try:
            if block.type == "Input":
                tensors[block.id] = keras.Input(shape=tuple(params["shape"]), dtype=params["dtype"], name=block.id)
                inputs.append(tensors[block.id])
                continue
            layer = make_layer(block.type, params, block.id, spec)
            args = [tensors[s] for s in srcs]
            tensors[block.id] = layer(args if catalog.get(block.type).arity is None else args[0])
        except Exception as exc:  # Keras raises many types; the user needs the block's name
            raise ModelBuildError(f"{block.id} ({block.type}): {exc}") from exc
    outs = [tensors[o] for o in outputs]
    return keras.Model(inputs if len(inputs) > 1 else inputs[0], outs if len(outs) > 1 else outs[0],
                       name=_model_name(spec))


def _model_name(spec: RunSpec) -> str:
    return "".join(c if c.isascii() and c.isalnum() else "_" for c in spec.meta.title.lower()).strip("_") or "model"


# ------------------------------------------------------------------------------------------------ compile
def resolve_loss(spec: RunSpec, data: DataShape, head_units: int) -> str:
    """The checker's own choice (studio.core.head_fit), so both agree on the loss a run trains with."""
    return head_fit.resolve_loss(spec.training.loss, data.task, data.num_classes, head_units,
                                 spec.regularization.label_smoothing)


def make_loss(name: str, spec: RunSpec):
    return recipe.loss_object(name, spec.regularization.label_smoothing)


def make_metrics(names: list[str], loss: str, data: DataShape) -> list:
    return recipe.metric_objects(names, loss, data.task, data.num_classes)


def learning_rate(spec: RunSpec, steps_per_epoch: int):
    """A float or a Keras LearningRateSchedule (studio.core.optimizers.learning_rate_at, epochs in steps)."""
    opt = spec.optimizer
    return recipe.learning_rate(opt.learning_rate, opt.schedule.name, opt.schedule.resolved_params(),
                                steps_per_epoch, spec.training.epochs)


def optimizer_kwargs(spec: RunSpec) -> dict[str, Any]:
    """The optimizer's own keyword arguments and the common ones the spec sets (learning rate aside)."""
    opt = spec.optimizer
    kwargs: dict[str, Any] = dict(opt.resolved_params())
    for key in ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm"):
        value = getattr(opt, key)
        if value is not None:
            kwargs[key] = value
    return kwargs


def make_optimizer(spec: RunSpec, steps_per_epoch: int):
    opt = spec.optimizer
    if opt.name == CUSTOM:  # the user's own class, from the file the parent allowed (custom_optimizer.grant)
        from studio.engine import custom_optimizer

        assert opt.path and opt.class_name  # the spec refuses a custom optimizer without them
        return custom_optimizer.make(opt.path, opt.class_name, learning_rate(spec, steps_per_epoch),
                                     optimizer_kwargs(spec))
    return recipe.optimizer(OPTIMIZER_CLASSES[spec.optimizer.name], optimizer_kwargs(spec),
                            learning_rate(spec, steps_per_epoch))


def compile_model(model: keras.Model, spec: RunSpec, data: DataShape, steps_per_epoch: int) -> tuple[str, list[str]]:
    """Compile in place; return the resolved loss name and the names of the logged metrics."""
    head = model.outputs[0].shape[-1]
    loss = resolve_loss(spec, data, head)
    if loss == "binary_crossentropy" and data.task == "classification" and head != 1:
        raise ModelBuildError(f"binary_crossentropy needs a head with 1 unit (sigmoid) but it has {head}; "
                              "set the last Dense to 1 unit or use sparse_categorical_crossentropy")
    metrics = make_metrics(spec.training.metrics, loss, data)
    model.compile(optimizer=make_optimizer(spec, steps_per_epoch), loss=make_loss(loss, spec), metrics=metrics)
    return loss, ["loss"] + [m if isinstance(m, str) else m.name for m in metrics]


@overload
def prepare_targets(y: np.ndarray, loss: str, num_classes: int) -> np.ndarray: ...
@overload
def prepare_targets(y: None, loss: str, num_classes: int) -> None: ...
def prepare_targets(y: np.ndarray | None, loss: str, num_classes: int) -> np.ndarray | None:
    """One-hot targets for categorical losses; the rest as they are."""
    if y is None or loss != "categorical_crossentropy" or y.ndim != 1:
        return y
    return np.eye(num_classes, dtype=np.float32)[y.astype(np.int64)]


def split_inputs(model, x):
    """Feed a model with several Input blocks: each takes its share of the table's columns, in order."""
    if x is None or len(model.inputs) == 1:
        return x
    parts, start = [], 0
    for tensor in model.inputs:
        width = int(tensor.shape[-1])
        parts.append(x[:, start:start + width])
        start += width
    return parts


def layer_summary(model: keras.Model) -> list[dict[str, Any]]:
    rows = []
    for layer in model.layers:
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):
            shape = ()
        rows.append({"name": layer.name, "type": type(layer).__name__,
                     "output_shape": list(shape), "params": int(layer.count_params())})
    return rows
