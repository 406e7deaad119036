"""Export a trained model and check the copy, in child processes (keras-free here: CLI and GUI call this).

`export(target, "onnx", "model.onnx")` plans the work across backends, runs each backend's part in a
"export" job (`studio.engine.export_worker`) and returns one `ExportResult` per format: where it went,
the backend that made it, the backend or runtime that loaded it back, and the largest difference between
its outputs and the trained model's on a test batch. A format that cannot work here (a missing package)
fails at once with the command that fixes it.
"""

from __future__ import annotations

import importlib.util
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.core.custom_code import PYTHON_EXPORT_REFUSAL, code_file
from studio.core import safe_paths
from studio.core.install_hints import EXPORT_EXTRA, EXPORT_PACKAGES, export_install_hint
from studio.core.runs import STATUS_FILE
from studio.core.spec import BACKENDS
from studio.jobs.errors import JobError
from studio.jobs.job import run_job
from studio.jobs.target import Target, resolve_target

ATOL = 1e-4
RTOL = 1e-4
EXTRA, EXTRA_PACKAGES, install_hint = EXPORT_EXTRA, EXPORT_PACKAGES, export_install_hint  # one definition, in core


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str  # "" for a directory
    title: str
    checked_by: str


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("keras", ".keras", "Keras model (.keras): architecture, weights, optimizer state",
           "Keras on another backend"),
    Format("weights", ".weights.h5", "Weights only (.weights.h5)", "Keras on another backend"),
    Format("savedmodel", "", "TensorFlow SavedModel (folder), for TF Serving", "tf.saved_model.load"),
    Format("onnx", ".onnx", "ONNX, for onnxruntime and other runtimes", "onnxruntime"),
    Format("litert", ".tflite", "LiteRT / TensorFlow Lite (.tflite), for phones and devices",
           "the TFLite interpreter"),
    Format("python", ".py", "A standalone Python script that rebuilds and retrains the run with plain Keras",
           "the script's build_model() with the trained weights"),
)}

# ONNX converters: the export backend → (module, pip package) pairs it needs
ONNX_NEEDS = {"tensorflow": (("tf2onnx", "tf2onnx"), ("onnx", "onnx")),
              "torch": (("onnx", "onnx"), ("onnxscript", "onnxscript")),
              "jax": (("jax2onnx", "jax2onnx"), ("onnx", "onnx"))}


@dataclass
class ExportResult:
    format: str
    path: str
    ok: bool = False
    exported_on: str = ""
    verified_on: str = ""
    checked_by: str = ""
    max_abs_diff: float | None = None
    atol: float = ATOL
    rtol: float = RTOL
    batch: int = 0
    error: str = ""
    reason: str = ""
    details: str = ""
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        if not self.ok:
            return f"{self.format}: FAILED — {self.error}"
        diff = "" if self.max_abs_diff is None else f", max |Δ| = {self.max_abs_diff:.2e}"
        return (f"{self.format}: {self.path} (exported on {self.exported_on}; checked with {self.checked_by} on "
                f"{self.verified_on} batch of {self.batch}{diff} ≤ {self.atol:g} + {self.rtol:g}·|y|)")


def default_path(target: Target, fmt: str, out_dir: Path | None = None) -> Path:
    stem = target.run_dir.name if target.run_dir else target.model.stem
    folder = out_dir or (target.run_dir / "export" if target.run_dir else target.model.parent)
    return folder / (stem + FORMATS[fmt].suffix if FORMATS[fmt].suffix else f"{stem}_savedmodel")


def protected_paths(target: Target) -> tuple[list[Path], list[Path]]:
    """(what an export may never replace, folders it may not be written inside): a run directory and its
    own files (its export/ folder excepted), or the model file being exported."""
    keep = [target.model]
    no_entry: list[Path] = []
    if target.run_dir is not None:
        keep.append(target.run_dir)
        if not (target.run_dir / STATUS_FILE).is_file():  # a .keras file beside a spec: a folder, not a run
            return keep, no_entry
        for entry in target.run_dir.iterdir():
            if entry.name != "export":
                keep.append(entry)
                if entry.is_dir():
                    no_entry.append(entry)
    return keep, no_entry


def check_destination(target: Target, fmt: str, out: Path, force: bool = False) -> None:
    """JobError when writing `fmt` to `out` would destroy something (an existing file or non-empty folder
    without `force`; the run's own files, always)."""
    keep, no_entry = protected_paths(target)
    why = safe_paths.refusal(out, keep, folder=not FORMATS[fmt].suffix, force=force, no_entry=no_entry)
    if why:
        raise JobError(why, "destination")


