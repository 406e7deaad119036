"""Recording the inside of the model while it trains: the `Recorder` callback (spec section `inspect`).

At the start (epoch 0: the initial weights) and at epoch ends, for every block of the model it records the
probes' activations and their summary, weight and gradient histograms per variable (the loss's gradient on a
fixed training batch), the first convolution's filters, and each probe's saliency and Grad-CAM
(studio.engine.gradients). Snapshots go to `inspect/` (studio.core.inspect_store) and a small `Inspect`
event tells the app.

It must not slow training: snapshots are taken at epoch ends only, every `inspect.every` epochs (widened so a
run keeps at most `max_snapshots`); taking one copies the weights, and measuring it waits until the run has
trained WARMUP_S and the measurement (at the last one's cost) keeps recording under BUDGET of the run's time.
What waits is measured right after the last epoch, which is always recorded. A failure to record is a
warning, never a failed run.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from studio.core import events as ev
from studio.core.inspect_store import INSPECT_DIR, InspectWriter, compact, histogram, snapshot_name
from studio.core.spec import InspectSpec
from studio.data.dataset import Dataset
from studio.engine import gradients
from studio.engine.build import prepare_targets, split_inputs
from studio.engine.inside import Measure

BUDGET = 0.04  # recording may take at most this share of the run's time (throughput stays ≥ 0.95)
GRADIENT_BATCH = 128  # training samples the loss gradient and the activation summary are taken on
MAX_MAP_VALUES = 32_768  # per probe and layer: wider feature maps keep their first channels (28×28×32 fits)
COMPILE_AHEAD_S = 20.0  # JAX: compile beside training when this much training is left (compiling costs ~1 s)
WARMUP_S = 20.0  # no measuring during the first seconds of a run: a short run is measured after its last epoch
MAX_PENDING_BYTES = 256 * 2**20  # weights kept for later measuring; past it, every second one is let go
SATURATED = 0.99  # a sigmoid output beyond 0.01..0.99 or a tanh beyond ±0.99 has (almost) no gradient left
RELU = ("relu", "relu6", "leaky_relu")  # only relu and relu6 give exact zeros; leaky is listed for no dead units
SQUASHING = ("sigmoid", "tanh", "hard_sigmoid")


def activation_name(layer) -> str:
    """The non-linearity that produces the layer's output, '' when it is not one (a recurrent layer's output
    is a gated tanh, not a tanh)."""
    if isinstance(layer, keras.layers.RNN) or isinstance(getattr(layer, "layer", None), keras.layers.RNN):
        return ""
    if isinstance(layer, keras.layers.ReLU):
        return "relu"
    fn = getattr(layer, "activation", None)
    return getattr(fn, "__name__", "") if callable(fn) else ""


def summary(batch: np.ndarray, activation: str) -> np.ndarray:
    """[mean, std, dead fraction, saturated fraction] of a layer's output on the gradient batch. A unit (the
    last axis: a dense unit or a convolution's channel) is dead when it is exactly zero on every sample and
    position; saturation counts values, of sigmoid or tanh outputs only."""
    a = np.asarray(batch, dtype=np.float64)
    dead = saturated = float("nan")
    if activation in ("relu", "relu6") and a.ndim >= 2:
        dead = float(np.mean(np.all(a.reshape(-1, a.shape[-1]) == 0, axis=0)))
    if activation in ("sigmoid", "hard_sigmoid"):
        saturated = float(np.mean((a < 1 - SATURATED) | (a > SATURATED)))
    elif activation == "tanh":
        saturated = float(np.mean(np.abs(a) > SATURATED))
    return np.array([a.mean(), a.std(), dead, saturated], dtype=np.float32)


def choose_probes(y: np.ndarray | None, count: int, seed: int | None, classes: int) -> np.ndarray:
    """`count` fixed indices, drawn once with the seed: one of each class in turn where there are classes."""
    n = 0 if y is None else len(y)
    rng = np.random.default_rng(seed if seed is not None else 0)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    count = min(count, n)
    if classes and y is not None and np.asarray(y).ndim == 1:
        labels = np.asarray(y).astype(np.int64)
        pools = [list(rng.permutation(np.flatnonzero(labels == c))) for c in range(classes)]
        picked: list[int] = []
        while len(picked) < count and any(pools):
            for pool in pools:
                if pool and len(picked) < count:
                    picked.append(int(pool.pop(0)))
        return np.array(picked, dtype=np.int64)
    return np.sort(rng.choice(n, size=count, replace=False)).astype(np.int64)


def _take(x: Any, index: np.ndarray) -> np.ndarray:
    try:
        return np.asarray(x[index])
    except (TypeError, IndexError, ValueError):  # a lazy array (image folder) that reads one item at a time
        return np.stack([np.asarray(x[int(i)]) for i in index])


def fit_map(a: np.ndarray) -> np.ndarray:
    """A feature map cut to its first channels so one probe holds at most MAX_MAP_VALUES values."""
    per_probe = int(np.prod(a.shape[1:])) if a.ndim > 1 else 1
    if a.ndim >= 3 and per_probe > MAX_MAP_VALUES:
        keep = max(1, MAX_MAP_VALUES * a.shape[-1] // per_probe)
        a = a[..., :keep]
    return compact(a)


def _bytes(values: list) -> int:
    return sum(int(np.prod(v.shape)) * 4 for v in values)


def _numpy(t: Any) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(t))


class Recorder(keras.callbacks.Callback):
    """Takes the weights at due epochs (a copy: cheap) and measures them (studio.engine.inside) while the
    budget allows; what the budget defers waits, weights kept, and is measured right after training.

    On JAX the measurement is compiled once (an eager JAX call compiles each of its hundreds of operations on
    first use: seconds). The compile runs beside training when the run is long enough to make it worth it
    (COMPILE_AHEAD_S), otherwise after the last epoch, so a run of a few seconds is not slowed at all."""

    def __init__(self, settings: InspectSpec, run_dir, ds: Dataset, loss_name: str, send: Callable[[ev.Event], None],
                 epochs: int, seed: int | None, block_ids: set[str], budget: float = BUDGET):
        super().__init__()
        self.settings, self.ds, self.loss_name, self.send = settings, ds, loss_name, send
        self.epochs, self.seed, self.block_ids, self.budget = epochs, seed, block_ids, budget
        self.writer = InspectWriter(run_dir, max_snapshots=settings.max_snapshots)
        # the spacing that keeps a long run (a 3,000-epoch lab) within its cap from the start
        self.every = max(settings.every, math.ceil(epochs / max(settings.max_snapshots - 1, 1)))
        self.seconds = 0.0  # spent on the training thread while training
        self._cost = 0.0  # what the last measurement during training took
        self.recorded: list[int] = []
        self.pending: list[tuple[int, list]] = []  # (epoch, weights) taken, not measured yet
        self.failed = False
        self.measure: Measure | None = None
        self._measure: Callable | None = None  # the callable measurement, once built (and compiled on JAX)
        self._compiling: threading.Thread | None = None
        self._jax = keras.config.backend() == "jax"

    # ------------------------------------------------------------------ the training's course
    def on_train_begin(self, logs=None):
        self._t0 = time.perf_counter()
        self._last_epoch = 0
        self._epoch_start = self._t0
        self._guarded(lambda: self._take(0))  # measured later, when the budget allows

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1  # 1-based, as the curves show epochs
        self._last_epoch = done
        if self.failed:
            return
        if done == 2 and self._jax and self._compiling is None:
            remaining = (self.epochs - done) * (time.perf_counter() - self._epoch_start)
            if remaining >= COMPILE_AHEAD_S:  # after two epochs: the first one's compile is done, its time known
                self._guarded(self._start_compile)
        if done % (self.every * self.writer.spacing) == 0:
            self._guarded(lambda: self._take(done))
        self._guarded(lambda: self._drain(budgeted=True))

    def on_train_end(self, logs=None):  # what the budget deferred, and the final state, always
        if self._last_epoch and self._last_epoch not in self.recorded + [e for e, _ in self.pending]:
            self._guarded(lambda: self._take(self._last_epoch))
        if self._jax and self._compiling is None:
            self._guarded(self._start_compile)
        if self._compiling is not None:
            self._compiling.join()
        self._guarded(lambda: self._drain(budgeted=False))

    # ------------------------------------------------------------------ taking and measuring
    def _take(self, epoch: int) -> None:
        t = time.perf_counter()
        variables = self.model.variables
        self.pending.append((epoch, [keras.ops.copy(v.value) for v in variables]))
        if len(self.pending) > 2 and sum(_bytes(vs) for _, vs in self.pending) > MAX_PENDING_BYTES:
            middle = self.pending[1:-1]
            self.pending = [self.pending[0], *middle[1::2], self.pending[-1]]  # thinned like the folder
        self.seconds += time.perf_counter() - t

    def _within_budget(self) -> bool:
        """The next measurement, at the cost of the last one, keeps recording under its share of the run."""
        elapsed = time.perf_counter() - self._t0
        return elapsed >= WARMUP_S and self.seconds + self._cost <= self.budget * elapsed

    def _drain(self, budgeted: bool) -> None:
        while self.pending and (not budgeted or self._within_budget()):
            t = time.perf_counter()
            if self.measure is None:
                self._setup()
            measure = self._measure
            if measure is None:  # JAX still compiling (or not yet started)
                if budgeted:
                    return
                assert self.measure is not None  # made by _setup above
                measure = self._measure = self.measure
            epoch, values = self.pending.pop(0)
            measured = measure(values, self.probes, self.batch_x, self.batch_y)
            self._write(epoch, measured, values)
            spent = time.perf_counter() - t
            if budgeted:
                self.seconds += spent
                self._cost = spent
            self.send(ev.Inspect(epoch=epoch, file=f"{INSPECT_DIR}/{snapshot_name(epoch)}",
                                 bytes=self.writer.sizes.get(epoch, 0), seconds=spent))

    def _start_compile(self) -> None:
        if self.measure is None:
            self._setup()
        self._compiling = threading.Thread(target=self._compile_jax, name="inspect-compile", daemon=True)
        self._compiling.start()

    def _compile_jax(self) -> None:
        import jax

        try:
            assert self.measure is not None
            lowered = jax.jit(self.measure).lower(self.measure.values(), self.probes, self.batch_x, self.batch_y)
            self._measure = lowered.compile()
        except Exception as exc:  # noqa: BLE001 - fall back to eager calls, slower but the same numbers
            self.send(ev.Log(message=f"inspect: compiling the measurement failed ({exc}); measuring eagerly"))
            self._measure = self.measure

    # ------------------------------------------------------------------ setup, on first use
    def _setup(self) -> None:
        model, ds = self.model, self.ds
        x_pool, y_pool = (ds.x_val, ds.y_val) if ds.x_val is not None and len(ds.x_val) else (ds.x_train, ds.y_train)
        index = choose_probes(y_pool, self.settings.probes, self.seed, ds.num_classes)
        rng = np.random.default_rng((self.seed or 0) + 1)
        batch = np.sort(rng.choice(len(ds.x_train), size=min(GRADIENT_BATCH, len(ds.x_train)), replace=False))
        self.probes = self._inputs(_take(x_pool, index))
        self.batch_x = self._inputs(_take(ds.x_train, batch))
        self.batch_y = prepare_targets(_take(ds.y_train, batch), self.loss_name, ds.num_classes)
        self.measure = Measure.of(model, self.block_ids)
        self.layers = self.measure.layers
        convs = [layer for layer in self.layers if isinstance(layer, keras.layers.Conv2D)]
        self.first_conv = convs[0] if convs else None
        self.last_conv = convs[-1] if convs else None
        if not self._jax:
            self._measure = self.measure
        self.activations = {layer.name: activation_name(layer) for layer in self.layers}
        inputs = [t.name for t in model.inputs]
        probe_arrays = {f"x/{name}": x for name, x in zip(inputs, self.probes, strict=True)}
        probe_arrays["index"] = index
        if y_pool is not None:
            probe_arrays["y"] = np.asarray(_take(y_pool, index))
        self.writer.write_probes(probe_arrays)
        self.writer.meta = {
            "probes": len(index), "inputs": inputs, "task": ds.task, "kind": ds.kind,
            "class_names": list(ds.class_names), "feature_names": list(ds.feature_names),
            "first_conv": self.first_conv.name if self.first_conv else None,
            "last_conv": self.last_conv.name if self.last_conv else None,
            "blocks": {layer.name: {"type": type(layer).__name__, "activation": self.activations[layer.name],
                                    "shape": list(layer.output.shape[1:])} for layer in self.layers},
            "every": self.every,
        }

    def _inputs(self, x: np.ndarray) -> list[np.ndarray]:
        parts = split_inputs(self.model, x)
        return [np.asarray(p) for p in (parts if isinstance(parts, list) else [parts])]

    def _guarded(self, fn: Callable[[], None]) -> None:
        if self.failed:
            return
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - recording is an extra; training goes on without it
            self.failed = True
            self.send(ev.Warning(message=f"Recording the inside of the model stopped ({type(exc).__name__}: "
                                         f"{exc}); training goes on, the Inside tab shows what was recorded"))

    def _write(self, epoch: int, measured: dict[str, Any], values: list) -> None:
        n = len(self.probes[0])
        arrays: dict[str, np.ndarray] = {"predictions": _numpy(measured["predictions"]).reshape(n, -1)
                                         .astype(np.float32)}
        for layer, a in zip(self.layers, measured["maps"], strict=True):
            a = _numpy(a)
            arrays[f"activations/{layer.name}"] = fit_map(a[:n])
            arrays[f"stats/{layer.name}"] = summary(a[n:] if len(a) > n else a, self.activations[layer.name])
        weights = {id(v): value for v, value in zip(self.model.variables, values, strict=True)}
        grads = {id(v): g for v, g in zip(self.model.trainable_variables, measured["loss_gradients"], strict=True)}
        for layer in self.layers:
            for v in layer.trainable_weights:
                name = v.path.removeprefix(layer.name + "/").replace("/", ".")
                for view, source in (("weights", weights), ("gradients", grads)):
                    if id(v) in source:
                        for part, a in histogram(_numpy(source[id(v)])).items():
                            arrays[f"{view}/{layer.name}/{name}/{part}"] = np.asarray(a)
        if self.first_conv is not None:
            arrays[f"filters/{self.first_conv.name}"] = compact(_numpy(weights[id(self.first_conv.kernel)]))
        for name, s in zip(self.writer.meta["inputs"], measured["saliency"], strict=True):
            arrays[f"saliency/{name}"] = compact(_numpy(s))
        if "cam_gradient" in measured and self.last_conv is not None:
            cam = gradients.grad_cam(_numpy(measured["cam_activation"]), _numpy(measured["cam_gradient"]))
            arrays[f"gradcam/{self.last_conv.name}"] = compact(cam)
        self.writer.add(epoch, arrays)
        self.recorded.append(epoch)


def recorders(spec, run_dir, ds: Dataset, loss_name: str, send, block_ids: set[str]) -> list[keras.callbacks.Callback]:
    """[a Recorder] when the spec asks for one, else []."""
    if not spec.inspect.enabled:
        return []
    return [Recorder(spec.inspect, run_dir, ds, loss_name, send, spec.training.epochs, spec.training.seed,
                     block_ids)]
