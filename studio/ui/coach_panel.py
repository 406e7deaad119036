"""The coach's side panel beside the curves: a card per finding, newest first, with its severity, the epoch it
was first seen, the advice (the evidence on hover), links to the blocks and settings it names and a button
pair per fix: Apply (one undoable edit of the project) and Fork run with this fix (a new run from the run's own
spec with the change). Hidden while there is nothing to say; folds to a narrow strip with the count."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSizePolicy, QToolButton,
                               QVBoxLayout, QWidget)

from studio.core.coach.diagnosis import Diagnosis, Fix
from studio.core.coach.fixes import apply_fix, keeps_weights
from studio.core.spec import SpecError
from studio.ui import theme
from studio.ui.document import Document
from studio.ui.results.links import ResultLinks

PANEL_W = 290  # a fix's two buttons side by side beside a scroll bar; the plots keep the rest
TITLES = {"overfitting": "Overfitting", "underfitting": "Underfitting", "diverging": "Diverging",
          "lr_too_high": "Learning rate too high", "lr_too_low": "Learning rate too low", "plateau": "Plateau",
          "dead_relu": "Dead ReLUs", "saturation": "Saturated activations",
          "exploding_gradients": "Exploding gradients", "vanishing_gradients": "Vanishing gradients",
          "no_better_than_baseline": "No better than guessing", "class_imbalance": "Imbalanced classes",
          "label_leak": "Suspiciously perfect", "tiny_validation": "Tiny validation set",
          "unnormalized_inputs": "Inputs not normalised"}
ICONS = {"problem": "✖", "warning": "▲", "info": "ℹ"}
MODEL_FILES = ("model.keras", "best.keras")  # the run's trained weights, the last epoch's first


def title_of(kind: str) -> str:
    return TITLES.get(kind, kind.replace("_", " ").capitalize())


def severity_color(severity: str) -> str:
    c = theme.colors()
    amber = "#ffb347" if c.dark else "#b26a00"
    return {"problem": c.error, "warning": amber}.get(severity, c.accent)


def model_file(run_dir: str | None) -> str | None:
    """The run's trained model to continue from (None while it trains, or when it kept none)."""
    for name in MODEL_FILES:
        if run_dir and (Path(run_dir) / name).is_file():
            return str(Path(run_dir) / name)
    return None


def _changes_text(fix: Fix) -> str:
    return "; ".join(f"{c.path} after {c.insert_after}: {c.value}" if c.insert_after else f"{c.path} = {c.value}"
                     for c in fix.changes)