def would_replace(out: str | Path) -> bool:
    """True when exporting to `out` replaces an existing file or non-empty folder (the app asks first)."""
    out = Path(out).expanduser()
    return out.is_file() or out.is_dir() and any(out.iterdir())


def missing_packages(fmt: str, export_backend: str) -> list[str]:
    """pip packages this format needs on that backend and lacks (checked without importing them)."""
    need: list[tuple[str, str]] = []
    if fmt in ("savedmodel", "litert"):
        need.append(("tensorflow", "tensorflow"))
    elif fmt == "onnx":
        need += list(ONNX_NEEDS[export_backend]) + [("onnxruntime", "onnxruntime")]
    return [pkg for module, pkg in need if importlib.util.find_spec(module) is None]


def _other_backend(backend: str) -> str:
    installed = [b for b in ("jax", "tensorflow", "torch")
                 if b != backend and importlib.util.find_spec(b) is not None]
    if not installed:
        return backend
    return installed[0]


def plan(train_backend: str, jobs: list[tuple[str, Path]], onnx_backend: str | None = None
         ) -> tuple[list[tuple[str, list[dict[str, Any]]]], dict[str, tuple[str, str]]]:
    """Operations per backend, the training backend first, and (export, verify) backend of each format."""
    where: dict[str, tuple[str, str]] = {}
    for fmt, _ in jobs:
        if fmt in ("keras", "weights"):
            where[fmt] = (train_backend, _other_backend(train_backend))
        elif fmt == "python":
            where[fmt] = (train_backend, train_backend)
        elif fmt == "onnx":
            eb = onnx_backend or "tensorflow"
            where[fmt] = (eb, eb)
        else:
            where[fmt] = ("tensorflow", "tensorflow")
    order = [train_backend] + [b for b in BACKENDS if b != train_backend]
    steps: list[tuple[str, list[dict[str, Any]]]] = []
    for backend in order:
        ops: list[dict[str, Any]] = [{"op": "reference"}] if backend == train_backend else []
        for fmt, out in jobs:
            if where[fmt][0] == backend:
                ops.append({"op": "export", "format": fmt, "out": str(out)})
        for fmt, out in jobs:
            if where[fmt][1] == backend:
                ops.append({"op": "verify", "format": fmt, "out": str(out)})
        if ops:
            steps.append((backend, ops))
    return steps, where


def export_many(path: str | Path, jobs: list[tuple[str, str | Path | None]], spec: str | Path | None = None,
                checkpoint: str = "model", backend: str | None = None, onnx_backend: str | None = None,
                out_dir: str | Path | None = None, atol: float = ATOL, rtol: float = RTOL, timeout: float = 900,
                on_event: Callable[[ev.Event], None] | None = None, force: bool = False
                ) -> list[ExportResult]:
    """Export the model of a run directory (or a .keras file) to each (format, path) and check each copy.

    Nothing is deleted that was not asked for: an existing file or non-empty folder is replaced only with
    `force`, the run's own files never; each copy is written to a hidden sibling and renamed into place
    only once it passed its check (a failed export leaves the old file as it was)."""
    target = resolve_target(path, spec, checkpoint, backend, need_spec=False)
    if onnx_backend is not None and onnx_backend not in BACKENDS:
        raise JobError(f"unknown backend `{onnx_backend}` for ONNX; choose one of {', '.join(BACKENDS)}")
    results: dict[str, ExportResult] = {}
    todo: list[tuple[str, Path]] = []
    for fmt, out in jobs:
        if fmt not in FORMATS:
            raise JobError(f"unknown export format `{fmt}`; choose one of {', '.join(FORMATS)}")
        out_path = Path(out).expanduser() if out else default_path(target, fmt, Path(out_dir) if out_dir else None)
        out_path = out_path.absolute()
        suffix = FORMATS[fmt].suffix
        if suffix and not out_path.name.endswith(suffix):
            raise JobError(f"a {fmt} export must be written to a file ending in {suffix}; received {out_path.name}")
        check_destination(target, fmt, out_path, force)
        if any(r.path == str(out_path) for r in results.values()):
            raise JobError(f"two formats would be written to {out_path}; give each its own --out")
        r = ExportResult(fmt, str(out_path), atol=atol, rtol=rtol, checked_by=FORMATS[fmt].checked_by)
        results[fmt] = r
        if fmt == "python" and target.spec is None:
            r.error, r.reason = ("the python export rebuilds the run from its spec; give it with --spec SPEC.json",
                                 "missing_spec")
            continue
        if fmt == "python" and target.spec is not None and code_file(target.spec) is not None:
            r.error, r.reason = PYTHON_EXPORT_REFUSAL, "custom_code"  # codegen does not embed it yet
            continue
        eb = (onnx_backend or "tensorflow") if fmt == "onnx" else None
        missing = missing_packages(fmt, eb or target.backend)
        if missing:
            r.error = (f"{fmt} export needs {', '.join(missing)}, which is not installed. Install it with: "
                       + install_hint(missing))
            r.reason = "missing_package"
            continue
        todo.append((fmt, out_path))
    if not todo:
        return list(results.values())
    staged = {fmt: safe_paths.staging_path(out) for fmt, out in todo}
    try:
        _run_steps(target, todo, staged, results, onnx_backend, atol, rtol, timeout, on_event)
        for fmt, out in todo:
            if results[fmt].ok:
                try:
                    safe_paths.place(staged[fmt], out)
                except OSError as exc:
                    results[fmt].ok = False
                    results[fmt].error = f"the checked copy could not be moved to {out}: {exc.strerror or exc}"
    finally:
        for path in staged.values():
            if path.exists():
                safe_paths.discard(path)
    return list(results.values())


