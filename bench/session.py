"""The bench's run once Django is set up (``bench.runner.main``): seed, serve with gunicorn, load each page with wrk,
judge the budgets, report and save JSON."""

import argparse
import datetime
import io
import json
import os
import platform
import sys
import time
from dataclasses import asdict

from django.core.management import call_command
from django.db import connection, connections

from wagtail.models import Site

import requests as http

from bench import checker, desk, desk_bulk, load, matching, seed, writes
from bench.matching import format_rows
from bench.pages import BASELINE, PAGES, RECORD_PAGES, BenchPage, desk_pages, verdict
from bench.runner import BASE_DIR, CACHED_SECONDS, PROBES, RESULTS_DIR, STARTED, git_revision, log, matching_top_up
from bench.server import Gunicorn
from bench.urls import NEW_GENERATION_PATH
from hub.models import SiteSettings


def run(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Seed, serve, measure, report; Django is set up (``bench.runner.main``)."""

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
    if matching_top_up(args):
        seed.ensure_matching(
            researchers=args.match_researchers, open_calls=args.match_open_calls, scale=args.scale, log=log
        )
    if args.desk_proposals:
        log(f"Desk calls (issue 20): {', '.join(f'{n:,}' for n in args.desk_proposals)} proposals …")
        desk.ensure_desk(sizes=args.desk_proposals, log=log)
    if args.seed_only:
        log(f"Seeded; preparation took {time.perf_counter() - started:.0f} s.")
        return 0
    context = seed.bench_context()
    context["paths"].update(desk.desk_paths())
    context["counts"].update(desk.desk_counts())
    log(f"  {context['counts']}")
    matching_rows = []
    if not args.records and not args.mixed_only and (not args.only or args.only in "matching"):
        log("Matching, in process …")
        matching_rows = matching.measure(log)
    if not args.base_url:  # a running site has its own static files
        log("collectstatic …")
        call_command("collectstatic", interactive=False, verbosity=0)
    if args.records and (not args.only or args.only in "CSV export of calls") and args.build_bulk:
        # As the hourly cron does in production: whole-list CSV exports are read from a fresh bulk zip. A site's
        # very first request creates its settings row (a change, which would make the zip stale): do it first.

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
    # The desk calls' pages (issue 20) are measured one by one, never in the mixed run's rotation.
    measured = pages + [
        page
        for page in desk_pages(args.desk_proposals)
        if not args.mixed_only and (args.only in page.name or args.only in page.path)
    ]
    run_desk_bulk = bool(args.desk_proposals and args.desk_shortlist and not args.mixed_only) and (
        not args.only or args.only in "desk bulk shortlist" or "desk" in args.only
    )

    rows, cached_rows, mixed, desk_rows = [], [], None, []
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
            rows = [_measure(page, server=server, context=context, args=args, wrk=wrk) for page in measured]
            if run_desk_bulk:
                log(f"Bulk shortlist on the desk (issue 20), {args.desk_shortlist} proposals per call:")
                client = desk_bulk.HttpClient(
                    base_url=server.base_url,
                    session_cookie=context["cookies"]["official"],
                    csrf_cookie_name=context["csrf_cookie_name"],
                    csrf_token=context["csrf_token"],
                )
                desk_rows = [
                    desk_bulk.measure_shortlist(size=size, count=args.desk_shortlist, client=client, log=log)
                    for size in args.desk_proposals
                ]
                connections.close_all()
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
    # Budgets are judged on the uncached pass: what a page costs when it is really computed.
    baseline_p95 = next((row.get("p95_ms") for row in rows if row["path"] == BASELINE.path), None)
    for page, row in zip(measured, rows, strict=False):
        row["budget"] = verdict(page, row, baseline_p95)

    report = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "database": connection.vendor,
        "counts": context["counts"],
        "git": git_revision(),
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
        "desk": {"sizes": args.desk_proposals, "shortlist": desk_rows} if args.desk_proposals else None,
    }
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS_DIR / f"bench-{stamp}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(format_table(report))
    if matching_rows:
        print("\n" + format_rows(matching_rows))
    print(f"\nSaved {out.relative_to(BASE_DIR)}; total {time.perf_counter() - STARTED:.0f} s.")
    over_budget = [row for row in rows if row.get("budget", "").startswith("FAIL")]
    if over_budget:
        print(f"\n{len(over_budget)} page(s) over budget{'' if args.strict else ' (pass --strict to fail the run)'}:")
        for row in over_budget:
            print(f"  {row['page']} {row['path']}: {row['budget'].removeprefix('FAIL: ')}")
    failures = [row for row in [*rows, *cached_rows] if row.get("error")]
    if mixed and mixed.get("error"):
        failures.append({"page": "mixed run", "path": "(all)", "error": mixed["error"]})
    for row in desk_rows:
        if row.get("error"):
            failures.append({"page": f"desk {row['size']:,}: bulk shortlist", "path": "(desk)", "error": row["error"]})
    if failures:
        print(f"\nFAILED: {len(failures)} page(s) did not answer 200 every time:", file=sys.stderr)
        for row in failures:
            print(f"  {row['page']} {row['path']}: {row['error']}", file=sys.stderr)
        return 1
    if args.strict and over_budget:
        return 3
    return 0


def _measure(page, *, server, context: dict, args: argparse.Namespace, wrk: str) -> dict:
    """Probe a page a few times (status, SQL, uncontended latency), then load it with wrk."""

    path = page.path.format(**context["paths"])
    cookie = _cookie(page, context)
    body = page.body.format(**context["paths"]) if page.body else ""
    row = {"page": page.name, "path": path, "user": page.user, "method": page.method}
    statuses, queries, timings, caches = set(), None, [], []
    for _ in range(max(PROBES, args.workers)):
        probe_started = time.perf_counter()
        answer = load.probe(port=server.port, path=path, cookie=cookie, method=page.method, body=body)
        status, queries, location = answer.status, answer.queries, answer.location
        timings.append((time.perf_counter() - probe_started) * 1000)
        statuses.add(status)
        caches.append(answer.cache)
        row["bytes"] = answer.size
    if page.method == "GET" and page is not BASELINE:
        # Cold: the first request after a content change, when cached aggregates are computed again.

        status = load.probe(port=server.port, path=NEW_GENERATION_PATH, cookie=None, method="POST", body="")[0]
        if status != 200:
            raise RuntimeError(f"POST {NEW_GENERATION_PATH} answered {status}")
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
    (``bench.writes``): they edit a few shared drafts at once, save searches and comment on a consultation;
    at the end every acknowledged write is checked against the database (``bench.checker``). Without them,
    one request per rotation (about one in 40) saves a fixed proposal. Any write invalidates the page cache
    like any content change.
    """

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
    if report.get("desk") and report["desk"].get("shortlist"):
        lines += ["", "Bulk shortlist on the desk (issue 20; target ≤ 30 s as a background task, all or nothing):"]
        lines += [format_shortlist(row) for row in report["desk"]["shortlist"]]
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


def format_shortlist(row: dict) -> str:
    """One desk call's bulk shortlist (``bench.desk_bulk``) as a line of the report."""
    head = f"  desk {row['size']:,}: "
    if "changed" not in row:
        return head + f"FAILED: {row.get('error', '?')}"
    progress = row.get("progress") or {}
    seen = progress.get("values_seen") or []
    return head + (
        f"{row['changed']} of {row['selected']} shortlisted ({'all' if row['all_changed'] else 'NOT all'}, "
        f"{row['skipped']} skipped), confirmation {row['confirm_ms']:.0f} ms, start {row['start_ms']:.0f} ms, "
        f"task {row['task_s'] or 0:.1f} s, total {row['total_s']:.1f} s; progress page "
        f"{progress.get('answered_200', 0)}/{progress.get('polls', 0)} polls answered, "
        f"{len(seen)} distinct counts seen{f' (up to {max(seen)})' if seen else ''}; "
        f"{'put back' if row.get('restored') else 'NOT put back'}"
    )


def _kilobytes(row: dict) -> str:
    return f"{row['bytes'] / 1024:.0f}" if row.get("bytes") is not None else "?"


def _rows_table(rows: list[dict]) -> list[str]:
    header = (
        f"{'page':<44} {'req/s':>8} {'% triv':>6} {'1-req ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'SQL/req':>8} {'KB':>6} {'errors':>7} {'hits':>5}  budget"
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
            f"{row['sql_queries'] if row['sql_queries'] is not None else '?':>8} {_kilobytes(row):>6} {bad:>7} {hits:>5}  "
            f"{row.get('budget', '–')}"
        )
    return lines
