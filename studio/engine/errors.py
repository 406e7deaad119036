"""The one error classifier of every child job: an exception → a Failed event's `reason` and message.

Keyed on exception types, never on class names as text: the project's own errors (each says what to fix),
a full disk (OSError ENOSPC, also when Keras or h5py wrapped it), running out of memory (MemoryError and
each backend's own out-of-memory error, looked up only where that backend is already loaded), and the rest
as an internal error whose traceback goes to the log. An exception class can only be raised once its
module is imported, so the lookups go through `sys.modules` and never import anything.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass

from studio.core import diskspace
from studio.core import events as ev

# (module, class, reason): the project's errors whose message is written for the user
_PROJECT_ERRORS = (
    ("studio.core.spec", "SpecError", ev.INVALID_SPEC),
    ("studio.data.dataset", "DataError", ev.INVALID_DATA),
    ("studio.engine.build", "ModelBuildError", ev.MODEL_ERROR),
    ("studio.engine.bootstrap", "BootstrapError", None),  # carries its own reason
    ("studio.engine.evaluate", "EvaluationError", "invalid"),
    ("studio.engine.export", "ExportError", None),
    ("studio.engine.codegen", "CodegenError", None),
    ("studio.engine.script_check", "ScriptCheckError", None),
    ("studio.core.custom_code", "CodeRefusedError", "code_refused"),
    ("studio.engine.custom_optimizer", "CustomCodeError", "custom_code"),
)
# (module, dotted attribute): the backends' out-of-memory errors
_OOM_ERRORS = (
    ("tensorflow", "errors.ResourceExhaustedError"),
    ("torch", "cuda.OutOfMemoryError"),
    ("torch", "OutOfMemoryError"),
)
OOM_MESSAGE = "Ran out of memory. Lower the batch size, make the model smaller, or train on the CPU."


@dataclass
class Classified:
    reason: str
    message: str
    expected: bool  # the user's to fix and the message says how: no traceback needed

    def failed(self, exc: BaseException, prefix: str = "", run_dir: str = "") -> ev.Failed:
        message = self.message if self.expected else f"{prefix}{self.message}"
        details = "" if self.expected else "".join(traceback.format_exception(exc))
        return ev.Failed(reason=self.reason, message=message, details=details, run_dir=run_dir)


def _loaded_class(module: str, dotted: str) -> type | None:
    obj = sys.modules.get(module)
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
    return obj if isinstance(obj, type) else None


def _out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    if any(cls is not None and isinstance(exc, cls) for cls in (_loaded_class(m, a) for m, a in _OOM_ERRORS)):
        return True
    xla_error = _loaded_class("jaxlib.xla_extension", "XlaRuntimeError") or _loaded_class("jax.errors",
                                                                                             "JaxRuntimeError")
    # XLA has one error class for every status; the status code opens its message
    return xla_error is not None and isinstance(exc, xla_error) and str(exc).startswith("RESOURCE_EXHAUSTED")


def _in_user_code(exc: BaseException) -> str:
    """"my_optimizer.py, line 12" when the traceback passes through a user's file this child was granted."""
    custom = sys.modules.get("studio.engine.custom_optimizer")
    if custom is None:
        return ""
    for path in custom.granted_files():
        if line := custom.user_line(exc, path):
            return path.rsplit("/", 1)[-1] + line
    return ""


def classify(exc: BaseException) -> Classified:
    if diskspace.is_disk_full(exc):  # first: a project error raised because a write failed is still this
        return Classified(diskspace.DISK_FULL, f"The disk is full: {exc}", True)
    for module, name, reason in _PROJECT_ERRORS:
        cls = _loaded_class(module, name)
        if cls is not None and isinstance(exc, cls):
            return Classified(reason if reason else getattr(exc, "reason", ev.INTERNAL), str(exc), True)
    if _out_of_memory(exc):
        return Classified(ev.OUT_OF_MEMORY, OOM_MESSAGE, True)
    if where := _in_user_code(exc):  # the user's optimizer raised while training: its file and line say where
        return Classified("custom_code", f"{where}: {type(exc).__name__}: {exc}", True)
    return Classified(ev.INTERNAL, f"{type(exc).__name__}: {exc}", False)
