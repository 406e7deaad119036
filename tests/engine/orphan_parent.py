"""A stand-in for the app or the CLI: starts an engine child the way the real jobs do, then waits forever
(the test kills it with -9)."""

import time

from studio.jobs.job import run_job


def main() -> None:
    run_job("evaluate", {"backend": "jax", "device": "cpu"}, timeout=600, handler="tests.engine.sleepy_worker",
            on_event=lambda e: print("working", flush=True))
    time.sleep(600)


if __name__ == "__main__":
    main()
