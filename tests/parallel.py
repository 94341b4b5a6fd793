"""Running requests at the same moment, for the concurrency tests (on PostgreSQL)."""

import os
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

on_postgresql = pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"),
    reason="concurrency is tested on PostgreSQL (set TEST_DATABASE_URL)",
)


def in_parallel(calls):
    """Start every call at once (threads behind a barrier); their results in order."""
    barrier = Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))
