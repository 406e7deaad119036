"""Evaluation widgets, offscreen: results view, plot/CSV export, try-it panel with a live predictor, dialog."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import multiprocessing

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from studio.jobs import evaluate_job


@pytest.fixture
def evaluated(runs):
    def get(name: str) -> None:
        if evaluate_job.read_evaluation(runs[name]) is None:
            evaluate_job.evaluate(runs[name])
        return runs[name]
    return get


def test_results_view_classification_plots_and_exports(qtbot, evaluated, tmp_path):
    from studio.ui.evaluation import EvaluationView

    run = evaluated("iris")
    view = EvaluationView()
    qtbot.addWidget(view)
    assert view.show_run(run)
    doc = view.doc
    assert view.table.rowCount() == len(doc["per_class"]) + 2  # a row per class, then macro and weighted averages
    assert view.table.verticalHeaderItem(0).text() == "setosa"
    assert view.table.item(0, 2).text() == f"{doc['per_class'][0]['f1']:.3f}"
    assert f"accuracy <b>{doc['metrics']['accuracy']:.4f}</b>" in view.overall.text()
    assert view.confusion_image.image.shape == (3, 3)
    assert len(view.confusion_labels) == 9
    assert sorted(int(t.toPlainText()) for t in view.confusion_labels) == sorted(np.ravel(doc["confusion"]).tolist())
    assert len(view.roc_curves) == 3
    assert [view.tabs.tabText(i) for i in range(view.tabs.count())] == \
        ["Confusion matrix", "ROC", "Mistakes"]
    view.show()
    for name, suffix in (("confusion", ".png"), ("roc", ".svg")):
        path = view.save_plot(name, tmp_path / f"{name}{suffix}")
        assert path.stat().st_size > 500
    assert (tmp_path / "roc.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "confusion.png").read_bytes()[:4] == b"\x89PNG"
    assert view.save_csv(tmp_path / "m.csv").read_text().startswith("scope,metric,value")
    with pytest.raises(ValueError, match="png or .svg"):
        view.save_plot("roc", tmp_path / "x.jpg")
    view.shutdown()


def test_results_view_series_forecast(qtbot, evaluated):
    from studio.ui.evaluation import EvaluationView

    view = EvaluationView()
    qtbot.addWidget(view)
    assert view.show_run(evaluated("sine"))
    assert [view.tabs.tabText(i) for i in range(view.tabs.count())] == \
        ["Predicted vs actual", "Forecast", "Errors"]
    assert not view.table.isVisibleTo(view) and f"MSE <b>{view.doc['metrics']['mse']:.4f}</b>" in view.overall.text()
    x, y = view.forecast_curve.getData()
    assert x[0] == len(view.arrays["series"]) - 1 and len(x) == len(view.arrays["forecast_t"]) + 1
    assert view.gallery_items == len(view.arrays["worst_index"]) > 0
    view.shutdown()


def test_try_it_form_predicts_live(qtbot, runs):
    from studio.ui.evaluation import TryItPanel

    panel = TryItPanel()
    qtbot.addWidget(panel)
    try:
        panel.open_run(runs["iris"])
        qtbot.waitUntil(lambda: panel.ready, timeout=120_000)
        assert panel.pages.currentIndex() == 1 and len(panel.inputs) == 4
        assert panel.info["class_names"] == ["setosa", "versicolor", "virginica"]
        with qtbot.waitSignal(panel.answered, timeout=30_000):
            panel.inputs[2].setValue(1.4)  # petal length of a setosa
        qtbot.waitUntil(lambda: panel.predictor._in_flight is None, timeout=30_000)
        probs = panel.probabilities
        assert probs.shape == (3,) and abs(probs.sum() - 1) < 1e-4
        # the child answers exactly what the trained model says for the same normalised row
        expected = panel.predictor.predict(panel.form_values()[None])[0]
        np.testing.assert_allclose(panel.last_output, expected, rtol=1e-5, atol=1e-6)
    finally:
        panel.shutdown()
    assert not multiprocessing.active_children()


def test_drawing_canvas_gives_the_model_grid(qtbot):  # qtbot: the QApplication a widget needs, also run alone
    from studio.ui.evaluation import DrawingCanvas

    canvas = DrawingCanvas(28, 28)
    qtbot.addWidget(canvas)
    assert canvas.array().shape == (28, 28) and canvas.array().max() == 0
    canvas.stroke([(140, 40), (140, 240)])  # a vertical bar: a "1"
    a = canvas.array()
    assert a.max() > 0.9 and a[:, 14].mean() > 0.5 and a[:, 2].max() == 0
    canvas.grid = (8, 8)
    assert canvas.array().shape == (8, 8)
    canvas.clear()
    assert canvas.array().max() == 0


def test_export_dialog_exports_and_reports(qtbot, runs, tmp_path):
    from studio.ui.evaluation import ExportDialog

    dlg = ExportDialog(runs["iris"])
    qtbot.addWidget(dlg)
    dlg.format.setCurrentIndex(dlg.format.findData("python"))
    assert dlg.path.text().endswith(".py")
    dlg.path.setText(str(tmp_path / "iris.py"))
    dlg.start()
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=120_000)
    assert dlg.result.ok and (tmp_path / "iris.py").is_file()
    assert dlg.message.text().startswith("Done. python:")
    dlg.shutdown()
