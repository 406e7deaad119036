"""Lessons: the `lesson` section is checked with clear messages (a teacher's handed-out file included), a finished
run is judged against the goal with its figure and budgets, a run that changed a locked setting does not count,
and the course lists the lessons in order with the goals met by runs in the runs folder."""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace

from studio.cli import run_cli

import pytest

from studio.core.lesson_spec import LessonSpec
from studio.core.lessons import course, goal_text, judge, judge_run
from studio.core.presets import load_preset
from studio.core.runs import SUMMARY_FILE, create_run_dir, set_status, write_json_atomic
from studio.core.spec import SpecError, lesson_problems, parse_spec

LAB = load_preset("optimization_lab").to_dict()


def lab_with(lesson: dict) -> dict:
    data = copy.deepcopy(LAB)
    data["lesson"] = lesson
    return data


def summary(loss: float = 0.03, epochs: int = 40, params: int = 81, **metrics) -> dict:
    return {"metrics": {"train": {"loss": loss, "accuracy": 1.0}, **metrics}, "epochs_run": epochs,
            "params": params, "seconds": 4.2}


def test_the_course_presets_carry_their_lessons_in_order():
    entries = course(None)
    assert [e.lesson.id for e in entries][:4] == ["optimisation_lab", "cnn_architectures", "optimisers_on_regression",
                                                  "lstm_vs_gru"]  # the chapter's order
    assert [e.lesson.order for e in entries] == sorted(e.lesson.order for e in entries)
    for e in entries:
        assert e.lesson.steps and e.lesson.hints and e.met is None
        assert all(s.path for s in e.lesson.steps)  # every step points at a block or a setting


def test_a_lesson_round_trips_and_a_spec_without_one_stays_as_it_was():
    spec = load_preset("mnist_cnn_5x5")
    assert parse_spec(spec.to_dict()).lesson == spec.lesson
    assert "lesson" not in load_preset("mnist_cnn").to_dict()  # no `"lesson": null` in every saved file


def test_every_problem_of_a_handed_out_lesson_is_named_at_once():
    bad = lab_with({"id": "mine", "goal": {"metric": "test.acuracy", "op": ">=", "value": 0.9},
                    "steps": [{"text": "Widen it", "path": "model.blocks.dense_9.params.units"},
                              {"text": "Its rate", "path": "model.blocks.dropout_1.params.rat"}],
                    "locks": ["optimizer.learnin_rate"], "hides": ["regularization.early_stopping.patience"]})
    problems = "\n".join(lesson_problems(parse_spec(bad)))
    assert "lesson.goal.metric: the run does not report `acuracy`" in problems and "test.accuracy" in problems
    assert "lesson.steps[0].path: `model.blocks.dense_9.params.units`: no block `dense_9`" in problems
    assert "the blocks are input_1, dense_1, dropout_1, dense_2" in problems
    assert "lesson.steps[1].path: `model.blocks.dropout_1.params.rat`: no parameter `rat`" in problems
    assert "lesson.locks[0]: `optimizer.learnin_rate`: optimizer has no `learnin_rate`" in problems
    assert "hides" not in problems  # early_stopping is null in the lab, but its fields are still settings
    with pytest.raises(SpecError, match=r"lesson.goal.op: .*received '=>'"):
        parse_spec(lab_with({"id": "mine", "goal": {"metric": "train.loss", "op": "=>", "value": 1}}))
    loose = parse_spec(lab_with({"id": "mine", "goal": {"metric": "loss", "value": 1}}))
    assert "lesson.goal.metric: `loss` is not split.metric" in lesson_problems(loose)[0]


def test_a_learner_who_renames_a_block_the_lesson_points_at_still_has_a_project_that_opens():
    """The lab's lesson steps name dropout_1: renaming it in the app made the whole spec unreadable."""
    lab = load_preset("optimization_lab").to_dict()
    lab["model"]["blocks"][2]["id"] = "drop"
    spec = parse_spec(lab)  # opens, saves, trains
    assert any("no block `dropout_1`" in p for p in lesson_problems(spec))
    assert lesson_problems(load_preset("optimization_lab")) == []


def test_check_validates_a_teachers_lesson_file_and_prints_the_goal(tmp_path, capsys):
    path = tmp_path / "lesson.json"
    path.write_text(json.dumps(lab_with({"id": "mine", "goal": {"metric": "train.accuracy", "value": 0.9},
                                         "steps": [{"text": "Widen it", "path": "model.blocks.dense_3"}]})))
    assert run_cli(["check", str(path), "--no-data"]) == 1
    assert "no block `dense_3`" in capsys.readouterr().err
    path.write_text(json.dumps(lab_with({"id": "mine", "exercise": "Homework 2", "order": 4,
                                         "goal": {"metric": "train.accuracy", "value": 0.9, "max_epochs": 30},
                                         "steps": [{"text": "Widen it", "path": "model.blocks.dense_1.params.units"}],
                                         "locks": ["data.source"]})))
    assert run_cli(["check", str(path), "--no-data"]) == 0
    out = capsys.readouterr().out
    assert "lesson mine (Homework 2), course order 4: goal train accuracy ≥ 0.9 in at most 30 epochs" in out
    assert "step 1: Widen it [model.blocks.dense_1.params.units]" in out and "locked: data.source" in out


