"""A stand-in handler for a Ray job: answers with what the job's process sees."""

from __future__ import annotations

import os


def environment(payload, channel):
    return {"omp_num_threads": os.environ.get("OMP_NUM_THREADS"), "echo": payload.get("echo")}
