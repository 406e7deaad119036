"""The backend shoot-out: train one spec on each backend, one after another, and put the figures side by side.

Each training is an ordinary run in the runs folder (evaluate, export and Try it work on it), started
through `TrainingProcess`. From each run's own files come: the first epoch's time (compilation included,
from events.jsonl, else metrics.csv), the steady samples/s of the epochs after the first (training steps
only, as the progress bar counts them), the child's peak memory (`peak_memory_mb` in summary.json, which
the child reads from its own /proc/self/status VmHWM) and the final metrics. With repeats, each figure is
the median. Last, one child loads every backend's model.keras on the first backend and predicts the same
inputs, so the table also says how far each backend's model strays from the first one's.

No Qt and no keras here: the CLI calls `Shootout.run` directly, the app's dialog runs it on a thread.
"""

from __future__ import annotations

import csv
import io
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.core.install_hints import install_command
from studio.core.runs import (
    METRICS_FILE,
    MODEL_FILE,
    SUMMARY_FILE,
    read_events,
    read_json,
    read_metrics,
    write_atomic,
    write_json_atomic,
)
from studio.core.spec import BACKENDS, RunSpec, parse_spec

TABLE_PREFIX = "shootout-"
PREDICTION_TIMEOUT_S = 600


class ShootoutError(ValueError):
    """A shoot-out that cannot start, with a message that says why and what to do."""


@dataclass
class Row:
    """One backend's line of the table (medians over the repeats)."""

    backend: str
    state: str = "waiting"  # waiting | running | done | failed | stopped | missing
    message: str = ""
    runs: list[str] = field(default_factory=list)
    first_epoch_s: float | None = None
    steady_samples_per_s: float | None = None
    peak_memory_mb: float | None = None
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    max_abs_diff: float | None = None
    mean_abs_diff: float | None = None


