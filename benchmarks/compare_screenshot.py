"""Screenshots of a comparison over seeds: Adam at 0.01 against 1e-5 on the optimisation lab, five seeds each, trained
from the app (Runs ▸ select both ▸ seeds box 5 ▸ Compare… ▸ Start). Writes the dialog (table, verdicts, bands) and
the main window's curves, both at the given size. Run under a real X server (Xvfb) or offscreen:

    python benchmarks/compare_screenshot.py --out shots --size 1280x720 [--runs DIR]

A second run with the same --runs folder trains nothing: the comparison resumes from the sweeps' storage.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path


def base_runs(root: Path) -> list[Path]:
    """Two runs of the lab to compare (their specs are what the comparison trains; their own curves are not used)."""
    from studio.core.presets import load_preset
    from studio.core.runs import create_run_dir, list_runs, set_status
    from studio.core.spec import with_overrides

    existing = [r.path for r in list_runs(root) if r.title.startswith("Lab: Adam")]
    if len(existing) >= 2:
        return existing[:2]
    paths = []
    for lr in (0.01, 1e-5):
        spec = with_overrides(load_preset("optimization_lab"), ['training.backend="jax"',
                                                                f"optimizer.learning_rate={lr}",
                                                                f'meta.title="Lab: Adam {lr:g}"'])
        path = create_run_dir(root, spec.to_dict())
        (path / "metrics.csv").write_text("epoch,loss,accuracy,learning_rate,seconds\n1,0.7,0.5,0.01,0.1\n")
        set_status(path, "finished")
        paths.append(path)
    return paths


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="shots")
    p.add_argument("--size", default="1280x720")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--runs", help="the runs folder (default: a new temporary one)")
    args = p.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    root = Path(args.runs or tempfile.mkdtemp(prefix="studio-compare-shot-"))
    root.mkdir(parents=True, exist_ok=True)
    wanted = {str(x) for x in base_runs(root)}

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from studio.ui.main_window import MainWindow
    from studio.ui.screenshot import settle

    app = QApplication.instance() or QApplication([])
    win = MainWindow(probe_devices=False, autosave_dir=root / ".autosave")
    win.resize(width, height)
    win.show()
    from studio.core.presets import load_preset

    win.doc.load_dict(load_preset("optimization_lab").to_dict(), None)  # the project the runs came from
    win.runs.set_root(root)
    win.docks["Runs"].raise_()  # where the seeds box is
    for i in range(win.runs.count()):
        item = win.runs.tree.topLevelItem(i)
        if item is not None and item.data(0, Qt.ItemDataRole.UserRole) in wanted:
            item.setSelected(True)
    win.runs.seeds.setValue(args.seeds)
    win.runs.compare_btn.click()
    dialog = win.dialogs.seed_dialog
    assert dialog is not None
    dialog.jobs.setValue(args.jobs)
    dialog.start_btn.click()
    while dialog.comparison is None or dialog.running:
        settle(200)
    if dialog.problem.text():
        print("problem:", dialog.problem.text(), file=sys.stderr)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    dialog.resize(width, height)
    settle(600)
    shot = out / f"compare_{args.seeds}seeds.png"
    dialog.grab().save(str(shot))
    print("wrote", shot)
    dialog.close()
    settle(600)
    curves = out / f"compare_{args.seeds}seeds_curves.png"
    win.grab().save(str(curves))
    print("wrote", curves)
    if dialog.comparison is not None:
        print(dialog.comparison.text())
    win.shutdown()
    win.close()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
