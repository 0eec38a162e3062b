"""``python -m bench.profile [PATH …]``: what an uncached anonymous request costs, in process, with pyinstrument.

Serves each path with Django's test client under the bench's settings (production's, page cache off) from a
seeded bench database, and prints its SQL count, median and p95 over ``--runs`` requests, then pyinstrument's
call tree of ``--profile-runs`` more (``--html DIR`` writes it as HTML). No HTTP server, no concurrency: what
middleware, context processors, views and templates cost per request.

    .venv/bin/python -m bench --records 2000 --seed-only          # once: bench-results/bench-2000-records-2000.sqlite3
    .venv/bin/python -m bench.profile / /calls/ --database-url sqlite:///bench-results/bench-2000-records-2000.sqlite3
"""

import argparse
import os
import sys
from pathlib import Path

from bench.runner import BENCH_ENV, RESULTS_DIR
from bench.server import Redis

DEFAULT_PATHS = ["/", "/calls/"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS, help="paths to request (default: / and /calls/)")
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{RESULTS_DIR / 'bench-2000-records-2000.sqlite3'}",
        help="a seeded bench database (default: the one `python -m bench --records 2000` seeds)",
    )
    parser.add_argument("--runs", type=int, default=30, help="timed requests per path")
    parser.add_argument("--profile-runs", type=int, default=10, help="requests per path under pyinstrument (0: none)")
    parser.add_argument("--sql", action="store_true", help="print each request's SQL statements")
    parser.add_argument("--html", default="", help="write pyinstrument's HTML per path into this directory")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Redis as in production (and as the bench's gunicorn): a database cache would add its reads to the SQL count.
    with Redis() as redis:
        return _run(args, redis_url=redis.url)


def _run(args: argparse.Namespace, *, redis_url: str) -> int:
    os.environ.update(
        {
            **BENCH_ENV,
            "DATABASE_URL": args.database_url,
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "PAGE_CACHE_SECONDS": "0",
        }
    )
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    import django  # cycle: Django's settings must be chosen (above) before anything imports them

    django.setup()
    from django.core.management import call_command  # cycle: after django.setup(), as below

    from bench import profiling  # cycle: imports models, so only after django.setup()

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production's manifest storage needs it
    if not redis_url:
        call_command("createcachetable")

    for path in args.paths:
        row = profiling.measure(path, runs=args.runs)
        print(
            f"{path}: status {row['status']}, {row['sql_queries']} SQL, median {row['median_ms']:.1f} ms, "
            f"p95 {row['p95_ms']:.1f} ms over {args.runs} requests"
        )
        if args.sql:
            for number, sql in enumerate(row["queries"], start=1):
                print(f"  {number:>3}. {sql[:300]}")
        if args.profile_runs:
            profiler = profiling.profile(path, runs=args.profile_runs)
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            if args.html:
                out = Path(args.html) / (path.strip("/").replace("/", "_") or "home")
                out.parent.mkdir(parents=True, exist_ok=True)
                out.with_suffix(".html").write_text(profiler.output_html())
    return 0


if __name__ == "__main__":
    sys.exit(main())
