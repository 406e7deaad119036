"""A train handler that dies at once without reporting, as a backend crash would (used by test_crash)."""

import os


def run(payload, channel):
    os._exit(3)
