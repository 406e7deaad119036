"""The Evaluation tab is readable at a laptop's size: a per-class table (a row per class: precision, recall,
F1, support; then the averages), the overall figures on one line, a confusion matrix drawn whole and tab
names in full."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, Qt

CLASSES = [str(i) for i in range(10)]


def _doc() -> dict:
    """An evaluation document as the engine writes it: ten classes, mostly right."""
    rng = np.random.default_rng(0)
    cm = rng.integers(0, 4, size=(10, 10)) + np.diag(rng.integers(25, 40, size=10))
    support = cm.sum(axis=1)
    precision = np.diag(cm) / cm.sum(axis=0)
    recall = np.diag(cm) / support
    f1 = 2 * precision * recall / (precision + recall)
    per_class = [{"class": c, "precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                  "support": int(support[i]), "roc_auc": 0.99} for i, c in enumerate(CLASSES)]
    metrics = {"accuracy": float(np.trace(cm) / cm.sum()), "precision_macro": float(precision.mean()),
               "recall_macro": float(recall.mean()), "f1_macro": float(f1.mean()),
               "precision_weighted": float((precision * support).sum() / support.sum()),
               "recall_weighted": float((recall * support).sum() / support.sum()),
               "f1_weighted": float((f1 * support).sum() / support.sum()), "roc_auc": 0.9876}
    return {"task": "classification", "split": "test", "samples": int(cm.sum()), "model": "model.keras",
            "backend": "jax", "title": "Digits", "class_names": CLASSES, "metrics": metrics, "per_class": per_class,
            "confusion": cm.tolist(), "roc_curves": []}


def _visible_in(widget, outer) -> bool:
    """The widget's whole rectangle lies inside `outer` (a window or a parent), so nothing of it is cut."""
    top_left = widget.mapTo(outer, QPoint(0, 0))
    return widget.isVisible() and outer.rect().contains(QRect(top_left, widget.size()))


def _confusion_whole(view) -> None:
    w = view.plots["confusion"]
    assert view.tabs.currentWidget() is w and _visible_in(w, view.window())
    vb = w.getPlotItem().vb
    (x0, x1), (y0, y1) = vb.viewRange()
    assert x0 <= 0 and x1 >= 10 and y0 <= 0 and y1 >= 10, vb.viewRange()  # every row and column in the view
    box = vb.sceneBoundingRect()
    for p in range(10):  # each column's and row's centre falls inside the drawn view box and the widget
        for point in (vb.mapViewToScene(QPointF(p + 0.5, 5)), vb.mapViewToScene(QPointF(5, p + 0.5))):
            assert box.contains(point), (p, point, box)
            assert w.rect().contains(w.mapFromScene(point))
    assert len(view.confusion_labels) == 100


def _tabs_in_full(view) -> None:
    bar = view.tabs.tabBar()
    assert view.tabs.elideMode() == Qt.TextElideMode.ElideNone
    for i in range(bar.count()):
        text_width = bar.fontMetrics().horizontalAdvance(bar.tabText(i))
        assert bar.tabRect(i).width() >= text_width, bar.tabText(i)
        assert bar.rect().contains(bar.tabRect(i)), bar.tabText(i)  # not behind scroll buttons
    assert bar.width() <= view.tabs.width()


def _per_class_table(view, doc) -> None:
    t = view.table
    assert [t.horizontalHeaderItem(j).text() for j in range(t.columnCount())] == \
        ["precision", "recall", "F1", "support"]
    rows = [t.verticalHeaderItem(i).text() for i in range(t.rowCount())]
    assert rows == CLASSES + ["macro avg", "weighted avg"]
    for i, c in enumerate(doc["per_class"]):
        assert [t.item(i, j).text() for j in range(4)] == \
            [f"{c['precision']:.3f}", f"{c['recall']:.3f}", f"{c['f1']:.3f}", str(c["support"])]
    assert t.item(10, 2).text() == f"{doc['metrics']['f1_macro']:.3f}"
    assert t.item(11, 3).text() == str(doc["samples"])
    assert t.horizontalHeader().length() <= t.viewport().width()  # every column in view, no sideways scrolling
    text = view.overall.text()
    assert "accuracy" in text and f"{doc['metrics']['accuracy']:.4f}" in text and "ROC AUC" in text
    assert "f1 macro" not in text  # the averages are the table's last rows, not repeated


def test_the_evaluation_tab_at_1280x720_shows_a_per_class_table_and_a_whole_confusion_matrix(qtbot, window, tmp_path):
    from studio.core.runs import create_run_dir, set_status

    w = window
    w.resize(1280, 720)
    run = create_run_dir(tmp_path, {"meta": {"title": "digits"}})  # a finished run: the result tabs replace the card
    (run / "metrics.csv").write_text("epoch,loss,val_loss,learning_rate,seconds\n1,0.5,0.6,0.01,0.1\n")
    set_status(run, "finished")
    w.show_run(str(run))
    doc = _doc()
    w.evaluation.set_evaluation(doc, {})
    bar = w.result_tabs.tabBar()
    index = w.result_tabs.indexOf(w.evaluation)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert w.result_tabs.currentWidget() is w.evaluation
    qtbot.waitUntil(lambda: w.evaluation.plots["confusion"].isVisible())
    _per_class_table(w.evaluation, doc)
    assert w.evaluation.table.verticalScrollBar().maximum() == 0  # all twelve rows in view
    _confusion_whole(w.evaluation)
    _tabs_in_full(w.evaluation)


def test_the_evaluation_view_keeps_its_matrix_whole_and_tab_names_full_when_squeezed(qtbot):
    from studio.ui.evaluation import EvaluationView

    view = EvaluationView()
    qtbot.addWidget(view)
    doc = _doc()
    view.set_evaluation(doc, {})
    view.resize(view.minimumSizeHint().width(), 420)  # as narrow as its layout allows
    view.show()
    qtbot.waitExposed(view)
    _confusion_whole(view)
    _tabs_in_full(view)
    assert view.plots["confusion"].width() >= 200  # the plots get the room, not the numbers
    view.shutdown()
