"""Run spec → a standalone Python script that reproduces the run with plain Keras 3 (no Keras Studio).

Nothing of the engine is retyped here. The script holds:
  - the spec's settings as constants;
  - the data code the engine runs, copied from studio.data by `studio.engine.embed` (the loader of the
    spec's source, then `prepare`: split, impute, normalise with training statistics);
  - the model as its Keras JSON config, rebuilt with `keras.models.model_from_json`, so every block exports
    without this module knowing it;
  - the training recipe (schedule, optimizer, loss, metrics, callbacks) copied from studio.engine.recipe;
  - a short `main()`: train, evaluate, save; `--check` runs the data and model path on a few samples.

    KERAS_BACKEND=jax python run.py --epochs 5 --save model.keras --describe layers.json

`build_model()` can also be imported on its own (training only runs under `__main__`).

A spec may come from anyone, so no text of it is ever spliced into the script's source: every string that
reaches the script (title, ids, column names, paths, keys, the model's config) is written as a Python literal
by `repr`, and the spec itself goes in as ASCII-escaped JSON comments.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import numpy as np

from studio import __version__
from studio.core import datasets, head_fit
from studio.core.optimizers import OPTIMIZER_CLASSES
from studio.core.spec import RunSpec
from studio.data import loaders
from studio.engine import build, recipe
from studio.engine.embed import embed

RULE = "# " + "-" * 40


class CodegenError(ValueError):
    """A spec the script generator cannot reproduce; the message names what and suggests another way."""

    reason = "unsupported"


def _lit(value: Any) -> str:
    """A Python literal for a JSON-like value; non-finite floats as float('inf') etc."""
    if isinstance(value, float) and not np.isfinite(value):
        return f"float({str(value)!r})"
    if isinstance(value, (list, tuple)):
        items = ", ".join(_lit(v) for v in value)
        return f"({items}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{items}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _slug(title: str) -> str:
    """An ASCII file-name stem from the title (only letters, digits and _ ever reach the script)."""
    return "".join(c if c.isascii() and c.isalnum() else "_" for c in title.lower()).strip("_") or "model"


def _chunks(text: str, width: int = 100) -> str:
    """A long string as a parenthesised run of short literals (every piece written by repr)."""
    pieces = [text[i:i + width] for i in range(0, len(text), width)] or [""]
    return "(\n" + "\n".join(f"    {p!r}" for p in pieces) + "\n)"


# ------------------------------------------------------------------------------------------------ data
def _source(spec: RunSpec) -> tuple[list, str, dict[str, Any], str]:
    """(functions to embed, the call that loads the source, extra constants, a note) for the spec's source."""
    info = datasets.get(spec.data.source)
    params = info.check_params(spec.data.params)
    if info.name == "csv" and params.get("mode") == "series" and not params.get("target"):
        # the column Studio chose when none was named, fixed in the script (it came from the file: a literal)
        params["target"] = loaders.load(spec.data, spec.training.seed).extra["target"]
    params["_seed"] = spec.training.seed
    consts: dict[str, Any] = {"PARAMS": params}
    if info.group == "Keras":
        return ([loaders._keras_source], f"_keras_source({info.name!r}, PARAMS, keras_datasets)", consts,
                "keras.datasets downloads the data unless PARAMS['path'] names a local copy")
    loader = loaders.LOADERS.get(info.name)
    if loader is None:
        raise CodegenError(f"the python export cannot yet write loading code for the data source `{info.name}` "
                           f"({info.title}); export the model as keras or onnx, or train on another source")
    if isinstance(loader, functools.partial) and loader.func is loaders._bundled_series:
        kw = loader.keywords  # the bundled series goes into the script itself, so it runs anywhere
        consts["SERIES"] = [float(v) for v in loaders.bundled_series(kw["file"], kw["column"])]
        call = f"_series_dataset(np.asarray(SERIES), PARAMS, {kw['column']!r}, {kw['title']!r})"
        source = f"{info.title}, bundled with Keras Studio: the values are in SERIES"
        return [loaders._series_dataset], call, consts, source
    if isinstance(loader, functools.partial):
        kwargs = ", ".join(f"{k}={v!r}" for k, v in loader.keywords.items())
        return [loader.func], f"{loader.func.__name__}(PARAMS, {kwargs})", consts, info.title
    return [loader], f"{loader.__name__}(PARAMS)", consts, info.title


