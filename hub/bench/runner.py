"""``python -m hub.bench``: seed, serve with gunicorn, load each page with wrk, report and save JSON."""

import argparse
import datetime
import io
import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from hub.bench.pages import BASELINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
RESULTS_DIR = BASE_DIR / "bench-results"
# Loopback only and a throwaway database: these values protect nothing.
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "hub.bench.settings",
    "SECRET_KEY": "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "BRIDGES_QUERY_COUNT_HEADER": "1",
    "LOG_LEVEL": "WARNING",
    "STATIC_ROOT": str(RESULTS_DIR / "staticfiles"),
    "MEDIA_ROOT": str(RESULTS_DIR / "media"),
    "API_ANON_RATE": "",  # the open data API's per-IP limit would answer wrk with 429s
    "PAGE_CACHE_SECONDS": "0",  # pages are measured uncached; the cached pass turns it on
}
CACHED_SECONDS = "300"
_START = time.perf_counter()
# Sequential requests per page before wrk: they warm every worker, check the status, read the SQL
# count, and the fastest gives the latency without contention (steadier on a busy machine).
PROBES = 5


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m hub.bench", description=__doc__)
    parser.add_argument("--scale", type=int, default=2000, help="researchers to seed (cities: max(200, scale/50))")
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=4, help="concurrent wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (threaded, gunicorn.conf.py)")
    parser.add_argument(
        "--database-url",
        default="",
        help="database to seed and serve (e.g. postgres://…); default: bench-results/bench-<scale>.sqlite3",
    )
    parser.add_argument("--only", default="", help="measure only pages whose name or path contains this text")
    parser.add_argument(
        "--match-researchers",
        type=int,
        default=0,
        help="top up to this many researchers for the matching pages (own database file; e.g. 50000)",
    )
    parser.add_argument(
        "--match-open-calls", type=int, default=0, help="top up to this many open calls for matching (e.g. 5000)"
    )
    parser.add_argument(
        "--records",
        type=int,
        default=0,
        help="issue 7: seed this many objects (50%% researchers, 10%% calls, 20%% proposals, 5%% partnerships, "
        "15%% results; e.g. 100000) and measure RECORD_PAGES, uncached and with the page cache",
    )
    parser.add_argument(
        "--mixed", type=int, default=0, help="then a mixed run of this many seconds over all pages (e.g. 600)"
    )
    parser.add_argument(
        "--mixed-connections",
        type=int,
        default=50,
        help="simulated users in the mixed run: wrk connections plus --write-sessions",
    )
    parser.add_argument(
        "--write-sessions",
        type=int,
        default=10,
        help="issue 15: researcher sessions (of the --mixed-connections users) that sign in and write — shared "
        "drafts, saved searches, consultation comments — checked against the database at the end; 0: wrk "
        "saves one fixed proposal instead",
    )
    parser.add_argument(
        "--mixed-only", action="store_true", help="skip the per-page passes: only the mixed run (needs --mixed)"
    )
    parser.add_argument(
        "--base-url",
        default="",
        help="run the mixed run against this running site (e.g. https://127.0.0.1:8443/, through its proxy) "
        "instead of a gunicorn of the bench's own; --database-url must be the site's database",
    )
    parser.add_argument("--insecure", action="store_true", help="with --base-url: accept a self-signed certificate")
    parser.add_argument("--seed-only", action="store_true", help="seed (and index) the database, measure nothing")
    parser.add_argument(
        "--no-redis", action="store_true", help="use the database cache even when redis-server is installed"
    )
    args = parser.parse_args(argv)
    if args.base_url:
        if not args.database_url:
            parser.error("--base-url needs --database-url: the database the site at that address uses")
        args.mixed_only = True
    if args.mixed_only and not args.mixed:
        parser.error("--mixed-only and --base-url need --mixed SECONDS")
    if args.mixed_only and not args.records:
        parser.error("the mixed run rotates over the --records pages: give --records (e.g. 100000)")
    if not 0 <= args.write_sessions < args.mixed_connections:
        parser.error("--write-sessions must be at least 0 and fewer than --mixed-connections")
    return args


