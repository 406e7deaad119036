"""The live decision boundary: for data with two features, predict over a grid of the plane at epoch ends
and send it as a small `Boundary` event (a 64×64 uint8 image), like TensorFlow Playground.

It must not slow training: grids are predicted only at epoch ends (batch dispatch stays asynchronous) and
only while the time spent on them stays under `BUDGET` of the time trained; the last epoch is always sent,
so the final boundary is exact. On JAX an eager call costs ~10× a compiled one and compiling costs ~0.5 s,
a fifth of the optimisation lab's whole training, so the forward pass is traced at the start and compiled
on a thread once the first epoch (and its own compile) is done; grids wait until it is ready. Other
backends call the model eagerly (no compile to wait for).
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable

import keras
import numpy as np

from studio.core.events import Boundary, Event
from studio.data import plane
from studio.data.dataset import Dataset
from studio.engine.build import split_inputs

SIZE = 64  # cells a side: 4,096 predictions, a 4 KB image
BUDGET = 0.02  # grids may take at most this share of the training time
MIN_INTERVAL = 0.2  # and come at most five times a second: enough to watch


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode("ascii")


def _probabilities(pred: np.ndarray) -> np.ndarray:
    """(n, k) class probabilities from a model's output: sigmoid or softmax outputs as they are, logits
    squashed."""
    pred = pred.reshape(len(pred), -1).astype(np.float64)
    if pred.shape[1] == 1:
        p = pred[:, 0]
        if p.min() < 0 or p.max() > 1:
            p = 1 / (1 + np.exp(-p))
        return np.stack([1 - p, p], axis=1)
    if pred.min() < 0 or not np.allclose(pred.sum(axis=1), 1, atol=1e-3):
        e = np.exp(pred - pred.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return pred


def encode(pred: np.ndarray, epoch: int, box: list[float], size: int, task: str, num_classes: int) -> Boundary:
    """A Boundary event from the model's predictions at the grid's cells."""
    if task == "regression":
        v = pred.reshape(len(pred), -1)[:, 0].astype(np.float64)
        v = np.where(np.isfinite(v), v, 0.0)
        low, high = float(v.min()), float(v.max())
        scaled = (v - low) / (high - low) * 255 if high > low else np.zeros_like(v)
        return Boundary(epoch=epoch, extent=box, size=size, task=task, values=_b64(np.rint(scaled)), low=low,
                        high=high)
    probs = _probabilities(pred)
    probs = np.where(np.isfinite(probs), probs, 0.0)
    return Boundary(epoch=epoch, extent=box, size=size, task=task, values=_b64(probs.argmax(axis=1)),
                    confidence=_b64(np.rint(probs.max(axis=1) * 255)),
                    num_classes=max(num_classes, probs.shape[1]))


class BoundaryStream(keras.callbacks.Callback):
    """Sends the model's prediction over the plane's grid at epoch ends, within a time budget."""

    def __init__(self, emit: Callable[[Event], None], box: list[float], inputs: np.ndarray, task: str,
                 num_classes: int, size: int = SIZE, budget: float = BUDGET, min_interval: float = MIN_INTERVAL):
        super().__init__()
        self.emit, self.box, self.inputs, self.task = emit, box, inputs, task
        self.num_classes, self.size, self.budget, self.min_interval = num_classes, size, budget, min_interval
        self.sent = 0
        self.seconds = 0.0  # time spent predicting grids

    def on_train_begin(self, logs=None):
        self._t0 = time.perf_counter()
        self._last_sent = -float("inf")
        self._last_epoch: int | None = None
        self._sent_epoch: int | None = None
        self._forward = self._eager
        self._compiling: threading.Thread | None = None
        if keras.config.backend() == "jax":
            self._compile_jax()

    def _eager(self):
        return self.model(split_inputs(self.model, self.inputs), training=False)

    def _compile_jax(self) -> None:
        import jax

        t = time.perf_counter()
        model, x = self.model, split_inputs(self.model, self.inputs)
        values = lambda vs: [v.value for v in vs]  # noqa: E731 - current after Keras' epoch-end state sync
        fn = jax.jit(lambda tv, ntv, x: model.stateless_call(tv, ntv, x, training=False)[0])
        lowered = fn.lower(values(model.trainable_variables), values(model.non_trainable_variables), x)

        def compile_() -> None:
            compiled = lowered.compile()
            self._forward = lambda: compiled(values(model.trainable_variables),
                                             values(model.non_trainable_variables), x)

        self.seconds += time.perf_counter() - t  # tracing runs here, on the training thread: it counts
        self._forward = None  # not ready: grids wait
        self._compiling = threading.Thread(target=compile_, name="boundary-compile", daemon=True)

    def on_epoch_end(self, epoch, logs=None):
        self._last_epoch = epoch
        if self._compiling is not None and self._compiling.ident is None:
            # after the first epoch, whose own compile it would otherwise slow down
            self._compiling.start()
            return
        now = time.perf_counter()
        if self._forward is not None and now - self._last_sent >= self.min_interval \
                and self.seconds <= self.budget * (now - self._t0):
            self._send(epoch)

    def on_train_end(self, logs=None):  # the last epoch (or where it stopped) is always shown
        if self._compiling is not None:
            if self._compiling.ident is None:
                self._compiling.start()
            self._compiling.join()
            if self._forward is None:  # the compile failed: fall back to a plain call
                self._forward = self._eager
        if self._last_epoch is not None and self._sent_epoch != self._last_epoch:
            self._send(self._last_epoch)

    def _send(self, epoch: int) -> None:
        t = time.perf_counter()
        pred = keras.ops.convert_to_numpy(self._forward())
        self.emit(encode(np.asarray(pred), epoch, self.box, self.size, self.task, self.num_classes))
        self._last_sent = time.perf_counter()
        self.seconds += self._last_sent - t
        self._sent_epoch = epoch
        self.sent += 1


def stream(ds: Dataset, emit: Callable[[Event], None], size: int = SIZE) -> list[keras.callbacks.Callback]:
    """[a BoundaryStream] for data with two features, else [] (nothing to draw)."""
    if not plane.is_plane(ds):
        return []
    box = plane.extent(ds)
    return [BoundaryStream(emit, box, plane.normalized(ds, plane.grid(box, size)), ds.task, ds.num_classes, size)]