_DATA_TAIL = '''
def keras_datasets(name):
    return getattr(keras.datasets, name).load_data()


def load_source():
    """The samples of the spec's source ({note})."""
    return {call}


def load_data():
    """Load, split (test, then validation), impute and normalise with training statistics, as Keras Studio does."""
    ds = prepare(load_source(), SOURCE_KIND, SOURCE_TITLE, PARAMS, VALIDATION_SPLIT, TEST_SPLIT, NORMALIZE, SEED,
                 SHUFFLE)
    for name in ("x_train", "x_val", "x_test"):
        setattr(ds, name, materialize(getattr(ds, name)))
    return ds
'''

# ------------------------------------------------------------------------------------------------ main
_MAIN = '''
def build_model():
    """The network (layer names are the Studio block ids), from its Keras config."""
    return keras.models.model_from_json(MODEL_JSON)


def describe(model):
    rows = [{"name": layer.name, "type": type(layer).__name__, "params": int(layer.count_params())}
            for layer in model.layers]
    return {"layers": rows, "total_params": int(model.count_params())}


def compiled_model(ds, steps, epochs):
    model = build_model()
    loss = resolve_loss(LOSS, ds.task, ds.num_classes, model.outputs[0].shape[-1], LABEL_SMOOTHING)
    rate = learning_rate(LEARNING_RATE, SCHEDULE, SCHEDULE_PARAMS, steps, epochs)
    model.compile(optimizer=optimizer(OPTIMIZER, OPTIMIZER_ARGS, rate), loss=loss_object(loss, LABEL_SMOOTHING),
                  metrics=metric_objects(METRICS, loss, ds.task, ds.num_classes))
    return model, loss


def check(ds):
    """Build and compile the model and train one step on a few samples: the export's own check."""
    n = min(len(ds.x_train), 8)
    model, loss = compiled_model(ds, 1, 1)
    x, y = ds.x_train[:n], prepare_targets(ds.y_train[:n], loss, ds.num_classes)
    model.fit(split_inputs(model, x), y, batch_size=n, epochs=1, verbose=0)
    print(json.dumps({"ok": True, "train_samples": int(len(ds.x_train)), "loss": loss,
                      "input_shape": [int(d) for d in ds.input_shape]}))


def main():
    parser = argparse.ArgumentParser(description=f"{TITLE}: " + __doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="training epochs (default: the run's)")
    parser.add_argument("--save", default=SAVE_AS, help="where to save the trained model (.keras)")
    parser.add_argument("--describe", help="also write the layers and parameter counts as JSON here")
    parser.add_argument("--save-data", help="also write the prepared splits (after normalisation) to this .npz")
    parser.add_argument("--check", action="store_true", help="only load the data and train one step on a few samples")
    args = parser.parse_args()
    if SEED is not None:
        keras.utils.set_random_seed(SEED)
    ds = load_data()
    if args.check:
        return check(ds)
    if args.save_data:
        splits = {k: getattr(ds, k) for k in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")}
        np.savez(args.save_data, **{k: v for k, v in splits.items() if v is not None and len(v)})
    batch_size = min(BATCH_SIZE or len(ds.x_train), len(ds.x_train))
    steps = math.ceil(len(ds.x_train) / batch_size)
    model, loss = compiled_model(ds, steps, args.epochs)
    if INITIAL_MODEL:
        model.load_weights(INITIAL_MODEL)  # continue training from an earlier run's weights
    model.summary()
    if args.describe:
        with open(args.describe, "w", encoding="utf-8") as f:
            json.dump(describe(model), f, indent=2)
    has_val = ds.x_val is not None and len(ds.x_val) > 0
    validation = (split_inputs(model, ds.x_val), prepare_targets(ds.y_val, loss, ds.num_classes)) if has_val else None
    model.fit(split_inputs(model, ds.x_train), prepare_targets(ds.y_train, loss, ds.num_classes),
              batch_size=batch_size, epochs=args.epochs, validation_data=validation, shuffle=SHUFFLE,
              callbacks=stopping_callbacks(EARLY_STOPPING, REDUCE_ON_PLATEAU, has_val), verbose=2)
    for name, xs, ys in (("validation", ds.x_val, ds.y_val), ("test", ds.x_test, ds.y_test)):
        if xs is not None and len(xs):
            result = model.evaluate(split_inputs(model, xs), prepare_targets(ys, loss, ds.num_classes), verbose=0,
                                    return_dict=True)
            print(name, "  ".join(f"{k} {float(v):.4f}" for k, v in result.items()))
    if args.save:
        model.save(args.save)
        print("saved", args.save)
'''

_HEADER_IMPORTS = ("import argparse", "import json", "import math", "import os", "import keras", "import numpy as np")
_RECIPE = [recipe.learning_rate, recipe.optimizer, recipe.loss_object, recipe.metric_objects,
           recipe.stopping_callbacks, head_fit.resolve_loss, build.prepare_targets, build.split_inputs]


