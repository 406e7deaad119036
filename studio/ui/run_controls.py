"""Train / Pause / Resume / Stop and the progress read-out: epoch and batch, elapsed, ETA, samples/s.

Batch events arrive by the hundred per second; only the latest is shown, at most every SHOW_MS, so the
read-out costs the UI thread the same at 10 batches/s as at 1,000.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QWidget

from studio.core import events as ev

SHOW_MS = 100


class ElidedLabel(QLabel):
    """One line that never wraps or grows: text too long for the room ends in "…" (the whole text in the
    tooltip), so a longer read-out (Paused — …) cannot push the row taller or clip it."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802
        self._full = text
        self.setToolTip(text)
        self._elide()

    def text(self) -> str:
        return self._full

    def shown_text(self) -> str:
        return super().text()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = max(self.contentsRect().width(), 1)
        super().setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, room))


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class RunControls(QWidget):
    train_clicked = Signal()
    pause_clicked = Signal()
    resume_clicked = Signal()
    stop_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        self.train = QPushButton("▶  Train")
        self.train.setToolTip("Train the model in a separate process (F5)")
        self.pause = QPushButton("❚❚  Pause")
        self.resume = QPushButton("▶  Resume")
        self.stop = QPushButton("■  Stop")
        self.stop.setToolTip("Stop after the current batch; the model so far is kept")
        for b, sig in ((self.train, self.train_clicked), (self.pause, self.pause_clicked),
                       (self.resume, self.resume_clicked), (self.stop, self.stop_clicked)):
            b.clicked.connect(sig)
            lay.addWidget(b)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        # wide enough for its longest usual text: a squeezed bar wraps "epoch … · batch …" and clips it
        longest = self.progress.fontMetrics().horizontalAdvance("Paused — epoch 999/999 · batch 9999/9999")
        self.progress.setMinimumWidth(longest + 24)
        lay.addWidget(self.progress, 3)
        self.info = ElidedLabel("Ready")  # takes the room left and elides: no relayout as the text changes
        self.info.setMinimumWidth(120)
        lay.addWidget(self.info, 2)
        self._t0 = 0.0
        self._epochs = self._steps = 0
        self._latest: ev.BatchEnd | None = None
        self._paused_at: float | None = None  # when the run was paused (its clock stops meanwhile)
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.setInterval(SHOW_MS)
        self._show_timer.timeout.connect(self._show_latest)
        self.set_state("idle")

    def set_state(self, state: str) -> None:
        idle = state == "idle"
        self.train.setEnabled(idle)
        self.pause.setVisible(state != "paused")
        self.pause.setEnabled(state == "running")
        self.resume.setVisible(state == "paused")
        self.stop.setEnabled(state in ("starting", "running", "paused"))
        if state == "starting":
            self.progress.setFormat("")  # not the last run's "Finished" over the busy bar
            self.progress.setRange(0, 0)  # busy until the child reports: importing a backend takes seconds
            self.info.setText("Starting the backend…")
            self._t0 = time.monotonic()
        elif state == "paused":
            self._show_timer.stop()
            self._show_latest()  # the batch it paused at
            self._paused_at = time.monotonic()
            # nothing runs, so nothing is estimated: no ETA or speed, only where it stopped and for how long it ran
            self.progress.setFormat("Paused — " + self.progress.format())
            self.info.setText(f"Paused · Resume (F6) goes on · elapsed {_clock(self._paused_at - self._t0)}")
        elif state == "running" and self._paused_at is not None:
            self._t0 += time.monotonic() - self._paused_at  # the clock (and so the ETA) leaves the pause out
            self._paused_at = None
            self.progress.setFormat(self.progress.format().removeprefix("Paused — "))

    def reset(self) -> None:
        """As before any run (another project is open): no last run's word or time left in view."""
        self._show_timer.stop()
        self._latest, self._paused_at = None, None
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.info.setText("Ready")

    def on_started(self, e: ev.Started) -> None:
        self._paused_at = None
        self._epochs, self._steps = e.epochs, max(e.steps_per_epoch, 1)
        self.progress.setRange(0, self._epochs * self._steps)
        self.progress.setValue(0)
        self._t0 = time.monotonic()
        self.info.setText(f"{e.backend} on {e.device}")

    def on_batch(self, e: ev.BatchEnd) -> None:
        self._latest = e
        if self._paused_at is not None:
            return  # the batch it was in when asked to pause: kept for Resume, the paused read-out stays
        if not self._show_timer.isActive():
            self._show_timer.start()

    def _show_latest(self) -> None:
        e, self._latest = self._latest, None
        if e is None:
            return
        done = e.epoch * self._steps + e.step
        total = max(self._epochs * self._steps, 1)
        self.progress.setValue(min(done, total))
        self.progress.setFormat(f"epoch {e.epoch + 1}/{self._epochs} · batch {e.step}/{e.steps}")
        elapsed = time.monotonic() - self._t0
        eta = elapsed / done * (total - done) if done else 0
        # what people look for first comes first: the room left may cut the end off
        self.info.setText(f"ETA {_clock(eta)} · {e.samples_per_s:,.0f} samples/s · elapsed {_clock(elapsed)}")

    def on_end(self, e: ev.Event) -> None:
        if self._paused_at is not None:  # stopped while paused: the pause is not run time
            self._t0 += time.monotonic() - self._paused_at
            self._paused_at = None
        self._show_timer.stop()
        self._latest = None
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if isinstance(e, ev.Finished) else 0)
        word = {"Finished": "Finished", "Stopped": "Stopped", "Failed": "Failed"}[e.kind]
        self.progress.setFormat(word)
        self.info.setText(f"{word} after {_clock(time.monotonic() - self._t0)}")
