"""The one error classifier goes by exception type, never by a class's name (issue 12, item 3)."""

from __future__ import annotations

import errno
import sys
import types

from studio.core import events as ev
from studio.core.spec import SpecError
from studio.engine.errors import classify


def test_the_projects_own_errors_keep_their_message_and_get_no_traceback():
    c = classify(SpecError(["training.epochs: must be at least 1"]))
    assert (c.reason, c.expected) == (ev.INVALID_SPEC, True) and "training.epochs" in c.message


def test_a_lookalike_class_name_is_not_enough():
    class ExportError(ValueError):  # same name as the engine's, another class
        reason = "mismatch"

    c = classify(ExportError("boom"))
    assert c.reason == ev.INTERNAL and not c.expected and c.message == "ExportError: boom"


def test_a_full_disk_is_found_also_inside_a_wrapping_error():
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("h5py could not write") from inner
    except RuntimeError as exc:
        assert classify(exc).reason == "disk_full"


def test_a_backends_out_of_memory_error_is_known_by_its_class(monkeypatch):
    class ResourceExhaustedError(Exception):
        pass

    fake_tf = types.ModuleType("tensorflow")
    fake_tf.errors = types.SimpleNamespace(ResourceExhaustedError=ResourceExhaustedError)
    assert classify(ResourceExhaustedError("OOM when allocating tensor")).reason == ev.INTERNAL  # not loaded
    monkeypatch.setitem(sys.modules, "tensorflow", fake_tf)
    c = classify(ResourceExhaustedError("OOM when allocating tensor"))
    assert c.reason == ev.OUT_OF_MEMORY and "batch size" in c.message
    assert classify(MemoryError()).reason == ev.OUT_OF_MEMORY


def test_anything_else_is_internal_with_its_traceback():
    try:
        raise KeyError("x")
    except KeyError as exc:
        failed = classify(exc).failed(exc, "Training failed: ")
    assert failed.reason == ev.INTERNAL and failed.message == "Training failed: KeyError: 'x'"
    assert "Traceback" in failed.details
