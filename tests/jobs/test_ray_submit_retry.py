"""A Ray head that has just started answers "No available agent to submit job" until its job agent is up (seen
under load in the suite): the submission waits for it instead of failing the run; any other refusal fails at once."""

from __future__ import annotations

import pytest

from studio.jobs import ray_executor
from studio.jobs.ray_cluster import RayClusterError
from studio.jobs.ray_executor import RayJob


class _Client:
    def __init__(self, failures: int, message: str):
        self.failures, self.message, self.calls = failures, message, 0

    def submit_job(self, **kwargs):
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError(f"Request failed with status code 500: {self.message}")
        return "raysubmit_1"


def _job(client) -> RayJob:
    job = RayJob("train", {"spec": {}, "run_dir": "r"}, "http://127.0.0.1:8265")
    job._client = client
    return job


def test_no_agent_yet_is_waited_for(monkeypatch):
    monkeypatch.setattr(ray_executor.time, "sleep", lambda s: None)
    client = _Client(3, "No available agent to submit job, please try again later.")
    assert _job(client)._submit() == "raysubmit_1" and client.calls == 4


def test_other_refusals_and_an_agent_that_never_comes_fail_with_the_clusters_words(monkeypatch):
    monkeypatch.setattr(ray_executor.time, "sleep", lambda s: None)
    with pytest.raises(RayClusterError, match="refused the job: .*bad entrypoint"):
        _job(_Client(1, "bad entrypoint"))._submit()
    monkeypatch.setattr(ray_executor, "AGENT_WAIT_S", 0.0)
    with pytest.raises(RayClusterError, match="No available agent"):
        _job(_Client(99, "No available agent to submit job"))._submit()
