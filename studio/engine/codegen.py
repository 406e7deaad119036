"""Run spec → a standalone Python script that reproduces the run with plain Keras 3 (no Keras Studio).

Nothing of the engine is retyped here. The script holds:
  - the spec's settings as constants;
  - the data code the engine runs, copied from studio.data by `studio.engine.embed` (the loader of the
    spec's source, then `prepare`: split, impute, normalise with training statistics, left out when the run
    does none of that);
  - the network as `keras.layers` code, one line a block, made from each block's own Keras layer by
    `studio.engine.model_code` (only the arguments that differ from Keras' defaults);
  - the training recipe copied from studio.engine.recipe (the schedule and callbacks only when the run has
    them), with the optimizer written as one call;
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
import sys
import textwrap
from typing import Any

import keras

from studio import __version__
from studio.core import datasets, head_fit
from studio.core.optimizers import OPTIMIZER_CLASSES
from studio.core.spec import RunSpec
from studio.data import loaders
from studio.data.class_weights import class_weights
from studio.engine import build, model_code, recipe
from studio.engine.embed import embed

RULE = "# " + "-" * 40


class CodegenError(ValueError):
    """A spec the script generator cannot reproduce; the message names what and suggests another way."""

    reason = "unsupported"


def _slug(title: str) -> str:
    """An ASCII file-name stem from the title (only letters, digits and _ ever reach the script)."""
    return "".join(c if c.isascii() and c.isalnum() else "_" for c in title.lower()).strip("_") or "model"


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

# a run without validation or test split and without normalisation trains on the samples as they load
_DATA_PLAIN = '''
def load_data():
    """The samples as they load ({note}): this run holds out no validation or test split and
    normalises nothing (Keras Studio would do both here, with the training split's statistics)."""
    return {call}
'''

_MAIN = '''
def describe(model):
    rows = [{"name": layer.name, "type": type(layer).__name__, "params": int(layer.count_params())}
            for layer in model.layers]
    return {"layers": rows, "total_params": int(model.count_params())}


def compiled_model(ds, steps, epochs):
    """The network, compiled with the run's optimizer, its loss (settled for the data's task) and metrics."""
@COMPILE@


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
              @CLASS_WEIGHT@@CALLBACKS@verbose=2)
    for name, xs, ys in (("validation", ds.x_val, ds.y_val), ("test", ds.x_test, ds.y_test)):
        if xs is not None and len(xs):
            result = model.evaluate(split_inputs(model, xs), prepare_targets(ys, loss, ds.num_classes), verbose=0,
                                    return_dict=True)
            print(name, "  ".join(f"{k} {float(v):.4f}" for k, v in result.items()))
    if args.save:
        model.save(args.save)
        print("saved", args.save)
'''

_HEADER_IMPORTS = ("import argparse", "import json", "import math", "import os", "import keras", "import numpy as np",
                   "from keras import layers")


def _import_block(imports: list[str]) -> tuple[str, list[str]]:
    """(the standard-library imports, the header's and the embedded code's, merged per module; the others)."""
    names: dict[str, list[str]] = {}
    plain, third_party = {"argparse", "json", "math", "os"}, []
    for line in imports:
        words = line.split()
        if words[1].split(".")[0] not in sys.stdlib_module_names:
            third_party.append(line)
        elif words[0] == "import" and len(words) == 2:
            plain.add(words[1])
        elif words[0] == "from" and len(words) == 4:
            names.setdefault(words[1], []).append(words[3])
        else:
            third_party.append(line)  # an `as` import: as it was written
    lines = [f"import {m}" for m in sorted(plain)]
    lines += [f"from {m} import {', '.join(sorted(set(n)))}" for m, n in sorted(names.items())]
    return "\n".join(lines) + "\n", third_party


def _built_model(spec: RunSpec, model):
    if model is not None:
        return model
    try:
        return build.build_model(spec)
    except build.ModelBuildError as exc:
        raise CodegenError(f"the model cannot be built, so there is nothing to export: {exc}") from None


# the loss and metrics settled when the script runs (the data's task was not known at export)
_COMPILE_LATE = '''    model = build_model()
    loss = resolve_loss(LOSS, ds.task, ds.num_classes, model.outputs[0].shape[-1], LABEL_SMOOTHING)
