"""The Setup dock: a tab per part of the spec that is not the model (data, optimizer, regularization,
augmentation, training), each form in a scroll area of its own."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QScrollArea, QTabWidget, QWidget

from studio.jobs import devices
from studio.ui import wheel_guard
from studio.ui.background import Background
from studio.ui.checker import Checker
from studio.ui.document import Document
from studio.ui.panels.augmentation_panel import AugmentationPanel
from studio.ui.panels.data_panel import DataPanel
from studio.ui.panels.optimizer_panel import OptimizerPanel
from studio.ui.panels.regularization_panel import RegularizationPanel
from studio.ui.panels.training_panel import TrainingPanel


Panel = DataPanel | OptimizerPanel | RegularizationPanel | AugmentationPanel | TrainingPanel


class SetupTabs(QTabWidget):
    def __init__(self, doc: Document, checker: Checker, background: Background, parent: QWidget | None = None):
        super().__init__(parent)
        self.data_panel = DataPanel(doc, checker, background)
        self.optimizer_panel = OptimizerPanel(doc)
        self.regularization_panel = RegularizationPanel(doc)
        self.augmentation_panel = AugmentationPanel(doc, self.data_panel)
        self.training_panel = TrainingPanel(doc, devices.installed_backends())
        self._scrolls: dict[QWidget, QScrollArea] = {}
        for w, name in ((self.data_panel, "Data"), (self.optimizer_panel, "Optimizer"),
                        (self.regularization_panel, "Regularization"), (self.augmentation_panel, "Augmentation"),
                        (self.training_panel, "Training")):
            scroll = QScrollArea(widgetResizable=True)  # tall forms scroll instead of forcing a tall window
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(w)
            wheel_guard.guard_all(w)  # the panels' own fields too (the generated forms guard theirs)
            self._scrolls[w] = scroll
            self.addTab(scroll, name)
        for combo in self.findChildren(QComboBox):  # long item names must not widen the dock
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)

    def panels(self) -> list[Panel]:
        return [self.data_panel, self.optimizer_panel, self.regularization_panel, self.augmentation_panel,
                self.training_panel]

    def show_panel(self, panel: QWidget) -> None:
        self.setCurrentWidget(self._scrolls[panel])

    def scroll_to(self, panel: QWidget, field: QWidget) -> None:
        """Scroll the panel's tab so that `field` is in view."""
        self._scrolls[panel].ensureWidgetVisible(field)
