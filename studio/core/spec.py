"""The run spec: one versioned JSON document that describes a whole experiment.

The GUI edits a spec, the command line runs one, a preset is one and every run directory starts with the
one it ran. `load_spec` and `parse_spec` refuse a bad document with `SpecError`, whose lines each name a
field's path and the reason; they never let a traceback reach the user.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from studio.core import catalog, datasets
from studio.core.lesson_spec import LessonSpec, goal_problem, setting_problem
from studio.core.optimizers import CUSTOM, LOSSES, METRICS, OPTIMIZERS, SCHEDULES
from studio.core.params import ParamError, coerce_params, shown
from studio.core.wording import listing

SPEC_VERSION = 1
# The closed choices live here once, as Literal types; everything else (CLI flags, the app's pickers) derives
# its list from them with `get_args`, so adding a backend or a normalisation is one edit.
Backend = Literal["tensorflow", "torch", "jax"]
Normalization = Literal["none", "standard", "minmax"]
ClassWeighting = Literal["none", "balanced"]
BACKENDS: tuple[str, ...] = get_args(Backend)
NORMALIZATIONS: tuple[str, ...] = get_args(Normalization)
MAX_DEPTH = 64  # a run spec nests about 6 levels; deeper is a broken or hostile file
MAX_SEED = 2**32 - 1  # NumPy's seeds, which every backend's seeding goes through, stop here


class SpecError(ValueError):
    """A run spec that cannot be used; `problems` holds one 'path: reason' line each."""

    def __init__(self, problems: list[str], source: str = ""):
        self.problems = problems
        self.source = source
        head = f"{source}: " if source else ""
        super().__init__(head + "invalid run spec:\n" + "\n".join(f"  - {p}" for p in problems))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, allow_inf_nan=False)


# --------------------------------------------------------------------------------------------- model
class BlockSpec(_Section):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                    description="The block's name, unique in the model (letters, digits and _), e.g. dense_1")
    type: str = Field(description="A block type of the catalogue, e.g. Dense or Conv2D")
    params: dict[str, Any] = Field(default_factory=dict, description="The block's parameters; those left out "
                                   "take the catalogue's defaults")
    inputs: list[str] | None = Field(None, description="Ids of the blocks feeding this one; null = the previous "
                                     "enabled block")
    enabled: bool = Field(True, description="A disabled block is skipped (its input passes through)")

    @model_validator(mode="after")
    def _check_params(self):
        try:
            block = catalog.get(self.type)
            block.check_params(self.params)
        except ParamError as exc:
            raise ValueError(str(exc)) from None
        return self

    def resolved_params(self) -> dict[str, Any]:
        return catalog.get(self.type).check_params(self.params)


# Keras walks a model's graph by recursion (keras.src.ops.function._build_map_helper, a frame or two per layer), so
# a chain near Python's recursion limit (1,000) dies in training with RecursionError after `check` passed it. The
# limit is stated here, where check, train and the app all read it, far below where Keras breaks.
MAX_BLOCKS = 500


class ModelSpec(_Section):
    blocks: list[BlockSpec] = Field(default_factory=list, description="The blocks, in order")
    outputs: list[str] | None = Field(None, description="Ids of the output blocks; null = the last enabled block")

    @model_validator(mode="after")
    def _check_graph(self):
        if len(self.blocks) > MAX_BLOCKS:
            raise ValueError(f"the model has {len(self.blocks):,} blocks; Keras Studio builds at most {MAX_BLOCKS} "
                             "(Keras walks a deeper graph by recursion and fails in training): remove blocks, or "
                             "use fewer, wider ones")
        seen: set[str] = set()
        for b in self.blocks:
            if b.id in seen:
                raise ValueError(f"two blocks are named `{b.id}`; block ids must be unique")
            for ref in b.inputs or ():
                if ref == b.id:
                    raise ValueError(f"block `{b.id}` lists itself as an input; a block cannot feed itself — "
                                     "take input from an earlier block")
                if ref not in seen:
                    later = ref in {x.id for x in self.blocks}
                    why = "comes later; inputs must come before the block" if later else "does not exist"
                    raise ValueError(f"block `{b.id}` takes input from `{ref}`, which {why}")
            seen.add(b.id)
        for ref in self.outputs or ():
            if ref not in seen:
                raise ValueError(f"output `{ref}` is not a block of the model")
        return self

    def block(self, block_id: str) -> BlockSpec:
        for b in self.blocks:
            if b.id == block_id:
                return b
        raise KeyError(block_id)

    def new_id(self, block_type: str) -> str:
        """A fresh id like `dense_3` for a block of `block_type`."""
        stem = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", block_type).lower()
        stem = re.sub(r"(\d)_d(?=_|$)", r"\1d", stem)  # Conv2D → conv2d, as Keras names layers
        taken = {b.id for b in self.blocks}
        n = 1
        while f"{stem}_{n}" in taken:
            n += 1
        return f"{stem}_{n}"


# ---------------------------------------------------------------------------------------------- data
class DataSpec(_Section):
    source: str = Field("optimization_lab", description="A data source of the dataset catalogue")
    params: dict[str, Any] = Field(default_factory=dict, description="The source's parameters (a file path, a "
                                   "sample count, …)")
    normalize: Normalization = Field("none", description="Scale the features; fitted on the training split only")
    validation_split: float = Field(0.0, ge=0, lt=1, description="Fraction of the training data held out to "
                                    "validate after each epoch")
    test_split: float = Field(0.0, ge=0, lt=1, description="Fraction held out for the final test when the data "
                              "ships no test set")
    augmentation: list[BlockSpec] = Field(default_factory=list, description="Augmentation blocks applied after "
                                          "the Input, while training only")
    shuffle: bool = Field(True, description="Shuffle the training data each epoch")

    @model_validator(mode="after")
    def _check(self) -> DataSpec:
        try:
            datasets.get(self.source).check_params(self.params)
        except ParamError as exc:
            raise ValueError(str(exc)) from None
        for b in self.augmentation:
            if not catalog.get(b.type).augments:
                raise ValueError(f"`{b.type}` is not an augmentation block; use one of "
                                 + ", ".join(catalog.augmentation_types()))
        if self.validation_split + self.test_split >= 1:
            raise ValueError("validation_split + test_split must leave some data to train on")
        return self


# what decides the samples a run loads: every data field but the augmentation (applied while training only)
DATA_LOADING_FIELDS: tuple[str, ...] = tuple(name for name in DataSpec.model_fields if name != "augmentation")


def data_loading_key(spec: dict[str, Any]) -> str:
    """A text that changes exactly when the samples a spec dict loads would (its data fields and seed)."""
    data = spec["data"]
    return json.dumps([{k: data.get(k) for k in DATA_LOADING_FIELDS}, spec["training"].get("seed")],
                      sort_keys=True)


# --------------------------------------------------------------------------------------------- optimizer
class ScheduleSpec(_Section):
    name: str = Field("constant", description="A learning-rate schedule of studio.core.optimizers")
    params: dict[str, Any] = Field(default_factory=dict, description="The schedule's parameters")

    @model_validator(mode="after")
    def _check(self):
        if self.name not in SCHEDULES:
            raise ValueError(f"unknown schedule `{self.name}`; choose one of {', '.join(SCHEDULES)}")
        try:
            p = coerce_params(SCHEDULES[self.name][1], self.params, f"Schedule `{self.name}`")
        except ParamError as exc:
            raise ValueError(str(exc)) from None
        if self.name == "piecewise" and len(p["values"]) != len(p["boundaries"]) + 1:
            raise ValueError("piecewise schedule needs exactly one more value than boundaries")
        if self.name == "piecewise" and any(b <= a for a, b in zip(p["boundaries"], p["boundaries"][1:], strict=False)):
            raise ValueError(f"piecewise boundaries must increase, received {p['boundaries']}; sort them and "
                             "keep each epoch once")
        return self

    def resolved_params(self) -> dict[str, Any]:
        return coerce_params(SCHEDULES[self.name][1], self.params, f"Schedule `{self.name}`")


MONITOR_HELP = "Metric watched; one the run logs (see `monitor_choices`, checked by RunSpec)"


class ReduceOnPlateauSpec(_Section):
    monitor: str = Field("val_loss", description=MONITOR_HELP)
    factor: float = Field(0.5, gt=0, lt=1, description="Multiply the rate by this on a plateau")
    patience: int = Field(3, ge=0, le=100_000, description="Epochs without improvement before reducing",
                          json_schema_extra={"unit": "epochs"})
    min_lr: float = Field(1e-6, ge=0, le=10, description="Lowest rate")


class OptimizerSpec(_Section):
    name: str = Field("adam", description="An optimizer of studio.core.optimizers, or `custom` for your own class")
    path: str | None = Field(None, description="custom: the .py file that defines the class, relative to the spec "
                             "file (code you run: the CLI needs --allow-code, the app asks once per folder)")
    class_name: str | None = Field(None, description="custom: the keras.optimizers.Optimizer subclass in that file")
    learning_rate: float = Field(0.001, gt=0, le=10, description="Step size of each update")
    params: dict[str, Any] = Field(default_factory=dict, description="The optimizer's own parameters")
    weight_decay: float | None = Field(None, ge=0, le=1e3, description="Decoupled weight decay (empty: none)")
    clipnorm: float | None = Field(None, gt=0, le=1e9, description="Clip each gradient to this norm (empty: no "
                                   "clipping)", json_schema_extra={"advanced": True})
    clipvalue: float | None = Field(None, gt=0, le=1e9, description="Clip each gradient value to ± this (empty: "
                                    "no clipping)", json_schema_extra={"advanced": True})
    global_clipnorm: float | None = Field(None, gt=0, le=1e9, description="Clip all gradients together to this "
                                          "norm", json_schema_extra={"advanced": True})
    schedule: ScheduleSpec = Field(default_factory=ScheduleSpec, description="How the rate changes over the epochs")
    reduce_on_plateau: ReduceOnPlateauSpec | None = Field(None, description="Lower the rate when the monitor stops "
                                                          "improving (constant schedule only); null = off")

    @model_validator(mode="after")
    def _check(self):
        if self.name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer `{self.name}`; choose one of {', '.join(OPTIMIZERS)}")
        if self.name == CUSTOM:  # its arguments are the user's class's own, unknown to the catalogue
            _check_custom(self.path, self.class_name, self.params)
        else:
            try:
                coerce_params(OPTIMIZERS[self.name][2], self.params, f"Optimizer `{self.name}`")
            except ParamError as exc:
                raise ValueError(str(exc)) from None
        if self.clipnorm and self.global_clipnorm:
            raise ValueError("set clipnorm or global_clipnorm, not both")
        if self.reduce_on_plateau and self.schedule.name != "constant":
            raise ValueError("reduce_on_plateau needs the constant schedule; a schedule already sets the rate")
        return self

    def resolved_params(self) -> dict[str, Any]:
        if self.name == CUSTOM:  # the class's own keyword arguments, as written (plain JSON values)
            return dict(self.params)
        return coerce_params(OPTIMIZERS[self.name][2], self.params, f"Optimizer `{self.name}`")


def _check_custom(path: str | None, class_name: str | None, params: dict[str, Any]) -> None:
    if not path or not path.endswith(".py"):
        raise ValueError(f"optimizer `custom` needs `path`, the .py file that defines the class (received "
                         f"{shown(path)}); e.g. \"path\": \"my_optimizer.py\" next to the spec "
                         "(keras-studio optimizer-template my_optimizer.py writes one)")
    if not class_name or not class_name.isidentifier():
        raise ValueError(f"optimizer `custom` needs `class_name`, the name of a class in {path} (received "
                         f"{shown(class_name)}); e.g. \"class_name\": \"MomentumSGD\"")
    for key, value in params.items():
        if not key.isidentifier() or not isinstance(value, (int, float, str, bool)) or value is None:
            raise ValueError(f"optimizer.params.{key}: a custom optimizer's arguments are keyword names with a "
                             f"number, text or true/false each; received {shown(value)}")


# --------------------------------------------------------------------------------------------- regularization
class EarlyStoppingSpec(_Section):
    monitor: str = Field("val_loss", description=MONITOR_HELP)
    patience: int = Field(5, ge=0, le=100_000, description="Epochs without improvement before stopping",
                          json_schema_extra={"unit": "epochs"})
    min_delta: float = Field(0.0, ge=0, le=1e9, description="Smallest change that counts as an improvement")
    restore_best_weights: bool = Field(True, description="Keep the best epoch's weights, not the last")


class RegularizationSpec(_Section):
    l1: float = Field(0.0, ge=0, le=1e3, description="L1 penalty on the weights of every block with weights (a "
                      "block may override it)")
    l2: float = Field(0.0, ge=0, le=1e3, description="L2 penalty on the weights of every block with weights (a "
                      "block may override it)")
    label_smoothing: float = Field(0.0, ge=0, lt=1, description="Soften the one-hot targets (classification)")
    early_stopping: EarlyStoppingSpec | None = Field(None, description="Stop when the monitor stops improving; "
                                                     "null = train every epoch")


# --------------------------------------------------------------------------------------------- training
DISTRIBUTIONS = ("none", "data_parallel", "model_parallel")
DATA_PARALLEL_BACKENDS = ("jax", "tensorflow")  # Keras 3.15 ships no torch distribution
MODEL_PARALLEL_BACKENDS = ("jax",)  # keras.distribution.ModelParallel


class MultiHostSpec(_Section):
    """One training over several machines (or processes): every process runs the same spec with its own
    `process_id`, passed to `keras.distribution.initialize` (JAX). TensorFlow's MultiWorkerMirroredStrategy
    (TF_CONFIG) does not train Keras 3 models (keras-team/keras#20585, reproduced with Keras 3.15), so the
    spec refuses multi_host there."""

    coordinator_address: str = Field(pattern=r"^[^\s:]+:\d{1,5}$", description=(
        "host:port of process 0, which every process connects to"))
    num_processes: int = Field(ge=2, le=4096, description="how many processes take part, this one included")
    process_id: int = Field(ge=0, description="this process's number, 0 to num_processes - 1 (0 coordinates)")

    @model_validator(mode="after")
    def _ids(self):
        if self.process_id >= self.num_processes:
            raise ValueError(f"process_id must be 0 to {self.num_processes - 1} for {self.num_processes} "
                             f"processes, received {self.process_id}")
        return self


class DistributionSpec(_Section):
    """How one training spreads over several devices (written as just the mode, e.g. "data_parallel")."""

    mode: Literal["none", "data_parallel", "model_parallel"] = Field("none", description=(
        "none: one device. data_parallel: a copy of the model on each device; the batch size is the global "
        "batch, split evenly over the devices (JAX, TensorFlow). model_parallel: the kernels named in "
        "`layout` are split over a device mesh (JAX only)"))
    devices: list[str] | None = Field(None, description=(
        "data_parallel: the devices to use, e.g. [\"gpu:0\", \"gpu:1\"]; empty = every visible device"))
    mesh_shape: list[int] | None = Field(None, description=(
        "model_parallel: the device mesh, e.g. [2, 2] for 4 devices (the product is the device count)"))
    mesh_axes: list[str] = Field(default_factory=lambda: ["batch", "model"], description=(
        "model_parallel: one name per mesh dimension; the first splits the batch"))
    layout: dict[str, list[str | None]] = Field(default_factory=dict, description=(
        "model_parallel: block id -> the mesh axis (or null) for each dimension of its kernel, e.g. "
        "{\"dense_1\": [null, \"model\"]} splits dense_1's output units over the `model` axis"))
    multi_host: MultiHostSpec | None = Field(None, description="several machines in one training")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"mode": data} if isinstance(data, str) else data

    @field_validator("devices")
    @classmethod
    def _devices(cls, v: list[str] | None) -> list[str] | None:
        for d in v or []:
            if not re.fullmatch(r"(cpu|gpu|tpu):\d+", d):
                raise ValueError(f"invalid device `{d}`; expected cpu:N, gpu:N or tpu:N (N = 0, 1, …)")
        if v is not None and len(set(v)) != len(v):
            raise ValueError(f"a device is listed twice in {v}")
        return v or None

    @field_validator("mesh_shape")
    @classmethod
    def _mesh_shape(cls, v: list[int] | None) -> list[int] | None:
        if v is not None and (not v or any(n < 1 for n in v)):
            raise ValueError(f"expected one or more positive sizes, e.g. [2, 2], received {shown(v)}")
        return v

    @model_validator(mode="after")
    def _mesh(self):
        if self.mode == "model_parallel":
            if self.mesh_shape is None:
                raise ValueError("model_parallel needs `mesh_shape`, e.g. [2, 2] for 4 devices")
            if len(self.mesh_axes) != len(self.mesh_shape) or len(set(self.mesh_axes)) != len(self.mesh_axes):
                raise ValueError(f"mesh_axes needs {len(self.mesh_shape)} different names for mesh_shape "
                                 f"{self.mesh_shape}, received {self.mesh_axes}")
            if not self.layout:
                raise ValueError("model_parallel needs `layout`: which block's kernel to split, e.g. "
                                 "{\"dense_1\": [null, \"model\"]}")
            for block_id, axes in self.layout.items():
                unknown = [a for a in axes if a is not None and a not in self.mesh_axes]
                if unknown:
                    raise ValueError(f"layout.{block_id}: no mesh axis {unknown[0]!r}; the axes are "
                                     f"{', '.join(self.mesh_axes)} (or null for a dimension not split)")
        elif self.mode == "none" and (self.devices or self.layout or self.mesh_shape or self.multi_host):
            raise ValueError("devices, mesh_shape, layout and multi_host need mode data_parallel or "
                             "model_parallel; received mode none")
        return self


class TrainingSpec(_Section):
    epochs: int = Field(10, ge=1, le=100_000, description="Passes over the training data")
    batch_size: int | None = Field(32, ge=1, le=1_000_000, description="Samples per gradient step (on several "
                                   "devices the global batch, split evenly over them); empty (null) = the whole "
                                   "training set in one batch")
    loss: str = Field("auto", description="auto: chosen from the task and the model's head")
    class_weight: ClassWeighting = Field("none", description="balanced: each class counts in the loss as much as "
                                         "the others, however few its samples (a class's weight is samples ÷ "
                                         "(classes × its samples)); for classification")
    metrics: list[str] = Field(default_factory=lambda: ["accuracy"], description="Metrics logged each epoch, "
                               "besides the loss")
    seed: int | None = Field(42, ge=0, le=MAX_SEED, description="Same seed, same data split and initial weights; "
                             "empty (null) = a new random start each run")
    backend: Backend = Field("tensorflow", description="Training runs in its own process, so you can switch "
                             "backend between runs")
    device: str = Field("auto", description="Where to train: auto, cpu, gpu or gpu:N")
    initial_model: str | None = Field(None, description="Continue training: a .keras (or .weights.h5) file of the "
                                      "same blocks whose weights this run starts from; null = new weights")
    distribution: DistributionSpec = Field(default_factory=DistributionSpec, description=(
        "several devices in one training; with data_parallel the batch size is the global batch, split "
        "evenly over the devices"))

    @field_validator("initial_model")
    @classmethod
    def _initial_model(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not v.endswith((".keras", ".weights.h5")):
            raise ValueError(f"`{v}` is not a model file; continue from a .keras or .weights.h5 file (a run's "
                             "model.keras or best.keras)")
        return v

    @field_validator("loss")
    @classmethod
    def _loss(cls, v: str) -> str:
        if v not in LOSSES:
            raise ValueError(f"unknown loss `{v}`; choose one of {', '.join(LOSSES)}")
        return v

    @field_validator("metrics")
    @classmethod
    def _metrics(cls, v: list[str]) -> list[str]:
        for m in v:
            if m not in METRICS:
                raise ValueError(f"unknown metric `{m}`; choose from {', '.join(METRICS)}")
        return v

    @field_validator("device")
    @classmethod
    def _device(cls, v: str) -> str:
        if v in ("auto", "cpu", "gpu") or (v.startswith("gpu:") and v[4:].isdigit()):
            return v
        raise ValueError(f"invalid device `{v}`; expected auto, cpu, gpu or gpu:N (N = 0, 1, …)")


# --------------------------------------------------------------------------------------------- inspect
class InspectSpec(_Section):
    """What the training child records of the inside of the model (studio.engine.inspect): activations,
    weights, gradients, filters and saliency of a few fixed validation samples at epoch ends."""

    enabled: bool = Field(True, description="Record the inside of the model during training (the Inside tab)")
    every: int = Field(1, ge=1, le=100_000, description="Epochs between snapshots (more are skipped while "
                       "recording would cost over 5 % of the training time; the last epoch is always kept)")
    probes: int = Field(8, ge=1, le=64, description="Fixed validation samples whose activations and saliency "
                        "are recorded, drawn once with the seed, one per class first")
    max_snapshots: int = Field(60, ge=2, le=10_000, description="Most snapshots a run keeps: past it, every "
                               "second one is dropped (the first and the newest stay) and the spacing doubles")


# --------------------------------------------------------------------------------------------- the whole
class MetaSpec(_Section):
    title: str = Field("Untitled", description="The experiment's name; a run's title starts from it")
    description: str = Field("", description="What the experiment is, in a sentence or two")
    teaches: str = Field("", description="What a preset shows (the gallery's line)")
    thumbnail: str | None = Field(None, description="A picture for the gallery, relative to the spec file")


class RunSpec(_Section):
    version: int = Field(SPEC_VERSION, description="The spec format's version")
    meta: MetaSpec = Field(default_factory=MetaSpec, description="Title and description")
    model: ModelSpec = Field(default_factory=ModelSpec, description="The network, as blocks")
    data: DataSpec = Field(default_factory=DataSpec, description="What to train on and how it is split")
    optimizer: OptimizerSpec = Field(default_factory=OptimizerSpec, description="How the weights are updated")
    regularization: RegularizationSpec = Field(default_factory=RegularizationSpec, description="Run-wide "
                                               "penalties, label smoothing and early stopping")
    training: TrainingSpec = Field(default_factory=TrainingSpec, description="Epochs, batches, loss, metrics, "
                                   "seed and where to run")
    inspect: InspectSpec = Field(default_factory=InspectSpec, description="Recording the inside of the model "
                                 "while it trains")
    lesson: LessonSpec | None = Field(None, description="A lesson: a goal for the run, steps, locked settings "
                                      "and hints (studio.core.lesson_spec)")

    @field_validator("version")
    @classmethod
    def _version(cls, v: int) -> int:
        if v > SPEC_VERSION:
            raise ValueError(f"this spec is version {shown(v)}, newer than this Keras Studio reads ({SPEC_VERSION}); "
                             "update Keras Studio")
        if v != SPEC_VERSION:
            raise ValueError(f"there is no spec version {v}; this Keras Studio reads version {SPEC_VERSION}")
        return v

    @model_validator(mode="after")
    def _monitors(self):
        choices = monitor_choices(self.training.metrics)
        for where, section in (("regularization.early_stopping", self.regularization.early_stopping),
                               ("optimizer.reduce_on_plateau", self.optimizer.reduce_on_plateau)):
            if section is not None and section.monitor not in choices:
                raise ValueError(f"{where}.monitor: the run does not log `{section.monitor}`; choose one of "
                                 + ", ".join(choices))
        return self

    @model_validator(mode="after")
    def _distribution(self):
        dist, backend = self.training.distribution, self.training.backend
        if dist.mode == "data_parallel" and backend not in DATA_PARALLEL_BACKENDS:
            raise ValueError(f"training.distribution: data_parallel runs on the {' or '.join(DATA_PARALLEL_BACKENDS)} "
                             f"backend (Keras 3.15 has no {backend} distribution); set training.backend to jax or "
                             "tensorflow, or training.distribution to none")
        if dist.mode == "model_parallel" and backend not in MODEL_PARALLEL_BACKENDS:
            raise ValueError(f"training.distribution: model_parallel runs on the jax backend only (Keras' "
                             f"ModelParallel), received backend {backend}; set training.backend to jax")
        if dist.multi_host and backend != "jax":
            raise ValueError(f"training.distribution.multi_host: several hosts train on the jax backend only "
                             f"(keras.distribution.initialize); received backend {backend}, whose multi-worker "
                             "strategy does not train Keras 3 models. Set training.backend to jax")
        ids = {b.id for b in self.model.blocks}
        for block_id in dist.layout:
            if block_id not in ids:
                raise ValueError(f"training.distribution.layout: no block `{block_id}`; the blocks are "
                                 + listing(sorted(ids)))
        return self

    def to_dict(self) -> dict[str, Any]:
        out = self.model_dump(mode="json")
        if out["lesson"] is None:  # most specs are no lesson: their files stay as they were
            del out["lesson"]
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"


def monitor_choices(metrics: list[str]) -> list[str]:
    """What early stopping and reduce-on-plateau may watch in a run with these `training.metrics`: the
    validation curves first (the usual choice), then the training ones."""
    logged = logged_metrics(metrics)
    return ["val_" + m for m in logged] + logged


def logged_metrics(metrics: list[str]) -> list[str]:
    """The names a run with these `training.metrics` logs each epoch (without the val_ prefix)."""
    names = {"top_k_accuracy": "top5_accuracy"}  # as studio.engine.build names the metric
    return ["loss", *(names.get(m, m) for m in metrics)]


# --------------------------------------------------------------------------------------------- reading
def _path_of(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before") or str(part).startswith("function-"):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _friendly(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        msg = err["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            if msg.startswith(prefix):
                msg = msg[len(prefix):]
        if err["type"] == "extra_forbidden":
            msg = "unknown field; check its spelling"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "literal_error":
            msg = f"{msg}, received {shown(err.get('input'))}"
        elif err["type"] == "finite_number":
            msg = f"must be a finite number, received {shown(err.get('input'))}"
        path = _path_of(err["loc"])
        # the message names its field itself (a spec-wide check: "lesson.steps[0].path: …")
        whole = path == "(top level)" and re.match(r"^[a-z_]+(\.[a-z_]+|\[\d+\])+: ", msg)
        lines.append(msg if whole else f"{path}: {msg}")
    return lines


def _too_deep(data: Any) -> bool:
    """Whether `data` nests deeper than MAX_DEPTH (walked without recursion, so any depth is safe)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > MAX_DEPTH:
                return True
            stack.extend((v, depth + 1) for v in (node.values() if isinstance(node, dict) else node))
    return False


def lesson_problems(spec: RunSpec) -> list[str]:
    """What is wrong with the spec's lesson against the rest of the spec: a goal the run does not log, a step,
    lock or hide that names a block or setting the spec lacks; all at once, so a teacher fixes a handed-out file
    in one go (`keras-studio check`). Not a parse error: a learner who renames or removes a block the lesson
    points at still has a project that opens and saves."""
    if spec.lesson is None:
        return []
    problems = [goal_problem(spec.lesson.goal, logged_metrics(spec.training.metrics))]
    problems += [f"{where}: {problem}" for where, path in spec.lesson.paths()
                 if (problem := setting_problem(spec, path))]
    return [p for p in problems if p]


def parse_spec(data: dict[str, Any], source: str = "") -> RunSpec:
    if not isinstance(data, dict):
        raise SpecError([f"(top level): expected a JSON object, received {type(data).__name__}"], source)
    if _too_deep(data):
        raise SpecError([f"(top level): nested more than {MAX_DEPTH} levels deep; a run spec needs a handful"],
                        source)
    try:
        return RunSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_friendly(exc), source) from None
    except RecursionError:
        raise SpecError(["(top level): nested too deeply to read"], source) from None


