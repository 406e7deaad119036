"""The user's own optimizer in an exported script: its file's source, carried verbatim.

`studio.engine.codegen` (the Python export) does not call this yet; until it does, `export` refuses a custom
optimizer's Python export with `PYTHON_EXPORT_REFUSAL`. The integrator puts `optimizer_source(spec)` before
the recipe and compiles with `optimizer_call(spec)` instead of the `optimizer(...)` of Keras' own classes.
The source is the user's own code, not text from the spec: the spec only names the file (and the class
name, a Python identifier the spec checks).
"""

from __future__ import annotations

from pathlib import Path

from studio.core.custom_code import PYTHON_EXPORT_REFUSAL, code_file
from studio.core.spec import RunSpec

__all__ = ["PYTHON_EXPORT_REFUSAL", "optimizer_call", "optimizer_source"]


def optimizer_source(spec: RunSpec) -> str:
    """The block the script starts its optimizer with: the file's source under a header that names it ('' for
    Keras' own optimizers). OSError when the file cannot be read."""
    path = code_file(spec)
    if path is None:
        return ""
    source = Path(path).read_text(encoding="utf-8")
    bar = "#" + "-" * 99
    return (f"{bar}\n# Your own optimizer, copied from {path.name} (optimizer.class_name = "
            f"{spec.optimizer.class_name})\n{bar}\n{source.rstrip()}\n{bar}\n")


def optimizer_call(spec: RunSpec, rate: str = "rate", args: str = "OPTIMIZER_ARGS") -> str:
    """The expression that makes the optimizer in the script, for a custom one: `MomentumSGD(learning_rate=rate,
    **OPTIMIZER_ARGS)`."""
    assert spec.optimizer.class_name and spec.optimizer.class_name.isidentifier()  # the spec checks both
    return f"{spec.optimizer.class_name}(learning_rate={rate}, **{args})"
