"""Load the user's own optimizer class from the Python file a spec names (code the user allowed).

The parent decides what may run (`studio.core.custom_code.granted`) and passes those files in the job's
payload; `grant` records them in this child, and `load_class` refuses any other file with the message that
says how to allow it. The class is registered as a Keras serializable, so a model saved while training with
it records the optimizer by that name, and `custom_objects` brings it back when Studio loads the model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import keras

from studio.core.custom_code import CodeRefusedError, refusal

PACKAGE = "KerasStudioCustom"  # the registered name is "KerasStudioCustom>ClassName"
_GRANTED: set[str] = set()


def grant(paths: list[str] | None) -> None:
    """The files this child may run (the job's payload "code"); none by default."""
    _GRANTED.update(str(Path(p).resolve()) for p in paths or [])


def granted_files() -> list[str]:
    return sorted(_GRANTED)


def granted(path: str | Path) -> bool:
    return str(Path(path).resolve()) in _GRANTED


class CustomCodeError(ValueError):
    """The user's file does not give a usable optimizer; the message names the file, the line and the fix."""


def load_class(path: str | Path, class_name: str) -> type:
    """The class `class_name` of the file at `path`, imported fresh (an edited file is read again) and
    registered with Keras; CodeRefusedError for a file not granted, CustomCodeError for a broken one."""
    path = Path(path)
    if not granted(path):
        raise CodeRefusedError(refusal(path))
    if not path.is_file():
        raise CustomCodeError(f"optimizer.path: there is no file {path}")
    source = path.read_bytes()
    name = f"keras_studio_user_{hashlib.sha1(source + str(path).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None  # a .py file always has a loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look their module up there
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - the user's code may raise anything while it is imported
        sys.modules.pop(name, None)
        raise CustomCodeError(f"{path.name}{user_line(exc, path)}: {type(exc).__name__}: {exc}") from None
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type) or not issubclass(cls, keras.optimizers.Optimizer):
        what = "has no" if cls is None else "has a"
        raise CustomCodeError(f"{path.name} {what} `{class_name}` that is not a keras.optimizers.Optimizer subclass; "
                              "write class " + class_name + "(keras.optimizers.Optimizer) with build and update_step")
    return keras.saving.register_keras_serializable(package=PACKAGE, name=class_name)(cls)


def user_line(exc: BaseException, path: str | Path) -> str:
    """", line N" for the deepest frame of the traceback inside the user's file ("" when none is)."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f", line {exc.lineno}"
    target, line = str(Path(path).resolve()), 0
    tb = exc.__traceback__
    while tb is not None:
        if str(Path(tb.tb_frame.f_code.co_filename).resolve()) == target:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f", line {line}" if line else ""


def saved_optimizer(model_path: str | Path) -> str | None:
    """The registered name ("KerasStudioCustom>SignSGD") of the user's optimizer a .keras file was compiled
    with; None for Keras' own (or no) optimizer. Reads config.json of the archive; runs nothing."""
    import json
    import zipfile

    try:
        with zipfile.ZipFile(model_path) as z:
            config = json.loads(z.read("config.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None  # Keras' own loader says what is wrong with the file
    optimizer = ((config.get("compile_config") or {}).get("optimizer") if isinstance(config, dict) else None) or {}
    name = optimizer.get("registered_name") if isinstance(optimizer, dict) else None
    return name if isinstance(name, str) and name.startswith(f"{PACKAGE}>") else None


def make(path: str | Path, class_name: str, rate, kwargs: dict):
    """An instance for training; the user's __init__ errors name their line."""
    cls = load_class(path, class_name)
    try:
        return cls(learning_rate=rate, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the user's constructor may raise anything
        raise CustomCodeError(f"{Path(path).name}{user_line(exc, path)}: {class_name}(...) failed: "
                              f"{type(exc).__name__}: {exc}") from None
