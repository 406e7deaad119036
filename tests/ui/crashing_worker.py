"""A training worker that dies at once without reporting, as a backend crash would (used by test_crash)."""

import os


def main(spec_dict, run_dir, queue, control):
    os._exit(3)
