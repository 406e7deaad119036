"""A lesson's locks and hides in the Setup dock: the fields of the settings a lesson fixes are greyed out (with
the reason in their tooltip) and those it hides are kept out of the way, for as long as the open spec is that
lesson. The verdict would not count a run that changed a lock anyway (studio.core.lessons); this says so first."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from studio.core.lessons import lesson_of
from studio.ui.document import Document
from studio.ui.setting_fields import find_field
from studio.ui.setup_tabs import SetupTabs

LOCKED_TIP = "Fixed by the lesson: a run that changes it does not count toward the goal"


class LessonGuard(QObject):
    def __init__(self, doc: Document, tabs: SetupTabs, parent: QObject | None = None):
        super().__init__(parent)
        self.doc, self.tabs = doc, tabs
        self.locked: list[QWidget] = []
        self.hidden: list[QWidget] = []
        self._tips: dict[int, str] = {}
        doc.changed.connect(self.apply)  # after the panels, which connected first and may rebuild their forms
        self.apply()

    def apply(self) -> None:
        self._release()
        lesson = lesson_of(self.doc.view())
        if lesson is None:
            return
        for path in lesson.locks:
            if (found := find_field(self.tabs, path)) is not None:
                field = found[1]
                self._tips[id(field)] = field.toolTip()
                field.setEnabled(False)
                field.setToolTip(f"{LOCKED_TIP} ({path})")
                self.locked.append(field)
        for path in lesson.hides:
            if (found := find_field(self.tabs, path)) is not None and found[1].isVisibleTo(found[0]):
                found[1].hide()
                self.hidden.append(found[1])

    def _release(self) -> None:
        for field in self.locked:
            try:
                field.setEnabled(True)
                field.setToolTip(self._tips.get(id(field), ""))
            except RuntimeError:  # a form rebuilt since (another data source) deleted it
                continue
        for field in self.hidden:
            try:
                field.show()
            except RuntimeError:
                continue
        self.locked, self.hidden, self._tips = [], [], {}
