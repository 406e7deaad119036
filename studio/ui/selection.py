"""One selection of blocks across the layer list, the graph, the inspector and the result views: blocks picked
in the list or the graph are picked in both, the inspector shows the last of them, and the results area hears of
every pick (a result view may follow the chosen block, e.g. to show that block's layer)."""

from __future__ import annotations

from studio.ui.graph_view import GraphView
from studio.ui.inspector import Inspector
from studio.ui.model_editor import ModelEditor
from studio.ui.project_files import ProjectFiles
from studio.ui.results.area import ResultsArea


def link(editor: ModelEditor, graph: GraphView, inspector: Inspector, results: ResultsArea,
         files: ProjectFiles) -> None:
    def select_from_list(ids: list[str]) -> None:
        inspector.show_block(ids[-1] if ids else None)
        graph.select(ids)

    def select_from_graph(ids: list[str]) -> None:
        editor.select(ids)
        inspector.show_block(ids[-1] if ids else None)

    def select_renamed(_old: str, new: str) -> None:
        editor.select([new])
        graph.select([new])

    editor.selection_changed.connect(select_from_list)
    graph.selection_changed.connect(select_from_graph)
    inspector.renamed.connect(select_renamed)
    files.opened.connect(lambda _path: select_from_graph([]))  # nothing of the old spec stays selected
    for picked in (editor.selection_changed, graph.selection_changed):
        picked.connect(results.set_selection)