class CoachPanel(QWidget):
    def __init__(self, doc: Document, links: ResultLinks, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("coachPanel")
        self.doc, self.links = doc, links
        self.run_dir: str | None = None
        self.findings: list[Diagnosis] = []
        self.live = False
        self._open: dict[str, bool] = {}  # kind → unfolded, as the user left it
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 2, 2)
        lay.setSpacing(4)
        head = QHBoxLayout()
        self.heading = QLabel("Coach")
        self.heading.setStyleSheet("font-weight: 600;")
        self.fold = QToolButton(autoRaise=True)
        self.fold.setObjectName("coachFold")
        self.fold.setCheckable(True)
        self.fold.setToolTip("Fold the coach away (the curves get the room) or unfold it")
        self.fold.toggled.connect(self._folded)
        head.addWidget(self.heading, 1)
        head.addWidget(self.fold)
        lay.addLayout(head)
        self.scroller = QScrollArea(widgetResizable=True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.cards_box = QWidget()
        self.cards = QVBoxLayout(self.cards_box)
        self.cards.setContentsMargins(0, 0, 0, 0)
        self.cards.setSpacing(6)
        self.scroller.setWidget(self.cards_box)
        lay.addWidget(self.scroller, 1)
        self.note = QLabel(wordWrap=True)  # a refused fix or a setting no panel shows
        self.note.setObjectName("coachNote")
        self.note.hide()
        lay.addWidget(self.note)
        self._folded(False)
        self.hide()

    # ------------------------------------------------------------------ what it shows
    def show_findings(self, run_dir: str, findings: list[Diagnosis], live: bool) -> None:
        """Every finding for the run shown (the coach's updates replace the card of their kind)."""
        if run_dir != self.run_dir:
            self._open = {}
        self.run_dir, self.live = run_dir, live
        self.findings = list(findings)  # newest first, as the coach's feed orders them
        while self.cards.count():
            item = self.cards.takeAt(0)
            card = item.widget() if item is not None else None
            if card is not None:
                card.setParent(None)  # gone from the panel now, deleted once the click that got here is over
                card.deleteLater()
        for i, d in enumerate(self.findings):
            self.cards.addWidget(self._card(d, first=i == 0))
        self.cards.addStretch(1)
        self.note.hide()
        self._badge()
        self.setVisible(bool(self.findings))

    def cards_shown(self) -> list[QFrame]:
        return [w for w in self.cards_box.findChildren(QFrame, options=Qt.FindChildOption.FindDirectChildrenOnly)
                if w.objectName().startswith("coachCard_")]

    def _badge(self) -> None:
        n = len(self.findings)
        worst = max(self.findings, key=lambda d: d.rank()).severity if self.findings else "info"
        self.heading.setText(f"Coach <span style='color:{severity_color(worst)}'>● {n}</span>")
        self.fold.setText(f"◂ {n}" if self.fold.isChecked() else "▸")

    def _folded(self, folded: bool) -> None:
        self.scroller.setVisible(not folded)
        self.heading.setVisible(not folded)
        self.setFixedWidth(self.fold.sizeHint().width() + 12 if folded else PANEL_W)
        self._badge()

    # ------------------------------------------------------------------ a card
    def _card(self, d: Diagnosis, first: bool) -> QFrame:
        c = theme.colors()
        color = c.muted if d.resolved is not None else severity_color(d.severity)
        card = QFrame()
        card.setObjectName(f"coachCard_{d.kind}")
        card.setStyleSheet(f"QFrame#coachCard_{d.kind} {{ border-left: 4px solid {color}; "
                           f"background: {c.grid if c.dark else '#f5f6f8'}; border-radius: 3px; }}")
        card.setToolTip(d.evidence)
        outer = QVBoxLayout(card)
        outer.setContentsMargins(4, 2, 4, 4)
        outer.setSpacing(2)
        top = QHBoxLayout()
        head = QToolButton(autoRaise=True)
        head.setObjectName(f"coachExpand_{d.kind}")
        head.setCheckable(True)
        head.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        withdrawn = d.resolved is not None  # a warning the run later outgrew: kept, and said to be over
        head.setText(f"✓ {title_of(d.kind)} (withdrawn)" if withdrawn else f"{ICONS.get(d.severity, '')} "
                                                                           f"{title_of(d.kind)}")
        head.setToolTip(f"{d.severity}: {d.evidence}")
        head.setStyleSheet(f"QToolButton {{ color: {color}; font-weight: bold; border: none; }}")
        when = QLabel("before training" if d.epoch is None else f"epoch {d.epoch}"
                      + (f"–{d.resolved}" if d.resolved is not None else ""))
        when.setStyleSheet(f"color: {c.muted};")
        top.addWidget(head, 1)
        top.addWidget(when)
        outer.addLayout(top)
        body = QWidget()
        col = QVBoxLayout(body)
        col.setContentsMargins(4, 0, 0, 2)
        col.setSpacing(3)
        advice = QLabel(d.advice, wordWrap=True)
        advice.setToolTip(d.evidence)
        advice.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # wraps to the card
        col.addWidget(advice)
        if d.blocks or d.settings:
            col.addWidget(self._links(d))
        for n, fix in enumerate(d.fixes, 1):
            col.addWidget(self._fix_row(d, n, fix))
        outer.addWidget(body)

        def unfold(on: bool, by_hand: bool = True) -> None:
            body.setVisible(on)
            head.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
            if by_hand:
                self._open[d.kind] = on

        # the newest finding is open, the older ones folded, unless the user opened or folded one
        on = self._open.get(d.kind, first)
        head.setChecked(on)
        unfold(on, by_hand=False)
        head.toggled.connect(unfold)
        return card

    def _links(self, d: Diagnosis) -> QWidget:
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        for bid in d.blocks:
            b = self._link(bid, f"coachBlock_{d.kind}_{bid}", f"Select {bid} in the model graph")
            b.clicked.connect(lambda _=False, i=bid: self.links.pick_blocks.emit([i]))
            lay.addWidget(b)
        for path in d.settings:
            where = self.links.where_is(path)
            tip = f"Show {path} in {where}" if where else (f"No setup panel has a field for {path}: it is set in "
                                                           "the spec (File ▸ Save, then edit the JSON)")
            b = self._link(path.split(".")[-1].replace("_", " "), f"coachSetting_{d.kind}_{path}", tip)
            b.clicked.connect(lambda _=False, p=path, w=where: self._setting(p, w))
            lay.addWidget(b)
        lay.addStretch(1)
        return row

    def _link(self, text: str, name: str, tip: str) -> QPushButton:
        b = QPushButton(text, flat=True)
        b.setObjectName(name)
        b.setToolTip(tip)
        b.setCursor(Qt.CursorShape.PointingHandCursor)
        b.setStyleSheet(f"QPushButton {{ color: {theme.colors().accent}; text-decoration: underline; "
                        "padding: 0 3px; border: none; }")
        return b

    def _fix_row(self, d: Diagnosis, n: int, fix: Fix) -> QWidget:
        w = QWidget()
        col = QVBoxLayout(w)
        col.setContentsMargins(0, 2, 0, 0)
        col.setSpacing(1)
        label = QLabel(fix.label, wordWrap=True)
        label.setToolTip(_changes_text(fix))
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        col.addWidget(label)
        row = QHBoxLayout()
        apply = QPushButton("Apply")
        apply.setObjectName(f"coachApply_{d.kind}_{n}")
        apply.setToolTip(f"Change the project: {_changes_text(fix)} (one undoable step: Edit ▸ Undo)")
        apply.clicked.connect(lambda _=False, f=fix: self.apply(f))
        fork = QPushButton("Fork run with this fix")
        fork.setObjectName(f"coachFork_{d.kind}_{n}")
        fork.setToolTip(self._fork_tip(fix))
        fork.setEnabled(not self.live and not self.links.training() and self.run_dir is not None)
        fork.clicked.connect(lambda _=False, f=fix: self.links.fork.emit(self.run_dir, f))
        row.addWidget(apply)
        row.addWidget(fork)
        row.addStretch(1)
        col.addLayout(row)
        return w

    def _fork_tip(self, fix: Fix) -> str:
        what = "Train a new run from this run's spec with the change"
        if self.live or self.links.training():
            return what + ". Available when the training ends (one run trains at a time; its weights are saved then)"
        if not keeps_weights(fix):
            return what + ", from scratch: the change alters the model's blocks or its data, so this run's " \
                          "weights would not fit"
        found = model_file(self.run_dir)
        if found is None:
            return what + ", from scratch: this run kept no model to continue from"
        return what + f", continuing from this run's weights ({Path(found).name})"

    # ------------------------------------------------------------------ actions
    def apply(self, fix: Fix) -> bool:
        """The fix as one undoable edit of the project; False (and why, below the cards) when it cannot be."""
        try:
            fixed = apply_fix(self.doc.spec, fix)
        except SpecError as exc:
            self._say(f"Not applied: {exc}")
            return False

        def mutate(spec: dict) -> None:
            spec.clear()
            spec.update(fixed)

        problem = self.doc.patch(mutate, f"Coach: {fix.label}")
        if problem:
            self._say(f"Not applied: {problem}")
            return False
        self._say(f"Applied to the project: {fix.label} (Edit ▸ Undo takes it back)")
        return True

    def _setting(self, path: str, where: str | None) -> None:
        if where is None:
            self._say(f"No setup panel has a field for {path}; it is set in the spec file")
            return
        self.links.show_setting.emit(path)

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()
        self.links.message.emit(text)
