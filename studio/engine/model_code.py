"""A spec's network as `keras.layers` code, one line a block, for the Python export.

Each line comes from the Keras layer Studio's builder makes of the block (`build.make_layer`, through the block
registry), never from a table kept here: the call starts from the class's required arguments and every other
argument its `get_config()` holds, and each of those is dropped when the config stays the same without it, so
only the arguments that differ from the class's defaults are written, in the class's own argument order. Nested
Keras objects (initializers, regularizers, constraints) become readable calls by the same rule, or their string
alias where one gives the same config. Every line is checked as it is made: the call is built and its config must
equal the layer's; a layer that fails (a custom object, a config no call reproduces) is written as its Keras
config instead, with a comment, for that one layer only.

A chain reads `x = layers.Dense(20, activation="relu", name="dense_1")(x)`; a tensor that a later block reads
again (a skip connection, several inputs or outputs) gets a name of its own.
"""

from __future__ import annotations

import builtins
import inspect
import keyword
import math
import pprint
import re
from dataclasses import dataclass, field
from typing import Any

import keras

from studio.core import catalog
from studio.core.analysis import resolve_graph
from studio.core.spec import RunSpec
from studio.engine import build

_MODULES = {"keras.layers": "layers"}  # the script imports `from keras import layers`; the rest by full name
_GETTERS = {"keras.initializers": keras.initializers.get, "keras.regularizers": keras.regularizers.get,
            "keras.constraints": keras.constraints.get}
_RESERVED = {"keras", "np", "layers", "inputs", "outputs", "x", "model", "build_model", "math", "json", "os"}
WIDTH = 116  # the longest line the script writes for a call
_SAME_INTS = ("kernel_size", "strides", "pool_size", "dilation_rate", "size", "cropping", "padding")


@dataclass(frozen=True)
class Raw:
    """Code written as it is (a name of the script, such as `rate`); never spec text."""

    code: str


@dataclass
class Call:
    """`path(*args, **kwargs)`: a Keras constructor call that can be both written and built."""

    module: str
    name: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)

    def build(self):
        target = getattr(keras, self.module.split(".", 1)[1]) if "." in self.module else keras
        return getattr(target, self.name)(*[_built(a) for a in self.args],
                                          **{k: _built(v) for k, v in self.kwargs.items()})

    def text(self, column: int | None = None, tail: str = "") -> str:
        """The call; given the `column` it starts at, lines that would pass WIDTH wrap under its parenthesis."""
        parts = [_text(a) for a in self.args] + [f"{k}={_text(v)}" for k, v in self.kwargs.items()]
        head = f"{_MODULES.get(self.module, self.module)}.{self.name}("
        if column is None or column + len(head) + len(", ".join(parts)) + 1 + len(tail) <= WIDTH:
            return head + ", ".join(parts) + ")" + tail
        lines: list[str] = []
        line, indent = head, " " * (column + len(head))
        for i, part in enumerate(parts):
            piece = part + (", " if i < len(parts) - 1 else ")" + tail)
            if line.strip() and len(line) + len(piece.rstrip()) + (column if not lines else 0) > WIDTH:
                lines.append(line.rstrip())
                line = indent
            line += piece
        return "\n".join([*lines, line])


def _built(value):
    if isinstance(value, Call):
        return value.build()
    if isinstance(value, list):
        return [_built(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_built(v) for v in value)
    return value


def _text(value) -> str:
    if isinstance(value, Call):
        return value.text()
    if isinstance(value, Raw):
        return value.code
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if isinstance(value, (list, tuple)):
        items = ", ".join(_text(v) for v in value)
        return f"({items}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{items}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_text(k)}: {_text(v)}" for k, v in value.items()) + "}"
    return repr(value) if not isinstance(value, str) else _quoted(value)


def text_of(value) -> str:
    """A value as the script writes it (calls as calls, strings in double quotes, all literals by repr)."""
    return _text(value)


