"""Evaluation, "try it" and export widgets (standalone: the main window decides where they live).

- `EvaluationView`: overall figures, a per-class table, confusion-matrix heat-map, ROC curves, predicted-vs-
  actual, forecast and the worst mistakes, from a run's evaluation.json/.npz; plots export to PNG and SVG,
  metrics to CSV.
- `TryItPanel`: a live drawing canvas, an image file, a form of the input columns or a forecast, answered by
  a long-lived predictor child (`studio.jobs.predictor`).
- `ExportDialog`: choose a format and a path; runs `studio.jobs.export_job` and shows the check's result.
"""

from studio.ui.evaluation.export_dialog import ExportDialog
from studio.ui.evaluation.results import EvaluationView
from studio.ui.evaluation.try_it import DrawingCanvas, TryItPanel

__all__ = ["EvaluationView", "TryItPanel", "DrawingCanvas", "ExportDialog"]
