"""Each view redraws for its own part of the document: editing the learning rate redraws the Optimizer
panel and nothing else; undo does the same; opening a file redraws everything."""

from __future__ import annotations

from studio.core.document import SpecDocument


def count_refreshes(panel) -> list:
    calls: list = []
    original = panel.refresh

    def counted(spec):
        calls.append(1)
        return original(spec)

    panel.refresh = counted  # the panel calls self.refresh on every redraw
    return calls


def test_editing_the_learning_rate_redraws_only_the_optimizer_panel(window):
    w = window
    panels = {name: getattr(w, f"{name}_panel")
              for name in ("data", "optimizer", "regularization", "augmentation", "training")}
    counts = {name: count_refreshes(p) for name, p in panels.items()}
    reports: list = []
    w.checker.report_changed.connect(reports.append)  # the model list and the graph redraw on a new report
    spin = w.optimizer_panel.common.fields["learning_rate"].widget
    spin.setValue(0.02)  # as typing a value and pressing Enter does
    assert w.doc.view()["optimizer"]["learning_rate"] == 0.02
    assert len(counts["optimizer"]) == 1
    assert {n: len(c) for n, c in counts.items() if n != "optimizer"} == dict.fromkeys(counts.keys() - {"optimizer"}, 0)
    assert reports == []
    w.act_undo.trigger()
    assert w.doc.view()["optimizer"]["learning_rate"] != 0.02 and spin.value() != 0.02
    assert len(counts["optimizer"]) == 2 and len(counts["data"]) == 0 and reports == []
    w.training_panel.epochs.setValue(3)  # the schedule plot spans the epochs: the optimizer panel follows
    assert len(counts["optimizer"]) == 3 and len(counts["training"]) == 1 and len(counts["data"]) == 0
    checked = len(reports)
    w.augmentation_panel.add()  # augmentation applies while training: the data preview does not reload
    assert len(counts["augmentation"]) >= 1 and len(counts["data"]) == 0 and len(reports) == checked + 1
    w.doc.load_dict(SpecDocument().spec, None)
    assert all(len(c) >= 1 for c in counts.values())


def test_a_panel_stops_listening_when_it_is_gone(window, qtbot):
    from studio.ui.panels.regularization_panel import RegularizationPanel

    w = window
    extra = RegularizationPanel(w.doc)
    calls = count_refreshes(extra)
    w.doc.patch(lambda s: s["regularization"].update(l2=0.01), "Set l2")
    assert len(calls) == 1
    gone: list = []
    extra.destroyed.connect(lambda *_: gone.append(1))
    extra.deleteLater()
    qtbot.waitUntil(lambda: bool(gone))
    # a listener left behind would redraw a deleted widget (RuntimeError) or count this edit
    assert w.doc.patch(lambda s: s["regularization"].update(l2=0.02), "Set l2") is None
    assert len(calls) == 1 and w.regularization_panel.form.fields["l2"].value == 0.02