def _matching_top_up(args: argparse.Namespace) -> bool:
    return bool(args.match_researchers or args.match_open_calls)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _git_revision() -> str:
    try:
        revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=BASE_DIR, capture_output=True, text=True)
    except OSError:
        return "unknown"
    return revision.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.only == "search":
        from hub.bench import search

        return search.main(["--database-url", args.database_url] if args.database_url else [])
    # SIGTERM (e.g. from make or CI) unwinds like Ctrl-C, so gunicorn is always stopped.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    RESULTS_DIR.mkdir(exist_ok=True)
    suffix = f"-match-{args.match_researchers}-{args.match_open_calls}" if _matching_top_up(args) else ""
    if args.records:
        suffix += f"-records-{args.records}"
    database_url = args.database_url or f"sqlite:///{RESULTS_DIR / f'bench-{args.scale}{suffix}.sqlite3'}"
    bench_env = dict(BENCH_ENV)
    # With --base-url the bulk download is built only where the site reads it (its MEDIA_ROOT, when given).
    args.build_bulk = not args.base_url or bool(os.environ.get("MEDIA_ROOT"))
    if args.base_url:
        # The site at --base-url is someone else's: its cache and media (where the bulk download is built) are
        # the ones to use when given, so that what the bench prepares in process is what the site sees.
        # Its SECRET_KEY signs the sessions the bench creates for wrk's signed-in pages.
        passed = ("MEDIA_ROOT", "REDIS_URL", "SECRET_KEY")
        bench_env.update({key: os.environ[key] for key in passed if os.environ.get(key)})
    env = {**os.environ, **bench_env, "DATABASE_URL": database_url}
    os.environ.update({**bench_env, "DATABASE_URL": database_url})
    from hub.bench.server import Redis

    try:
        with Redis(enabled=not (args.no_redis or args.base_url)) as redis:
            if redis.url:
                env["REDIS_URL"] = os.environ["REDIS_URL"] = redis.url
            return _run(args, env)
    except KeyboardInterrupt:
        log("Interrupted; gunicorn and redis stopped.")
        return 130


