"""`python script_runner.py JOBS.json`: run several exported training scripts one after another in this one
process (one Python and backend start for all), each as `python SCRIPT ARGS…` would run it: its own argv, its
folder as the working directory, `__main__` as its name. Needs nothing of Keras Studio (the scripts must not
either). JOBS: [{"name", "script", "argv", "cwd"}]. Prints one `RESULT {json}` line: per name, the exit code and
the end of the traceback when it failed."""

from __future__ import annotations

import json
import os
import runpy
import sys
import traceback


def run_one(job: dict) -> dict:
    os.chdir(job["cwd"])
    sys.argv = [job["script"], *job["argv"]]
    code, error = 0, ""
    try:
        runpy.run_path(job["script"], run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        error = "" if code == 0 else str(exc.code)
    except BaseException:  # noqa: BLE001 - a failing script is this job's result, the next one still runs
        code, error = 1, traceback.format_exc()[-4000:]
    if "keras" in sys.modules:
        sys.modules["keras"].backend.clear_session()  # one script's layers and names are not the next one's
    return {"code": code, "error": error}


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        jobs = json.load(f)
    print("RESULT " + json.dumps({job["name"]: run_one(job) for job in jobs}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
