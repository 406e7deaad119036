"""The predict job's handler in the child runner: a long-lived child holding one model.

Started by `studio.jobs.predictor.Predictor`. payload {"model", "spec", "backend", "device"}. First event:
Ready(info) or Failed; then for each request line {"request": id, "op": "predict", "x"} it answers
Result(id, {"y"}); {"request": id, "op": "forecast", "steps"} answers Result(id, {"t", "v", "series"});
{"request": id, "op": "inside", "x"} (one sample) answers Result(id, {"x", "y", "layers", "maps",
"saliency", "gradcam"}): the sample, every block's output, the saliency of the predicted class per input and
Grad-CAM where the model has a convolution (studio.engine.inside);
a request that fails answers Result(id, error=...). EOF on the request stream (the parent closed it, or
went away) ends it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from studio.data.keras_files import CLASS_NAMES


def _info(model, spec, ds) -> dict[str, Any]:
    info: dict[str, Any] = {
        "input_shape": [None if d is None else int(d) for d in model.inputs[0].shape[1:]],
        "output_shape": [None if d is None else int(d) for d in model.outputs[0].shape[1:]],
        "inputs": len(model.inputs), "task": "", "kind": "", "class_names": [], "feature_names": [],
        "normalization": None,
    }
    if ds is None and spec is not None and spec.data.source in CLASS_NAMES:  # a download set, not loaded here
        info.update(task="classification", kind="image", class_names=list(CLASS_NAMES[spec.data.source]))
    if ds is not None:
        info.update(task=ds.task, kind=ds.kind, class_names=list(ds.class_names),
                    feature_names=list(ds.feature_names), normalization=ds.extra.get("normalization"))
        if ds.kind == "series" and "series" in ds.extra:
            info["series"] = list(ds.extra["series"])
            info["window"], info["horizon"] = int(ds.extra["window"]), int(ds.extra["horizon"])
        if ds.kind == "table" and len(ds.x_train):
            x = np.asarray(ds.x_train)
            norm = ds.extra.get("normalization")
            if norm:  # the form shows raw values: undo the scaling for the ranges
                x = x * np.asarray(norm["scale"]) + np.asarray(norm["shift"])
            info["feature_ranges"] = [[float(x[:, j].min()), float(x[:, j].max()), float(np.median(x[:, j]))]
                                      for j in range(x.shape[1])]
    return info


def _explainer(model, spec):
    from studio.engine.inside import Measure

    return Measure.of(model, {b.id for b in spec.model.blocks} if spec is not None else None)


def _inside(explainer, model, x: np.ndarray) -> dict[str, Any]:
    """One sample's way through the model, as plain arrays (wide feature maps keep their first channels)."""
    from keras import ops

    from studio.engine import gradients
    from studio.engine.build import split_inputs
    from studio.engine.recorder import fit_map

    parts = split_inputs(model, x)
    out = explainer.explain(parts if isinstance(parts, list) else [parts])
    numpy = ops.convert_to_numpy
    data: dict[str, Any] = {
        "x": x[0],  # the sample this answers (the app may have sent a newer one meanwhile)
        "y": np.asarray(numpy(out["predictions"])), "layers": [layer.name for layer in explainer.layers],
        "maps": {layer.name: fit_map(np.asarray(numpy(m)))[0].astype(np.float32)
                 for layer, m in zip(explainer.layers, out["maps"], strict=True)},
        "saliency": [np.asarray(numpy(s))[0] for s in out["saliency"]]}
    if "cam_gradient" in out:
        data["gradcam"] = gradients.grad_cam(np.asarray(numpy(out["cam_activation"])),
                                             np.asarray(numpy(out["cam_gradient"])))[0]
    return data


def run(payload: dict[str, Any], channel: Any) -> None:
    import os

    from studio.core import events as ev
    from studio.engine import parent_watch

    channel.on_gone(lambda: os._exit(parent_watch.GONE_EXIT_CODE), grace=5)  # the app was killed mid-load
    from studio.engine import bootstrap

    bootstrap.start(payload["backend"], payload.get("device", "cpu"))
    import keras

    from studio.core.spec import parse_spec
    from studio.data import evaluation
    from studio.data.dataset import DataError
    from studio.engine.build import split_inputs
    from studio.engine.evaluate import SeriesScale, load_data, load_model

    model = load_model(payload["model"])
    spec = parse_spec(payload["spec"]) if payload.get("spec") else None
    ds = None
    if spec is not None and spec.data.source not in ("mnist", "fashion_mnist", "cifar10", "cifar100"):
        try:
            ds = load_data(spec)
        except DataError:
            ds = None
    channel.emit(ev.Ready(info=_info(model, spec, ds)))
    explainer = None  # built on the first "inside" request: most sessions never ask
    while (req := channel.requests.get()) is not None:
        rid, op = req["request"], req.get("op")
        try:
            if op == "predict":
                x = np.asarray(req["x"], dtype=np.float32)
                y = keras.ops.convert_to_numpy(model(split_inputs(model, x), training=False))
                channel.emit(ev.Result(id=rid, data={"y": np.asarray(y)}))
            elif op == "forecast":
                if ds is None or "series" not in ds.extra:
                    raise ValueError("this model was not trained on a series")
                sc = SeriesScale(ds)
                series = np.asarray(req.get("series") or ds.extra["series"], dtype=np.float64)

                def predict_raw(windows, sc=sc):
                    out = keras.ops.convert_to_numpy(model(sc.inputs(windows), training=False))
                    return sc.values(out, np.asarray(windows, dtype=np.float64)[:, -1])

                t, v = evaluation.forecast(predict_raw, series, int(ds.extra["window"]), int(ds.extra["horizon"]),
                                  int(req.get("steps", 30)))
                channel.emit(ev.Result(id=rid, data={"t": t, "v": v, "series": series}))
            elif op == "inside":
                if explainer is None:
                    explainer = _explainer(model, spec)
                channel.emit(ev.Result(id=rid, data=_inside(explainer, model, np.asarray(req["x"], np.float32))))
            else:
                raise ValueError(f"unknown request `{op}`: expected predict, forecast or inside")
        except Exception as exc:  # noqa: BLE001 - one bad request must not end the predictor
            channel.emit(ev.Result(id=rid, data={}, error=f"{type(exc).__name__}: {exc}"))