def test_judge_says_met_or_not_with_the_figure_and_the_budgets():
    lesson = load_preset("optimization_lab").lesson
    assert lesson is not None
    assert goal_text(lesson.goal) == "train loss ≤ 0.05 in at most 50 epochs"
    met = judge(lesson, summary(0.0377, 50))
    assert met.met and met.figure == pytest.approx(0.0377) and met.hints == ()
    assert met.text == "Lesson goal met: train loss 0.0377 ≤ 0.05 (50 epochs ≤ 50)"
    high = judge(lesson, summary(0.22, 50))
    assert not high.met and high.text == "Lesson goal not met: train loss 0.22, the goal is ≤ 0.05"
    assert high.hints == tuple(lesson.hints)
    long = judge(lesson, summary(0.02, 200))  # the lab as shipped: the loss is low, but after 200 epochs
    assert not long.met and "200 epochs, the budget is 50" in long.text
    none = judge(lesson.model_copy(update={"goal": lesson.goal.model_copy(update={"metric": "test.loss"})}),
                 summary())
    assert not none.met and none.figure is None and "no test loss (does its data have a test split?)" in none.text
    cnn = load_preset("mnist_cnn_5x5").lesson
    assert cnn is not None
    big = judge(cnn, summary(test={"accuracy": 0.99, "loss": 0.03}, params=184_586))
    assert not big.met and "184,586 parameters, the budget is 60,000" in big.text


def test_a_run_that_changed_a_locked_setting_does_not_count():
    lesson = LessonSpec.model_validate(LAB["lesson"])
    ran = copy.deepcopy(LAB)
    ran["training"]["loss"] = "mean_squared_error"
    verdict = judge(lesson, summary(0.01, 30), ran, LAB)
    assert not verdict.met
    assert "training.loss is locked by the lesson at 'binary_crossentropy' and the run used 'mean_squared_error'" \
        in verdict.text
    assert judge(lesson, summary(0.01, 30), copy.deepcopy(LAB), LAB).met


def _fake_run(root, spec: dict, result: dict | None, state: str = "finished"):
    run_dir = create_run_dir(root, spec)
    if result is not None:
        write_json_atomic(run_dir / SUMMARY_FILE, result)
    set_status(run_dir, state)
    return run_dir


def test_the_course_ticks_a_lesson_met_by_a_run_in_the_runs_folder(tmp_path):
    lab = load_preset("optimization_lab").to_dict()
    tuned = copy.deepcopy(lab)
    tuned["optimizer"]["learning_rate"] = 0.05
    tuned["training"]["epochs"] = 50
    _fake_run(tmp_path, lab, summary(0.02, 200))  # over the epoch budget
    _fake_run(tmp_path, tuned, None, state="failed")  # no summary
    assert {e.lesson.id: e.met for e in course(tmp_path)}["optimisation_lab"] is None
    good = _fake_run(tmp_path, tuned, summary(0.04, 50))
    assert judge_run(good).met  # the original is found among the presets by the lesson's id
    ticks = {e.lesson.id: e.met for e in course(tmp_path)}
    assert ticks["optimisation_lab"] is not None and ticks["optimisation_lab"].figure == pytest.approx(0.04)
    assert ticks["cnn_architectures"] is None
    assert judge_run(_fake_run(tmp_path, load_preset("mnist_cnn").to_dict(), summary())) is None  # no lesson


def test_train_prints_the_verdict_and_counts_no_run_that_changed_a_lock(tmp_path, capsys):
    from studio.cli.train import print_verdict

    lab = load_preset("optimization_lab")
    run_dir = _fake_run(tmp_path, with_lr(lab.to_dict(), 0.05), summary(0.0377, 50))
    print_verdict(lab, run_dir, SimpleNamespace(spec="optimization_lab"))
    assert capsys.readouterr().out == "✔ Lesson goal met: train loss 0.0377 ≤ 0.05 (50 epochs ≤ 50)\n"
    changed = lab.to_dict()
    changed["training"]["loss"] = "hinge"  # as `--set training.loss=hinge` would
    print_verdict(lab, _fake_run(tmp_path, changed, summary(0.01, 50)), SimpleNamespace(spec="optimization_lab"))
    out = capsys.readouterr().out
    assert out.startswith("✘ Lesson goal not met: training.loss is locked by the lesson at 'binary_crossentropy' "
                          "and the run used 'hinge'\n  hint: With 10 samples")


def with_lr(spec: dict, lr: float) -> dict:
    spec["optimizer"]["learning_rate"] = lr
    return spec


def test_every_glossary_term_maps_to_a_setting_that_exists():
    from studio.core import catalog
    from studio.core.glossary import TERMS, search
    from studio.core.lesson_spec import setting_problem

    spec = parse_spec({})
    for t in TERMS:
        assert len(t.text.splitlines()) == 2, t.term
        block, _, param = t.setting.partition(".")
        if block[:1].isupper():
            assert param in [p.name for p in catalog.get(block).params], t.term
        else:
            assert setting_problem(spec, t.setting) == "", (t.term, setting_problem(spec, t.setting))
    found = [t.term for t in search("LEARNING RATE")]
    assert found[0] == "Learning rate" and "Dead ReLU" in found  # named first, then the terms that mention it
    assert len(search("")) == len(TERMS) >= 30


def test_the_run_table_makes_no_columns_of_a_lessons_text(tmp_path):
    from studio.core.run_index import read_row, spec_keys

    plain = load_preset("optimization_lab").to_dict()
    del plain["lesson"]
    plain["optimizer"]["learning_rate"] = 0.05
    lesson = load_preset("optimization_lab").to_dict()
    rows = [read_row(_fake_run(tmp_path, spec, summary())) for spec in (plain, lesson)]
    assert spec_keys([r for r in rows if r]) == ["optimizer.learning_rate"]


def test_a_step_naming_a_missing_block_of_a_big_model_lists_a_few_ids_and_a_count():
    from studio.core.wording import listing

    assert listing([f"d{i}" for i in range(500)]).endswith("d11 and 488 more")
    assert listing([]) == "none" and listing(["a", "b"]) == "a, b"
