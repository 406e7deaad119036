"""No verdict on a model before the data it is judged against is known (issue 20, item 12): for the moments after a
project opens while its data's shape loads, the checker must not judge the new model against the previous
project's data, nor offer fixes ("Set the shape to …") that would break it."""

from __future__ import annotations

from studio.core.presets import list_presets


def _preset(name: str):
    return next(p for p in list_presets() if p.path.name == name)


def test_a_project_just_opened_is_not_judged_against_the_last_ones_data(window, qtbot):
    w = window
    w.open_file(_preset("optimization_lab.json").path, as_template=True)  # two features
    w.checker.wait_data()
    assert w.checker.report.ok, w.checker.report.errors()
    w.open_file(_preset("regression_mlp.json").path, as_template=True)  # ten features of diabetes, loading now
    report = w.checker.report
    assert w.checker.data_loading  # still loading (the answer comes through the event loop)
    assert report.ok, report.errors()  # nothing judged against the diabetes shape
    assert report.head_fix is None
    assert all(not b.fixes and not b.error for b in report.blocks)
    assert w.checker.data_shape is None  # the last project's shape is not this one's
    w.checker.wait_data()
    assert w.checker.report.ok and tuple(w.checker.data_shape.input_shape) == (10,)
