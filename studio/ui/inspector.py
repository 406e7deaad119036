"""The property inspector: the selected block's parameters as a form generated from the catalogue."""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from studio.core import catalog, model_edits
from studio.core.params import ParamError
from studio.ui import theme
from studio.ui.document import Document
from studio.ui.forms import ParamForm


class Inspector(QWidget):
    renamed = Signal(str, str)  # old id, new id: the editors select the block under its new name

    def __init__(self, doc: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = doc
        self.block_id: str | None = None
        self._type: str | None = None
        self.form: ParamForm | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel()
        self.title.setObjectName("inspectorTitle")
        self.title.setStyleSheet("font-weight: 600; font-size: 11pt;")
        self.help = QLabel(wordWrap=True)
        self.help.setStyleSheet(f"color: {theme.colors().muted};")
        self.error = QLabel(wordWrap=True)
        self.error.setObjectName("inspectorError")
        self.error.setStyleSheet(f"color: {theme.colors().error};")
        self.error.hide()
        # the block's id: its layer name in Keras, in exports and in the connections of a graph
        self.name = QLineEdit()
        self.name.setToolTip("The block's name: the layer name in Keras and exports. Letters, digits and _; "
                             "connections to the block follow a rename.")
        self.name.editingFinished.connect(self._rename)
        self.name.setPlaceholderText("block name")  # shown only while a block is selected
        header = QHBoxLayout()  # "LSTM  [lstm_1]": the type, then the name it can be given
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title)
        header.addWidget(self.name, 1)
        outer.addLayout(header)
        outer.addWidget(self.help)
        self.scroll = QScrollArea(widgetResizable=True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer.addWidget(self.scroll, 1)
        outer.addWidget(self.error)
        doc.subscribe(self, lambda _paths: self._refresh(), ("model",))
        self.show_block(None)

    def show_block(self, block_id: str | None) -> None:
        self.block_id = block_id
        self._type = None
        self.error.hide()
        self._refresh()

    def _refresh(self) -> None:
        spec = self.doc.view()
        try:
            b = model_edits.blocks(spec)[model_edits.index_of(spec, self.block_id)] if self.block_id else None
        except KeyError:
            b = None
        if b is None:
            self._type = None
            self.title.setText("No block selected")
            self.help.setText("Select a block in the model to edit its parameters; add blocks from the palette "
                              "(double-click or drag).")
            self.form = None
            self.name.hide()
            self.scroll.setWidget(QWidget())
            return
        self.name.show()
        if not self.name.hasFocus():
            self.name.setText(b["id"])
        entry = catalog.get(b["type"])
        try:
            values = entry.check_params(b.get("params", {}))
        except ParamError:
            values = {**entry.defaults(), **b.get("params", {})}
        if b["type"] != self._type or self.form is None:
            self._type = b["type"]
            self.title.setText(b["type"])
            self.help.setText(entry.help)
            self.form = ParamForm(entry.params, values)
            self.form.changed.connect(self._changed)
            self.form.refused.connect(self._refused)
            holder = QWidget()
            lay = QVBoxLayout(holder)
            lay.setContentsMargins(0, 0, 0, 0)
            if not entry.params:
                lay.addWidget(QLabel("This block has no parameters."))
            lay.addWidget(self.form)
            lay.addStretch(1)
            self.scroll.setWidget(holder)
        else:
            self.title.setText(b["type"])
            self.form.set_values(values)

    def _rename(self) -> None:
        old, new = self.block_id, self.name.text().strip()
        if old is None or new == old:
            return
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", new):
            self._refused(f"`{new}` cannot be a block name: use letters, digits and _ only, starting with a letter "
                          "or _ (e.g. conv_1)")
            self.name.setText(old)
            return
        done = self.doc.perform(lambda core: core.rename_block(old, new))
        if isinstance(done, str):
            self._refused(done)
            self.name.setText(old)
            return
        self.error.hide()
        self.block_id = new
        self._refresh()
        self.renamed.emit(old, new)

    def _changed(self, name: str, value) -> None:
        bid = self.block_id
        if bid is None:
            return
        done = self.doc.perform(lambda core: core.set_param(bid, name, value), merge_key=f"param:{bid}.{name}")
        if isinstance(done, str):
            self._refused(done)
            self._refresh()  # show the value the document kept
        else:
            self.error.hide()

    def _refused(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
