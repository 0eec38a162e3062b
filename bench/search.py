"""``python -m bench --only search``: /search/ latency on the database backend with 100,000 entries.

Seeds ``SearchEntry`` rows (and their facet rows) in bulk into a database of its own, then times
``DatabaseBackend.search`` in process (full text + facet counts + labels; no HTTP, no rendering)
for a handful of queries with and without facet filters, and reports p50/p95 per query and overall.
Target: p95 under 150 ms on a 2-core machine. ``--database-url postgres://…`` for PostgreSQL.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from hub.models import Country, Method, Theme
from hub.search.database import DatabaseBackend
from hub.search.interface import Query
from hub.search.models import SearchEntry, SearchFacet

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench-results"
ENTRIES = 100_000
RUNS = 30
TARGET_P95_MS = 150
KINDS = ["call", "city", "researcher", "partnership", "result", "dataset", "indicator", "method", "case_study"]
WORDS = (
    "housing rights tenants eviction older persons water sanitation health access education school children "
    "migrants refugees asylum participation budget survey focus groups indicators monitoring city council "
    "discrimination equality gender women girls disability accessibility roma minorities poverty income "
    "social security food security homelessness shelter public space transport policing privacy data "
    "protection consent community assessment participatory action research impact ombudsperson civil society "
    "neighbourhood district municipality region justice legal aid labour work wages informal employment "
    "climate heat flooding air quality noise green areas elderly care youth unemployment digital inclusion "
    "language barriers interpretation culture sport library health centre clinic vaccination mental "
    "wellbeing violence safety shelters hotline reporting complaints transparency open data census"
).split()
QUERIES = [
    ("housing", {}),
    ("housing", {"type": ["result"]}),
    ("right water sanitation", {}),
    ("participatory action research", {"country": ["AT"]}),
    ("older tenants eviction", {"year": ["2024", "2025"]}),
    ("migr", {}),
    ("health", {"theme": None, "type": ["partnership", "result"]}),
    ("discrimination roma", {}),
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def seed(count: int, *, rng: random.Random) -> None:
    existing = SearchEntry.objects.filter(kind__in=KINDS, object_id__startswith="bench-").count()
    if existing >= count:
        log(f"  {existing} bench entries already there; skipped seeding.")
        return
    themes = list(Theme.objects.values_list("slug", flat=True)) or ["adequate-housing"]
    methods = list(Method.objects.values_list("slug", flat=True)) or ["survey"]
    countries = list(Country.objects.values_list("code", flat=True)[:60]) or ["AT"]
    languages = ["en", "es", "fr", "de", "it", "pt", "pl", "sv", "nl", "ar"]
    started = time.perf_counter()
    batch = 2000
    for start in range(existing, count, batch):
        rows, facet_sets = [], []
        for n in range(start, min(start + batch, count)):
            kind = KINDS[n % len(KINDS)]
            title = " ".join(rng.choices(WORDS, k=rng.randint(4, 9))).capitalize()
            body = " ".join(rng.choices(WORDS, k=rng.randint(40, 120)))
            facets = {
                "theme": sorted(set(rng.sample(themes, k=min(len(themes), rng.randint(1, 3))))),
                "sdg": sorted({str(rng.randint(1, 17)) for _ in range(rng.randint(1, 3))}),
                "method": sorted(set(rng.sample(methods, k=min(len(methods), rng.randint(0, 2))))),
                "country": [rng.choice(countries)],
                "language": [rng.choice(languages)],
            }
            year = rng.randint(2015, 2026)
            rows.append(
                SearchEntry(
                    kind=kind,
                    object_id=f"bench-{n}",
                    title=title,
                    body=body,
                    url=f"/bench/{kind}/{n}/",
                    language=facets["language"][0],
                    year=year,
                    facets=facets,
                )
            )
            facet_sets.append({**facets, "type": [kind], "year": [str(year)]})
        with transaction.atomic():
            created = SearchEntry.objects.bulk_create(rows)
            SearchFacet.objects.bulk_create(
                [
                    SearchFacet(entry_id=entry.pk, name=name, value=value)
                    for entry, facets in zip(created, facet_sets, strict=True)
                    for name, values in facets.items()
                    for value in values
                ],
                batch_size=5000,
            )
        if (start // batch) % 10 == 0:
            log(f"  {start + len(rows)}/{count} entries ({time.perf_counter() - started:.0f} s)")

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO hub_searchentry_fts(hub_searchentry_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("VACUUM ANALYZE hub_searchentry")  # a live site has autovacuum: visibility map set
            cursor.execute("VACUUM ANALYZE hub_searchfacet")
    log(f"  seeded {count} entries in {time.perf_counter() - started:.0f} s")


def measure(*, runs: int, rng: random.Random) -> list[dict]:
    theme = Theme.objects.values_list("slug", flat=True).first() or "adequate-housing"
    backend = DatabaseBackend()
    rows, everything = [], []
    for text, filters in QUERIES:
        filters = {k: (v if v is not None else [theme]) for k, v in filters.items()}
        query = Query(text=text, filters=filters)
        backend.search(query)  # warm the page cache, as a running worker has it
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                results = backend.search(query)
                timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        everything += timings
        label = text + (" | " + " ".join(f"{k}={','.join(v)}" for k, v in filters.items()) if filters else "")
        rows.append(
            {
                "query": label,
                "total": results.total,
                "p50_ms": statistics.median(timings),
                "p95_ms": timings[int(0.95 * (len(timings) - 1))],
                "sql_queries": len(captured.captured_queries),
            }
        )
        log(f"  {label}: {results.total} hits, p50 {rows[-1]['p50_ms']:.1f} ms, p95 {rows[-1]['p95_ms']:.1f} ms")
    everything.sort()
    rows.append(
        {
            "query": "ALL QUERIES",
            "total": None,
            "p50_ms": statistics.median(everything),
            "p95_ms": everything[int(0.95 * (len(everything) - 1))],
            "sql_queries": None,
        }
    )
    return rows


def format_rows(rows: list[dict], *, vendor: str, entries: int) -> str:
    header = f"{'search, database backend (' + vendor + f', {entries} entries)':<60} {'hits':>7} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>4}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['query'][:60]:<60} {r['total'] if r['total'] is not None else '':>7} {r['p50_ms']:>8.1f} "
            f"{r['p95_ms']:>8.1f} {r['sql_queries'] if r['sql_queries'] is not None else '':>4}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench --only search", description=__doc__)
    parser.add_argument("--entries", type=int, default=ENTRIES)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--database-url", default="")
    args, _unknown = parser.parse_known_args(argv)
    return args


def run(args: argparse.Namespace) -> int:
    """Seed (once) and measure; Django is set up on ``args.database_url`` (``bench.runner.search_main``)."""
    log(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(2026)
    log(f"Seeding {args.entries} search entries …")
    seed(args.entries, rng=rng)
    log("Searching, in process …")
    rows = measure(runs=args.runs, rng=rng)
    table = format_rows(rows, vendor=connection.vendor, entries=args.entries)
    print(table)
    overall = rows[-1]["p95_ms"]
    verdict = "within" if overall <= TARGET_P95_MS else "ABOVE"
    print(f"\nOverall p95 {overall:.1f} ms: {verdict} the {TARGET_P95_MS} ms target.")
    out = RESULTS_DIR / f"bench-search-{connection.vendor}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {"database": connection.vendor, "entries": args.entries, "load": os.getloadavg(), "rows": rows}, indent=2
        )
        + "\n"
    )
    print(f"Saved {out.relative_to(BASE_DIR)}")
    return 0
