"""Run ▸ Run on: This computer / Ray cluster… — where the training bridge sends the next run, remembered in
the settings ("run/on": "" for this computer, else the cluster's address)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMenu, QMessageBox, QWidget

from studio.jobs.ray_cluster import (  # light: the executor (asyncio, tarfile) loads when a run goes out
    INSTALL_HINT,
    RayClusterError,
    dashboard_address,
    ray_available,
    ray_installed,
)

__all__ = ["INSTALL_HINT", "RunOnMenu"]

SETTING = "run/on"
PROMPT = ("Address of the Ray cluster's dashboard (Jobs API), e.g. http://HOST:8265;\n"
          "a ray://HOST:10001 address is sent to the same host's port 8265.")


class RunOnMenu(QMenu):
    def __init__(self, bridge, settings: QSettings, parent: QWidget | None = None):
        super().__init__("Run &on", parent)
        self.bridge = bridge
        self.settings = settings
        group = QActionGroup(self)
        self.act_local = QAction("&This computer", self, checkable=True)
        self.act_ray = QAction("&Ray cluster…", self, checkable=True)
        for act in (self.act_local, self.act_ray):
            group.addAction(act)
            self.addAction(act)
        self.act_local.triggered.connect(lambda: self.choose(""))
        self.act_ray.triggered.connect(self.ask_address)
        saved = str(settings.value(SETTING, "") or "")
        self.choose(saved if saved and ray_installed() and _readable(saved) else "", remember=False)

    def choose(self, address: str, remember: bool = True) -> None:
        self.bridge.ray_address = address or None
        self.act_ray.setChecked(bool(address))
        self.act_local.setChecked(not address)
        self.act_ray.setText(f"&Ray cluster ({address})…" if address else "&Ray cluster…")
        if remember:
            self.settings.setValue(SETTING, address)

    def ask_address(self) -> None:
        current = self.bridge.ray_address or ""
        if hint := ray_available():
            QMessageBox.information(self.parentWidget(), "Run on a Ray cluster", hint + ".")
            self.choose(current)
            return
        address, ok = QInputDialog.getText(self.parentWidget(), "Run on a Ray cluster", PROMPT,
                                           text=current or str(self.settings.value(SETTING, "") or "")
                                           or "http://127.0.0.1:8265")
        if not ok:
            self.choose(current, remember=False)
            return
        try:
            used, note = dashboard_address(address)
        except RayClusterError as exc:
            QMessageBox.warning(self.parentWidget(), "Run on a Ray cluster", exc.message)
            self.choose(current, remember=False)
            return
        self.choose(used)
        if isinstance(parent := self.parentWidget(), QMainWindow):
            parent.statusBar().showMessage(f"Trainings now go to the Ray cluster: {note}", 8000)


def _readable(address: str) -> bool:
    """Whether a saved address can be used (a hand-edited setting falls back to this computer)."""
    try:
        dashboard_address(address)
    except RayClusterError:
        return False
    return True
