"""Spec → compiled keras.Model, from the block catalogue.

Every block becomes the Keras layer of the same name with the block's parameters as keyword arguments;
`_KWARG_ADAPTERS` holds the few translations. Models are always built with the functional API, so a
plain chain and a branching graph take the same path.
"""

from __future__ import annotations

import warnings
from typing import Any, overload

import keras
import numpy as np

from studio.core import catalog, head_fit
from studio.core.analysis import DataShape, check_spec, resolve_graph
from studio.core.spec import RunSpec

OPTIMIZER_CLASSES = {
    "sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad",
    "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "Nadam", "lion": "Lion", "ftrl": "Ftrl",
    "adafactor": "Adafactor", "lamb": "Lamb",
}


class ModelBuildError(ValueError):
    """A model that cannot be built; the message names the block and what to change."""


def _regularizer(params: dict[str, Any], spec: RunSpec):
    l1 = params.pop("kernel_l1", None)
    l2 = params.pop("kernel_l2", None)
    l1 = spec.regularization.l1 if l1 is None else l1
    l2 = spec.regularization.l2 if l2 is None else l2
    if l1 or l2:
        params["kernel_regularizer"] = keras.regularizers.L1L2(l1=l1, l2=l2)


def _value_range(params: dict[str, Any], _spec: RunSpec):
    params["value_range"] = (0.0, params.pop("value_max"))


def _tuples(params: dict[str, Any], _spec: RunSpec):
    for key in ("kernel_size", "strides", "dilation_rate", "pool_size", "target_shape"):
        if isinstance(params.get(key), list):
            params[key] = tuple(params[key])


_KWARG_ADAPTERS = {
    **{b.type: (_tuples, _regularizer) for b in catalog.BLOCK_LIST if b.has_kernel},
    **{t: (_value_range,) for t in ("RandomContrast", "RandomBrightness", "RandomSaturation", "RandomHue")},
}


def make_layer(block_type: str, params: dict[str, Any], name: str, spec: RunSpec):
    params = dict(params)
    for adapt in _KWARG_ADAPTERS.get(block_type, (_tuples,)):
        adapt(params, spec)
    if block_type == "Bidirectional":
        inner = getattr(keras.layers, params.pop("layer"))
        merge_mode = params.pop("merge_mode")
        _regularizer(params, spec)
        return keras.layers.Bidirectional(inner(**params), merge_mode=merge_mode, name=name)
    cls = getattr(keras.layers, catalog.get(block_type).keras_name)
    return cls(name=name, **params)


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
        except Exception as exc:
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
    smoothing = spec.regularization.label_smoothing
    if name == "binary_crossentropy":
        return keras.losses.BinaryCrossentropy(label_smoothing=smoothing)
    if name == "categorical_crossentropy":
        return keras.losses.CategoricalCrossentropy(label_smoothing=smoothing)
    return keras.losses.get(name)


def make_metrics(names: list[str], loss: str, data: DataShape) -> list:
    out: list[Any] = []
    binary = loss == "binary_crossentropy"
    for m in names:
        if m == "accuracy":
            out.append("accuracy")
        elif m == "rmse":
            out.append(keras.metrics.RootMeanSquaredError(name="rmse"))
        elif m == "auc" and binary:
            out.append(keras.metrics.AUC(name="auc"))
        elif m == "precision" and binary:
            out.append(keras.metrics.Precision(name="precision"))
        elif m == "recall" and binary:
            out.append(keras.metrics.Recall(name="recall"))
        elif m == "top_k_accuracy" and data.task == "classification" and data.num_classes > 5:
            cls = (keras.metrics.TopKCategoricalAccuracy if loss == "categorical_crossentropy"
                   else keras.metrics.SparseTopKCategoricalAccuracy)
            out.append(cls(k=5, name="top5_accuracy"))
        elif m in ("mae", "mse"):
            out.append(m)
        else:
            binary = m in ("auc", "precision", "recall")
            kind = "binary classification" if binary else "classification with over 5 classes"
            warnings.warn(f"metric `{m}` applies to {kind} only; it is left out of this run", stacklevel=2)
    return out


def learning_rate(spec: RunSpec, steps_per_epoch: int):
    """A float or a Keras LearningRateSchedule, with epochs turned into steps."""
    opt, sched = spec.optimizer, spec.optimizer.schedule
    base, p = opt.learning_rate, sched.resolved_params()
    total = spec.training.epochs * steps_per_epoch
    s = keras.optimizers.schedules
    if sched.name == "constant":
        return base
    if sched.name == "exponential":
        return s.ExponentialDecay(base, max(1, round(p["decay_epochs"] * steps_per_epoch)), p["decay_rate"],
                                  staircase=p["staircase"])
    if sched.name == "step":
        return s.ExponentialDecay(base, p["step_epochs"] * steps_per_epoch, p["factor"], staircase=True)
    if sched.name == "cosine":
        warm = int(round(p["warmup_epochs"] * steps_per_epoch))
        if warm:
            return s.CosineDecay(0.0, max(1, total - warm), alpha=p["alpha"], warmup_target=base, warmup_steps=warm)
        return s.CosineDecay(base, max(1, total), alpha=p["alpha"])
    if sched.name == "piecewise":
        return s.PiecewiseConstantDecay([int(b * steps_per_epoch) for b in p["boundaries"]], list(p["values"]))
    raise ModelBuildError(f"unknown schedule {sched.name}")


def make_optimizer(spec: RunSpec, steps_per_epoch: int):
    opt = spec.optimizer
    kwargs: dict[str, Any] = dict(opt.resolved_params())
    kwargs["learning_rate"] = learning_rate(spec, steps_per_epoch)
    for key in ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm"):
        value = getattr(opt, key)
        if value is not None:
            kwargs[key] = value
    cls = getattr(keras.optimizers, OPTIMIZER_CLASSES[opt.name])
    return cls(**kwargs)


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
