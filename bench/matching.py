"""In-process timings of matching itself (no HTTP): top 20 researchers for one call, top 20 calls for one researcher.

The pages that show them are measured with wrk like every other page (``bench.pages``); these
numbers isolate the ranking and its queries from rendering, middleware and concurrency.
"""

import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.seed import CITY_EDITOR_EMAIL, RESEARCHER_EMAIL, _match_call_id
from calls.matching import selectors
from calls.models import CallVector, ProfileVector, ResearchCall
from profiles.models import User

RUNS = 30


def _measure(name: str, function, before=None) -> dict:
    function()  # warm this process's vector cache, as a running worker has it
    timings, queries = [], 0
    for _ in range(RUNS):
        if before:
            before()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function()
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    timings.sort()
    return {
        "name": name,
        "runs": RUNS,
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[int(0.95 * (len(timings) - 1))],
        "sql_queries": queries,
    }


def measure(log) -> list[dict]:
    call = ResearchCall.objects.select_related("organisation").get(pk=_match_call_id())
    editor = User.objects.get(email=CITY_EDITOR_EMAIL)
    profile = User.objects.get(email=RESEARCHER_EMAIL).researcher_profile
    researchers = ProfileVector.objects.count()
    open_calls = CallVector.objects.filter(current=True).count()
    cold = selectors.clear_rankings  # rank again on every run, as after any change to a profile or call
    rows = [
        _measure(
            f"top 20 researchers for one call ({researchers} researchers)",
            lambda: selectors.researchers_for_call(call, viewer=editor),
            before=cold,
        ),
        _measure(
            "  the same, ranking remembered (nothing changed)",
            lambda: selectors.researchers_for_call(call, viewer=editor),
        ),
        _measure(
            f"top 20 calls for one researcher ({open_calls} current calls)",
            lambda: selectors.calls_for_researcher(profile),
        ),
        _measure(
            f"top 20 partners for one researcher ({researchers} researchers)",
            lambda: selectors.partners_for(profile, viewer=profile.user),
            before=cold,
        ),
    ]
    for row in rows:
        log(f"  {row['name']}: p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms, {row['sql_queries']} SQL")
    return rows


def format_rows(rows: list[dict]) -> str:
    header = f"{'matching, in process':<60} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5}"
    lines = [header, "-" * len(header)]
    lines += [f"{r['name'][:60]:<60} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['sql_queries']:>5}" for r in rows]
    return "\n".join(lines)