def load_spec(path: str | Path) -> RunSpec:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError([f"file not found: {path}"], str(path)) from None
    except IsADirectoryError:
        raise SpecError([f"{path} is a folder; give the spec's .json file"], str(path)) from None
    except OSError as exc:
        raise SpecError([f"cannot read {path}: {exc.strerror}"], str(path)) from None
    return parse_spec(spec_json(raw, str(path)), str(path))


def spec_json(raw: bytes | str, source: str = "") -> Any:
    """The JSON value of a spec's text; SpecError with one clear line for text that is not UTF-8 JSON."""
    if isinstance(raw, bytes):
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise SpecError(["the file is UTF-16 text; save it as UTF-8"], source)
        try:
            raw = raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is fine
        except UnicodeDecodeError as exc:
            raise SpecError([f"the file is not UTF-8 text (byte {exc.start}); a run spec is a UTF-8 JSON file"],
                            source) from None
    try:
        return json.loads(raw)  # NaN and Infinity load, so each field's check says "must be a finite number"
    except json.JSONDecodeError as exc:
        raise SpecError([f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"], source) from None
    except RecursionError:
        raise SpecError(["the file is nested too deeply to read; a run spec needs a handful of levels"],
                        source) from None
    except ValueError as exc:  # an integer of over 4,300 digits
        raise SpecError([f"the file holds a number too long to read ({str(exc).split(':')[0]})"],
                        source) from None


def with_overrides(spec: RunSpec, assignments: list[str]) -> RunSpec:
    """Apply `key.path=value` overrides (value parsed as JSON, else kept as text) and re-validate.

    A list of blocks is addressed by block id or by index: `model.blocks.dense_1.params.units=64`.
    """
    data = copy.deepcopy(spec.to_dict())
    for item in assignments:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise SpecError([f"--set {item!r}: expected key.path=value, e.g. training.epochs=5"])
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        except (RecursionError, ValueError):  # nested thousands deep, or an integer of over 4,300 digits
            raise SpecError([f"--set {key}: the value is too large to read"]) from None
        set_path(data, key, value)
    return parse_spec(data, "--set")


def set_path(data: dict[str, Any], key: str, value: Any, said: str = "--set") -> None:
    """Set `key` (dotted; a list of blocks addressed by block id or index) in a spec's dict, in place, filling a
    section left null on the way. `said` starts each message: what asked for the change."""
    node: Any = data
    parts = key.split(".")
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            at = _position(node, part, key, said)
            if last:
                node[at] = value
            else:
                node = node[at]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                if node.get(part) is None:  # a section left null (early_stopping): the change fills it in
                    node[part] = {}
                node = node[part]
        else:
            where = ".".join(parts[:depth])
            hint = f"e.g. --set {where}=…" if said == "--set" else f"`{where}` itself"
            raise SpecError([f"{said} {key}: `{where}` is {shown(node)}, not a section with fields; "
                             f"set it directly, {hint}"])


def _position(node: list, part: str, key: str, said: str = "--set") -> int:
    """The index of `part` in a list: a block id, or a number."""
    for i, item in enumerate(node):
        if isinstance(item, dict) and item.get("id") == part:
            return i
    if part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
        return int(part)
    ids = [item["id"] for item in node if isinstance(item, dict) and isinstance(item.get("id"), str)]
    if ids and not part.lstrip("-").isdigit():
        raise SpecError([f"{said} {key}: no block with id `{part}`; the blocks are {listing(ids)}"])
    raise SpecError([f"{said} {key}: `{part}` is not an index of a list of {len(node)}"])
