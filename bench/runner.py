"""``python -m bench``: seed, serve with gunicorn, load each page with wrk, report and save JSON."""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import django

from bench.server import Redis

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench-results"
# Loopback only and a throwaway database: these values protect nothing.
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "SECRET_KEY": "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
    "STATIC_ROOT": str(RESULTS_DIR / "staticfiles"),
    "MEDIA_ROOT": str(RESULTS_DIR / "media"),
    "API_ANON_RATE": "",  # the open data API's per-IP limit would answer wrk with 429s
    "PAGE_CACHE_SECONDS": "0",  # pages are measured uncached; the cached pass turns it on
}
CACHED_SECONDS = "300"
STARTED = time.perf_counter()
# Sequential requests per page before wrk: they warm every worker, check the status, read the SQL
# count, and the fastest gives the latency without contention (steadier on a busy machine).
PROBES = 5


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit non-zero when a page is over its budget (SQL per request, p95 against the trivial view)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=0,
        help="gunicorn's worker recycling for the bench's own gunicorn (GUNICORN_MAX_REQUESTS; production: "
        "gunicorn.conf.py's 1000); 0, the default, keeps workers for the whole run so that a restart is not "
        "measured as a page's latency",
    )
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
    parser.add_argument(
        "--desk-proposals",
        type=desk_sizes,
        default=[],
        metavar="N[,N…]",
        help="issue 20: a desk call of the bench official's city with N submitted proposals per size (e.g. "
        "1000,10000; seeded once), its list, filtered list, ranking and a proposal page measured as the official, "
        "and a bulk shortlist (--desk-shortlist) timed on each",
    )
    parser.add_argument(
        "--desk-shortlist",
        type=int,
        default=500,
        help="with --desk-proposals: how many proposals the timed bulk shortlist acts on (0: none); undone afterwards",
    )
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
    if args.desk_shortlist < 0:
        parser.error("--desk-shortlist must be 0 or more")
    if not 0 <= args.write_sessions < args.mixed_connections:
        parser.error("--write-sessions must be at least 0 and fewer than --mixed-connections")
    return args


MAX_DESK_PROPOSALS = 20_000  # a bulk action acts on at most 20,000 proposals (calls.services.desk.MAX_BULK)


def desk_sizes(text: str) -> list[int]:
    """``--desk-proposals 1000,10000``: the sizes, distinct and in increasing order."""
    try:
        sizes = sorted({int(part) for part in text.replace(" ", "").split(",") if part})
    except ValueError:
        raise argparse.ArgumentTypeError(f"numbers separated by commas, e.g. 1000,10000 (not {text!r})") from None
    if not sizes or sizes[0] < 1 or sizes[-1] > MAX_DESK_PROPOSALS:
        raise argparse.ArgumentTypeError(f"each size between 1 and {MAX_DESK_PROPOSALS:,}")
    return sizes


def matching_top_up(args: argparse.Namespace) -> bool:
    return bool(args.match_researchers or args.match_open_calls)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def git_revision() -> str:
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
        return search_main(["--database-url", args.database_url] if args.database_url else [])
    # SIGTERM (e.g. from make or CI) unwinds like Ctrl-C, so gunicorn is always stopped.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    RESULTS_DIR.mkdir(exist_ok=True)
    suffix = f"-match-{args.match_researchers}-{args.match_open_calls}" if matching_top_up(args) else ""
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
    bench_env["GUNICORN_MAX_REQUESTS"] = str(args.max_requests)
    env = {**os.environ, **bench_env, "DATABASE_URL": database_url}
    os.environ.update({**bench_env, "DATABASE_URL": database_url})
    try:
        with Redis(enabled=not (args.no_redis or args.base_url)) as redis:
            if redis.url:
                env["REDIS_URL"] = os.environ["REDIS_URL"] = redis.url
            django.setup()
            from bench import session  # cycle: imports the site's models, so only after django.setup()

            return session.run(args, env)
    except KeyboardInterrupt:
        log("Interrupted; gunicorn and redis stopped.")
        return 130


def search_main(argv: list[str]) -> int:
    """``--only search``: /search/ in process on a database of its own (``bench.search``)."""
    database_url = next(iter(argv[1:2]), "") or f"sqlite:///{RESULTS_DIR / 'bench-search.sqlite3'}"
    RESULTS_DIR.mkdir(exist_ok=True)
    os.environ.update({**BENCH_ENV, "DATABASE_URL": database_url})
    django.setup()
    from bench import search  # cycle: imports the site's models, so only after django.setup()

    return search.run(search.parse_args(argv))
