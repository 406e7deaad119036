"""Keeps the model report live: shapes and parameter counts for every edit, checked against the data.

`check_spec` is pure Python and takes milliseconds, so it runs on the UI thread at each change; the data's
shape may need a scikit-learn load, so it is computed in the background once per data section and cached.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from studio.core.analysis import DataShape, ModelReport, check_spec
from studio.core.spec import SpecError, data_loading_key
from studio.data.loaders import data_shape
from studio.ui.background import Background
from studio.ui.document import Document


class Checker(QObject):
    report_changed = Signal(object)  # ModelReport
    data_changed = Signal()  # data_shape or data_error changed

    def __init__(self, doc: Document, background: Background, parent: QObject | None = None):
        super().__init__(parent)
        self.doc, self.background = doc, background
        self.report: ModelReport = ModelReport()
        self.data_shape: DataShape | None = None
        self.data_error = ""
        self.data_loading = False
        self._data_key: str | None = None
        self._cache: dict[str, tuple[DataShape | None, str]] = {}
        # what check_spec reads: the optimizer and the title do not change the model's shapes or fit
        doc.subscribe(self, lambda _paths: self.refresh(), ("model",), ("data",), ("training",), ("regularization",))

    def _key(self) -> str:
        return data_loading_key(self.doc.view())  # an augmentation edit rechecks, but loads nothing

    def refresh(self) -> None:
        key = self._key()
        if key != self._data_key:
            self._data_key = key
            if key in self._cache:
                self.data_shape, self.data_error = self._cache[key]
                self.data_loading = False
                self.data_changed.emit()
            else:
                # no verdict against the last data while this one's shape loads: the model is checked alone
                self.data_shape, self.data_error = None, ""
                self._load_shape(key)
        self.recheck()

    def recheck(self) -> None:
        try:
            self.report = check_spec(self.doc.run_spec, self.data_shape)
        except SpecError as exc:  # the document only holds valid specs; be safe anyway
            self.report = ModelReport(problems=exc.problems)
        self.report_changed.emit(self.report)

    def _load_shape(self, key: str) -> None:
        spec = self.doc.run_spec
        data, seed = spec.data, spec.training.seed
        self.data_loading = True
        self.data_changed.emit()

        def done(shape, error="") -> None:
            self._cache[key] = (shape, error)
            if key != self._data_key:
                return  # the user moved on; a newer load is on its way
            self.data_shape, self.data_error, self.data_loading = shape, error, False
            self.data_changed.emit()
            self.recheck()

        self.background.submit(lambda: data_shape(data, seed), done, lambda exc: done(None, str(exc)))

    def wait_data(self, timeout_ms: int = 10000) -> None:
        """For tests and the screenshot: block until the data shape is known."""
        from PySide6.QtCore import QCoreApplication, QElapsedTimer

        t = QElapsedTimer()
        t.start()
        while self.data_loading and t.elapsed() < timeout_ms:
            self.background.pool.waitForDone(20)
            QCoreApplication.processEvents()
