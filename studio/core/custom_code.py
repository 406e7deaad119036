"""Code the user runs: a spec may name a Python file of its own (today: `optimizer.name = "custom"`, whose
`optimizer.path` defines a keras.optimizers.Optimizer subclass).

Keras Studio runs such a file only when the user allowed it: the CLI with `--allow-code`, the app once the
project folder is trusted (`studio.core.trust`). The parent decides and passes the allowed files to the child
(`granted`), which refuses any other (`studio.engine.custom_optimizer`). Everything here reads files as
text and never runs them: the static check parses the source with `ast` only.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from studio.core.optimizers import CUSTOM
from studio.core.spec import RunSpec

ALLOW_FLAG = "--allow-code"
TEMPLATE_CLASS = "MomentumSGD"


PYTHON_EXPORT_REFUSAL = ("the Python export does not carry a custom optimizer yet; export the model as .keras (it "
                         "keeps the optimizer by name), or copy the optimizer's .py file beside your script")


class CodeRefusedError(RuntimeError):
    """A spec names code that was not allowed; the message names the file and how to allow it."""


def code_file(spec: RunSpec) -> Path | None:
    """The Python file the spec runs (None when it runs none), as the spec names it."""
    opt = spec.optimizer
    return Path(opt.path) if opt.name == CUSTOM and opt.path else None


def resolved(spec: RunSpec, base_dir: str | Path | None) -> RunSpec:
    """The spec with its code file made absolute, relative to `base_dir` (the spec's folder), so the child and
    the run directory's spec.json find it wherever they run."""
    path = code_file(spec)
    if path is None or path.is_absolute() or base_dir is None:
        return spec
    out = spec.model_copy(deep=True)
    out.optimizer.path = str((Path(base_dir) / path).resolve())
    return out


def refusal(path: str | Path, how: str = f"add {ALLOW_FLAG} to run it") -> str:
    return (f"this spec runs your own Python code from {path} (optimizer.path, a custom optimizer); Keras "
            f"Studio runs code only when you allow it: read the file, then {how}")


def granted(spec: RunSpec, allowed: bool) -> list[str]:
    """The files the child may run: the spec's code file when allowed. CodeRefusedError when it names one that is
    not allowed, missing, or not a file."""
    path = code_file(spec)
    if path is None:
        return []
    if not allowed:
        raise CodeRefusedError(refusal(path))
    if not path.is_file():
        raise CodeRefusedError(f"optimizer.path: there is no file {path}; write one with keras-studio "
                          f"optimizer-template {path.name}, or fix the path (relative to the spec file)")
    return [str(path.resolve())]


@dataclass(frozen=True)
class SourceProblem:
    line: int  # 1-based; 0 when the problem has no line (a missing file)
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def source_problem(source: str, class_name: str, filename: str = "the file") -> SourceProblem | None:
    """What keeps `source` from defining `class_name` (a syntax error, no such class), read without running
    anything; None when it looks right. Whether it trains is for the child's one-step check."""
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        return SourceProblem(exc.lineno or 0, f"syntax error: {exc.msg}")
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    if class_name not in classes:
        found = ", ".join(classes) or "none"
        return SourceProblem(0, f"{filename} defines no class `{class_name}` at its top level (classes there: "
                                f"{found}); set optimizer.class_name to one of them")
    methods = {n.name for n in classes[class_name].body if isinstance(n, ast.FunctionDef)}
    if "update_step" not in methods:
        return SourceProblem(classes[class_name].lineno, f"class `{class_name}` has no update_step(self, "
                             "gradient, variable, learning_rate): that method is the update rule")
    return None


def file_problem(path: str | Path, class_name: str) -> SourceProblem | None:
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return SourceProblem(0, f"there is no file {path}; write one with keras-studio optimizer-template {path}")
    except (OSError, UnicodeDecodeError) as exc:
        return SourceProblem(0, f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}")
    return source_problem(source, class_name, path.name)


TEMPLATE = '''"""{class_name}: stochastic gradient descent with momentum, written out with keras.ops.

Keras Studio trains with this class when the spec's optimizer is
    "optimizer": {{"name": "custom", "path": "{file_name}", "class_name": "{class_name}", "learning_rate": 0.01}}
Use keras.ops (never numpy, tensorflow, torch or jax directly) and it runs on every backend.
"""

import keras
from keras import ops


class {class_name}(keras.optimizers.Optimizer):
    def __init__(self, learning_rate=0.01, momentum=0.9, name="{snake}", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.momentum = momentum

    def build(self, variables):
        """Make the optimizer's own state: one velocity per weight, zero at the start."""
        if self.built:
            return
        super().build(variables)
        self.velocities = [self.add_variable_from_reference(v, "velocity") for v in variables]

    def update_step(self, gradient, variable, learning_rate):
        """THE UPDATE RULE, for one weight w with gradient g:
            v <- momentum * v - learning_rate * g
            w <- w + v
        Change these lines to write your own optimizer."""
        lr = ops.cast(learning_rate, variable.dtype)
        g = ops.cast(gradient, variable.dtype)
        v = self.velocities[self._get_variable_index(variable)]
        self.assign(v, ops.subtract(ops.multiply(v, self.momentum), ops.multiply(g, lr)))
        self.assign_add(variable, v)

    def get_config(self):
        """Every __init__ argument, so a saved model (.keras) rebuilds this optimizer."""
        config = super().get_config()
        config.update({{"momentum": self.momentum}})
        return config
'''


def template(class_name: str = TEMPLATE_CLASS, file_name: str = "my_optimizer.py") -> str:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", class_name).lower()
    return TEMPLATE.format(class_name=class_name, file_name=file_name, snake=snake)
