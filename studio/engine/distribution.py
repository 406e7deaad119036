"""Several devices in one training, on the libraries made for it: Keras' own `keras.distribution` on JAX
(DataParallel, ModelParallel with a LayoutMap, several hosts through keras.distribution.initialize) and
`tf.distribute.MirroredStrategy` on TensorFlow (one host). Keras 3.15 has no torch distribution and does not
train under TensorFlow's MultiWorkerMirroredStrategy, so the spec refuses those.

`setup` runs in the training child before the model is built and returns a `Placement`: the devices used
(for the Started event) and the scope that the model must be built and compiled in.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from studio.core.spec import DistributionSpec, MultiHostSpec
from studio.engine.bootstrap import BootstrapError

DEVICE_UNAVAILABLE = "device_unavailable"
INVALID_SETUP = "invalid_spec"  # the spec's numbers do not fit the devices: the user's to change


@dataclass
class Placement:
    devices: list[str] = field(default_factory=list)  # empty: the backend's one default device
    scope: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext
    batch_split: int = 1  # JAX cuts each batch into this many equal shards (tf.distribute copes with a remainder)
    processes: int = 1  # JAX over several hosts: each process feeds its share of every batch
    process_id: int = 0

    def local_share(self, ds):
        """This process's share of every split (every `processes`-th sample), which JAX joins into the global
        batch; the whole data set with one process."""
        if self.processes == 1:
            return ds
        cut = {name: getattr(ds, name)[self.process_id::self.processes] for name in
               ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test") if getattr(ds, name) is not None}
        return dataclasses.replace(ds, **cut)

    def local_batch(self, batch_size: int) -> int:
        """The samples this process puts into each global batch of `batch_size`."""
        if batch_size % self.processes:
            raise BootstrapError(INVALID_SETUP, f"training.batch_size: {self.processes} processes share each batch "
                                                f"evenly, so it must be a multiple of {self.processes}; received "
                                                f"{batch_size}")
        return batch_size // self.processes

    def check_batches(self, batch_size: int, sizes: dict[str, int]) -> None:
        """Refuse, before training, batches that JAX cannot cut evenly (it would fail at the last batch)."""
        n = self.batch_split
        uneven = {name: size for name, size in sizes.items() if size % n}
        if n == 1 or (batch_size % n == 0 and not uneven):
            return
        got = ", ".join([f"batch size {batch_size}"]
                        + [f"{size} {name} samples" for name, size in sizes.items() if size])
        raise BootstrapError(INVALID_SETUP, f"training.distribution: JAX splits every batch evenly over {n} devices, "
                                            f"so the batch size and the number of train, validation and test samples "
                                            f"must be multiples of {n}; received {got}. Change training.batch_size, "
                                            "data.validation_split / data.test_split or the number of samples")


def setup(dist: DistributionSpec, backend: str) -> Placement:
    """Make `backend` train over the devices `dist` asks for; BootstrapError when it cannot."""
    if dist.mode == "none":
        return Placement()
    if backend == "jax":
        if dist.multi_host:  # before JAX touches a device
            _join_hosts(dist.multi_host)
        placement = _jax(dist)
        if dist.multi_host:  # each process feeds its own share (Keras only shards a tf.data input itself)
            import keras

            keras.distribution.distribution().auto_shard_dataset = False
            placement.processes, placement.process_id = dist.multi_host.num_processes, dist.multi_host.process_id
            placement.batch_split = max(1, placement.batch_split // placement.processes)  # over local devices
        return placement
    if backend == "tensorflow":
        return _tensorflow(dist)
    raise BootstrapError(DEVICE_UNAVAILABLE, f"{dist.mode} runs on the jax or tensorflow backend; Keras has no "
                                             f"{backend} distribution. Set training.distribution to none")


def kernel_key(block_id: str) -> str:
    """The LayoutMap key of a block's kernel: Keras fullmatches it against the whole variable path
    (`model/dense_1/kernel`), so anchor at a path boundary (`d` must not match `hidden/kernel`)."""
    return f"(.*/)?{re.escape(block_id)}/kernel"


def _join_hosts(multi: MultiHostSpec) -> None:
    import keras

    try:
        keras.distribution.initialize(multi.coordinator_address, multi.num_processes, multi.process_id)
    except Exception as exc:  # noqa: BLE001 - JAX raises RuntimeError/XlaRuntimeError with the cause
        raise BootstrapError(DEVICE_UNAVAILABLE, f"could not join the {multi.num_processes}-process training at "
                                                 f"{multi.coordinator_address} as process {multi.process_id}: "
                                                 f"{exc}. Start every process with the same coordinator_address "
                                                 "and num_processes and its own process_id") from None


def _pick(available: list[str], wanted: list[str] | None) -> list[str]:
    if not wanted:
        return available
    missing = [d for d in wanted if d not in available]
    if missing:
        raise BootstrapError(DEVICE_UNAVAILABLE, f"training.distribution.devices: this run sees no {missing[0]}; "
                                                 f"the visible devices are {', '.join(available)}")
    return list(wanted)


def _jax(dist: DistributionSpec) -> Placement:
    import keras

    available = keras.distribution.list_devices()  # GPUs or TPUs when there are any, else the CPU devices
    if dist.mode == "data_parallel":
        devices = _pick(available, dist.devices)
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        return Placement(devices, batch_split=len(devices))
    assert dist.mesh_shape is not None  # the spec requires it for model_parallel
    needed = math.prod(dist.mesh_shape)
    if needed > len(available):
        raise BootstrapError(DEVICE_UNAVAILABLE, f"training.distribution.mesh_shape {dist.mesh_shape} needs {needed} "
                                                 f"devices; this run sees {len(available)} "
                                                 f"({', '.join(available)}). Use a smaller mesh")
    devices = available[:needed]
    mesh = keras.distribution.DeviceMesh(tuple(dist.mesh_shape), list(dist.mesh_axes), devices)
    layout_map = keras.distribution.LayoutMap(mesh)
    for block_id, axes in dist.layout.items():
        layout_map[kernel_key(block_id)] = tuple(axes)
    keras.distribution.set_distribution(
        keras.distribution.ModelParallel(layout_map=layout_map, batch_dim_name=dist.mesh_axes[0]))
    return Placement(devices, batch_split=dist.mesh_shape[0])


def _tensorflow(dist: DistributionSpec) -> Placement:
    import tensorflow as tf

    # logical devices: the simulated CPUs of KERAS_STUDIO_SIMULATE_CPU_DEVICES count too
    gpus = [d.name for d in tf.config.list_logical_devices("GPU")]
    available = gpus or [d.name for d in tf.config.list_logical_devices("CPU")]
    short = {_short(name): name for name in available}
    wanted = _pick(list(short), dist.devices)
    strategy = tf.distribute.MirroredStrategy(devices=[short[d] for d in wanted])
    return Placement(wanted, strategy.scope)


def _short(tf_name: str) -> str:
    """'/device:CPU:3' → 'cpu:3', as the spec and JAX name devices."""
    kind, index = tf_name.split(":")[-2:]
    return f"{kind.lower()}:{index}"