@RATE@    optimizer = @OPTIMIZER@
    model.compile(optimizer=optimizer, loss=loss_object(loss, LABEL_SMOOTHING),
                  metrics=metric_objects(METRICS, loss, ds.task, ds.num_classes))
    return model, loss'''

# the loss and metrics as Keras Studio settled them for this data (studio.engine.recipe), written out
_COMPILE = '''    model = build_model()
@RATE@    model.compile(optimizer=@OPTIMIZER@,
                  loss=@LOSS@,
                  metrics=@METRICS@)
    return model, LOSS'''


def _settled_recipe(spec: RunSpec, head_units: int) -> tuple[str, str, str] | None:
    """(resolved loss name, the loss call, the metrics list) as code, made from the objects the engine's recipe
    builds for this data; None when the data cannot be read here (the script then settles them itself)."""
    import warnings

    try:
        shape = loaders.data_shape(spec.data, spec.training.seed)
    except Exception:  # noqa: BLE001 - a file that is not there yet: the script settles the loss when it runs
        return None
    if shape is None:
        return None
    smoothing = spec.regularization.label_smoothing
    loss = head_fit.resolve_loss(spec.training.loss, shape.task, shape.num_classes, head_units, smoothing)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a metric left out: the checker already says so
        metrics = recipe.metric_objects(spec.training.metrics, loss, shape.task, shape.num_classes)
    loss_obj = recipe.loss_object(loss, smoothing)
    loss_code = (model_code.minimal_call("keras.losses", type(loss_obj), _named(loss_obj)).text()
                 if isinstance(loss_obj, keras.losses.Loss) else model_code.text_of(loss))
    items = [model_code.text_of(m) if isinstance(m, str) else
             model_code.minimal_call("keras.metrics", type(m), _named(m), {"name": m.name}).text() for m in metrics]
    return loss, loss_code, "[" + ", ".join(items) + "]"


def _named(obj) -> dict:
    return {k: v for k, v in obj.get_config().items() if k != "name"}


def _optimizer_call(spec: RunSpec) -> model_code.Call:
    """The run's optimizer as one readable call, made from the optimizer the engine builds (only the arguments
    that differ from Keras' defaults)."""
    opt = spec.optimizer
    built = recipe.optimizer(OPTIMIZER_CLASSES[opt.name], build.optimizer_kwargs(spec), float(opt.learning_rate))
    config = built.get_config()
    call = model_code.minimal_call("keras.optimizers", type(built), {k: v for k, v in config.items() if k != "name"})
    if opt.schedule.name != "constant":
        call.kwargs["learning_rate"] = model_code.Raw("rate")
    else:
        call.kwargs.pop("learning_rate", None)  # the spec's own figure, not its float32 copy
        call.kwargs = {"learning_rate": float(opt.learning_rate), **call.kwargs}
    return call


def _plain_data(spec: RunSpec) -> bool:
    """Whether Studio's `prepare` leaves this run's samples as they load (no split, no normalisation, no
    series, no file that may hold gaps or stream), so the script can do without it."""
    d, info = spec.data, datasets.get(spec.data.source)
    return (info.group in ("Bundled", "Generated", "Inline") and info.kind != "series" and not d.validation_split
            and not d.test_split and d.normalize == "none")


def _spec_comment(spec: RunSpec) -> str:
    """The run spec, without its defaults, as ASCII-escaped JSON comments (for reference and for
    `keras-studio train`; spec text never reaches the script as code)."""
    text = json.dumps(spec.model_dump(mode="json", exclude_defaults=True), ensure_ascii=True)
    return "\n".join("# " + line for line in textwrap.wrap(text, 114, break_on_hyphens=False))


def generate(spec: RunSpec, model=None) -> str:
    """The whole script as text; `model` (the trained keras.Model) gives the layers' configs, else the spec
    is built."""
    d, t, opt = spec.data, spec.training, spec.optimizer
    info = datasets.get(d.source)
    slug = _slug(spec.meta.title)
    built = _built_model(spec, model)
    network = model_code.model_code(spec, model)
    plain = _plain_data(spec)
    functions, call, consts, note = _source(spec)
    data_objects = functions if plain else [*functions, loaders.prepare, loaders.materialize]
    scheduled = opt.schedule.name != "constant"
    es, rop = spec.regularization.early_stopping, opt.reduce_on_plateau
    settled = _settled_recipe(spec, int(built.outputs[0].shape[-1]))
    recipe_objects = [build.prepare_targets, build.split_inputs]
    if settled is None:
        recipe_objects[:0] = [head_fit.resolve_loss, recipe.loss_object, recipe.metric_objects]
    if scheduled:
        recipe_objects.insert(0, recipe.learning_rate)
    if es or rop:
        recipe_objects.append(recipe.stopping_callbacks)
    weighted = t.class_weight != "none"
    if weighted:
        recipe_objects.append(class_weights)
    data = embed(data_objects)
    training = embed(recipe_objects)
    embed([*data_objects, *recipe_objects])  # refuses one name for two things
    imports = sorted(set(data.imports + training.imports) - set(_HEADER_IMPORTS))
    settings: dict[str, Any] = {
        "TITLE": spec.meta.title, "SEED": t.seed, "EPOCHS": t.epochs, "BATCH_SIZE": t.batch_size,
        "SHUFFLE": d.shuffle}
    if not plain:
        settings.update({"VALIDATION_SPLIT": d.validation_split, "TEST_SPLIT": d.test_split,
                         "NORMALIZE": d.normalize, "SOURCE_KIND": info.kind, "SOURCE_TITLE": info.title})
    settings.update(consts)
    if settled is None:
        settings.update({"LOSS": t.loss, "METRICS": list(t.metrics),
                         "LABEL_SMOOTHING": spec.regularization.label_smoothing})
    else:
        settings["LOSS"] = settled[0]  # as Keras Studio settled it for this data and head
    if scheduled:
        settings.update({"LEARNING_RATE": opt.learning_rate, "SCHEDULE": opt.schedule.name,
                         "SCHEDULE_PARAMS": opt.schedule.resolved_params()})
    if es or rop:
        settings.update({"EARLY_STOPPING": es and es.model_dump(), "REDUCE_ON_PLATEAU": rop and rop.model_dump()})
    if weighted:
        settings["CLASS_WEIGHT"] = t.class_weight
    settings.update({"SAVE_AS": slug + ".keras", "INITIAL_MODEL": t.initial_model})
    needs = sorted({m for line in imports for m in (line.split()[1].split(".")[0],)} - {"__future__"})
    stdlib, third_party = _import_block(imports)
    other = "tensorflow" if t.backend == "jax" else "jax"
    commands = [(f"KERAS_BACKEND={t.backend} python {slug}.py", f"train as the run did; saves {slug}.keras"),
                (f"KERAS_BACKEND={other} python {slug}.py --epochs 5", "on another backend, for 5 epochs"),
                (f"python {slug}.py --check", "load the data and train one step: a quick test")]
    width = max(len(c) for c, _ in commands) + 2
    usage = "".join(f"    {c.ljust(width)}# {why}\n" for c, why in commands)
    header = f'''#!/usr/bin/env python3
