"""The Inside tab: what the training child recorded of the inside of the model, epoch by epoch.

A layer picker (also set by clicking a block in the graph), a view picker, the probe sample, and an epoch
scrubber that is the loss curve itself: drag the line on the loss plot (or the slider, or press Play) and the
picture, the per-layer gradient norms and the dead-unit fractions all show that epoch. Everything is read from
the run's `inspect/` folder (studio.core.inspect_store) with the pictures of studio.core.inside_pictures, the
same the command line writes; live runs add a snapshot as each `Inspect` event arrives. No backend here.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from studio.core import events as ev
from studio.core import inside_pictures as pictures
from studio.core.inspect_store import InspectError, InspectRecord
from studio.core.runs import read_metrics
from studio.ui import theme

VIEW_TITLES = {"activations": "Activations", "weights": "Weights", "gradients": "Gradients",
               "filters": "Filters", "saliency": "Saliency", "gradcam": "Grad-CAM"}
MODEL_VIEWS = ("filters", "saliency", "gradcam")  # each belongs to one place in the model, not to the picked layer
PLAY_MS = 350  # between frames while playing: a 60-snapshot run plays in about 20 s
EMPTY = ("This run recorded nothing inside the model. Turn on Setup ▸ Training ▸ Inside ▸ Record and train "
         "again to watch activations, weights, gradients and saliency form epoch by epoch.")


class InsideView(QWidget):
    epoch_changed = Signal(int)  # the epoch shown (0: before training)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.run_dir: Path | None = None
        self.record: InspectRecord | None = None
        self.epochs: list[int] = []
        self._loss: dict[str, list[float]] = {"x": [], "loss": [], "val": []}
        self.timer = QTimer(self, interval=PLAY_MS)
        self.timer.timeout.connect(self._step)

        self.layer = QComboBox()
        self.layer.setToolTip("The block to look into; clicking a block in the graph picks it too")
        self.view = QComboBox()
        self.view.setToolTip("What to draw for it")
        for key, title in VIEW_TITLES.items():
            self.view.addItem(title, key)
        self.probe = QComboBox()
        self.probe.setToolTip("One of the fixed validation samples recorded at every snapshot")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Scrub through the recorded epochs")
        self.slider.setPageStep(1)
        self.play = QPushButton("Play")
        self.play.setToolTip("Step through the recorded epochs")
        self.play.setCheckable(True)
        self.epoch_label = QLabel()
        self.epoch_label.setMinimumWidth(100)
        self.caption = QLabel(wordWrap=True)
        self.message = QLabel(EMPTY, wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)

        self.canvas = pg.GraphicsLayoutWidget()
        self.box = self.canvas.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.image)
        self.loss_plot = pg.PlotWidget(title="Loss · drag the line")
        self.marker = pg.InfiniteLine(0, movable=True, pen=pg.mkPen(width=2))
        self.loss_plot.addItem(self.marker)
        self.norm_plot = pg.PlotWidget(title="Gradient norm (log)")
        self.norm_plot.setLogMode(y=True)
        self.norm_plot.setToolTip("Each block's gradient norm per epoch, on a log scale: lines falling apart by "
                                  "layer are vanishing gradients, a line shooting up is exploding. The picked "
                                  "layer's line is the thick one.")
        self.norm_marker = pg.InfiniteLine(0, pen=pg.mkPen(style=Qt.PenStyle.DashLine))
        self.norm_plot.addItem(self.norm_marker)
        self.dead_plot = pg.PlotWidget(title="Dead or saturated units")
        self.dead_plot.setYRange(0, 1)
        self.dead_plot.getAxis("left").setTicks([[(0, "0"), (0.5, "½"), (1, "all")], []])  # six labels crowded it
        self.dead_marker = pg.InfiniteLine(0, pen=pg.mkPen(style=Qt.PenStyle.DashLine))
        self.dead_plot.addItem(self.dead_marker)
        for p in (self.loss_plot, self.norm_plot, self.dead_plot):
            p.setMinimumHeight(70)
            p.setMouseEnabled(x=False, y=False)
            p.hideButtons()
        self._build()
        self.apply_theme()
        self.layer.currentIndexChanged.connect(lambda _i: self._layer_changed())
        self.view.currentIndexChanged.connect(lambda _i: self.redraw())
        self.probe.currentIndexChanged.connect(lambda _i: self.redraw())
        self.slider.valueChanged.connect(self._slider_moved)
        self.marker.sigDragged.connect(lambda: self.show_epoch(self.marker.value()))
        self.play.toggled.connect(self._play)
        self.show_run(None)

    def _build(self) -> None:
        controls = QHBoxLayout()
        for text, widget in (("Layer", self.layer), ("View", self.view), ("Probe", self.probe)):
            label = QLabel(text)
            label.setBuddy(widget)
            controls.addWidget(label)
            controls.addWidget(widget, 1)
        left = QVBoxLayout()
        left.addLayout(controls)
        left.addWidget(self.caption)
        left.addWidget(self.canvas, 1)
        right = QVBoxLayout()
        for p in (self.loss_plot, self.norm_plot, self.dead_plot):
            right.addWidget(p, 1)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        scrub = QHBoxLayout()
        scrub.addWidget(self.play)
        scrub.addWidget(self.slider, 1)
        scrub.addWidget(self.epoch_label)
        self.content = QWidget()
        inner = QVBoxLayout(self.content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(body, 1)
        inner.addLayout(scrub)
        outer = QVBoxLayout(self)
        outer.addWidget(self.message)
        outer.addWidget(self.content, 1)

    def apply_theme(self) -> None:
        c = theme.colors()
        self.canvas.setBackground(c.background)
        for p in (self.loss_plot, self.norm_plot, self.dead_plot):
            theme.style_plot(p)
            p.getPlotItem().titleLabel.setText(p.getPlotItem().titleLabel.text, color=c.foreground, size="9pt")
        self.marker.setPen(pg.mkPen(c.foreground, width=2))
        self._draw_series()

    # ------------------------------------------------------------------ which run
    def show_run(self, run_dir: str | Path | None) -> bool:
        """Show a run's recording (None: nothing); False when it recorded nothing (yet)."""
        self.timer.stop()
        self.play.setChecked(False)
        self.run_dir = Path(run_dir) if run_dir else None
        self._loss = {"x": [], "loss": [], "val": []}
        if self.run_dir is not None:
            cols = read_metrics(self.run_dir)
            self._loss = {"x": list(cols.get("epoch", [])), "loss": list(cols.get("loss", [])),
                          "val": list(cols.get("val_loss", []))}
        return self._reload(follow=False)

    def _reload(self, follow: bool) -> bool:
        if self.record is not None:
            self.record.close()
        self.record = None
        if self.run_dir is not None:
            try:
                self.record = InspectRecord(self.run_dir)
            except InspectError as exc:
                self.message.setText(EMPTY if "no recording" in str(exc) else str(exc))
        has = self.record is not None and bool(self.record.epochs)
        self.message.setVisible(not has)
        self.content.setVisible(has)
        if not has or self.record is None:
            self.epochs = []
            return False
        at_end = not self.epochs or self.slider.value() >= len(self.epochs) - 1
        self.epochs = list(self.record.epochs)
        self._fill_pickers()
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(self.epochs) - 1)
        if follow and at_end or not follow:
            self.slider.setValue(len(self.epochs) - 1)  # a live run: stay on the newest unless scrubbing back
        self.slider.blockSignals(False)
        self._draw_series()
        self.redraw()
        return True

    def _fill_pickers(self) -> None:
        assert self.record is not None
        layers = [b for b, views in self.record.listing()["layers"].items()
                  if any(v in views for v in ("activations", "weights"))]
        current = self.layer.currentText()
        self.layer.blockSignals(True)
        self.layer.clear()
        self.layer.addItems(layers)
        self.layer.setCurrentIndex(max(0, layers.index(current) if current in layers else 0))
        self.layer.blockSignals(False)
        names = self.record.index.get("class_names") or []
        try:
            labels = self.record.probe_arrays().get("y")
        except InspectError:
            labels = None
        chosen = self.probe.currentIndex()
        self.probe.blockSignals(True)
        self.probe.clear()
        for i in range(self.record.probes):
            text = f"sample {i + 1}"
            if labels is not None and i < len(labels) and np.ndim(labels[i]) == 0 and names:
                label = int(labels[i])
                text += f" — a {names[label] if label < len(names) else label}"
            self.probe.addItem(text, i)
        self.probe.setCurrentIndex(max(0, chosen))
        self.probe.blockSignals(False)
        self._enable_views()

    def _enable_views(self) -> None:
        if self.record is None:
            return
        listing = self.record.listing()["layers"]
        here = listing.get(self.layer.currentText(), [])
        anywhere = {v for views in listing.values() for v in views}
        model = self.view.model()
        for i in range(self.view.count()):
            key = self.view.itemData(i)
            available = key in anywhere if key in MODEL_VIEWS else key in here
            model.item(i).setEnabled(available)  # type: ignore[attr-defined]
        if not model.item(self.view.currentIndex()).isEnabled():  # type: ignore[attr-defined]
            self.view.setCurrentIndex(self.view.findData("activations"))

    # ------------------------------------------------------------------ live
    def on_epoch(self, e: ev.EpochEnd) -> None:
        self._loss["x"].append(e.epoch + 1.0)
        self._loss["loss"].append(float(e.logs.get("loss", math.nan)))
        self._loss["val"].append(float(e.logs.get("val_loss", math.nan)))
        self._draw_series()

    def on_inspect(self, _e: ev.Inspect) -> None:
        self._reload(follow=True)

    def select_layer(self, block_id: str) -> None:
        """The graph's selection: show that block if it recorded anything."""
        index = self.layer.findText(block_id)
        if index >= 0:
            self.layer.setCurrentIndex(index)

    # ------------------------------------------------------------------ the epoch
    def current_epoch(self) -> int | None:
        return self.epochs[self.slider.value()] if self.epochs else None

    def show_epoch(self, epoch: float) -> None:
        """Scrub to the recorded epoch nearest `epoch` (the loss plot's line may stand between snapshots)."""
        if self.record is None or not self.epochs:
            return
        self.slider.setValue(self.epochs.index(self.record.nearest(epoch)))

    def _slider_moved(self, _value: int) -> None:
        self._draw_markers()
        self.redraw()
        if (epoch := self.current_epoch()) is not None:
            self.epoch_changed.emit(epoch)

    def _play(self, on: bool) -> None:
        if on:
            if self.slider.value() >= self.slider.maximum():
                self.slider.setValue(0)
            self.timer.start()
        else:
            self.timer.stop()
        self.play.setText("Pause" if on else "Play")

    def _step(self) -> None:
        if self.slider.value() >= self.slider.maximum():
            self.play.setChecked(False)
            return
        self.slider.setValue(self.slider.value() + 1)

    def _layer_changed(self) -> None:
        self._enable_views()
        self._draw_series()  # the picked layer's gradient norm is drawn thick
        self.redraw()

    # ------------------------------------------------------------------ drawing
    def redraw(self) -> None:
        epoch = self.current_epoch()
        if self.record is None or epoch is None:
            return
        self.epoch_label.setText("before training" if epoch == 0 else f"epoch {epoch}")
        view, probe = self.view.currentData(), max(0, self.probe.currentIndex())
        layer = self._layer_for(view)
        try:
            rgb = pictures.picture(self.record, view, layer, epoch, probe)
        except (InspectError, KeyError, ValueError, IndexError) as exc:
            self.caption.setText(f"{VIEW_TITLES[view]} cannot be drawn here: {exc}")
            self.image.clear()
            return
        self.image.setImage(rgb, levels=(0, 255))
        self.box.autoRange(padding=0.02)
        self.caption.setText(self._describe(view, layer, epoch, probe))
        self._draw_markers()

    def _layer_for(self, view: str) -> str:
        assert self.record is not None
        if view == "saliency":
            return self.record.inputs[0]
        if view == "gradcam":
            return str(self.record.index.get("last_conv") or self.layer.currentText())
        if view == "filters":
            return str(self.record.index.get("first_conv") or self.layer.currentText())
        return self.layer.currentText()

    def _describe(self, view: str, layer: str, epoch: int, probe: int) -> str:
        assert self.record is not None
        text = {"activations": f"What {layer} outputs for sample {probe + 1}",
                "weights": f"{layer}'s weights: one row per recorded epoch, up to this one",
                "gradients": f"{layer}'s gradients: one row per recorded epoch, up to this one",
                "filters": f"The first convolution's filters ({layer}): blue negative, red positive",
                "saliency": f"Where sample {probe + 1}'s predicted class is most sensitive to the input",
                "gradcam": f"Grad-CAM on {layer}: the regions that raised the predicted class"}[view]
        stats = self.record.stats(self._layer_for("activations"))
        i = self.epochs.index(epoch)
        dead, saturated = stats["dead"][i], stats["saturated"][i]
        if view == "activations" and math.isfinite(float(dead)):
            text += f" · {dead:.0%} of its units are dead (zero on every sample)"
        elif view == "activations" and math.isfinite(float(saturated)):
            text += f" · {saturated:.0%} of its outputs are saturated"
        return text

    def _draw_markers(self) -> None:
        epoch = self.current_epoch()
        if epoch is None:
            return
        for line in (self.marker, self.norm_marker, self.dead_marker):
            line.blockSignals(True)
            line.setValue(epoch)
            line.blockSignals(False)

    def _draw_series(self) -> None:
        c = theme.colors()
        self.loss_plot.clear()
        self.loss_plot.addItem(self.marker)
        x = np.array(self._loss["x"], dtype=float)
        if len(x):
            self.loss_plot.plot(x, np.array(self._loss["loss"]), pen=pg.mkPen(c.series[0], width=2))
            val = np.array(self._loss["val"], dtype=float)
            if np.isfinite(val).any():
                self.loss_plot.plot(x, val, pen=pg.mkPen(c.series[1], width=2, style=Qt.PenStyle.DashLine))
        self.norm_plot.clear()
        self.norm_plot.addItem(self.norm_marker)
        self.dead_plot.clear()
        self.dead_plot.addItem(self.dead_marker)
        if self.record is None or not self.epochs:
            return
        epochs = np.array(self.epochs, dtype=float)
        picked, seen = self.layer.currentText(), []
        for i, (block, norms) in enumerate(self.record.norms("gradients").items()):
            ok = np.isfinite(norms) & (norms > 0)
            if ok.any():  # the picked layer's line stands out: a small plot has no room for a legend
                self.norm_plot.plot(epochs[ok], norms[ok], name=block,
                                    pen=pg.mkPen(c.series[i % len(c.series)], width=3 if block == picked else 1))
                seen.append(norms[ok])
        if seen:  # whole decades, labelled at powers of ten only: 0.2 … 0.9 crowded a plot this small
            low = math.floor(np.log10(min(v.min() for v in seen)))
            high = max(math.ceil(np.log10(max(v.max() for v in seen))), low + 1)
            self.norm_plot.setYRange(low, high, padding=0)
            step = max(1, (high - low + 2) // 3)  # at most about three labels
            self.norm_plot.getAxis("left").setTicks([[(k, f"{10.0 ** k:g}") for k in range(low, high + 1, step)], []])
        drawn = False
        for i, block in enumerate(self.record.listing()["layers"]):
            stats = self.record.stats(block)
            values = np.where(np.isfinite(stats["dead"]), stats["dead"], stats["saturated"])
            if np.isfinite(values).any():
                self.dead_plot.plot(epochs, values, pen=pg.mkPen(c.series[i % len(c.series)], width=2), name=block)
                drawn = True
        self.dead_plot.setVisible(drawn)  # no ReLU, sigmoid or tanh block: nothing to show, no empty axes
        self._draw_markers()

    def shutdown(self) -> None:
        self.timer.stop()
        if self.record is not None:
            self.record.close()
