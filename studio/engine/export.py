"""Export a trained model to another format and check the copy against the original.

Runs in child processes (`export_worker`) started by `studio.jobs.export_job`, which plans which backend
does what: the reference outputs come from the backend the model was trained on; the .keras file is
verified on a *different* backend; SavedModel and LiteRT are made by TensorFlow (from the .keras file,
whatever backend trained it); ONNX by TensorFlow (tf2onnx) or natively by torch / jax (jax2onnx).

Every artefact is loaded back the way its users will load it — Keras for .keras and .weights.h5,
`tf.saved_model.load` for SavedModel, onnxruntime for ONNX, the TFLite interpreter for LiteRT, and for python
the generated script itself in separate processes (`--check` loads its data and trains a step, then its
`build_model()` gets the trained weights) — and its outputs on a test batch must match the trained model's
within the stated tolerance.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

import keras
import numpy as np

from studio.core.install_hints import export_install_hint
from studio.core.spec import RunSpec
from studio.data.dataset import DataError
from studio.engine import codegen
from studio.core.optimizers import CUSTOM
from studio.engine.custom_export import PYTHON_EXPORT_REFUSAL
from studio.engine.evaluate import EvaluationError, load_data, load_model, pick_split
from studio.engine.script_check import ScriptCheckError, script_outputs

REFERENCE_FILE = "reference.npz"
BATCH = 16


class ExportError(ValueError):
    """An export that cannot work, with a message that says why and the command that fixes it."""

    def __init__(self, message: str, reason: str = "export_failed"):
        super().__init__(message)
        self.reason = reason


# ------------------------------------------------------------------------------------------ reference
def reference_batch(model, spec: RunSpec | None, log=print) -> np.ndarray:
    """Up to BATCH real samples (the evaluation split), or random ones shaped like the input."""
    if spec is not None:
        try:
            ds = load_data(spec)
            _, x, _ = pick_split(ds)
            return np.asarray(x[:BATCH], dtype=np.float32)
        except (DataError, EvaluationError) as exc:
            log(f"using random inputs for the check: the data could not be loaded ({exc})")
    if len(model.inputs) != 1:
        raise ExportError(f"the model takes {len(model.inputs)} inputs; export checks handle one-input models")
    shape = [d if d is not None else 8 for d in model.inputs[0].shape[1:]]
    rng = np.random.default_rng(0)
    if str(model.inputs[0].dtype).startswith("int"):
        return rng.integers(0, 2, size=[BATCH, *shape]).astype(np.int32)
    return rng.random(size=[BATCH, *shape]).astype(np.float32)


def write_reference(model_path: str, spec: RunSpec | None, work: Path, log=print) -> dict[str, Any]:
    model = load_model(model_path)
    x = reference_batch(model, spec, log)
    y = _numpy(model.predict(x, verbose=0))
    np.savez(work / REFERENCE_FILE, x=x, y=y)
    return {"backend": keras.config.backend(), "batch": int(len(x)), "output_shape": list(y.shape)}


def _numpy(out: Any) -> np.ndarray:
    if isinstance(out, dict):
        out = list(out.values())
    if isinstance(out, (list, tuple)):
        if len(out) != 1:
            raise ExportError("the model has several outputs; export checks handle one-output models")
        out = out[0]
    return np.asarray(keras.ops.convert_to_numpy(out) if not isinstance(out, np.ndarray) else out)


def read_reference(work: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(work / REFERENCE_FILE) as z:
        return z["x"], z["y"]


# ------------------------------------------------------------------------------------------ export
def _need(module: str, package: str, what: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ExportError(f"{what} needs the {package} package, which is not installed. Install it with: "
                          f"{export_install_hint([package])}", "missing_package")


def _fresh(out: Path) -> None:
    """`out` is a new path (the job stages each export beside its destination): nothing here is deleted."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        raise ExportError(f"{out} already exists; the export never writes over a file it did not make",
                          "destination")