def _model_json(spec: RunSpec, model=None) -> str:
    if model is None:
        try:
            model = build.build_model(spec)
        except build.ModelBuildError as exc:
            raise CodegenError(f"the model cannot be built, so there is nothing to export: {exc}") from None
    return json.dumps(json.loads(model.to_json()), ensure_ascii=True, separators=(",", ":"))


def generate(spec: RunSpec, model=None) -> str:
    """The whole script as text; `model` (the trained keras.Model) gives the config, else the spec is built."""
    d, t, opt = spec.data, spec.training, spec.optimizer
    info = datasets.get(d.source)
    slug = _slug(spec.meta.title)
    functions, call, consts, note = _source(spec)
    data = embed([*functions, loaders.prepare, loaders.materialize])
    training = embed(_RECIPE)
    embed([*functions, loaders.prepare, loaders.materialize, *_RECIPE])  # refuses one name for two things
    imports = sorted(set(data.imports + training.imports) - set(_HEADER_IMPORTS))
    es, rop = spec.regularization.early_stopping, opt.reduce_on_plateau
    settings = {
        "TITLE": spec.meta.title, "SEED": t.seed, "EPOCHS": t.epochs,
        "BATCH_SIZE": t.batch_size, "SHUFFLE": d.shuffle, "VALIDATION_SPLIT": d.validation_split,
        "TEST_SPLIT": d.test_split, "NORMALIZE": d.normalize, "SOURCE_KIND": info.kind, "SOURCE_TITLE": info.title,
        **consts,
        "LOSS": t.loss, "METRICS": list(t.metrics), "LABEL_SMOOTHING": spec.regularization.label_smoothing,
        "OPTIMIZER": OPTIMIZER_CLASSES[opt.name], "OPTIMIZER_ARGS": build.optimizer_kwargs(spec),
        "LEARNING_RATE": opt.learning_rate, "SCHEDULE": opt.schedule.name,
        "SCHEDULE_PARAMS": opt.schedule.resolved_params(),
        "EARLY_STOPPING": es and es.model_dump(), "REDUCE_ON_PLATEAU": rop and rop.model_dump(),
        "SAVE_AS": slug + ".keras", "INITIAL_MODEL": t.initial_model,
    }
    needs = sorted({m for line in imports for m in (line.split()[1].split(".")[0],)} - {"__future__"})
    header = f'''#!/usr/bin/env python3
"""Reproduce a Keras Studio run (its title is TITLE, below) with plain Keras 3.

Generated by Keras Studio {__version__} from the run spec (below, for reference). Besides keras, numpy and a
backend (choose one with KERAS_BACKEND: tensorflow, torch or jax) it imports: {", ".join(needs) or "nothing else"}.
Usage:

    KERAS_BACKEND={t.backend} python {slug}.py [--epochs N] [--save {slug}.keras] [--describe layers.json] [--check]
"""

from __future__ import annotations

import argparse
import json
import math
import os

os.environ.setdefault("KERAS_BACKEND", {t.backend!r})

import keras  # noqa: E402
import numpy as np  # noqa: E402
''' + "".join(f"{line}  # noqa: E402\n" for line in imports)
    settings_text = "\n".join(f"{k} = {_lit(v)}" for k, v in settings.items() if k != "SERIES")
    if "SERIES" in settings:
        values = ", ".join(repr(v) for v in settings["SERIES"])
        settings_text += f"\nSERIES = [{values}]  # {note}"
    parts = [
        header,
        RULE + " settings",
        settings_text + "\n",
        RULE + " data: Keras Studio's own loading code (" + ", ".join(sorted({o.rsplit('.', 1)[0].split('.', 1)[1]
                                                                       for o in data.origins})) + ")",
        data.text() + "\n",
        _DATA_TAIL.format(note=note, call=call).strip("\n") + "\n",
        RULE + " model: its Keras config, as Keras Studio built it",
        "MODEL_JSON = " + _chunks(_model_json(spec, model)) + "\n",
        RULE + " training: Keras Studio's own recipe (" + ", ".join(sorted({o.rsplit('.', 1)[0].split('.', 1)[1]
                                                                         for o in training.origins})) + ")",
        training.text() + "\n",
        _MAIN.strip("\n") + "\n",
        "\n# The run spec this script was generated from:\n"
        + "\n".join("# " + line for line in json.dumps(spec.to_dict(), indent=1, ensure_ascii=True).splitlines())
        + "\n",
        'if __name__ == "__main__":\n    main()\n',
    ]
    return "\n\n".join(parts)
