"""The model as a graph, for branching models: drag from a block's output port (the dot at its bottom)
onto another block to add a connection (skip/residual, a second input of Add or Concatenate); select a
connection and press Delete (or right-click it) to remove it."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem,
                               QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView, QMenu, QVBoxLayout, QWidget,
                               QLabel)

from studio.ui import model_ops, theme
from studio.ui.checker import Checker
from studio.ui.document import Document

NODE_W, NODE_H, GAP_X, GAP_Y = 210, 54, 40, 46
MIN_SCALE = 0.65  # below this the text is unreadable: scroll instead


class _Node(QGraphicsRectItem):
    def __init__(self, block_id: str):
        super().__init__(0, 0, NODE_W, NODE_H)
        self.block_id = block_id
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.port = QGraphicsEllipseItem(NODE_W / 2 - 6, NODE_H - 6, 12, 12, self)
        self.port.setToolTip("Drag onto another block to connect")
        self.port.setData(0, "port")


class _Edge(QGraphicsPathItem):
    def __init__(self, source: str, target: str, path: QPainterPath):
        super().__init__(path)
        self.source, self.target = source, target
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setToolTip(f"{source} → {target} (Delete or right-click to remove)")

    def shape(self) -> QPainterPath:  # a wider hit area than the 2-px line
        from PySide6.QtGui import QPainterPathStroker

        s = QPainterPathStroker()
        s.setWidth(10)
        return s.createStroke(self.path())


class _View(QGraphicsView):
    connect_requested = Signal(str, str)
    disconnect_requested = Signal(str, str)

    def __init__(self, scene: QGraphicsScene):
        super().__init__(scene)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self._drag_from: _Node | None = None
        self._rubber: QGraphicsPathItem | None = None

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
            if target is not None and target.block_id != source:
                self.connect_requested.emit(source, target.block_id)
            return
        super().mouseReleaseEvent(event)

    def fit(self) -> None:
        """Show the whole graph when it fits at a readable size (never enlarged; scrolls below MIN_SCALE)."""
        rect = self.sceneRect()
        if rect.isEmpty():
            return
        view = self.viewport().size()
        scale = min(1.0, view.width() / rect.width(), view.height() / rect.height())
        self.resetTransform()
        self.scale(max(scale, MIN_SCALE), max(scale, MIN_SCALE))

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self.fit()

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
        super().keyPressEvent(event)

    def contextMenuEvent(self, event):  # noqa: N802
        for item in self.items(event.pos()):
            if isinstance(item, _Edge):
                menu = QMenu(self)
                menu.addAction(f"Remove {item.source} → {item.target}",
                               lambda s=item.source, t=item.target: self.disconnect_requested.emit(s, t))
                menu.exec(event.globalPos())
                return
        super().contextMenuEvent(event)


class GraphView(QWidget):
    selection_changed = Signal(list)
    message = Signal(str)

    def __init__(self, doc: Document, checker: Checker, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc, self.checker = doc, checker
        self.scene = QGraphicsScene(self)
        self.view = _View(self.scene)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        hint = QLabel("Drag from a block's bottom dot to another block to connect; select a connection and press "
                      "Delete to remove it.")
        hint.setWordWrap(True)
        hint.setContentsMargins(6, 2, 6, 2)
        lay.addWidget(hint)
        lay.addWidget(self.view)
        self.nodes: dict[str, _Node] = {}
        self.edges: list[_Edge] = []
        self._syncing = False
        self.view.connect_requested.connect(self.connect_blocks)
        self.view.disconnect_requested.connect(self.disconnect_blocks)
        self.scene.selectionChanged.connect(self._selection)
        checker.report_changed.connect(lambda _r: self.rebuild())

    # ------------------------------------------------------------------ drawing
    def rebuild(self) -> None:
        c = theme.colors()
        spec = self.doc.view()
        reports = self.checker.report.by_id()
        selected = {n.block_id for n in self.nodes.values() if n.isSelected()}
        self._syncing = True
        self.scene.clear()
        self.nodes.clear()
        self.edges.clear()
        blocks = model_ops.blocks(spec)
        depth: dict[str, int] = {}
        links = {b["id"]: model_ops.effective_inputs(spec, b["id"]) for b in blocks}
        for b in blocks:  # inputs come first in the list, so one pass gives the longest path
            depth[b["id"]] = max((depth[s] + 1 for s in links[b["id"]] if s in depth), default=0)
        columns: dict[int, int] = {}
        font = QFont()
        font.setPointSizeF(9)
        for b in blocks:
            d = depth[b["id"]]
            col = columns.get(d, 0)
            columns[d] = col + 1
            node = _Node(b["id"])
            node.setPos(col * (NODE_W + GAP_X), d * (NODE_H + GAP_Y))
            rep = reports.get(b["id"])
            error = rep is not None and bool(rep.error)
            enabled = b.get("enabled", True)
            node.setBrush(QBrush(QColor(c.error_bg if error else c.background)))
            node.setPen(QPen(QColor(c.error if error else (c.accent if enabled else c.muted)), 1.5,
                             Qt.PenStyle.SolidLine if enabled else Qt.PenStyle.DashLine))
            node.port.setBrush(QBrush(QColor(c.accent)))
            title = QGraphicsSimpleTextItem(f"{b['type']} · {b['id']}", node)
            bold = QFont(font)
            bold.setBold(True)
            title.setFont(bold)
            title.setBrush(QBrush(QColor(c.foreground)))
            title.setPos(8, 5)
            detail = "disabled" if not enabled else (
                f"{rep.shape_text}   {rep.params:,} params" if rep is not None and rep.output_shape is not None
                else (rep.error[:40] + "…" if rep is not None and rep.error else "—"))
            sub = QGraphicsSimpleTextItem(detail, node)
            sub.setFont(font)
            sub.setBrush(QBrush(QColor(c.error if error else c.muted)))
            sub.setPos(8, 26)
            if rep is not None and rep.error:
                node.setToolTip(rep.error)
            self.scene.addItem(node)
            node.setSelected(b["id"] in selected)
            self.nodes[b["id"]] = node
        pen = QPen(QColor(c.muted), 2)
        skips = 0
        for b in blocks:
            for s in links[b["id"]]:
                if s not in self.nodes:
                    continue
                a = self.nodes[s].mapToScene(QPointF(NODE_W / 2, NODE_H))
                z = self.nodes[b["id"]].mapToScene(QPointF(NODE_W / 2, 0))
                path = QPainterPath(a)
                if depth[b["id"]] - depth[s] > 1:
                    # a skip connection: around the blocks in between, in the gap beside them, not through them
                    lane = max(a.x(), z.x()) + NODE_W / 2 + GAP_X / 3 + 9 * skips  # each its own lane
                    skips += 1
                    top, bottom = a.y() + GAP_Y / 2, z.y() - GAP_Y / 2
                    path.cubicTo(a + QPointF(0, GAP_Y / 2), QPointF(lane, a.y()), QPointF(lane, top))
                    path.lineTo(QPointF(lane, bottom))
                    path.cubicTo(QPointF(lane, z.y()), z - QPointF(0, GAP_Y / 2), z)
                else:
                    dy = max((z.y() - a.y()) / 2, 20)
                    path.cubicTo(a + QPointF(0, dy), z - QPointF(0, dy), z)
                edge = _Edge(s, b["id"], path)
                edge.setPen(pen)
                edge.setZValue(-1)
                self.scene.addItem(edge)
                self.edges.append(edge)
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self.view.fit()
        self._syncing = False

    # ------------------------------------------------------------------ selection
    def select(self, ids: list[str]) -> None:
        self._syncing = True
        for bid, node in self.nodes.items():
            node.setSelected(bid in ids)
        if ids and ids[-1] in self.nodes:
            self.view.ensureVisible(self.nodes[ids[-1]])
        self._syncing = False

    def _selection(self) -> None:
        if self._syncing:
            return
        ids = [i.block_id for i in self.scene.selectedItems() if isinstance(i, _Node)]
        if ids:
            self.selection_changed.emit(ids)

    # ------------------------------------------------------------------ edits
    def connect_blocks(self, source: str, target: str) -> None:
        problem = self.doc.patch(lambda s: model_ops.connect(s, source, target), f"Connect {source} → {target}")
        if problem:
            self.message.emit(f"Cannot connect {source} → {target}: {problem}")

    def disconnect_blocks(self, source: str, target: str) -> None:
        before = model_ops.effective_inputs(self.doc.view(), target)
        problem = self.doc.patch(lambda s: model_ops.disconnect(s, source, target), f"Disconnect {source} → {target}")
        if problem:
            self.message.emit(f"Cannot remove {source} → {target}: {problem}")
        elif model_ops.effective_inputs(self.doc.view(), target) == before:
            self.message.emit(f"{target} has no other input, so it still reads the block above it ({source})")
