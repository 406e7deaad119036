"""A stand-in for the app or the CLI: starts an engine child the way the real jobs do, then waits forever
(the test kills it with -9)."""

import time

from studio.jobs.evaluate_job import call_engine


def main() -> None:
    call_engine("tests.engine.sleepy_worker", {"backend": "jax", "device": "cpu"}, timeout=600,
                on_message=lambda m: print("working", flush=True))
    time.sleep(600)


if __name__ == "__main__":
    main()