@dataclass
class Table:
    title: str
    created: float
    repeats: int
    epochs: int
    rows: list[Row]
    reference: str = ""  # the backend the predictions are compared against (and loaded on)
    prediction_split: str = ""
    prediction_samples: int = 0
    prediction_message: str = ""  # why there are no prediction differences, when there are none

    def row(self, backend: str) -> Row:
        return next(r for r in self.rows if r.backend == backend)

    @property
    def fastest(self) -> str | None:
        """The backend with the highest steady samples/s among those that finished."""
        done = [r for r in self.rows if r.state == "done" and r.steady_samples_per_s]
        return max(done, key=lambda r: r.steady_samples_per_s or 0.0).backend if done else None  # all set in done

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "shootout", **asdict(self), "fastest": self.fastest}

    def csv_text(self) -> str:
        metric_cols = sorted({f"{split}_{name}" for r in self.rows for split, m in r.metrics.items() for name in m})
        cols = ["backend", "state", "first_epoch_s", "steady_samples_per_s", "peak_memory_mb", *metric_cols,
                "max_abs_diff", "mean_abs_diff", "runs", "message"]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for r in self.rows:
            flat = {f"{split}_{name}": v for split, m in r.metrics.items() for name, v in m.items()}
            values = {**asdict(r), **flat, "runs": " ".join(r.runs)}
            w.writerow(["" if values.get(c) is None else values.get(c) for c in cols])
        return buf.getvalue()

    def write(self, out_dir: str | Path) -> tuple[Path, Path]:
        """shootout-<time>.json and .csv beside the runs."""
        stem = TABLE_PREFIX + time.strftime("%Y%m%d-%H%M%S", time.localtime(self.created))
        json_path, csv_path = Path(out_dir) / f"{stem}.json", Path(out_dir) / f"{stem}.csv"
        write_json_atomic(json_path, self.to_dict())
        write_atomic(csv_path, self.csv_text())
        return json_path, csv_path

    def headers(self) -> list[str]:
        """Column titles of `row_cells`, for a terminal and for the app's table."""
        against = f" vs {self.reference}" if self.reference else ""
        return ["backend", "state", "1st epoch s", "steady samples/s", "peak MiB", "final metrics",
                f"max |Δ|{against}", "mean |Δ|"]

    def text(self) -> str:
        """The table for a terminal."""
        headers = self.headers()
        lines = [row_cells(r) for r in self.rows]
        widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]
        out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
        out += ["  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() for line in lines]
        for r in self.rows:
            if r.message and r.state != "done":
                out.append(f"{r.backend}: {r.message}")
        if self.prediction_split:
            out.append(f"predictions compared on {self.prediction_samples:,} {self.prediction_split} samples, "
                       f"every model loaded on {self.reference}")
        elif self.prediction_message:
            out.append(f"predictions not compared: {self.prediction_message}")
        return "\n".join(out)


def row_cells(r: Row) -> list[str]:
    """One row's figures as text, in the order of `Table.headers`."""
    return [r.backend, r.state, _num(r.first_epoch_s, ".2f"), _num(r.steady_samples_per_s, ",.0f"),
            _num(r.peak_memory_mb, ",.0f"), final_metrics_text(r.metrics), _num(r.max_abs_diff, ".3g"),
            _num(r.mean_abs_diff, ".3g")]


def _num(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def final_split(metrics: dict[str, dict[str, float]]) -> str | None:
    """The split the final metrics are quoted on: test, else validation, else train."""
    return next((s for s in ("test", "validation", "train") if s in metrics), None)


def final_metrics_text(metrics: dict[str, dict[str, float]]) -> str:
    split = final_split(metrics)
    if split is None:
        return "—"
    return f"{split}: " + " ".join(f"{k} {v:.4g}" for k, v in metrics[split].items())


# ------------------------------------------------------------------------------------------ figures of runs
def run_figures(run_dir: str | Path) -> dict[str, Any]:
    """The figures of one finished run, read from its files: first epoch seconds, steady samples/s (epochs
    after the first), peak memory, final metrics. A figure the run cannot give is None."""
    run_dir = Path(run_dir)
    summary = read_json(run_dir / SUMMARY_FILE, {}) or {}
    epochs = [e for e in (_event(d) for d in read_events(run_dir)) if isinstance(e, ev.EpochEnd)]
    first = steady = None
    if epochs:
        first = epochs[0].seconds
        rates = [e.samples_per_s for e in epochs[1:] if e.samples_per_s > 0]
        # each epoch trains the same samples, so the overall rate of the later epochs is their harmonic mean
        steady = statistics.harmonic_mean(rates) if rates else None
    else:  # no events (an older run): epoch seconds from metrics.csv, which include validation
        seconds = read_metrics(run_dir).get("seconds", []) if (run_dir / METRICS_FILE).exists() else []
        n_train = (summary.get("samples") or {}).get("train")
        if seconds:
            first = seconds[0]
            if len(seconds) > 1 and n_train and sum(seconds[1:]) > 0:
                steady = n_train * (len(seconds) - 1) / sum(seconds[1:])
    return {"first_epoch_s": first, "steady_samples_per_s": steady,
            "peak_memory_mb": summary.get("peak_memory_mb"), "metrics": summary.get("metrics") or {}}


def _event(data: dict[str, Any]) -> ev.Event | None:
    try:
        return ev.from_dict(data)
    except (KeyError, TypeError):
        return None


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def median_figures(figures: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over repeats (metrics too, name by name); figures a run lacks are left out."""
    metrics: dict[str, dict[str, float | None]] = {}
    for split in dict.fromkeys(s for f in figures for s in f["metrics"]):
        names = dict.fromkeys(n for f in figures for n in f["metrics"].get(split, {}))
        metrics[split] = {n: _median([f["metrics"].get(split, {}).get(n) for f in figures]) for n in names}
    return {key: _median([f[key] for f in figures])
            for key in ("first_epoch_s", "steady_samples_per_s", "peak_memory_mb")} | {"metrics": metrics}


def apply_differences(table: Table, reference: str, result: dict[str, Any], compared: list[str]) -> None:
    """Put the prediction child's answer (one difference per compared backend, in order) into the table."""
    table.reference = reference
    table.prediction_split = result.get("split", "")
    table.prediction_samples = int(result.get("samples", 0))
    # strict=False: an answer without differences leaves those columns blank rather than failing the table
    for backend, diff in zip(compared, result.get("differences", []), strict=False):
        row = table.row(backend)
        row.max_abs_diff, row.mean_abs_diff = diff["max"], diff["mean"]


# ------------------------------------------------------------------------------------------ the runner
MAX_REPEATS = 20  # the CLI's --repeats and the dialog's spin box
def choose_backends(asked: list[str] | None, installed: list[str]) -> tuple[list[str], list[str]]:
    """(backends to train, listed ones that are not installed); unknown names are refused."""
    if asked is None:
        return [b for b in BACKENDS if b in installed], []
    if not asked:  # `--backends ,`: a list was given, and it names nothing
        raise ShootoutError(f"--backends names no backend: expected a comma-separated list of some of "
                            f"{', '.join(BACKENDS)}, e.g. --backends tensorflow,jax (leave it out for every "
                            "installed one)")
    unknown = [b for b in asked if b not in BACKENDS]
    if unknown:
        raise ShootoutError(f"unknown backend {', '.join(map(repr, unknown))}: expected some of "
                            f"{', '.join(BACKENDS)}, e.g. --backends tensorflow,jax")
    asked = list(dict.fromkeys(asked))
    return [b for b in asked if b in installed], [b for b in asked if b not in installed]


def backend_spec(spec: RunSpec, backend: str, epochs: int | None, repeat: int, repeats: int) -> RunSpec:
    """The spec on `backend`, titled so the runs tell themselves apart in the runs list and in Compare. It
    records nothing inside the model: the shoot-out times training, and recording costs each backend differently."""
    data = spec.to_dict()
    data["training"]["backend"] = backend
    data["inspect"]["enabled"] = False
    if epochs is not None:
        data["training"]["epochs"] = epochs
    title = data["meta"].get("title") or "Model"
    data["meta"]["title"] = f"{title} — shoot-out: {backend}" + (f" #{repeat + 1}" if repeats > 1 else "")
    return parse_spec(data, "shoot-out spec")


def start_training(spec: RunSpec, runs_root: Path):
    from studio.jobs.process import TrainingProcess

    return TrainingProcess(spec, runs_root)


def compare_predictions(reference: str, spec: RunSpec, models: list[str],
                        timeout: float = PREDICTION_TIMEOUT_S) -> dict[str, Any]:
    """Every model's predictions against the first's, in one child on `reference` (keras stays out of here)."""
    from studio.jobs.job import run_job

    request = {"backend": reference, "device": "cpu", "spec": spec.to_dict(), "models": models, "split": "auto"}
    return run_job("compare", request, timeout)


class Shootout:
    """Trains `spec` on each backend in turn. `on_change(table)` is called whenever a row changes and
    `on_event(backend, event)` for every training event; `cancel` (a threading.Event) stops the running
    training at its next batch and trains nothing more."""

    def __init__(self, spec: RunSpec, runs_root: str | Path, backends: list[str] | None = None,
                 repeats: int = 1, epochs: int | None = None, installed: list[str] | None = None,
                 on_change: Callable[[Table], None] | None = None,
                 on_event: Callable[[str, ev.Event], None] | None = None):
        if not 1 <= repeats <= MAX_REPEATS:
            raise ShootoutError(f"--repeats must be from 1 to {MAX_REPEATS}, received {repeats} (each repeat "
                                "trains every backend again; the table shows medians)")
        if epochs is not None and epochs < 1:
            raise ShootoutError(f"--epochs must be 1 or more, received {epochs}")
        if installed is None:
            from studio.jobs.devices import installed_backends

            installed = installed_backends()
        self.backends, missing = choose_backends(backends, installed)
        if not self.backends:
            raise ShootoutError("none of the backends to compare is installed; add one with: "
                                + install_command((missing or ["jax"])[0]))
        self.spec = spec
        self.runs_root = Path(runs_root)
        self.repeats = repeats
        self.epochs = epochs
        self.on_change = on_change or (lambda _t: None)
        self.on_event = on_event or (lambda _b, _e: None)
        self.cancel = threading.Event()
        order = [b for b in (backends or self.backends) if b in self.backends or b in missing]
        rows = [Row(b) if b in self.backends else
                Row(b, "missing", f"not installed; add it with: {install_command(b)}") for b in dict.fromkeys(order)]
        self.table = Table(title=spec.meta.title, created=time.time(), repeats=repeats,
                           epochs=epochs or spec.training.epochs, rows=rows)
        self.paths: tuple[Path, Path] | None = None

    def run(self) -> Table:
        self.runs_root.mkdir(parents=True, exist_ok=True)
        for backend in self.backends:
            if self.cancel.is_set():
                break
            self._train_backend(self.table.row(backend))
        if not self.cancel.is_set():
            self._compare()
        self.paths = self.table.write(self.runs_root)
        self.on_change(self.table)
        return self.table

    def _train_backend(self, row: Row) -> None:
        row.state = "running"
        self.on_change(self.table)
        figures = []
        for repeat in range(self.repeats):
            spec = backend_spec(self.spec, row.backend, self.epochs, repeat, self.repeats)
            proc = start_training(spec, self.runs_root)
            try:
                row.runs.append(str(proc.start()))
                self.on_change(self.table)
                while proc.terminal is None:
                    if self.cancel.is_set():
                        proc.stop()
                    for event in proc.poll(0.2):
                        self.on_event(row.backend, event)
            finally:
                proc.close()
            end = proc.terminal
            if isinstance(end, ev.Failed):
                row.state, row.message = "failed", end.message
                break
            if isinstance(end, ev.Stopped):
                row.state, row.message = "stopped", end.reason
                break
            figures.append(run_figures(row.runs[-1]))
        else:
            row.state = "done"
        if figures:
            for key, value in median_figures(figures).items():
                setattr(row, key, value)
        self.on_change(self.table)

    def _compare(self) -> None:
        done = [r for r in self.table.rows if r.state == "done" and (Path(r.runs[0]) / MODEL_FILE).is_file()]
        if len(done) < 2:
            self.table.prediction_message = "fewer than two backends finished"
            return
        try:  # the first repeat of each backend: a model file per backend
            result = compare_predictions(done[0].backend, self.spec, [str(Path(r.runs[0]) / MODEL_FILE) for r in done])
        except Exception as exc:  # noqa: BLE001 - a failed comparison must not lose the timings
            self.table.prediction_message = getattr(exc, "message", None) or str(exc)
            return
        apply_differences(self.table, done[0].backend, result, [r.backend for r in done])
