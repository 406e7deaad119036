"""The model as a network (as Netron or PerceptiLabs draw one): a box per block, coloured by its catalogue
category, with its type, id and parameter count, and the output shape written on the edge that leaves it.
Training-only augmentation is drawn greyed right after the Input, so a shape it changes (RandomCrop 32→28)
shows where it happens. Long chains wrap into side-by-side bands so a convnet reads at 100 % without
scrolling; Fit shows everything, Ctrl+wheel or −/+ zoom.

Drag from a block's output port (the dot at its bottom) onto another block to add a connection
(skip/residual, a second input of Add or Concatenate); select a connection and press Delete (or
right-click it) to remove it."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem,
                               QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView, QHBoxLayout, QLabel, QMenu,
                               QSizePolicy, QToolButton, QVBoxLayout, QWidget)

from studio.core import catalog, model_edits
from studio.core.analysis import analyze
from studio.core.spec import BlockSpec, ModelSpec, SpecError
from studio.ui import theme
from studio.ui.checker import Checker
from studio.ui.document import Document

NODE_W, NODE_H, GAP_X, GAP_Y = 196, 46, 36, 30
BAND_GAP = 70  # between two bands of a wrapped chain
STRIPE = 6  # the category colour down a node's left side
TITLE_PX, TEXT_PX = 13, 11  # pixel sizes at 100 %: readable, never the old 7 px
MIN_ZOOM, MAX_ZOOM = 0.25, 3.0
EMPTY_HINT = "The model is empty: double-click Input in Blocks (left), or File ▸ New from Preset…"


def _font(px: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(px)
    f.setBold(bold)
    return f


def _text(parent: QGraphicsItem, text: str, font: QFont, color: str, x: float, y: float,
          width: float) -> QGraphicsSimpleTextItem:
    """A line of text that never runs past `width` (elided, the full text in the tooltip)."""
    shown = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, int(width))
    item = QGraphicsSimpleTextItem(shown, parent)
    item.setFont(font)
    item.setBrush(QBrush(QColor(color)))
    item.setPos(x, y)
    if shown != text:
        item.setToolTip(text)
    return item


class _Node(QGraphicsRectItem):
    def __init__(self, block_id: str, selectable: bool = True):
        super().__init__(0, 0, NODE_W, NODE_H)
        self.block_id = block_id
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, selectable)
        self.port = QGraphicsEllipseItem(NODE_W / 2 - 5, NODE_H - 5, 10, 10, self)
        self.port.setToolTip("Drag onto another block to connect")
        self.port.setData(0, "port" if selectable else None)
        self.port.setVisible(selectable)
        self.texts: list[QGraphicsSimpleTextItem] = []


class _Edge(QGraphicsPathItem):
    def __init__(self, source: str, target: str, path: QPainterPath, removable: bool = True):
        super().__init__(path)
        self.source, self.target = source, target
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, removable)
        if removable:
            self.setToolTip(f"{source} → {target} (Delete or right-click to remove)")

    def shape(self) -> QPainterPath:  # a wider hit area than the 2-px line
        from PySide6.QtGui import QPainterPathStroker

        s = QPainterPathStroker()
        s.setWidth(10)
        return s.createStroke(self.path())


class _View(QGraphicsView):
    connect_requested = Signal(str, str)
    disconnect_requested = Signal(str, str)
    delete_requested = Signal()  # Delete with blocks selected

    def __init__(self, scene: QGraphicsScene):
        super().__init__(scene)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self._drag_from: _Node | None = None
        self._rubber: QGraphicsPathItem | None = None

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, z: float) -> None:
        z = min(max(z, MIN_ZOOM), MAX_ZOOM)
        self.resetTransform()
        self.scale(z, z)

    def fit(self) -> None:
        """The whole graph in view: shrunk when it must be, never enlarged past 100 %."""
        rect = self.sceneRect()
        if rect.isEmpty():
            return
        view = self.viewport().size()
        self.set_zoom(min(1.0, view.width() / rect.width(), view.height() / rect.height()))

    def wheelEvent(self, event):  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.set_zoom(self.zoom() * (1.15 if event.angleDelta().y() > 0 else 1 / 1.15))
            event.accept()
            return
        super().wheelEvent(event)

    def mousePressEvent(self, event):  # noqa: N802
        item = self.itemAt(event.position().toPoint())
        if item is not None and item.data(0) == "port" and event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = item.parentItem()
            self._rubber = self.scene().addPath(QPainterPath(), QPen(QColor(theme.colors().accent), 2,
                                                                     Qt.PenStyle.DashLine))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):  # noqa: N802
        if self._drag_from is not None:
            start = self._drag_from.mapToScene(QPointF(NODE_W / 2, NODE_H))
            path = QPainterPath(start)
            path.lineTo(self.mapToScene(event.position().toPoint()))
            self._rubber.setPath(path)
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):  # noqa: N802
        if self._drag_from is not None:
            source = self._drag_from.block_id
            self.scene().removeItem(self._rubber)
            self._drag_from = self._rubber = None
            target = self._node_at(event.position().toPoint())
            if target is not None and target.block_id != source and target.flags() & \
                    QGraphicsItem.GraphicsItemFlag.ItemIsSelectable:
                self.connect_requested.emit(source, target.block_id)
            return
        super().mouseReleaseEvent(event)

    def _node_at(self, pos) -> _Node | None:
        for item in self.items(pos):
            while item is not None and not isinstance(item, _Node):
                item = item.parentItem()
            if isinstance(item, _Node):
                return item
        return None

    def keyPressEvent(self, event):  # noqa: N802
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            for item in self.scene().selectedItems():
                if isinstance(item, _Edge):
                    self.disconnect_requested.emit(item.source, item.target)
                    return
            if self.scene().selectedItems():  # selected blocks: the editor's Delete, as in the layer list
                self.delete_requested.emit()
                return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event):  # noqa: N802
        for item in self.items(event.pos()):
            if isinstance(item, _Edge) and item.flags() & QGraphicsItem.GraphicsItemFlag.ItemIsSelectable:
                menu = QMenu(self)
                menu.addAction(f"Remove {item.source} → {item.target}",
                               lambda s=item.source, t=item.target: self.disconnect_requested.emit(s, t))
                menu.exec(event.globalPos())
                return
        super().contextMenuEvent(event)

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        if event.oldSize().height() != event.size().height():
            self.parent().rebuild() if isinstance(self.parent(), GraphView) else None


def _augmentation_shapes(spec: dict, input_block: dict) -> list[tuple[dict, str, str]]:
    """(augmentation block, output shape text, error) after the Input, from the same analysis as the model."""
    aug = [a for a in spec.get("data", {}).get("augmentation", []) or [] if a.get("enabled", True)]
    if not aug:
        return []
    try:
        chain = [BlockSpec(id="input_1", type="Input", params=input_block.get("params", {}))]
        chain += [BlockSpec(id=f"aug_{i}", type=a["type"], params=a.get("params", {})) for i, a in enumerate(aug)]
        reports = analyze(ModelSpec(blocks=chain)).blocks[1:]
    except (ValueError, SpecError, KeyError):
        return [(a, "", "") for a in aug]
    return [(a, r.shape_text if r.output_shape is not None else "", r.error) for a, r in zip(aug, reports)]


class GraphView(QWidget):
    selection_changed = Signal(list)
    message = Signal(str)
    delete_requested = Signal()  # Delete on selected blocks: the window hands it to the editor's Delete

    def __init__(self, doc: Document, checker: Checker, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc, self.checker = doc, checker
        self.scene = QGraphicsScene(self)
        self.view = _View(self.scene)
        self.view.setParent(self)
        self.view.setToolTip("")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 2)
        hint = QLabel("Drag a block's bottom dot onto another to connect · select a connection, Delete removes it")
        hint.setStyleSheet(f"color: {theme.colors().muted};")
        hint.setToolTip(hint.text())
        hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the centre
        bar.addWidget(hint, 1)
        self.buttons: dict[str, QToolButton] = {}
        for name, tip, slot in (("−", "Zoom out (Ctrl+wheel)", lambda: self.view.set_zoom(self.view.zoom() / 1.25)),
                                ("100 %", "The zoom; click for actual size", lambda: self.view.set_zoom(1.0)),
                                ("+", "Zoom in (Ctrl+wheel)", lambda: self.view.set_zoom(self.view.zoom() * 1.25)),
                                ("Fit", "Fit the whole model in view", self.view.fit)):
            b = QToolButton(text=name, toolTip=tip, autoRaise=True)
            b.clicked.connect(slot)
            b.clicked.connect(self._show_zoom)
            bar.addWidget(b)
            self.buttons[name] = b
        self.zoom_label = self.buttons["100 %"]  # shows the zoom in force
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)
        self.nodes: dict[str, _Node] = {}
        self.edges: list[_Edge] = []  # the model's connections (removable)
        self.aug_nodes: list[_Node] = []  # training-only augmentation, greyed after the Input
        self.shape_labels: dict[str, QGraphicsSimpleTextItem] = {}  # block id → its output shape on its edge
        self._syncing = False
        self.view.connect_requested.connect(self.connect_blocks)
        self.view.disconnect_requested.connect(self.disconnect_blocks)
        self.view.delete_requested.connect(self.delete_requested)
        self.scene.selectionChanged.connect(self._selection)
        checker.report_changed.connect(lambda _r: self.rebuild())

    def _show_zoom(self) -> None:
        self.zoom_label.setText(f"{self.view.zoom():.0%}".replace("%", " %"))

    # ------------------------------------------------------------------ drawing
    def _node(self, bid: str, title: str, lines: list[str], category: str, *, error: bool = False,
              greyed: bool = False, selectable: bool = True) -> _Node:
        c = theme.colors()
        node = _Node(bid, selectable)
        colour = QColor(theme.category_color(category))
        fill = QColor(c.error_bg) if error else QColor(colour)
        if not error:
            fill.setAlpha(28 if not greyed else 12)
        base = QColor(c.background)
        node.setBrush(QBrush(base))
        tint = QGraphicsRectItem(0, 0, NODE_W, NODE_H, node)  # the category tint over the window colour
        tint.setBrush(QBrush(fill))
        tint.setPen(QPen(Qt.PenStyle.NoPen))
        tint.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        stripe = QGraphicsRectItem(0, 0, STRIPE, NODE_H, node)
        stripe.setBrush(QBrush(QColor(c.muted) if greyed else colour))
        stripe.setPen(QPen(Qt.PenStyle.NoPen))
        pen_colour = c.error if error else (c.muted if greyed else colour.darker(130).name())
        node.setPen(QPen(QColor(pen_colour), 1.5, Qt.PenStyle.DashLine if greyed else Qt.PenStyle.SolidLine))
        node.port.setBrush(QBrush(QColor(c.accent)))
        node.port.setZValue(2)
        width = NODE_W - STRIPE - 12
        fg = c.muted if greyed else c.foreground
        node.texts.append(_text(node, title, _font(TITLE_PX, bold=True), fg, STRIPE + 6, 4, width))
        for i, line in enumerate(lines[:1]):
            node.texts.append(_text(node, line, _font(TEXT_PX), c.error if error else c.muted, STRIPE + 6,
                                    24 + i * 14, width))
        self.scene.addItem(node)
        return node

    def _layout(self, order: list[str], links: dict[str, list[str]]) -> dict[str, QPointF]:
        """Depth levels top to bottom (blocks of a level side by side), wrapped into bands that fit the view."""
        depth: dict[str, int] = {}
        for bid in order:  # sources come first in the list, so one pass gives the longest path
            depth[bid] = max((depth[s] + 1 for s in links[bid] if s in depth), default=0)
        levels = max(depth.values(), default=-1) + 1
        per_level: dict[int, int] = {}
        for d in depth.values():
            per_level[d] = per_level.get(d, 0) + 1
        widest = max(per_level.values(), default=1)
        room = max(self.view.viewport().height() - 64, NODE_H + GAP_Y)  # margins, wrap arcs, the last label
        per_band = max(int((room + GAP_Y) // (NODE_H + GAP_Y)), 3)
        band_w = widest * (NODE_W + GAP_X) - GAP_X + BAND_GAP
        pos, column = {}, {}
        for bid in order:
            d = depth[bid]
            col = column.get(d, 0)
            column[d] = col + 1
            band, row = divmod(d, per_band) if levels > per_band else (0, d)
            pos[bid] = QPointF(band * band_w + col * (NODE_W + GAP_X), row * (NODE_H + GAP_Y))
        return pos

    def _path(self, a: QPointF, z: QPointF, skip_lane: float | None) -> QPainterPath:
        path = QPainterPath(a)
        if z.y() <= a.y():  # into the next band: down out of the block, over to the top of the next band
            top = z.y() - GAP_Y / 2
            mid_x = (a.x() + z.x()) / 2
            path.cubicTo(a + QPointF(0, GAP_Y / 2), QPointF(mid_x, a.y() + GAP_Y / 2), QPointF(mid_x, a.y()))
            path.lineTo(QPointF(mid_x, top + GAP_Y / 4))
            path.cubicTo(QPointF(mid_x, top), QPointF(z.x(), top), z)
        elif skip_lane is not None:  # a skip connection: in the gap beside the blocks in between
            top, bottom = a.y() + GAP_Y / 2, z.y() - GAP_Y / 2
            path.cubicTo(a + QPointF(0, GAP_Y / 2), QPointF(skip_lane, a.y()), QPointF(skip_lane, top))
            path.lineTo(QPointF(skip_lane, bottom))
            path.cubicTo(QPointF(skip_lane, z.y()), z - QPointF(0, GAP_Y / 2), z)
        else:
            dy = max((z.y() - a.y()) / 2, 12)
            path.cubicTo(a + QPointF(0, dy), z - QPointF(0, dy), z)
        return path

    def rebuild(self) -> None:
        c = theme.colors()
        spec = self.doc.view()
        reports = self.checker.report.by_id()
        selected = {n.block_id for n in self.nodes.values() if n.isSelected()}
        self._syncing = True
        self.scene.clear()
        self.nodes.clear()
        self.edges.clear()
        self.aug_nodes.clear()
        self.shape_labels.clear()
        blocks = model_edits.blocks(spec)
        links = {b["id"]: model_edits.effective_inputs(spec, b["id"]) for b in blocks}
        # augmentation sits between the first Input and what reads it (as the engine wires it)
        first_input = next((b for b in blocks if b["type"] == "Input"), None)
        aug = _augmentation_shapes(spec, first_input) if first_input else []
        aug_ids = [f"augmentation:{a.get('id', i)}" for i, (a, _s, _e) in enumerate(aug)]
        order: list[str] = []
        layout_links: dict[str, list[str]] = {}
        for b in blocks:
            srcs = links[b["id"]]
            if aug and b is not first_input and first_input["id"] in srcs:
                srcs = [aug_ids[-1] if s == first_input["id"] else s for s in srcs]
            order.append(b["id"])
            layout_links[b["id"]] = srcs
            if b is first_input:
                for i, aid in enumerate(aug_ids):
                    order.append(aid)
                    layout_links[aid] = [aug_ids[i - 1] if i else first_input["id"]]
        pos = self._layout(order, layout_links)
        for b in blocks:
            rep = reports.get(b["id"])
            error = rep is not None and bool(rep.error)
            enabled = b.get("enabled", True)
            try:
                category = catalog.get(b["type"]).category
            except KeyError:
                category = ""
            params = f"{rep.params:,} params" if rep is not None and rep.params else ""
            detail = "disabled" if not enabled else (rep.error if error else " · ".join(x for x in (b["id"], params) if x))
            node = self._node(b["id"], b["type"], [detail], category, error=error, greyed=not enabled)
            node.setToolTip(f"{b['type']} · {b['id']}" + (f"\n{rep.error}" if error else ""))
            node.setPos(pos[b["id"]])
            node.setSelected(b["id"] in selected)
            self.nodes[b["id"]] = node
        shapes = {r: (reports[r].shape_text if reports[r].output_shape is not None else "") for r in reports}
        before = shapes.get(first_input["id"], "") if first_input else ""
        for aid, (a, shape, err) in zip(aug_ids, aug):
            what = "training only · changes the shape" if shape and before and shape != before else \
                "training only (random)"
            before = shape or before
            node = self._node(aid, a["type"], [err or what], "Augmentation",
                              error=bool(err), greyed=True, selectable=False)
            node.setToolTip(f"{a['type']} (Setup ▸ Augmentation): random, applied while training only")
            node.setPos(pos[aid])
            self.aug_nodes.append(node)
            shapes[aid] = shape
        all_nodes = {**self.nodes, **dict(zip(aug_ids, self.aug_nodes))}
        pen = QPen(QColor(c.muted), 1.6)
        grey = QPen(QColor(c.muted), 1.4, Qt.PenStyle.DashLine)
        lanes = 0
        has_out: set[str] = set()
        for bid in order:
            for s in layout_links[bid]:
                if s not in all_nodes:
                    continue
                a = all_nodes[s].mapToScene(QPointF(NODE_W / 2, NODE_H))
                z = all_nodes[bid].mapToScene(QPointF(NODE_W / 2, 0))
                skip = None
                if z.y() - a.y() > NODE_H + GAP_Y + 1:
                    skip = max(a.x(), z.x()) + NODE_W / 2 + GAP_X / 3 + 9 * lanes
                    lanes += 1
                is_aug = s in aug_ids or bid in aug_ids
                edge = _Edge(s, bid, self._path(a, z, skip), removable=not is_aug)
                edge.setPen(grey if is_aug else pen)
                edge.setZValue(-1)
                self.scene.addItem(edge)
                if not is_aug:
                    self.edges.append(edge)
                has_out.add(s)
        for bid in order:  # the shape each block outputs, on the edge leaving it (or below an output)
            shape = shapes.get(bid, "")
            if not shape or bid not in all_nodes:
                continue
            label = _text(None, shape, _font(TEXT_PX), c.foreground, 0, 0, NODE_W / 2 + GAP_X)
            anchor = all_nodes[bid].mapToScene(QPointF(NODE_W / 2 + 9, NODE_H + 1))
            label.setPos(anchor)
            self.scene.addItem(label)
            self.shape_labels[bid] = label
        if not blocks:  # an empty model: say how to begin instead of a blank canvas
            hint = _text(None, EMPTY_HINT, _font(TITLE_PX), c.muted, 0, 0, 2000)
            self.scene.addItem(hint)
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-14, -14, 14, 14))
        if self.view.zoom() > 1.0 or not self.nodes:
            self.view.set_zoom(1.0)
        self._show_zoom()
        self._syncing = False

    # ------------------------------------------------------------------ selection
    def select(self, ids: list[str]) -> None:
        self._syncing = True
        for bid, node in self.nodes.items():
            node.setSelected(bid in ids)
        if ids and ids[-1] in self.nodes:
            self.view.ensureVisible(self.nodes[ids[-1]], 20, 20)  # the chosen block scrolled into view
        self._syncing = False

    def _selection(self) -> None:
        if self._syncing:
            return
        ids = [i.block_id for i in self.scene.selectedItems() if isinstance(i, _Node)]
        if ids:
            self.selection_changed.emit(ids)

    # ------------------------------------------------------------------ edits
    def connect_blocks(self, source: str, target: str) -> None:
        done = self.doc.perform(lambda core: core.connect(source, target))
        if isinstance(done, str):
            self.message.emit(f"Cannot connect {source} → {target}: {done}")

    def disconnect_blocks(self, source: str, target: str) -> None:
        before = model_edits.effective_inputs(self.doc.view(), target)
        done = self.doc.perform(lambda core: core.disconnect(source, target))
        if isinstance(done, str):
            self.message.emit(f"Cannot remove {source} → {target}: {done}")
        elif model_edits.effective_inputs(self.doc.view(), target) == before:
            self.message.emit(f"{target} has no other input, so it still reads the block above it ({source})")
