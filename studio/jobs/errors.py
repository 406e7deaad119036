"""The error every job raises to its caller: a one-sentence message for the user, a reason code, details."""

from __future__ import annotations


class JobError(RuntimeError):
    """A job that failed, with a one-sentence message for the user and the details for the log."""

    def __init__(self, message: str, reason: str = "failed", details: str = ""):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.details = details
