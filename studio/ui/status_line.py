"""The status bar's lasting read-outs, kept by the checker: what the data is ("Data: samples (2,),
classification, 2 classes", or why it cannot be read) and the model's totals ("1,234 parameters · 2 problems")."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QStatusBar

from studio.core.analysis import ModelReport
from studio.core.shapes import fmt
from studio.ui import theme
from studio.ui.checker import Checker


class StatusLine(QObject):
    def __init__(self, checker: Checker, bar: QStatusBar):
        super().__init__(bar)
        self.checker = checker
        self.totals = QLabel()
        self.data = QLabel()
        bar.addPermanentWidget(self.data)
        bar.addPermanentWidget(self.totals)
        checker.report_changed.connect(self._report)
        checker.data_changed.connect(self._data)

    def _report(self, report: ModelReport) -> None:
        bad = len(report.errors()) if report.blocks else 0  # an empty model is a start, not a problem
        text = f"{report.total_params:,} parameters"
        if bad:
            text += f" · {bad} problem{'s' * (bad != 1)}"
        self.totals.setText(text)

    def _data(self) -> None:
        c = self.checker
        if c.data_loading:
            self.data.setText("Reading the data…")
        elif c.data_error:
            self.data.setText(f"<span style='color:{theme.colors().error}'>Data: {c.data_error}</span>")
        elif c.data_shape is not None:
            s = c.data_shape
            what = f"{s.num_classes} classes" if s.task == "classification" else f"{s.target_width} target(s)"
            self.data.setText(f"Data: samples {fmt(tuple(s.input_shape))}, {s.task}, {what}")
        else:
            self.data.setText("")