"""Train the network of a Keras Studio run with plain Keras 3 (the run's title is TITLE, below).

Read it top to bottom: the settings, the data, the network (one line a layer, in `build_model`), the
training recipe and `main`. It needs keras, numpy and one Keras backend (tensorflow, torch or jax; the run
trained on {t.backend}); besides those it imports: {", ".join(needs) or "nothing else"}. Run it with:

{usage}
Options: --epochs N, --save FILE.keras, --describe layers.json, --save-data splits.npz, --check.
Generated by Keras Studio {__version__}; the run spec it came from is at the end.
"""

from __future__ import annotations

{stdlib}
os.environ.setdefault("KERAS_BACKEND", {model_code.text_of(t.backend)})  # or set KERAS_BACKEND when you run it

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402
''' + "".join(f"{line}  # noqa: E402\n" for line in third_party)
    settings_text = "\n".join(f"{k} = {model_code.text_of(v)}" for k, v in settings.items() if k != "SERIES")
    if "SERIES" in settings:
        values = ", ".join(repr(v) for v in settings["SERIES"])
        settings_text += f"\nSERIES = [{values}]  # {note}"
    compile_text = _COMPILE_LATE if settled is None else (
        _COMPILE.replace("@LOSS@", settled[1]).replace("@METRICS@", settled[2]))
    main = _MAIN.strip("\n").replace("@COMPILE@", compile_text).replace("@OPTIMIZER@", _optimizer_call(spec).text())
    main = main.replace("@RATE@", "    rate = learning_rate(LEARNING_RATE, SCHEDULE, SCHEDULE_PARAMS, steps, epochs)\n"
                        if scheduled else "")
    main = main.replace("@CLASS_WEIGHT@", "class_weight=class_weights(CLASS_WEIGHT, ds.y_train, ds.num_classes), "
                        if weighted else "")
    main = main.replace("@CALLBACKS@", "callbacks=stopping_callbacks(EARLY_STOPPING, REDUCE_ON_PLATEAU, has_val), "
                        if es or rop else "")
    fallback = (f"\n    # {', '.join(network.fallbacks)}: written as Keras config (no plain keras.layers call "
                "rebuilds it)" if network.fallbacks else "")
    model_text = ('def build_model():\n    """The network: one line a block of the run (each layer named by its '
                  f'block id), {len(built.layers)} layers, {built.count_params():,} parameters."""{fallback}\n'
                  + network.text())
    data_tail = (_DATA_PLAIN if plain else _DATA_TAIL).format(note=note, call=call).strip("\n")
    parts = [
        header,
        RULE + " settings",
        settings_text + "\n",
        RULE + " data: Keras Studio's own loading code (" + ", ".join(sorted({o.rsplit('.', 1)[0].split('.', 1)[1]
                                                                       for o in data.origins})) + ")",
        (data.text().rstrip("\n") + "\n\n\n" if data.text().strip() else "") + data_tail + "\n",
        RULE + " the network: one keras.layers call a block, from the block's own Keras config",
        model_text,
        RULE + " training: Keras Studio's own recipe (" + ", ".join(sorted({o.rsplit('.', 1)[0].split('.', 1)[1]
                                                                         for o in training.origins})) + ")",
        training.text() + "\n",
        main + "\n",
        "# The run spec this script was generated from (its defaults left out):\n" + _spec_comment(spec) + "\n",
        'if __name__ == "__main__":\n    main()\n',
    ]
    return "\n\n".join(parts)
