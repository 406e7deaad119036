"""The Coach reports each kind of finding once per run, again only when it firms up, and keeps its findings in
coach.jsonl, so a Coach started again on the same run does not repeat them."""

from __future__ import annotations

from studio.core import events as ev
from studio.core.coach.coach import COACH_FILE, Coach, read_coach, write_coach
from studio.core.coach.diagnosis import Change, Diagnosis, Fix
from studio.core.coach.history import RunHistory
from tests.coach.histories import mlp_spec
from tests.coach.rundirs import build_run


def _epoch(i: int, loss: float, val: float) -> ev.EpochEnd:
    return ev.EpochEnd(epoch=i, epochs=20, logs={"loss": loss, "val_loss": val}, learning_rate=0.001, seconds=1.0,
                       samples_per_s=1.0)


def test_a_finding_is_reported_once_and_again_only_when_its_severity_rises():
    coach = Coach(RunHistory(spec=mlp_spec()))
    loss = [1.0, 0.7, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.08, 0.07]
    val = [1.0, 0.8, 0.6, 0.62, 0.67, 0.68, 0.69, 0.8, 0.95, 0.97]
    reported = [[(d.kind, d.severity, d.epoch) for d in coach.feed(_epoch(i, a, b))]
                for i, (a, b) in enumerate(zip(loss, val, strict=True))]
    overfitting = [(i + 1, r) for i, found in enumerate(reported) for r in found if r[0] == "overfitting"]
    # seen at epoch 5 (0.67 ≥ 1.1 × 0.6), silent while it stays a warning, again at epoch 9 (0.95 ≥ 1.5 × 0.6)
    assert overfitting == [(5, ("overfitting", "warning", 5)), (9, ("overfitting", "problem", 5))]
    assert [d.kind for d in coach.diagnoses()] == ["overfitting"] and coach.check() == []


def test_a_severity_never_falls_and_more_blocks_are_an_update(tmp_path):
    coach = Coach(RunHistory(spec=mlp_spec()), detectors=())
    first = Diagnosis("dead_relu", "problem", 3, "dense_1 90%", "…", blocks=["dense_1"])
    coach.found["dead_relu"] = first
    coach.detectors = (lambda h: Diagnosis("dead_relu", "warning", 5, "dense_1 50%", "…", blocks=["dense_1"]),)
    assert coach.check() == [] and coach.found["dead_relu"] is first
    coach.detectors = (lambda h: Diagnosis("dead_relu", "problem", 6, "…", "…", blocks=["dense_2"]),)
    [update] = coach.check()
    assert update.epoch == 3 and update.blocks == ["dense_1", "dense_2"]


def test_coach_jsonl_round_trips_and_a_restarted_coach_does_not_repeat(tmp_path):
    run = tmp_path / "run"
    sent = build_run(run, state="running")
    live = Coach(RunHistory(spec=mlp_spec()), save_to=run)  # the app knows the spec it started
    news = [d for e in sent for d in live.feed(e.to_dict())]
    assert {d.kind for d in news} >= {"overfitting", "dead_relu", "tiny_validation"}
    saved = read_coach(run)
    assert [d.to_dict() for d in saved] == [d.to_dict() for d in live.diagnoses()]
    again = Coach(RunHistory.from_run_dir(run), save_to=run)
    assert again.check() == []  # everything it finds was reported before the restart
    assert sorted(p.name for p in run.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_read_coach_skips_torn_lines_and_missing_files(tmp_path):
    assert read_coach(tmp_path) == []
    d = Diagnosis("plateau", "info", 4, "flat", "reduce the rate",
                  fixes=[Fix("Halve it", [Change("optimizer.learning_rate", 0.0005)])])
    write_coach(tmp_path, [d])
    with open(tmp_path / COACH_FILE, "a", encoding="utf-8") as f:
        f.write('{"kind": "overfit')
    assert read_coach(tmp_path) == [d]


def test_a_warning_about_the_curves_is_withdrawn_after_three_silent_epochs_and_comes_back_as_itself():
    coach = Coach(RunHistory(spec=mlp_spec()), detectors=())
    holds = {"now": True}
    coach.detectors = (lambda h: Diagnosis("overfitting", "warning", h.epochs_done, "val up", "…")
                       if holds["now"] else None,)

    def epoch() -> list[Diagnosis]:
        coach.history.epoch_logs.append({"loss": 0.1})
        return coach.check()

    assert [d.severity for d in epoch()] == ["warning"]  # epoch 1
    holds["now"] = False
    assert epoch() == [] and epoch() == []  # epochs 2 and 3: silent, not yet withdrawn
    [withdrawn] = epoch()  # epoch 4: the third silent epoch
    assert (withdrawn.severity, withdrawn.resolved, withdrawn.epoch) == ("info", 4, 1)
    assert epoch() == []  # withdrawn once
    holds["now"] = True
    [back] = epoch()
    assert (back.severity, back.resolved, back.epoch) == ("warning", None, 1)  # the same message, first seen at 1
    assert [d.to_dict() for d in coach.diagnoses()] == [back.to_dict()]


def test_a_dead_layer_is_never_withdrawn():
    coach = Coach(RunHistory(spec=mlp_spec()), detectors=())
    coach.found["dead_relu"] = Diagnosis("dead_relu", "warning", 2, "dense_1 50%", "…", blocks=["dense_1"])
    for _ in range(5):
        coach.history.epoch_logs.append({"loss": 0.1})
        assert coach.check() == []
    assert coach.found["dead_relu"].severity == "warning"
