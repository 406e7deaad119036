"""The layers stay honest: the core imports neither Qt nor keras; nothing outside the engine imports keras or a
backend; the GUI-side packages never import the engine. Checked statically (import-linter) and at run time."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" not in proc.stdout.lower() or " 0 broken" in proc.stdout.lower()


def test_gui_side_packages_load_no_backend_at_run_time():
    code = (
        "import sys, studio.core.spec, studio.core.analysis, studio.core.presets, studio.data.loaders, "
        "studio.jobs.process, studio.jobs.devices, studio.cli, studio.cli.train, studio.cli.check\n"
        "from studio.core.presets import load_preset\n"
        "from studio.core.analysis import check_spec\n"
        "from studio.data.loaders import data_shape\n"
        "s = load_preset('optimization_lab'); check_spec(s, data_shape(s.data))\n"
        "bad = [m for m in ('keras', 'tensorflow', 'torch', 'jax', 'PySide6', 'studio.engine') if m in sys.modules]\n"
        "print(bad)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