def export(fmt: str, model_path: str, spec: RunSpec | None, out: Path, work: Path | None = None) -> None:
    backend = keras.config.backend()
    _fresh(out)
    if fmt == "keras":
        shutil.copyfile(model_path, out)  # the exact file: architecture, weights and optimizer state
        return
    if fmt == "python":
        if spec is None:
            raise ExportError("the python export rebuilds the run from its spec; give the spec with --spec",
                              "missing_spec")
        if spec.optimizer.name == CUSTOM:  # codegen does not embed it yet (studio.engine.custom_export)
            raise ExportError(PYTHON_EXPORT_REFUSAL, "custom_code")
        try:
            text = codegen.generate(spec, load_model(model_path))  # the trained model's own config
        except codegen.CodegenError as exc:
            raise ExportError(str(exc), exc.reason) from None
        out.write_text(text, encoding="utf-8")
        return
    model = load_model(model_path)
    if work is not None and (work / REFERENCE_FILE).exists():
        model(read_reference(work)[0], training=False)  # exporters trace a model that has been called
    if fmt == "weights":
        model.save_weights(str(out))
        return
    if fmt == "savedmodel":
        _need("tensorflow", "tensorflow", "SavedModel export")
        if backend != "tensorflow":
            raise ExportError(f"SavedModel export runs on the TensorFlow backend, not {backend}", "backend")
        model.export(str(out), format="tf_saved_model", verbose=False)
        return
    if fmt == "litert":
        if backend != "tensorflow":
            raise ExportError(f"LiteRT export runs on the TensorFlow backend here, not {backend}", "backend")
        model.export(str(out), format="litert", verbose=False)
        return
    if fmt == "onnx":
        needs = {"tensorflow": ("tf2onnx", "tf2onnx"), "torch": ("onnxscript", "onnxscript"),
                 "jax": ("jax2onnx", "jax2onnx")}[backend]
        _need("onnx", "onnx", "ONNX export")
        _need(needs[0], needs[1], f"ONNX export from the {backend} backend")
        model.export(str(out), format="onnx", verbose=False)
        if not out.exists():
            raise ExportError(f"the ONNX converter of the {backend} backend reported no error but wrote no file")
        return
    raise ExportError(f"unknown export format `{fmt}`", "unknown_format")


# ------------------------------------------------------------------------------------------ verify
def outputs_of(fmt: str, path: Path, x: np.ndarray, model_path: str) -> np.ndarray:
    """Load the exported artefact the way its users will and run it on `x`."""
    if fmt == "keras":
        return _numpy(load_model(path).predict(x, verbose=0))
    if fmt == "weights":
        model = load_model(model_path)  # the architecture; its weights are then replaced by the export's
        for w in model.weights:
            w.assign(np.zeros(w.shape, dtype=w.dtype))
        model.load_weights(str(path))
        return _numpy(model.predict(x, verbose=0))
    if fmt == "savedmodel":
        import tensorflow as tf

        loaded = tf.saved_model.load(str(path))
        return np.asarray(loaded.serve(tf.constant(x)))
    if fmt == "onnx":
        _need("onnxruntime", "onnxruntime", "Checking an ONNX export")
        import onnxruntime as ort

        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        name = sess.get_inputs()[0].name
        return np.asarray(sess.run(None, {name: x})[0])
    if fmt == "litert":
        return _tflite(path, x)
    if fmt == "python":  # in a child process: the script must never run inside this one
        try:
            return script_outputs(path, model_path, x, keras.config.backend())
        except ScriptCheckError as exc:
            raise ExportError(str(exc), exc.reason) from None
    raise ExportError(f"unknown export format `{fmt}`", "unknown_format")


def _tflite(path: Path, x: np.ndarray) -> np.ndarray:
    try:
        from ai_edge_litert.interpreter import Interpreter  # the maintained runtime, when installed
    except ImportError:
        import warnings

        import tensorflow as tf

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Interpreter = tf.lite.Interpreter  # noqa: N806
    interp = Interpreter(model_path=str(path))
    inp = interp.get_input_details()[0]
    if list(inp["shape"]) != list(x.shape):
        interp.resize_tensor_input(inp["index"], list(x.shape))
    try:
        interp.allocate_tensors()
    except RuntimeError as exc:
        if "Select TensorFlow op" in str(exc) or "Flex" in str(exc):
            raise ExportError("the .tflite file was written, but it uses TensorFlow 'select' ops (recurrent layers "
                              "such as LSTM and GRU become these) that the built-in LiteRT runtime lacks, so it "
                              "cannot be checked here; on a device it needs the Flex delegate "
                              "(tensorflow-lite-select-tf-ops). For recurrent models export ONNX or SavedModel "
                              "instead.", "backend_limitation") from None
        raise
    interp.set_tensor(inp["index"], x.astype(inp["dtype"]))
    interp.invoke()
    return np.asarray(interp.get_tensor(interp.get_output_details()[0]["index"]))


def verify(fmt: str, path: Path, work: Path, model_path: str, atol: float, rtol: float) -> dict[str, Any]:
    x, ref = read_reference(work)
    got = outputs_of(fmt, path, x, model_path)
    if got.shape != ref.shape:
        got = got.reshape(ref.shape) if got.size == ref.size else got
    if got.shape != ref.shape:
        raise ExportError(f"the exported model gives outputs of shape {got.shape}, the trained one {ref.shape}",
                          "mismatch")
    diff = np.abs(got.astype(np.float64) - ref.astype(np.float64))
    max_abs = float(diff.max()) if diff.size else 0.0
    ok = bool(np.all(diff <= atol + rtol * np.abs(ref)))
    return {"max_abs_diff": max_abs, "ok": ok, "batch": int(len(x)), "verified_on": keras.config.backend()}
