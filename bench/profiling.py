"""In-process measurement of one page (``python -m bench.profile``): SQL count, timings, pyinstrument profile.

Imported after ``django.setup()``.
"""

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pyinstrument import Profiler


def measure(path: str, *, runs: int) -> dict:
    """Two warm-up requests (the first fills per-process caches, as a running worker has them), then ``runs``."""
    client = Client()
    for _ in range(2):
        client.get(path)
    timings = []
    queries = 0
    status = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
        status = response.status_code
    timings.sort()
    return {
        "path": path,
        "status": status,
        "sql_queries": queries,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(0.95 * (len(timings) - 1))],
        "queries": [query["sql"] for query in captured.captured_queries],
    }


def profile(path: str, *, runs: int) -> Profiler:
    client = Client()
    client.get(path)
    profiler = Profiler(interval=0.001, use_timing_thread=True)  # a cheap clock on busy virtual machines
    with profiler:
        for _ in range(runs):
            client.get(path)
    return profiler
