"""A child that dies without a word is called out of memory only when something says so (issue 11, item 9)."""

from __future__ import annotations

import pytest

from studio.core import events as ev
from studio.core.presets import load_preset
from studio.jobs.process import TrainingProcess


@pytest.mark.parametrize("title, expect", [("exit", "exited with code 3"), ("signal", "killed by signal 9 (SIGKILL)")])
def test_a_crash_is_not_called_out_of_memory_without_a_sign_of_it(tmp_path, title, expect):
    spec = load_preset("optimization_lab")
    spec = spec.model_copy(update={"meta": spec.meta.model_copy(update={"title": title})})
    proc = TrainingProcess(spec, tmp_path, worker="tests.engine.crashing_worker")
    proc.start()
    result = proc.wait(60)
    assert isinstance(result, ev.Failed) and result.reason == ev.CRASHED
    assert expect in result.message
    if title == "exit":  # a plain exit code says nothing about memory
        assert "memory" not in result.message.lower() and "batch size" not in result.message


def test_a_crash_whose_last_words_say_memory_is_out_of_memory():
    from studio.jobs.process import crash_reason

    reason, message = crash_reason(-6, "terminate called after throwing an instance of 'std::bad_alloc'")
    assert reason == ev.OUT_OF_MEMORY and "batch size" in message
    reason, message = crash_reason(-11, "Fatal Python error: Segmentation fault")
    assert reason == ev.CRASHED and "SIGSEGV" in message and "memory" not in message
