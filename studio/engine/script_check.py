"""Check a generated Python script in child processes: its data and training path, then its model's outputs.

The script came from a spec, and a spec may come from anyone; loading it into the exporting process would let
whatever it holds run there. Two children run it instead:
  - `python SCRIPT --check`: the script loads its data, builds and compiles its model and trains one step on a
    few samples (without Keras Studio on the path);
  - `python -m studio.engine.script_check SCRIPT MODEL.keras INPUTS.npy OUTPUTS.npy`: the script's
    `build_model()` with the trained weights predicts a batch, which must match the trained model's outputs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np


class ScriptCheckError(RuntimeError):
    def __init__(self, message: str, reason: str = "export_failed"):
        super().__init__(message)
        self.reason = reason


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else "no output"


def check_script(script: Path, backend: str, timeout: float = 600) -> dict:
    """Run `script --check` on `backend`; its report, or ScriptCheckError with the script's own last error line."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the script must run without Keras Studio
    env["KERAS_BACKEND"] = backend
    try:
        done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True,
                              timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise ScriptCheckError(f"the generated script's check (load the data, train one step) took over "
                               f"{timeout:.0f} s") from None
    if done.returncode != 0:
        raise ScriptCheckError(f"the generated script fails when it loads its data and trains one step on "
                               f"{backend}: {_last_line(done.stderr)}", "script_failed")
    try:
        return json.loads(_last_line(done.stdout))
    except json.JSONDecodeError:
        raise ScriptCheckError(f"the generated script's check printed no report; its last line was "
                               f"{_last_line(done.stdout)!r}", "script_failed") from None


def script_outputs(script: Path, model_path: str, x: np.ndarray, backend: str, timeout: float = 600) -> np.ndarray:
    """The outputs of `script`'s `build_model()` with the weights of `model_path`, computed in a child process,
    once the script's own `--check` has passed. The two children run at once (each spends most of its time
    starting keras); the check's failure is reported first, as it says more about what is wrong."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="keras-studio-script-check") as pool:
        check = pool.submit(check_script, script, backend, timeout)
        try:
            y = _outputs(script, model_path, x, backend, timeout)
        except ScriptCheckError:
            check.result()  # raises the check's own error when it failed too
            raise
        check.result()
    return y


def _outputs(script: Path, model_path: str, x: np.ndarray, backend: str, timeout: float) -> np.ndarray:
    with tempfile.TemporaryDirectory(prefix="studio_script_check_") as tmp:
        inputs, outputs = Path(tmp) / "x.npy", Path(tmp) / "y.npy"
        np.save(inputs, x)
        root = str(Path(__file__).resolve().parents[2])  # this Keras Studio, installed or not
        env = {**os.environ, "KERAS_BACKEND": backend,
               "PYTHONPATH": os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])])}
        try:
            done = subprocess.run([sys.executable, "-m", "studio.engine.script_check", str(script), str(model_path),
                                   str(inputs), str(outputs)], capture_output=True, text=True, timeout=timeout,
                                  env=env, cwd=tmp, check=False)
        except subprocess.TimeoutExpired:
            raise ScriptCheckError(f"checking the generated script took over {timeout:.0f} s") from None
        if done.returncode != 0 or not outputs.is_file():
            lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
            if lines:
                report = json.loads(lines[-1])
                raise ScriptCheckError(report["error"], report.get("reason", "export_failed"))
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise ScriptCheckError(f"the generated script failed when its model was built: {tail}")
        return np.load(outputs, allow_pickle=False)


def main(script: str, model_path: str, inputs: str, outputs: str) -> int:
    import runpy

    from studio.engine.evaluate import load_model
    from studio.engine.export import _numpy

    namespace = runpy.run_path(script, run_name="studio_exported_script")  # trains only under __main__
    built = namespace["build_model"]()
    original = load_model(model_path)
    ours, theirs = [type(a).__name__ for a in built.layers], [type(a).__name__ for a in original.layers]
    if ours != theirs:
        print(json.dumps({"error": f"the generated script builds different layers than the trained model: {ours} "
                                   f"vs {theirs}", "reason": "mismatch"}))
        return 3
    built.set_weights(original.get_weights())
    np.save(outputs, _numpy(built.predict(np.load(inputs, allow_pickle=False), verbose=0)))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
