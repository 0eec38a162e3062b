"""``python -m bench.report SQLITE.json POSTGRES.json``: the two runs side by side as Markdown tables.

For docs/benchmarks.md: each page's req/s, p50/p95/p99 (ms), SQL per request, req/s as a percentage
of the trivial view in the same run and its budget's verdict (``bench.pages``), the fastest of five sequential requests (1-req ms) and the first request after a
content change (cold ms: cached aggregates computed again), the size of a response (KB, uncompressed body), uncached
and with the anonymous page cache, then the desk's bulk shortlist (issue 20) and the mixed run.
"""

import json
import sys
from pathlib import Path


def _cell(row: dict | None) -> list[str]:
    if row is None:
        return ["–"] * 10
    if "rps" not in row:
        return ["failed: " + row.get("error", "?"), "", "", "", "", "", "", "", "", ""]
    sql = "?" if row.get("sql_queries") is None else str(row["sql_queries"])
    size = f"{row['bytes'] / 1024:.0f}" if row.get("bytes") is not None else "–"
    cold = f"{row['cold_ms']:.0f}" if row.get("cold_ms") is not None else "–"
    if row["requests"] == 0:  # nothing finished within the run: only the single request's time is known
        return ["<0.1", f"{row['single_ms']:.0f}", cold, "–", "–", "–", sql, size, "0 %", row.get("budget", "–")]
    return [
        f"{row['rps']:.1f}",
        f"{row['single_ms']:.0f}",
        cold,
        f"{row['p50_ms']:.0f}",
        f"{row['p95_ms']:.0f}",
        f"{row['p99_ms']:.0f}",
        sql,
        size,
        f"{row.get('vs_baseline', 0) * 100:.0f} %",
        row.get("budget", "–"),
    ]


def table(reports: list[dict], key: str) -> str:
    names = []
    for report in reports:
        for row in report.get(key) or []:
            if row["page"] not in names:
                names.append(row["page"])
    vendors = [report["database"] for report in reports]
    header = ["page"] + [
        f"{v} {col}"
        for v in vendors
        for col in ("req/s", "1-req ms", "cold ms", "p50", "p95", "p99", "SQL", "KB", "% triv", "budget")
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in names:
        cells = [name]
        for report in reports:
            row = next((r for r in report.get(key) or [] if r["page"] == name), None)
            cells += _cell(row)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def desk_shortlist(report: dict) -> list[str]:
    """The bulk shortlist of each desk call (issue 20), one line each."""
    rows = (report.get("desk") or {}).get("shortlist") or []
    lines = []
    for row in rows:
        head = f"{report['database']}, desk {row['size']:,}: "
        if "changed" not in row:
            lines.append(head + f"failed: {row.get('error', '?')}")
            continue
        lines.append(
            head
            + f"{row['changed']} of {row['selected']} shortlisted ({'all' if row['all_changed'] else '**not all**'}), "
            f"task {row['task_s'] or 0:.1f} s, total {row['total_s']:.1f} s (confirmation {row['confirm_ms']:.0f} ms, "
            f"start {row['start_ms']:.0f} ms), progress counts seen: "
            f"{len((row.get('progress') or {}).get('values_seen') or [])}; "
            f"{'put back' if row.get('restored') else '**not put back**'}"
        )
    return lines


def mixed(report: dict) -> str:
    m = report.get("mixed")
    if not m:
        return f"{report['database']}: no mixed run."
    return (
        f"{report['database']}: {m['duration_s']} s, {m['connections']} connections, {m['requests']} requests, "
        f"{m['rps']:.1f} req/s, p50 {m['p50_ms']:.0f} ms, p95 {m['p95_ms']:.0f} ms, p99 {m['p99_ms']:.0f} ms; "
        f"**{m['errors']} errors** (status ≥ 400), {m['socket_errors']} socket errors, {m['timeouts']} timeouts; "
        f"{m['non2xx'] - m['errors']} redirects (proposal saves); "
        f"{m['cache_hits'] / max(m['requests'], 1):.0%} page-cache hits; load average "
        f"{m['load_average']['before']:.1f}→{m['load_average']['after']:.1f}"
    )


def main(argv: list[str]) -> int:
    reports = [json.loads(Path(path).read_text()) for path in argv]
    for report in reports:
        print(
            f"- {report['database']}: {report['created_at']}, git {report['git']}, load average "
            f"{report['load_average']['before']:.1f}→{report['load_average']['after']:.1f}, cache {report.get('cache_backend')}"
        )
    print("\nUncached (PAGE_CACHE_SECONDS=0):\n")
    print(table(reports, "pages"))
    print("\nWith the anonymous page cache (PAGE_CACHE_SECONDS=300):\n")
    print(table(reports, "cached_pages"))
    print()
    for report in reports:
        for line in desk_shortlist(report):
            print("- " + line)
    for report in reports:
        print("- " + mixed(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
