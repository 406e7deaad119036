"""A long-lived child holding one model, answering predict requests over a multiprocessing Pipe.

Started by `studio.jobs.predictor.Predictor` (spawn, by module path). First message out:
{"ready": info} or {"error": message}; then for each request {"id", "op": "predict", "x"} it answers
{"id", "y"}; {"id", "op": "forecast", "steps"} answers {"id", "t", "v", "series"}; {"op": "stop"} ends it.
"""

from __future__ import annotations

import traceback
from typing import Any

import numpy as np


def _info(model, spec, ds) -> dict[str, Any]:
    info: dict[str, Any] = {
        "input_shape": [None if d is None else int(d) for d in model.inputs[0].shape[1:]],
        "output_shape": [None if d is None else int(d) for d in model.outputs[0].shape[1:]],
        "inputs": len(model.inputs), "task": "", "kind": "", "class_names": [], "feature_names": [],
        "normalization": None,
    }
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


def main(conn, model_path: str, spec_dict: dict | None, backend: str, device: str = "cpu") -> None:
    import os

    from studio.engine import parent_watch

    parent_watch.watch(lambda: os._exit(parent_watch.GONE_EXIT_CODE), grace=5)  # the app was killed mid-load
    try:
        from studio.engine import bootstrap

        bootstrap.start(backend, device)
        import keras

        from studio.core.spec import parse_spec
        from studio.data.dataset import DataError
        from studio.engine.build import split_inputs
        from studio.engine.evaluate import EvaluationError, SeriesScale, load_data, load_model
        from studio.data import evaluation as E  # noqa: N812 - short, like np

        try:
            model = load_model(model_path)
        except EvaluationError as exc:
            conn.send({"error": str(exc)})
            return
        spec = parse_spec(spec_dict) if spec_dict else None
        ds = None
        if spec is not None and spec.data.source not in ("mnist", "fashion_mnist", "cifar10", "cifar100"):
            try:
                ds = load_data(spec)
            except DataError:
                ds = None
        conn.send({"ready": _info(model, spec, ds)})
    except Exception as exc:  # noqa: BLE001
        conn.send({"error": f"the model could not be loaded: {exc}", "details": traceback.format_exc()})
        return
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        op = req.get("op")
        if op == "stop":
            return
        try:
            if op == "predict":
                x = np.asarray(req["x"], dtype=np.float32)
                y = keras.ops.convert_to_numpy(model(split_inputs(model, x), training=False))
                conn.send({"id": req["id"], "y": np.asarray(y)})
            elif op == "forecast":
                if ds is None or "series" not in ds.extra:
                    raise ValueError("this model was not trained on a series")
                sc = SeriesScale(ds)
                series = np.asarray(req.get("series") or ds.extra["series"], dtype=np.float64)

                def predict_raw(windows, sc=sc):
                    out = keras.ops.convert_to_numpy(model(sc.inputs(windows), training=False))
                    return sc.values(out, np.asarray(windows, dtype=np.float64)[:, -1])

                t, v = E.forecast(predict_raw, series, int(ds.extra["window"]), int(ds.extra["horizon"]),
                                  int(req.get("steps", 30)))
                conn.send({"id": req["id"], "t": t, "v": v, "series": series})
            else:
                raise ValueError(f"unknown request {op!r}")
        except Exception as exc:  # noqa: BLE001 - one bad request must not end the predictor
            conn.send({"id": req.get("id"), "error": f"{type(exc).__name__}: {exc}"})
