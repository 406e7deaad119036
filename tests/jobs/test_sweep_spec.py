"""Sweep specs and search spaces: refused before anything runs, naming the parameter."""

from __future__ import annotations

import pytest

from studio.core.presets import load_preset
from studio.core.sweep_spec import SweepError, check_space, parse_param, parse_sweep, trial_spec, trial_title


def test_search_parameters_read_from_the_command_line():
    p = parse_param("optimizer.learning_rate=loguniform:1e-4:1e-1")
    assert (p.path, p.distribution, p.low, p.high) == ("optimizer.learning_rate", "loguniform", 1e-4, 0.1)
    c = parse_param("optimizer.name=choice:adam, sgd,rmsprop")
    assert c.choices == ["adam", "sgd", "rmsprop"]
    assert parse_param("training.batch_size=choice:16,32").choices == [16, 32]  # numbers stay numbers
    assert parse_param("training.batch_size=int:16:128").distribution == "int"


@pytest.mark.parametrize("text, words", [
    ("optimizer.learning_rate", "expected PATH=DISTRIBUTION"),
    ("optimizer.learning_rate=gauss:0:1", "unknown distribution 'gauss'"),
    ("optimizer.learning_rate=uniform:1:0", "low (1) is greater than high (0)"),
    ("optimizer.learning_rate=loguniform:0:1", "bounds above 0"),
    ("optimizer.learning_rate=uniform:a:b", "must be numbers"),
    ("optimizer.learning_rate=uniform:1", "takes two bounds"),
    ("training.batch_size=int:1.5:4", "whole-number bounds"),
    ("optimizer.name=choice:", "at least one value"),
])
def test_bad_parameters_name_themselves(text, words):
    with pytest.raises(SweepError) as err:
        parse_param(text)
    assert words in str(err.value) and text.split("=")[0] in str(err.value)


def _sweep(**kw):
    return parse_sweep({"name": "lab", "spec": "optimization_lab",
                        "search": [{"path": "optimizer.learning_rate", "distribution": "loguniform",
                                    "low": 1e-4, "high": 0.1}], **kw})


def test_the_space_is_checked_against_the_run_spec():
    base = load_preset("optimization_lab")
    check_space(_sweep(), base)  # fits
    bad = _sweep(search=[{"path": "optimizer.nope", "distribution": "uniform", "low": 0, "high": 1},
                         {"path": "optimizer.name", "distribution": "choice", "choices": ["adam", "nonsense"]},
                         {"path": "model.blocks.dropout_1.params.rate", "distribution": "uniform",
                          "low": 0, "high": 1.5}])
    with pytest.raises(SweepError) as err:
        check_space(bad, base)
    text = str(err.value)
    assert "optimizer.nope: 0.0 is refused" in text and "unknown field" in text
    assert "optimizer.name: 'nonsense' is refused" in text
    assert "model.blocks.dropout_1.params.rate: 1.5 is refused" in text


def test_a_sweep_document_is_validated_with_paths():
    with pytest.raises(SweepError) as err:
        parse_sweep({"name": "bad name!", "spec": "x", "search": [], "trials": 0, "jobs": 2, "colour": 1})
    text = str(err.value)
    for words in ("name: String should match pattern", "search: List should have at least 1 item",
                  "trials: Input should be greater than or equal to 1", "colour: Extra inputs are not permitted"):
        assert words in text
    with pytest.raises(SweepError, match="searched twice: optimizer.learning_rate"):
        _sweep(search=[{"path": "optimizer.learning_rate", "distribution": "uniform", "low": 0, "high": 1}] * 2)


def test_a_trial_is_the_base_spec_with_its_values_and_a_title_that_says_them():
    base = load_preset("optimization_lab")
    values = {"optimizer.learning_rate": 0.0034, "model.blocks.dropout_1.params.rate": 0.21}
    title = trial_title(base.meta.title, 3, values)
    assert title == "Optimisation lab — trial 3: learning_rate 0.0034, rate 0.21"
    spec = trial_spec(base, values, title)
    assert spec.optimizer.learning_rate == 0.0034 and spec.meta.title == title
    assert next(b for b in spec.model.blocks if b.id == "dropout_1").params["rate"] == 0.21
    # trials are many short runs compared by one figure: none records the inside, unless the search asks
    assert base.inspect.enabled and not spec.inspect.enabled
    assert trial_spec(base, {"inspect.enabled": True, "inspect.every": 2}, title).inspect.enabled


def _gpu_sweep(tmp_path, monkeypatch, gpus, device="gpu", jobs=2, share=False):
    from studio.jobs import devices
    from studio.jobs.sweep import Sweep
    from tests.jobs.fake_training import FakeTraining

    monkeypatch.setattr(devices, "probe", lambda backend, timeout=120: devices.BackendInfo(
        backend, True, "1", devices=["cpu", *gpus]))
    started = []

    class Trial(FakeTraining):  # "trains" at once; the sweep also reaps and closes what it started
        def reap(self, timeout=0.0):
            return True

        def close(self):
            pass

    def start(spec, root):
        started.append(spec.training.device)
        return Trial(spec, root)

    base = load_preset("optimization_lab")
    base = base.model_copy(update={"training": base.training.model_copy(update={"device": device,
                                                                               "backend": "jax"})})
    sweep = parse_sweep({"name": "gpus", "spec": "lab", "trials": 4, "jobs": jobs, "metric": "loss",
                         "share_gpus": share, "search": [{"path": "optimizer.learning_rate",
                                                          "distribution": "loguniform", "low": 1e-3, "high": 0.1}]})
    Sweep(sweep, base, tmp_path, start_run=start).run()
    return started


def test_trials_at_once_get_a_gpu_each(tmp_path, monkeypatch):
    assert _gpu_sweep(tmp_path, monkeypatch, ["gpu:0", "gpu:1"]) == ["gpu:0", "gpu:1", "gpu:0", "gpu:1"]


def test_trials_never_share_a_gpu_unless_asked(tmp_path, monkeypatch):
    with pytest.raises(SweepError, match="sees 1 GPU"):
        _gpu_sweep(tmp_path / "a", monkeypatch, ["gpu:0"], jobs=2)
    with pytest.raises(SweepError, match="would share that one GPU"):
        _gpu_sweep(tmp_path / "b", monkeypatch, ["gpu:0", "gpu:1"], device="gpu:1")
    assert set(_gpu_sweep(tmp_path / "c", monkeypatch, ["gpu:0"], jobs=2, share=True)) == {"gpu:0"}
    assert set(_gpu_sweep(tmp_path / "d", monkeypatch, [], device="auto")) == {"auto"}  # no GPU: the CPU
