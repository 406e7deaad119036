"""How long a user waits for the small jobs after a run: Try it's first and next answers, export to ONNX and to a
Python script (with its check), and evaluation — on the optimisation lab after a finished JAX run, with the
backend's warm worker already started (as the app starts it when a run ends or a past run is shown).

    .venv/bin/python benchmarks/latency_bench.py [--epochs 20] [--cold]

Prints one JSON object: try_it_first_answer_s (open the model and get its first prediction), try_it_next_answer_s
(the median of 20 more), export_onnx_s, export_python_s (timed from pressing Export, once the dialog has warmed
the backends the format uses: ONNX goes through TensorFlow), evaluate_s, and worker_start_s (how long the run's
worker took to load its backend, paid once, in the background). --cold measures the same with every job in a fresh child
(KERAS_STUDIO_WARM_WORKERS=0), the way it was before warm workers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--cold", action="store_true", help="every job in a fresh child (no warm worker)")
    args = parser.parse_args()
    if args.cold:
        os.environ["KERAS_STUDIO_WARM_WORKERS"] = "0"

    import numpy as np

    from studio.core import events as ev
    from studio.core.presets import load_preset
    from studio.core.spec import with_overrides
    from studio.jobs import workers
    from studio.jobs.evaluate_job import evaluate
    from studio.jobs.export_job import export
    from studio.jobs.predictor import Predictor
    from studio.jobs.process import TrainingProcess

    out: dict[str, float | str] = {"mode": "cold" if args.cold else "warm"}
    with tempfile.TemporaryDirectory(prefix="latency-bench-") as tmp:
        spec = with_overrides(load_preset("optimization_lab"),
                              [f"training.epochs={args.epochs}", "training.backend=jax", "training.device=cpu"])
        proc = TrainingProcess(spec, Path(tmp) / "runs")
        run = proc.start()
        terminal = proc.wait(600)
        proc.close()
        if not isinstance(terminal, ev.Finished):
            print(f"the run did not finish: {terminal}", file=sys.stderr)
            return 1
        if not args.cold:  # what the window does when the run ends; the user is looking at its curves meanwhile
            t = time.perf_counter()
            workers.warm("jax")
            worker = workers.worker("jax")
            while not worker.info:
                time.sleep(0.01)
            out["worker_start_s"] = round(time.perf_counter() - t, 3)

        t = time.perf_counter()
        predictor = Predictor(run / "model.keras", spec.to_dict(), "jax")
        predictor.start()
        x = np.zeros((1, 2), np.float32)
        predictor.predict(x)
        out["try_it_first_answer_s"] = round(time.perf_counter() - t, 3)
        times = []
        for i in range(20):
            t = time.perf_counter()
            predictor.predict(x + i / 20)
            times.append(time.perf_counter() - t)
        out["try_it_next_answer_s"] = round(statistics.median(times), 4)
        predictor.close()

        for fmt in ("onnx", "python"):
            if not args.cold:  # what the export dialog does when the format is chosen, before Export is pressed
                from studio.jobs.export_job import warm_for

                for backend in warm_for(run, fmt):
                    while not workers.worker(backend).info:
                        time.sleep(0.01)
            t = time.perf_counter()
            result = export(run, fmt, str(Path(tmp) / f"lab.{'py' if fmt == 'python' else fmt}"))
            out[f"export_{fmt}_s"] = round(time.perf_counter() - t, 3)
            if not result.ok:
                out[f"export_{fmt}_error"] = result.error
        t = time.perf_counter()
        evaluate(run)
        out["evaluate_s"] = round(time.perf_counter() - t, 3)
        workers.shutdown()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
