"""Choose the Keras backend and the device before keras is imported, then import it and check.

Keras reads KERAS_BACKEND once, at import; switching later in a live process is unsafe. So every run is a
fresh spawned process that calls `start(backend, device)` first thing.
"""

from __future__ import annotations

import os
import sys


# Set to N to give the run N simulated CPU devices (JAX: XLA's host device count; TensorFlow: logical CPUs),
# so data- and model-parallel training can be tried and tested on a machine without GPUs.
SIMULATE_CPU_DEVICES = "KERAS_STUDIO_SIMULATE_CPU_DEVICES"


class BootstrapError(RuntimeError):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def device_environment(backend: str, device: str) -> dict[str, str]:
    """The environment variables that make `backend` see only `device`."""
    env = {"KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2", "KERAS_HOME": os.environ.get("KERAS_HOME", "")}
    if not env["KERAS_HOME"]:
        env.pop("KERAS_HOME")
    if device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = "-1"
        if backend == "jax":
            env["JAX_PLATFORMS"] = "cpu"
    elif device.startswith("gpu:"):
        env["CUDA_VISIBLE_DEVICES"] = device[4:]
    if backend == "jax":
        env.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # share the GPU politely
    if backend == "tensorflow":
        env["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"
    simulated = simulated_cpu_devices()
    if backend == "jax" and simulated > 1:  # read by XLA when JAX starts
        flags = os.environ.get("XLA_FLAGS", "")
        env["XLA_FLAGS"] = f"{flags} --xla_force_host_platform_device_count={simulated}".strip()
    return env


def simulated_cpu_devices() -> int:
    raw = os.environ.get(SIMULATE_CPU_DEVICES, "").strip()
    if not raw:
        return 0
    if not raw.isdigit() or not 1 <= int(raw) <= 256:
        raise BootstrapError("invalid_spec", f"{SIMULATE_CPU_DEVICES} must be a number of devices from 1 to 256, "
                                             f"received {raw!r}")
    return int(raw)


def _simulate_tensorflow_cpus(count: int) -> None:
    """Split TensorFlow's CPU into `count` logical devices; only possible before its runtime starts."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)


def start(backend: str, device: str = "auto"):
    """Set the environment, import keras and return it; BootstrapError with a reason on failure."""
    if "keras" in sys.modules and os.environ.get("KERAS_BACKEND") != backend:
        raise BootstrapError("internal_error",
                             f"keras is already loaded with another backend; cannot switch to {backend}")
    os.environ.update(device_environment(backend, device))
    module = {"tensorflow": "tensorflow", "torch": "torch", "jax": "jax"}[backend]
    try:
        __import__(module)
    except ImportError as exc:
        from studio.core.install_hints import install_command

        raise BootstrapError("backend_missing", f"The {backend} backend is not installed ({exc}). "
                                                f"Install it with: {install_command(backend)}") from None
    if backend == "tensorflow" and simulated_cpu_devices() > 1:
        _simulate_tensorflow_cpus(simulated_cpu_devices())
    import keras

    if keras.config.backend() != backend:
        raise BootstrapError("internal_error", f"asked for the {backend} backend but keras loaded "
                                               f"{keras.config.backend()}")
    if device.startswith("gpu") and not gpu_names(backend):
        raise BootstrapError("device_unavailable", f"{backend} sees no GPU for device '{device}'; choose cpu or auto")
    return keras


def keep_tensorflow_out(keras) -> None:
    """In a torch or JAX run, stop Keras from importing TensorFlow just to look at it.

    Keras probes `tf.available` when it seeds and when it saves a model, and TensorBoard's event writer
    reaches for tf.io.gfile; each imports all of TensorFlow (about 4 s and half a gigabyte here) into runs
    that never use it. Training children call this; children
    that do need TensorFlow (SavedModel export) don't.
    """
    import types

    if keras.config.backend() == "tensorflow" or "tensorflow" in sys.modules:
        return
    lazy_tf = getattr(getattr(keras.src.utils, "module_utils", None), "tensorflow", None)
    if lazy_tf is not None and hasattr(lazy_tf, "_available"):
        lazy_tf._available = False
    # TensorBoard's event writer takes its stub file API when this marker module exists (its `notf` build)
    sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))


def gpu_names(backend: str) -> list[str]:
    """GPUs the (already imported) backend can use."""
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            return [d.name for d in tf.config.list_physical_devices("GPU")]
        if backend == "torch":
            import torch

            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        if backend == "jax":
            import jax

            return [str(d) for d in jax.devices() if d.platform != "cpu"]
    except Exception:  # noqa: BLE001 - a broken driver means no GPU, not a crash
        return []
    return []


def device_label(backend: str, device: str) -> str:
    gpus = gpu_names(backend)
    if device == "cpu" or not gpus:
        return "cpu"
    if device.startswith("gpu:"):
        return f"gpu:{device[4:]} ({gpus[0]})"
    return f"gpu:0 ({gpus[0]})"


def versions(backend: str) -> dict[str, str]:
    import keras
    import numpy

    import studio

    out = {"studio": studio.__version__, "keras": keras.__version__, "numpy": numpy.__version__,
           "python": sys.version.split()[0]}
    module = {"tensorflow": "tensorflow", "torch": "torch", "jax": "jax"}[backend]
    out[module] = str(getattr(sys.modules.get(module), "__version__", "?"))  # torch: a str subclass
    return out