def _quoted(text: str) -> str:
    """A string literal in double quotes (the house style of Keras' own examples), always by repr."""
    r = repr(text)
    if r.startswith("'") and '"' not in text:
        return '"' + r[1:-1].replace("\\'", "'") + '"'
    return r


def _config(obj) -> dict:
    cfg = dict(obj.get_config())
    cfg.pop("name", None)
    return cfg


def _signature(cls) -> list[inspect.Parameter]:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    return [p for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def minimal_call(module: str, cls, config: dict, extra: dict | None = None,
                 ignore: frozenset[str] = frozenset()) -> Call:
    """The shortest call of `cls` whose config equals `config`: its required arguments, then those that
    change the config, in the class's argument order (each dropped when the config holds without it)."""
    extra = extra or {}
    sig = _signature(cls)
    required = [p.name for p in sig if p.default is inspect.Parameter.empty and p.name in config]
    kwargs = {p.name: _value(config[p.name], p.name) for p in sig
              if p.name in config and p.name not in required and p.name not in ignore}

    def config_of(kw: dict) -> dict:
        built = _config(Call(module, cls.__name__, [_value(config[r], r) for r in required], {**kw, **extra}).build())
        return {k: v for k, v in built.items() if k not in ignore}

    target = {k: v for k, v in config.items() if k != "name" and k not in ignore}
    for key in list(kwargs):
        trial = {k: v for k, v in kwargs.items() if k != key}
        try:
            if config_of(trial) == target:
                kwargs = trial
        except Exception:  # noqa: BLE001 - an argument the class needs after all: keep it
            continue
    return Call(module, cls.__name__, [_value(config[r], r) for r in required], {**kwargs, **extra})


def _value(value, key: str = ""):
    """A config value as a call argument: serialised Keras objects become calls (or aliases), equal-int tuples of
    sizes become one int (as Keras' examples write `Conv2D(32, 5)`)."""
    if isinstance(value, dict) and {"class_name", "config"} <= value.keys() and value.get("module") in _GETTERS:
        return _object(value)
    if isinstance(value, (list, tuple)) and key in _SAME_INTS and len(value) > 1 and \
            all(isinstance(v, int) and v == value[0] for v in value):
        return value[0]
    return value


def _object(serialised: dict):
    module, getter = serialised["module"], _GETTERS[serialised["module"]]
    obj = getter(serialised)
    alias = re.sub(r"(?<!^)(?=[A-Z])", "_", type(obj).__name__).lower()
    try:
        if type(getter(alias)) is type(obj) and _config(getter(alias)) == _config(obj):
            return alias
    except Exception:  # noqa: BLE001 - no such alias (or one that needs arguments): write the call
        pass
    return minimal_call(module, type(obj), _config(obj))


# ------------------------------------------------------------------------------------------------ the graph
@dataclass
class ModelCode:
    lines: list[str]  # the body of build_model(), indented
    fallbacks: list[str]  # block ids written as their Keras config

    def text(self) -> str:
        return "\n".join(self.lines)


def layer_call(layer, ignore: frozenset[str] = frozenset()) -> Call | None:
    """The readable call that rebuilds `layer` (config-equal but for the `ignore` keys, which Keras fills
    anew each time, such as a seed it draws itself), or None when no call does."""
    cls = type(layer)
    if getattr(keras.layers, cls.__name__, None) is not cls:
        return None  # a custom layer: no keras.layers name to call
    config = {k: v for k, v in layer.get_config().items() if k not in ignore}
    try:
        call = minimal_call("keras.layers", cls, {k: v for k, v in config.items() if k != "name"},
                            {"name": layer.name}, ignore)
        rebuilt = {k: v for k, v in call.build().get_config().items() if k not in ignore}
    except Exception:  # noqa: BLE001 - any failure means: write the config instead
        return None
    return call if rebuilt == config else None


def drawn_keys(first, second) -> frozenset[str]:
    """Config keys that differ between two layers made from one block: what Keras draws itself (a seed)."""
    a, b = first.get_config(), second.get_config()
    return frozenset(k for k in a if a[k] != b.get(k))


def _identifier(block_id: str, taken: set[str]) -> str:
    name = re.sub(r"\W", "_", block_id.encode("ascii", "replace").decode()).strip("_") or "t"
    if name[0].isdigit():
        name = "t_" + name
    if keyword.iskeyword(name) or name in _RESERVED or name in dir(builtins):
        name += "_"
    base, n = name, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def model_code(spec: RunSpec, model=None) -> ModelCode:
    """The body of `build_model()`: one line a block; `model` (a trained model) gives the layers' configs."""
    order, outputs = resolve_graph(spec.model, spec.data.augmentation)
    readers: dict[str, list[int]] = {}
    for i, (_block, srcs) in enumerate(order):
        for s in srcs:
            readers.setdefault(s, []).append(i)
    inputs = [b.id for b, _ in order if b.type == "Input"]
    taken: set[str] = set()
    names: dict[str, str] = {}
    lines, fallbacks = [], []
    for i, (block, srcs) in enumerate(order):
        params = block.resolved_params()
        if block.type == "Input":
            var = "inputs" if len(inputs) == 1 else _identifier(block.id, taken)
            dtype = "" if params["dtype"] == "float32" else f", dtype={_quoted(params['dtype'])}"
            lines.append(f"    {var} = keras.Input(shape={_text(tuple(params['shape']))}{dtype}, "
                         f"name={_quoted(block.id)})")
            names[block.id] = var
            continue
        chained = readers.get(block.id, []) in ([i + 1], []) and (block.id not in outputs or
                                                                    (len(outputs) == 1 and i == len(order) - 1))
        var = "x" if chained else _identifier(block.id, taken)
        made = build.make_layer(block.type, params, block.id, spec)
        drawn = drawn_keys(made, build.make_layer(block.type, params, block.id, spec))
        layer = _trained_layer(model, block.id) or made
        args = [names[s] for s in srcs]
        arg = f"[{', '.join(args)}]" if catalog.get(block.type).arity is None else args[0]
        call = layer_call(layer, drawn)
        if call is None:
            fallbacks.append(block.id)
            lines.append(f"    # {block.id}: {type(layer).__name__} is a custom layer (or one no keras.layers call "
                         "rebuilds), written as its")
            lines.append("    # Keras config; a custom class must be defined and registered first "
                         "(keras.saving.register_keras_serializable)")
            config = {k: v for k, v in keras.layers.serialize(layer).items() if k != "build_config"}
            prefix = f"    {var} = keras.layers.deserialize("
            lines.append(prefix + _config_text(config, len(prefix)) + f")({arg})")
        else:
            lines.append(f"    {var} = " + call.text(len(f"    {var} = "), f"({arg})"))
        names[block.id] = var
    ins = names[inputs[0]] if len(inputs) == 1 else "[" + ", ".join(names[i] for i in inputs) + "]"
    outs = names[outputs[0]] if len(outputs) == 1 else "[" + ", ".join(names[o] for o in outputs) + "]"
    lines.append(f"    return keras.Model({ins}, {outs}, name={_quoted(build._model_name(spec))})")
    return ModelCode(lines, fallbacks)


def _config_text(config: dict, column: int) -> str:
    """A layer's Keras config as a literal indented to start at `column` (every string by repr)."""
    if not _finite(config):
        return _text(config)
    return pprint.pformat(config, width=WIDTH - column, sort_dicts=False).replace("\n", "\n" + " " * column)


def _finite(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_finite(v) for v in value)
    return True


def _trained_layer(model, name: str):
    if model is None:
        return None
    try:
        return model.get_layer(name)
    except ValueError:
        return None
