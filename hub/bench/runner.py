"""``python -m hub.bench``: seed, serve with gunicorn, load each page with wrk, report and save JSON."""

import argparse
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

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
}
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
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
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
    return parser.parse_args(argv)


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
    database_url = args.database_url or f"sqlite:///{RESULTS_DIR / f'bench-{args.scale}{suffix}.sqlite3'}"
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": database_url}
    os.environ.update({**BENCH_ENV, "DATABASE_URL": database_url})
    try:
        return _run(args, env)
    except KeyboardInterrupt:
        log("Interrupted; gunicorn stopped.")
        return 130


def _run(args: argparse.Namespace, env: dict[str, str]) -> int:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection, connections

    from hub.bench import load, seed
    from hub.bench.pages import BASELINE, PAGES, BenchPage

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
    if _matching_top_up(args):
        seed.ensure_matching(
            researchers=args.match_researchers, open_calls=args.match_open_calls, scale=args.scale, log=log
        )
    context = seed.bench_context()
    log(f"  {context['counts']}")
    matching_rows = []
    if not args.only or args.only in "matching":
        from hub.bench import matching

        log("Matching, in process …")
        matching_rows = matching.measure(log)
    log("collectstatic …")
    call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()
    log(f"Preparation took {time.perf_counter() - started:.0f} s.")

    pages: list[BenchPage] = [
        page for page in PAGES if page is BASELINE or args.only in page.name or args.only in page.path
    ]
    rows = []
    from hub.bench.server import Gunicorn

    with Gunicorn(
        env=env, workers=args.workers, log_path=RESULTS_DIR / "gunicorn.log", ready_path=BASELINE.path
    ) as server:
        log(
            f"gunicorn ({args.workers} workers) on {server.base_url}; wrk {args.duration} s × {args.connections} connections per page"
        )
        for page in pages:
            path = page.path.format(**context["paths"])
            cookie = context["cookies"].get(page.user)
            row = {"page": page.name, "path": path, "user": page.user}
            statuses, queries, timings = set(), None, []
            for _ in range(max(PROBES, args.workers)):
                probe_started = time.perf_counter()
                status, queries, location = load.probe(port=server.port, path=path, cookie=cookie)
                timings.append((time.perf_counter() - probe_started) * 1000)
                statuses.add(status)
            row["status"] = sorted(statuses)
            row["sql_queries"] = queries
            row["single_ms"] = min(timings)
            if statuses != {200}:
                row["error"] = f"status {sorted(statuses)}" + (f" → {location}" if location else "")
                log(f"  {page.name}: {row['error']}")
                rows.append(row)
                continue
            result = load.run_wrk(
                wrk=wrk,
                url=server.base_url + path,
                cookie=cookie,
                duration=args.duration,
                connections=args.connections,
                threads=min(args.threads, args.connections),
            )
            row.update(asdict(result))
            if result.non2xx or result.socket_errors or result.timeouts:
                row["error"] = (
                    f"{result.non2xx} non-2xx, {result.socket_errors} socket errors, {result.timeouts} timeouts"
                )
            log(f"  {page.name}: {result.rps:.1f} req/s, p95 {result.p95_ms:.0f} ms, {queries} SQL")
            rows.append(row)

    baseline_rps = next((row.get("rps") for row in rows if row["path"] == BASELINE.path), None)
    for row in rows:
        if baseline_rps and row.get("rps"):
            row["vs_baseline"] = row["rps"] / baseline_rps
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
    failures = [row for row in rows if row.get("error")]
    if failures:
        print(f"\nFAILED: {len(failures)} page(s) did not answer 200 every time:", file=sys.stderr)
        for row in failures:
            print(f"  {row['page']} {row['path']}: {row['error']}", file=sys.stderr)
        return 1
    return 0


def format_table(report: dict) -> str:
    counts = report["counts"]
    lines = [
        f"Bridges bench — scale {report['scale']} ({counts['researchers']} researchers, "
        f"{counts['city_pages']} city pages, {counts['groups']} groups), {report['database']}, "
        f"{report['load']['gunicorn_workers']} gunicorn workers, wrk {report['load']['connections']} connections "
        f"× {report['load']['duration_s']} s, load average {report['load_average']['before']:.1f}"
        f"→{report['load_average']['after']:.1f} on {report['cpus']} CPUs, git {report['git']}",
        "",
    ]
    header = f"{'page':<44} {'req/s':>8} {'×base':>6} {'1-req ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'SQL/req':>8} {'non-2xx':>8}"
    lines += [header, "-" * len(header)]
    for row in report["pages"]:
        if "rps" not in row:
            lines.append(f"{row['page']:<44} {'FAILED: ' + row['error']}")
            continue
        lines.append(
            f"{row['page'][:44]:<44} {row['rps']:>8.1f} {row.get('vs_baseline', 0):>6.2f} {row['single_ms']:>8.1f} {row['p50_ms']:>8.1f} "
            f"{row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['sql_queries'] if row['sql_queries'] is not None else '?':>8} "
            f"{row['non2xx']:>8}"
        )
    return "\n".join(lines)