def _run_steps(target: Target, todo: list[tuple[str, Path]], staged: dict[str, Path],
               results: dict[str, ExportResult], onnx_backend: str | None, atol: float, rtol: float,
               timeout: float, on_event: Callable[[ev.Event], None] | None) -> None:
    """Each backend's child exports to and checks the staged siblings; fills `results`."""
    for _fmt, out in todo:
        out.parent.mkdir(parents=True, exist_ok=True)
    steps, where = plan(target.backend, [(fmt, staged[fmt]) for fmt, _ in todo], onnx_backend)
    with tempfile.TemporaryDirectory(prefix="studio-export-") as work:
        for backend, ops in steps:
            ops = [op for op in ops if op["op"] == "reference" or results[op["format"]].error == ""]
            if not ops:
                continue
            request = {"backend": backend, "device": "cpu", "model": str(target.model), "spec": target.spec_dict,
                       "work": work, "atol": atol, "rtol": rtol, "ops": ops}
            try:
                answer = run_job("export", request, timeout, on_event)
            except JobError as exc:
                for op in ops:
                    if op["op"] != "reference" and not results[op["format"]].error:
                        results[op["format"]].error = f"on {backend}: {exc.message}"
                        results[op["format"]].reason, results[op["format"]].details = exc.reason, exc.details
                if any(op["op"] == "reference" for op in ops):
                    break
                continue
            for entry in answer["ops"]:
                if entry["op"] == "reference":
                    if not entry.get("ok"):
                        raise JobError(f"cannot run the trained model: {entry.get('error')}", entry.get("reason", ""),
                                       entry.get("details", ""))
                    continue
                r = results[entry["format"]]
                if r.error:
                    continue
                if not entry.get("ok") and "max_abs_diff" not in entry:
                    r.error = entry.get("error", "failed")
                    r.reason = entry.get("reason", "")
                    r.details = entry.get("details", "")
                    continue
                if entry["op"] == "export":
                    r.exported_on = backend
                else:
                    r.verified_on = entry.get("verified_on", backend)
                    r.max_abs_diff = entry.get("max_abs_diff")
                    r.batch = entry.get("batch", 0)
                    if not entry.get("ok"):
                        r.error = (f"the exported model's outputs differ from the trained model's by up to "
                                   f"{r.max_abs_diff:.3g}, more than the tolerance {atol:g} + {rtol:g}·|y|")
                        r.reason = "mismatch"
    for fmt, (_eb, vb) in where.items():
        r = results[fmt]
        r.ok = not r.error and bool(r.exported_on) and bool(r.verified_on)
        if not r.ok and not r.error:
            r.error = "the export was not completed (see the log)"
        if r.ok and fmt in ("keras", "weights") and vb == target.backend:
            r.notes.append("no other backend is installed, so it was checked on the training backend")


def warm_for(path: str | Path, fmt: str, onnx_backend: str | None = None) -> list[str]:
    """Start, in the background, the warm workers an export of `fmt` will use (an ONNX export of a JAX run
    goes through TensorFlow, a Keras copy is checked on another backend), so the export does not wait for
    their start once the user presses Export. Returns the backends; nothing when the target is unreadable."""
    from studio.jobs import workers

    try:
        target = resolve_target(path, None, "model", None, need_spec=False)
    except JobError:
        return []
    steps, _ = plan(target.backend, [(fmt, Path("unused"))], onnx_backend)
    backends = [b for b, _ in steps if importlib.util.find_spec(b) is not None]
    for backend in backends:
        workers.warm(backend)
    return backends


def export(path: str | Path, fmt: str, out: str | Path | None = None, **kwargs: Any) -> ExportResult:
    """One format; see `export_many`."""
    return export_many(path, [(fmt, out)], **kwargs)[0]
