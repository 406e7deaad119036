import json
import os

from studio.core import events as ev
from studio.core.runs import RunWriter, create_run_dir, list_runs, read_events, read_json, read_metrics, \
    read_run, set_status, write_json_atomic


def test_a_run_directory_starts_with_its_spec_and_a_running_status(tmp_path):
    run = create_run_dir(tmp_path, {"meta": {"title": "My Model!"}})
    assert run.name.endswith("-my-model")
    assert read_json(run / "spec.json") == {"meta": {"title": "My Model!"}}
    assert read_run(run).state == "running"  # this process is alive
    second = create_run_dir(tmp_path, {"meta": {"title": "My Model!"}})
    assert second != run


def test_a_run_whose_writer_died_reads_as_interrupted(tmp_path):
    run = create_run_dir(tmp_path, {"meta": {"title": "x"}})
    set_status(run, "running", pid=2 ** 22 + 12345)  # no such process
    assert read_run(run).state == "interrupted"


def test_torn_lines_from_a_crash_are_skipped(tmp_path):
    run = create_run_dir(tmp_path, {"meta": {"title": "x"}})
    w = RunWriter(run)
    w.event(ev.Log("hello"))
    w.epoch(0, {"loss": 1.0, "val_loss": 2.0}, 0.01, 1.5)
    w.epoch(1, {"loss": 0.5, "val_loss": 1.0}, 0.01, 1.5)
    w.close()
    with open(run / "events.jsonl", "a") as f:
        f.write('{"event": "Epoch')  # a write cut short
    with open(run / "metrics.csv", "a") as f:
        f.write("3,0.2")
    assert [e["event"] for e in read_events(run)] == ["Log"]
    cols = read_metrics(run)
    assert cols["loss"] == [1.0, 0.5] and cols["epoch"] == [1.0, 2.0] and cols["learning_rate"] == [0.01, 0.01]


def test_atomic_writes_leave_no_temporary_files(tmp_path):
    write_json_atomic(tmp_path / "a.json", {"x": 1})
    write_json_atomic(tmp_path / "a.json", {"x": 2})
    assert json.loads((tmp_path / "a.json").read_text()) == {"x": 2}
    assert os.listdir(tmp_path) == ["a.json"]


def test_runs_are_listed_newest_first_and_junk_is_ignored(tmp_path):
    a = create_run_dir(tmp_path, {"meta": {"title": "a"}})
    set_status(a, "finished")
    b = create_run_dir(tmp_path, {"meta": {"title": "b"}})
    set_status(b, "failed", reason="nan_loss")
    (tmp_path / "not-a-run").mkdir()
    runs = list_runs(tmp_path)
    assert [r.title for r in runs] == ["b", "a"]
    assert runs[0].state == "failed" and runs[0].reason == "nan_loss"


def test_events_round_trip():
    e = ev.EpochEnd(epoch=1, epochs=3, logs={"loss": 0.1}, learning_rate=0.01, seconds=1.0, samples_per_s=5.0)
    again = ev.from_dict(json.loads(json.dumps(e.to_dict())))
    assert again == e and again.kind == "EpochEnd"
