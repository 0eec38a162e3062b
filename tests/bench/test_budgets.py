"""Each list and detail page's budget in ``make bench``: PASS, FAIL with what is over, or no verdict."""

from bench.pages import PAGES, PUBLIC, RECORD_PAGES, BenchPage, Budget, verdict

PAGE = BenchPage("calls", "/calls/", budget=Budget(sql=15, p95_ratio=25))


def row(sql, p95_ms):
    return {"page": PAGE.name, "path": PAGE.path, "sql_queries": sql, "p95_ms": p95_ms}


def test_a_page_within_its_budget_passes():
    assert verdict(PAGE, row(12, 40.0), baseline_p95_ms=2.0) == "PASS"


def test_a_page_over_its_budget_says_what_is_over():
    assert verdict(PAGE, row(16, 40.0), baseline_p95_ms=2.0) == "FAIL: SQL 16 > 15"
    assert verdict(PAGE, row(9, 60.0), baseline_p95_ms=2.0) == "FAIL: p95 30× > 25× trivial"
    assert verdict(PAGE, row(None, 10.0), baseline_p95_ms=2.0) == "FAIL: SQL ? > 15"


def test_no_budget_or_no_measurement_has_no_verdict():
    assert verdict(BenchPage("admin", "/admin/"), row(80, 400.0), baseline_p95_ms=2.0) == "–"
    assert verdict(PAGE, {"page": "calls", "path": "/calls/", "error": "status [500]"}, baseline_p95_ms=2.0) == "–"


def test_every_public_list_and_detail_page_has_a_budget():
    for page in [*PAGES, *RECORD_PAGES]:
        public_html = page.user == "anonymous" and page.method == "GET" and not page.path.startswith("/__bench__/")
        if public_html and not page.name.startswith("matching:"):
            assert page.budget is not None, page.name
    assert {p.name for p in RECORD_PAGES if p.budget is PUBLIC} >= {
        "calls, two facets",
        "call page",
        "researcher directory",
        "researcher page",
        "organisation page",
        "partnerships",
        "partnership page",
        "results",
        "result page",
    }