def _run(args: argparse.Namespace, env: dict[str, str]) -> int:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection, connections

    from hub.bench import load, seed
    from hub.bench.pages import PAGES, RECORD_PAGES, BenchPage

    wrk = load.ensure_wrk(log)
    started = time.perf_counter()
    load_before = os.getloadavg()
    if load_before[0] > (os.cpu_count() or 1) / 2:
        log(
            f"Warning: the machine is busy (load average {load_before[0]:.1f} on {os.cpu_count()} CPUs); "
            "req/s and percentiles will be noisy; compare pages through the ×base and single-request columns."
        )
    log(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", interactive=False, verbosity=0)
    log(f"Seeding scale {args.scale} …")
    try:
        seeded = seed.ensure(scale=args.scale, log=log)
    except seed.SeedError as error:
        log(str(error))
        return 2
    log("  seeded." if seeded else f"  already seeded at scale {args.scale}; skipped.")
    if args.records:
        log(f"Records: {args.records} …")
        seeded = seed.ensure_records(records=args.records, log=log)
        log("  seeded." if seeded else f"  already seeded with {args.records} records; skipped.")
    if _matching_top_up(args):
        seed.ensure_matching(
            researchers=args.match_researchers, open_calls=args.match_open_calls, scale=args.scale, log=log
        )
    if args.seed_only:
        log(f"Seeded; preparation took {time.perf_counter() - started:.0f} s.")
        return 0
    context = seed.bench_context()
    log(f"  {context['counts']}")
    matching_rows = []
    if not args.records and not args.mixed_only and (not args.only or args.only in "matching"):
        from hub.bench import matching

        log("Matching, in process …")
        matching_rows = matching.measure(log)
    if not args.base_url:  # a running site has its own static files
        log("collectstatic …")
        call_command("collectstatic", interactive=False, verbosity=0)
    if args.records and (not args.only or args.only in "CSV export of calls") and args.build_bulk:
        # As the hourly cron does in production: whole-list CSV exports are read from a fresh bulk zip. A site's
        # very first request creates its settings row (a change, which would make the zip stale): do it first.
        from wagtail.models import Site

        from hub.models import SiteSettings

        SiteSettings.for_site(Site.objects.get(is_default_site=True))
        bulk_started = time.perf_counter()
        call_command("build_bulk_download", stdout=io.StringIO())
        log(f"Bulk download built in {time.perf_counter() - bulk_started:.0f} s.")
    connections.close_all()
    log(f"Preparation took {time.perf_counter() - started:.0f} s.")

    all_pages = RECORD_PAGES if args.records else PAGES
    pages: list[BenchPage] = [
        page for page in all_pages if page is BASELINE or args.only in page.name or args.only in page.path
    ]
    from hub.bench.server import Gunicorn

    rows, cached_rows, mixed = [], [], None
    if args.base_url:
        log(f"Mixed run against {args.base_url} (its own servers; database {connection.settings_dict['NAME']})")
        mixed = _mixed(pages, base_url=args.base_url.rstrip("/"), context=context, args=args, wrk=wrk)
    elif args.mixed_only:
        cached_env = {**env, "PAGE_CACHE_SECONDS": CACHED_SECONDS}
        with Gunicorn(
            env=cached_env, workers=args.workers, log_path=RESULTS_DIR / "gunicorn.log", ready_path=BASELINE.path
        ) as server:
            log(f"gunicorn ({args.workers} workers) on {server.base_url}, page cache on; mixed run only")
            mixed = _mixed(pages, base_url=server.base_url, context=context, args=args, wrk=wrk)
    else:
        with Gunicorn(
            env=env, workers=args.workers, log_path=RESULTS_DIR / "gunicorn.log", ready_path=BASELINE.path
        ) as server:
            log(
                f"gunicorn ({args.workers} workers) on {server.base_url}; wrk {args.duration} s × {args.connections} connections per page"
            )
            rows = [_measure(page, server=server, context=context, args=args, wrk=wrk) for page in pages]
    cached_pages = [page for page in pages if page is BASELINE or page.cached]
    if args.records and len(cached_pages) > 1 and not args.mixed_only:
        cached_env = {**env, "PAGE_CACHE_SECONDS": CACHED_SECONDS}
        with Gunicorn(
            env=cached_env, workers=args.workers, log_path=RESULTS_DIR / "gunicorn.log", ready_path=BASELINE.path
        ) as server:
            log(f"With the anonymous page cache ({'Redis' if env.get('REDIS_URL') else 'database cache'}):")
            cached_rows = [_measure(page, server=server, context=context, args=args, wrk=wrk) for page in cached_pages]
            if args.mixed:
                mixed = _mixed(pages, base_url=server.base_url, context=context, args=args, wrk=wrk)
    _percent_of_baseline(rows)
    _percent_of_baseline(cached_rows)

    report = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "database": connection.vendor,
        "counts": context["counts"],
        "git": _git_revision(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": {"before": load_before[0], "after": os.getloadavg()[0]},
        "load": {
            "tool": "wrk",
            "duration_s": args.duration,
            "connections": args.connections,
            "threads": min(args.threads, args.connections),
            "gunicorn_workers": args.workers,
        },
        "pages": rows,
        "cached_pages": cached_rows,
        "mixed": mixed,
        "records": args.records,
        "cache_backend": "redis" if env.get("REDIS_URL") else "database",
        "matching": matching_rows,
    }
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS_DIR / f"bench-{stamp}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(format_table(report))
    if matching_rows:
        from hub.bench.matching import format_rows

        print("\n" + format_rows(matching_rows))
    print(f"\nSaved {out.relative_to(BASE_DIR)}; total {time.perf_counter() - _START:.0f} s.")
    failures = [row for row in [*rows, *cached_rows] if row.get("error")]
    if mixed and mixed.get("error"):
        failures.append({"page": "mixed run", "path": "(all)", "error": mixed["error"]})
    if failures:
        print(f"\nFAILED: {len(failures)} page(s) did not answer 200 every time:", file=sys.stderr)
        for row in failures:
            print(f"  {row['page']} {row['path']}: {row['error']}", file=sys.stderr)
        return 1
    return 0


def _measure(page, *, server, context: dict, args: argparse.Namespace, wrk: str) -> dict:
    """Probe a page a few times (status, SQL, uncontended latency), then load it with wrk."""
    from hub.bench import load

    path = page.path.format(**context["paths"])
    cookie = _cookie(page, context)
    body = page.body.format(**context["paths"]) if page.body else ""
    row = {"page": page.name, "path": path, "user": page.user, "method": page.method}
    statuses, queries, timings, caches = set(), None, [], []
    for _ in range(max(PROBES, args.workers)):
        probe_started = time.perf_counter()
        status, queries, location, cache = load.probe(
            port=server.port, path=path, cookie=cookie, method=page.method, body=body
        )
        timings.append((time.perf_counter() - probe_started) * 1000)
        statuses.add(status)
        caches.append(cache)
    if page.method == "GET" and page is not BASELINE:
        # Cold: the first request after a content change, when cached aggregates are computed again.
        from hub.bench.urls import NEW_GENERATION_PATH

        load.probe(port=server.port, path=NEW_GENERATION_PATH, cookie=None, method="GET", body="")
        probe_started = time.perf_counter()
        load.probe(port=server.port, path=path, cookie=cookie, method=page.method, body=body)
        row["cold_ms"] = (time.perf_counter() - probe_started) * 1000
    row["status"] = sorted(statuses)
    row["sql_queries"] = queries
    row["single_ms"] = min(timings)
    row["x_cache"] = caches
    # A POST page repeats one fixed form: its first save takes the draft's version, the next ones are refused as
    # stale (409, the whole form validated and the conflict shown, nothing saved).
    ok = {200, 302, 303, 409} if page.method == "POST" else {200}
    if not statuses <= ok:
        row["error"] = f"status {sorted(statuses)}" + (f" → {location}" if location else "")
        log(f"  {page.name}: {row['error']}")
        return row
    result = load.run_wrk(
        wrk=wrk,
        url=server.base_url + path,
        cookie=cookie,
        duration=args.duration,
        connections=args.connections,
        threads=min(args.threads, args.connections),
        method=page.method,
        body=body,
    )
    row.update(asdict(result))
    bad = result.errors if page.method == "POST" else result.non2xx
    if bad or result.socket_errors or result.timeouts:
        row["error"] = f"{bad} bad statuses, {result.socket_errors} socket errors, {result.timeouts} timeouts"
    hits = f", {result.cache_hits / max(result.requests, 1):.0%} hits" if page.cached else ""
    log(f"  {page.name}: {result.rps:.1f} req/s, p95 {result.p95_ms:.0f} ms, {queries} SQL{hits}")
    return row


def _cookie(page, context: dict) -> str | None:
    cookie = context["cookies"].get(page.user)
    if page.method == "POST":
        csrf = f"{context['csrf_cookie_name']}={context['csrf_token']}"
        cookie = f"{cookie}; {csrf}" if cookie else csrf
    return cookie


def _mixed(pages, *, base_url: str, context: dict, args: argparse.Namespace, wrk: str) -> dict:
    """``--mixed`` seconds of ``--mixed-connections`` users over every page (cache on): errors must be 0.

    wrk's connections rotate over the pages: each cached (public) page six times per rotation, every other page
    twice. With ``--write-sessions`` (issue 15) that many of the users are researchers who sign in and write
    (``hub.bench.writes``): they edit a few shared drafts at once, save searches and comment on a consultation;
    at the end every acknowledged write is checked against the database (``hub.bench.checker``). Without them,
    one request per rotation (about one in 40) saves a fixed proposal. Any write invalidates the page cache
    like any content change.
    """
    from django.db import connections

    from hub.bench import checker, load, writes

    requests = []
    for page in pages:
        if page is BASELINE:
            continue
        path = page.path.format(**context["paths"])
        headers = {}
        cookie = _cookie(page, context)
        if cookie:
            headers["Cookie"] = cookie
        body = page.body.format(**context["paths"]) if page.body else ""
        if page.method == "POST":
            headers["Content-Type"] = load.FORM
        weight = 6 if page.cached else 2
        requests += [{"method": page.method, "path": path, "headers": headers, "body": body}] * weight
    saves = [r for r in requests if r["method"] == "POST"][:1]
    others = [r for r in requests if r["method"] != "POST"]
    # The researchers write (and read what they edit); wrk only reads. Without them, one save per rotation.
    requests = others if args.write_sessions else others + saves
    readers = args.mixed_connections - args.write_sessions
    driver = None
    if args.write_sessions:
        plan = writes.prepare(sessions=args.write_sessions, log=log)
        connections.close_all()
        driver = writes.WriteDriver(base_url=base_url, plan=plan, seconds=args.mixed, verify=not args.insecure)
    log(
        f"Mixed run: {args.mixed} s, {readers} wrk connections over {len(requests)} rotating requests"
        + (f" and {args.write_sessions} researcher sessions writing" if driver else "")
        + f", against {base_url} …"
    )
    failed = _check_rotation(requests, base_url=base_url, verify=not args.insecure)
    if failed:
        return {"error": "before the run: " + "; ".join(failed), "requests": 0, "rps": 0.0}
    load_before = os.getloadavg()[0]
    if driver:
        driver.start()
    result = load.run_wrk(
        wrk=wrk,
        url=base_url + "/",
        cookie=None,
        duration=args.mixed,
        connections=readers,
        threads=min(args.threads, readers),
        requests=requests,
    )
    mixed = {
        "target": base_url if args.base_url else f"gunicorn of the bench ({args.workers} workers)",
        "duration_s": args.mixed,
        "connections": args.mixed_connections,
        "wrk_connections": readers,
        "write_sessions": args.write_sessions,
        "rotation": len(requests),
        "load_average": {"before": load_before, "after": os.getloadavg()[0]},
        **asdict(result),
    }
    problems = []
    if result.errors or result.socket_errors or result.timeouts:
        problems.append(
            f"{result.errors} responses ≥ 400, {result.socket_errors} socket errors, {result.timeouts} timeouts"
        )
    log(
        f"  reads (wrk): {result.requests} requests, {result.rps:.1f} req/s, p95 {result.p95_ms:.0f} ms, "
        f"{result.errors} errors (≥400), {result.socket_errors} socket errors, {result.timeouts} timeouts, "
        f"{result.cache_hits / max(result.requests, 1):.0%} cache hits"
    )
    if driver:
        record = driver.join()
        rows, drafts = writes.read_back(plan)
        connections.close_all()
        verdict = checker.check(record.acks, rows=rows, drafts=drafts)
        mixed["writes"] = _writes_summary(record, verdict)
        w = mixed["writes"]
        log(
            f"  writes: {w['requests']} requests, {w['acknowledged_total']} acknowledged {w['acknowledged']}, "
            f"{w['stale_refused']} stale saves refused (409), {w['lost']} lost, {w['duplicated']} duplicated, "
            f"{w['errors']} errors; POST p50 {w['post_p50_ms']:.0f} ms, p95 {w['post_p95_ms']:.0f} ms"
        )
        for line in (w["error_samples"] + w["problems"])[:20]:
            log(f"    {line}")
        if w["errors"] or w["lost"] or w["duplicated"]:
            problems.append(f"writes: {w['errors']} errors, {w['lost']} lost, {w['duplicated']} duplicated")
        if not w["acknowledged_total"]:
            problems.append("writes: nothing was acknowledged")
    if problems:
        mixed["error"] = "; ".join(problems)
    return mixed


def _check_rotation(requests: list[dict], *, base_url: str, verify: bool) -> list[str]:
    """Each GET of the rotation once: 200 expected (wrk counts a redirect to the sign-in page as a success)."""
    import requests as http

    failed = []
    for request in {r["path"]: r for r in requests if r["method"] == "GET"}.values():
        try:
            response = http.get(
                base_url + request["path"],
                headers=request["headers"],
                allow_redirects=False,
                timeout=120,
                verify=verify,
            )
        except http.RequestException as error:
            failed.append(f"{request['path']}: {type(error).__name__}")
            continue
        if response.status_code != 200:
            failed.append(f"{request['path']}: {response.status_code} {response.headers.get('Location', '')}".strip())
    return failed


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _writes_summary(record, verdict) -> dict:
    """The write driver's counts and the checker's verdict, for the JSON and the table."""
    return {
        "requests": sum(record.requests.values()),
        "by_status": dict(sorted(record.requests.items())),
        **verdict.as_dict(),
        "stale_refused": sum(record.stale.values()),
        "stale_by_draft": {str(pk): n for pk, n in sorted(record.stale.items())},
        "errors": len(record.errors),
        "error_samples": record.errors[:20],
        "post_p50_ms": _percentile(record.latencies, 0.50) * 1000,
        "post_p95_ms": _percentile(record.latencies, 0.95) * 1000,
        "post_p99_ms": _percentile(record.latencies, 0.99) * 1000,
    }


def _percent_of_baseline(rows: list[dict]) -> None:
    baseline_rps = next((row.get("rps") for row in rows if row["path"] == BASELINE.path), None)
    for row in rows:
        if baseline_rps and row.get("rps"):
            row["vs_baseline"] = row["rps"] / baseline_rps


def format_table(report: dict) -> str:
    counts = report["counts"]
    lines = [
        f"Bridges bench — scale {report['scale']}"
        + (f", {report['records']} records" if report.get("records") else "")
        + f" ({counts['researchers']} researchers, {counts['city_pages']} city pages, {counts.get('calls', '?')} calls, "
        f"{counts.get('proposals', '?')} proposals, {counts.get('partnerships', '?')} partnerships, "
        f"{counts.get('results', '?')} results), {report['database']}, "
        f"{report['load']['gunicorn_workers']} gunicorn workers, wrk {report['load']['connections']} connections "
        f"× {report['load']['duration_s']} s, load average {report['load_average']['before']:.1f}"
        f"→{report['load_average']['after']:.1f} on {report['cpus']} CPUs, git {report['git']}",
        "",
    ]
    if report["pages"]:
        lines += _rows_table(report["pages"])
    if report.get("cached_pages"):
        lines += [
            "",
            f"With the anonymous page cache ({report.get('cache_backend')}):",
            *_rows_table(report["cached_pages"]),
        ]
    mixed = report.get("mixed")
    if mixed and "p50_ms" in mixed:
        lines += [
            "",
            f"Mixed run: {mixed['duration_s']} s, {mixed['connections']} users"
            + (f" ({mixed['wrk_connections']} wrk connections reading)" if mixed.get("write_sessions") else "")
            + f", {mixed['requests']} requests, "
            f"{mixed['rps']:.1f} req/s, p50 {mixed['p50_ms']:.0f} ms, p95 {mixed['p95_ms']:.0f} ms, "
            f"p99 {mixed['p99_ms']:.0f} ms; errors (status ≥ 400) {mixed['errors']}, socket errors "
            f"{mixed['socket_errors']}, timeouts {mixed['timeouts']}; cache hits "
            f"{mixed['cache_hits'] / max(mixed['requests'], 1):.0%}"
            + (f"; target {mixed['target']}" if mixed.get("target") else ""),
        ]
        writes = mixed.get("writes")
        if writes:
            lines.append(
                f"Writes ({mixed['write_sessions']} researcher sessions): {writes['requests']} requests, "
                f"{writes['acknowledged_total']} acknowledged ({', '.join(f'{k} {v}' for k, v in writes['acknowledged'].items())}), "
                f"{writes['stale_refused']} stale saves refused (409), {writes['lost']} lost, "
                f"{writes['duplicated']} duplicated, {writes['errors']} errors; POST p50 {writes['post_p50_ms']:.0f} ms, "
                f"p95 {writes['post_p95_ms']:.0f} ms, p99 {writes['post_p99_ms']:.0f} ms"
            )
    return "\n".join(lines)


def _rows_table(rows: list[dict]) -> list[str]:
    header = (
        f"{'page':<44} {'req/s':>8} {'% triv':>6} {'1-req ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'SQL/req':>8} {'errors':>7} {'hits':>5}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        if "rps" not in row:
            lines.append(f"{row['page']:<44} {'FAILED: ' + row['error']}")
            continue
        bad = row.get("errors", 0) if row.get("method") == "POST" else row["non2xx"]
        hits = f"{row.get('cache_hits', 0) / max(row['requests'], 1):.0%}"
        lines.append(
            f"{row['page'][:44]:<44} {row['rps']:>8.1f} {row.get('vs_baseline', 0) * 100:>5.0f}% {row['single_ms']:>8.1f} "
            f"{row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} "
            f"{row['sql_queries'] if row['sql_queries'] is not None else '?':>8} {bad:>7} {hits:>5}"
        )
    return lines
