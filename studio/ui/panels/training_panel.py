"""Training: epochs, batch size, validation, seed, loss, metrics, and the backend and device to run on
(the last two as `picker`, a small widget the main window puts in its toolbar).

Only installed backends are offered; devices come from a background probe of each backend (a child
process), so the list fills in a few seconds after the window opens."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast, get_args

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout,
                               QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from studio.core.install_hints import missing_backend
from studio.core.optimizers import LOSSES, METRICS
from studio.core.spec import ClassWeighting, DataSpec, DistributionSpec, InspectSpec, TrainingSpec
from studio.ui.document import Document
from studio.ui.forms import field_param, float_range, int_range, tooltip
from studio.ui.panels.common import SectionPanel

SPLIT_DECIMALS = 2


class TrainingPanel(SectionPanel):
    sections = (("training",), ("data", "validation_split"), ("inspect",))

    def __init__(self, doc: Document, backends: list[str], parent: QWidget | None = None):
        super().__init__(doc, parent)
        self.backends = backends
        self.devices: dict[str, list[str]] = {}
        self.device_errors: dict[str, str] = {}
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        # each control's range and help come from the spec's field, read as the panel is built; only the
        # special values ("whole set", "random": one below the minimum, meaning None) are the panel's own
        epochs, batch, seed, loss = (field_param(TrainingSpec, n) for n in ("epochs", "batch_size", "seed", "loss"))
        validation = field_param(DataSpec, "validation_split")
        self.epochs = QSpinBox()
        self.epochs.setKeyboardTracking(False)
        self.epochs.setRange(*int_range(epochs))
        self.epochs.setToolTip(tooltip(epochs))
        self.epochs.valueChanged.connect(lambda v: self.set_field(("training", "epochs"), v, "Set epochs"))
        form.addRow("Epochs", self.epochs)
        self.batch = QSpinBox()
        self.batch.setKeyboardTracking(False)
        self.batch.setRange(int_range(batch)[0] - 1, int_range(batch)[1])
        self.batch.setSpecialValueText("whole set")
        self.batch.setToolTip(tooltip(batch))
        self.batch.valueChanged.connect(lambda v: self.set_field(
            ("training", "batch_size"), None if v == self.batch.minimum() else v, "Set batch size"))
        form.addRow("Batch size", self.batch)
        # several devices: the spec's own description is the help; model_parallel needs a mesh, set in the spec
        self.distribution = QComboBox()
        for mode, text in (("none", "One device"), ("data_parallel", "Data parallel: every device"),
                           ("model_parallel", "Model parallel (mesh set in the spec)")):
            self.distribution.addItem(text, mode)
        cast(QStandardItemModel, self.distribution.model()).item(2).setEnabled(False)  # a combo box's own model
        self.distribution.setToolTip(f'{TrainingSpec.model_fields["distribution"].description}. '
                                     f'{DistributionSpec.model_fields["mode"].description}')
        self.distribution.activated.connect(lambda i: self.set_field(
            ("training", "distribution"), {"mode": self.distribution.itemData(i)}, "Set devices"))
        form.addRow("Devices", self.distribution)
        self.val = QDoubleSpinBox(singleStep=0.05, decimals=SPLIT_DECIMALS)
        self.val.setKeyboardTracking(False)
        self.val.setRange(*float_range(validation, SPLIT_DECIMALS))
        self.val.setToolTip(tooltip(validation))
        self.val.valueChanged.connect(lambda v: self.set_field(("data", "validation_split"), round(v, 4),
                                                               "Set validation split"))
        form.addRow("Validation split", self.val)
        self.seed = QSpinBox()
        self.seed.setKeyboardTracking(False)
        self.seed.setRange(int_range(seed)[0] - 1, int_range(seed)[1])
        self.seed.setSpecialValueText("random")
        self.seed.setToolTip(tooltip(seed))
        self.seed.valueChanged.connect(
            lambda v: self.set_field(("training", "seed"), None if v == self.seed.minimum() else v, "Set seed"))
        form.addRow("Seed", self.seed)
        self.loss = QComboBox()
        self.loss.addItems(LOSSES)
        self.loss.setToolTip(loss.help)
        self.loss.activated.connect(lambda i: self.set_field(("training", "loss"), LOSSES[i], "Set loss"))
        form.addRow("Loss", self.loss)
        weighting = field_param(TrainingSpec, "class_weight")
        self.class_weight = QComboBox()
        self.class_weight.addItems(list(get_args(ClassWeighting)))
        self.class_weight.setToolTip(weighting.help)
        self.class_weight.activated.connect(lambda i: self.set_field(
            ("training", "class_weight"), self.class_weight.itemText(i), "Set class weights"))
        form.addRow("Class weights", self.class_weight)
        grid = QGridLayout()
        self.metrics: dict[str, QCheckBox] = {}
        for i, m in enumerate(METRICS):
            box = QCheckBox(m)
            box.toggled.connect(self._metrics_changed)
            self.metrics[m] = box
            grid.addWidget(box, i // 2, i % 2)  # two to a row: the tab fits the Setup dock at 1280×720
        mw = QWidget()
        mw.setLayout(grid)
        form.addRow("Metrics", mw)
        # recording the inside of the model (the Inside tab): on or off, and how often
        every = field_param(InspectSpec, "every")
        self.inspect = QCheckBox("Record")
        self.inspect.setToolTip(str(InspectSpec.model_fields["enabled"].description) + ": activations, weights, "
                                "gradients, filters and saliency of a few validation samples")
        self.inspect.toggled.connect(lambda on: self.set_field(("inspect", "enabled"), on, "Set recording"))
        self.inspect_every = QSpinBox(prefix="every ", suffix=" epochs")
        self.inspect_every.setKeyboardTracking(False)
        self.inspect_every.setRange(*int_range(every))
        self.inspect_every.setToolTip(tooltip(every))
        self.inspect_every.valueChanged.connect(lambda v: self.set_field(("inspect", "every"), v,
                                                                         "Set recording interval"))
        inside = QHBoxLayout()
        inside.addWidget(self.inspect)
        inside.addWidget(self.inspect_every, 1)
        form.addRow("Inside", inside)
        # continue training: start from the weights of an earlier run's model (same blocks)
        self.start_from = QLabel()
        self.start_choose = QPushButton("Choose…")
        self.start_choose.setToolTip("Start from the weights of a trained model of the same blocks (a run's "
                                     "model.keras or best.keras): continue training it")
        self.start_choose.clicked.connect(self._choose_start)
        self.start_clear = QPushButton("New weights")
        self.start_clear.setToolTip("Start from freshly initialised weights")
        self.start_clear.clicked.connect(lambda: self.set_start_from(None))
        start_buttons = QHBoxLayout()
        start_buttons.addWidget(self.start_choose)
        start_buttons.addWidget(self.start_clear)
        start_buttons.addStretch(1)
        start_box = QVBoxLayout()  # the file on its own line, the buttons under it: fits a narrow dock
        start_box.addWidget(self.start_from)
        start_box.addLayout(start_buttons)
        form.addRow("Start from", start_box)
        # backend and device are changed most often: they live in the window's toolbar (`picker`), not here
        self.picker = QWidget()
        self.picker.setObjectName("backendDevicePicker")
        row = QHBoxLayout(self.picker)
        row.setContentsMargins(6, 0, 6, 0)
        self.backend = QComboBox()
        self.backend.setToolTip(field_param(TrainingSpec, "backend").help)
        self.backend.activated.connect(self._backend_changed)
        self.device = QComboBox()
        self.device.activated.connect(lambda i: self.set_field(("training", "device"), self.device.itemData(i),
                                                               "Set device"))
        self.device_note = QLabel(wordWrap=True)  # what the probe found; shown as the device picker's tooltip
        for text, combo in (("Backend", self.backend), ("Device", self.device)):
            label = QLabel(text)
            label.setBuddy(combo)
            row.addWidget(label)
            row.addWidget(combo)
        self.finish_form(outer)

    def set_start_from(self, path: str | None) -> bool:
        text = f"Continue from {Path(path).name}" if path else "Start from new weights"

        def mutate(s):
            s["training"]["initial_model"] = path or None
        return self.patch(mutate, text)  # its own undo step: choosing then clearing is two edits

    def _choose_start(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Continue training from", "",
                                              "Keras models (*.keras *.weights.h5)")
        if path:
            self.set_start_from(path)

    def _metrics_changed(self) -> None:
        chosen = [m for m, b in self.metrics.items() if b.isChecked()]
        self.set_field(("training", "metrics"), chosen, "Set metrics")

    def _backend_changed(self, i: int) -> None:
        self.set_field(("training", "backend"), self.backend.itemData(i), "Set backend")

    def set_devices(self, backend: str, devices: list[str], error: str = "") -> None:
        self.devices[backend] = devices
        if error:
            self.device_errors[backend] = error
        self._on_changed()

    def refresh(self, spec: dict[str, Any]) -> None:
        t, d = spec["training"], spec["data"]
        self.epochs.setValue(t["epochs"])
        self.batch.setValue(self.batch.minimum() if t["batch_size"] is None else t["batch_size"])
        mode = DistributionSpec.model_validate(t.get("distribution") or "none").mode  # also a spec of old, or "mode"
        self.distribution.setCurrentIndex(self.distribution.findData(mode))
        self.val.setValue(d.get("validation_split", 0.0))
        self.seed.setValue(self.seed.minimum() if t.get("seed") is None else t["seed"])
        self.loss.setCurrentIndex(LOSSES.index(t["loss"]))
        self.class_weight.setCurrentText(t.get("class_weight", "none"))
        for m, box in self.metrics.items():
            box.setChecked(m in t["metrics"])
        inside = {**InspectSpec().model_dump(), **(spec.get("inspect") or {})}
        self.inspect.setChecked(bool(inside["enabled"]))
        self.inspect_every.setValue(int(inside["every"]))
        self.inspect_every.setEnabled(bool(inside["enabled"]))
        start = t.get("initial_model")
        shown = f"{Path(start).parent.name}/{Path(start).name}" if start else "new weights"
        # run folders have long names: keep both ends (date … title/model.keras)
        self.start_from.setText(self.start_from.fontMetrics().elidedText(shown, Qt.TextElideMode.ElideMiddle, 240))
        self.start_from.setToolTip(start or "Freshly initialised weights (seeded)")
        self.start_clear.setEnabled(bool(start))
        self.backend.clear()
        for b in self.backends:
            self.backend.addItem(b, b)
        if t["backend"] not in self.backends:
            self.backend.addItem(f"{t['backend']} (not installed)", t["backend"])
        self.backend.setCurrentIndex(self.backend.findData(t["backend"]))
        self.device.clear()
        options = ["auto", "cpu"]
        for dev in self.devices.get(t["backend"], []):
            name = dev.split(" ")[0] if dev.lower().startswith("gpu") else None
            if name and name not in options:
                options.append(name)
        if t["device"] not in options:
            options.append(t["device"])
        for o in options:
            label = {"auto": "auto (best available)", "cpu": "CPU"}.get(o, o.upper())
            self.device.addItem(label, o)
        self.device.setCurrentIndex(self.device.findData(t["device"]))
        if t["backend"] not in self.backends:  # a preset or project made where that backend was installed
            problem = missing_backend(t["backend"], self.backends, cli=False)
            self.device_note.setText(problem[0].upper() + problem[1:])
        elif t["backend"] in self.device_errors:
            self.device_note.setText(f"{t['backend']}: {self.device_errors[t['backend']]}")
        elif t["backend"] in self.devices:
            self.device_note.setText("Detected: " + (", ".join(self.devices[t["backend"]]) or "CPU only"))
        else:
            self.device_note.setText("Detecting devices…")
        self.device.setToolTip(f"Where the training runs. {self.device_note.text()}")
