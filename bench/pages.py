"""The pages ``make bench`` measures, and each list and detail page's budget.

A path may name values from the seeded data in braces (``{city_slug}``); ``bench.seed.bench_context``
provides them. ``user`` is who requests the page: ``anonymous`` or one of the seeded accounts
(``city_editor``, ``network_editor`` — an editor of 20 cities —, ``coordinator``, ``researcher``, ``official``),
whose session cookie is sent.

**Budgets** (issue 17): every public list and detail page declares ``budget`` — at most ``sql`` queries per
request, and a p95 latency at most ``p95_ratio`` times the trivial view's p95 in the same run (25× is about
4 % of the trivial view's throughput). The report marks each page PASS or FAIL; ``--strict`` makes a FAIL
exit non-zero. A page without a budget is measured and reported with "–".
"""

from dataclasses import dataclass

ANONYMOUS = "anonymous"
CITY_EDITOR = "city_editor"
NETWORK_EDITOR = "network_editor"
COORDINATOR = "coordinator"
RESEARCHER = "researcher"
OFFICIAL = "official"


@dataclass(frozen=True)
class Budget:
    sql: int
    p95_ratio: float


# The issue 17 targets: no page above 15 queries; uncached pages at ≥ 4 % of the trivial view.
PUBLIC = Budget(sql=15, p95_ratio=25)
# Signed-in pages and exports do more by nature (permissions, the whole list); they must not grow with the data.
SIGNED_IN = Budget(sql=30, p95_ratio=50)
EXPORT = Budget(sql=15, p95_ratio=100)


@dataclass(frozen=True)
class BenchPage:
    name: str
    path: str
    user: str = ANONYMOUS
    # POST pages send ``body`` (form-encoded, with the bench's CSRF token) and may answer with a redirect.
    method: str = "GET"
    body: str = ""
    # Measured a second time with the anonymous page cache on (public HTML pages only).
    cached: bool = False
    budget: Budget | None = None


BASELINE = BenchPage("trivial Django view (baseline)", "/__bench__/trivial/")

PAGES: list[BenchPage] = [
    BASELINE,
    BenchPage("home", "/", budget=PUBLIC),
    BenchPage("cities index", "/cities/", budget=PUBLIC),
    BenchPage("city page", "/cities/{city_slug}/", budget=PUBLIC),
    BenchPage("researcher directory", "/researchers/", budget=PUBLIC),
    BenchPage("organisation directory", "/organisations/", budget=PUBLIC),
    BenchPage("SDG vocabulary", "/vocabularies/sdgs/", budget=PUBLIC),
    BenchPage("admin dashboard (city editor)", "/admin/", CITY_EDITOR),
    BenchPage("admin explorer, own city (city editor)", "/admin/pages/{city_page_id}/", CITY_EDITOR),
    BenchPage("admin page editor, own city (city editor)", "/admin/pages/{city_page_id}/edit/", CITY_EDITOR),
    # Wagtail ORs one clause per page permission of the user: these grow with the editor groups a user has.
    BenchPage("admin dashboard (editor of 20 cities)", "/admin/", NETWORK_EDITOR),
    BenchPage("admin explorer, cities (editor of 20 cities)", "/admin/pages/{cities_index_id}/", NETWORK_EDITOR),
    BenchPage("admin explorer, all cities (coordinator)", "/admin/pages/{cities_index_id}/", COORDINATOR),
    BenchPage("calls index", "/calls/", budget=PUBLIC),
    BenchPage("calls index, filtered and sorted", "/calls/?status=open&early_career=only&sort=newest", budget=PUBLIC),
    BenchPage("call page", "{call_path}", budget=PUBLIC),
    BenchPage("calls feed (Atom, 200 items)", "/feeds/calls.atom", budget=EXPORT),
    BenchPage("calls deadlines (iCalendar, 200 items)", "/calls.ics", budget=EXPORT),
    # Matching (``--only matching``): top 20 of every researcher for one call, of every open call for one researcher.
    BenchPage("matching: researchers who fit a call (city editor)", "/calls/{match_call_id}/researchers/", CITY_EDITOR),
    BenchPage("matching: calls for you (researcher)", "/calls/for-you/", RESEARCHER),
    BenchPage("matching: partner search (researcher)", "/researchers/partners/", RESEARCHER),
    BenchPage("matching: calls index sorted by fit (researcher)", "/calls/?sort=fit", RESEARCHER),
    BenchPage("matching: city page with peer cities", "/cities/{city_slug}/"),
]

# Issue 20's walk on the desk: "unreviewed, early-career lead, Spain", newest first, 100 a page (the desk's FilterSet,
# ``calls.filters_desk.ProposalDeskFilter``: ``reviews``, ``early_career``, ``country``, ``sort``, ``per_page``).
DESK_FILTER = "reviews=unreviewed&early_career=yes&country=ES&sort=-submitted&per_page=100"

# ``--records N`` (issue 7): the pages measured at 100,000 records, on SQLite and PostgreSQL.
PROPOSAL_SAVE_BODY = (
    "csrfmiddlewaretoken={csrf_token}&edit_version={proposal_edit_version}&title=Bench+proposal+to+save&summary=What+we+will+find+out."
    "&methodology=Survey+and+focus+groups.&participation_plan=Residents+take+part.&data_management_plan=Kept+safe."
    "&ethics=&budget=20000&milestones-TOTAL_FORMS=0&milestones-INITIAL_FORMS=0"
    "&milestones-MIN_NUM_FORMS=0&milestones-MAX_NUM_FORMS=40"
)
RECORD_PAGES: list[BenchPage] = [
    BASELINE,
    BenchPage("home", "/", cached=True, budget=PUBLIC),
    BenchPage("calls, two facets", "/calls/?theme={theme_slug}&status=open", cached=True, budget=PUBLIC),
    BenchPage("call page", "{call_path}", cached=True, budget=PUBLIC),
    BenchPage("cities index", "/cities/", cached=True, budget=PUBLIC),
    BenchPage("city page", "/cities/{city_slug}/", cached=True, budget=PUBLIC),
    BenchPage("researcher directory", "/researchers/", cached=True, budget=PUBLIC),
    BenchPage("researcher page", "/researchers/{researcher_id}/", cached=True, budget=PUBLIC),
    BenchPage("organisation directory", "/organisations/", cached=True, budget=PUBLIC),
    BenchPage("organisation page", "/organisations/{organisation_slug}/", cached=True, budget=PUBLIC),
    BenchPage("partnerships", "/partnerships/", cached=True, budget=PUBLIC),
    BenchPage("partnership page", "/partnerships/{partnership_slug}/", cached=True, budget=PUBLIC),
    BenchPage("results", "/results/", cached=True, budget=PUBLIC),
    BenchPage("result page", "/results/{result_slug}/", cached=True, budget=PUBLIC),
    BenchPage("search", "/search/?q=housing+rights", cached=True, budget=PUBLIC),
    BenchPage("dashboard (city official)", "/dashboard/", OFFICIAL, budget=SIGNED_IN),
    # Issue 20: the city's desk across its calls, unfiltered and with the filters of the walk.
    BenchPage("proposal desk (city official)", "/desk/", OFFICIAL, budget=SIGNED_IN),
    BenchPage("proposal desk, filtered (city official)", f"/desk/?{DESK_FILTER}", OFFICIAL, budget=SIGNED_IN),
    BenchPage(
        "proposal save (POST, researcher)", "/proposals/{proposal_id}/edit/", RESEARCHER, "POST", PROPOSAL_SAVE_BODY
    ),
    BenchPage("API list of calls (JSON)", "/api/v1/calls/", budget=PUBLIC),
    BenchPage("CSV export of calls", "/calls/export.csv", budget=EXPORT),
]


def desk_pages(sizes: list[int]) -> list[BenchPage]:
    """``--desk-proposals`` (issue 20): per seeded desk call of N proposals (``bench.desk``), as its city's official.

    The call's proposal list sorted by mean score and with the issue's filter, 100 a page; its ranking; the proposal
    page as the city, of a proposal with submitted reviews. Paths name ``{desk_call_<N>}`` and ``{desk_proposal_<N>}``
    (``bench.desk.desk_paths``). Targets (issue 20): lists and ranking ≤ 150 KB and p95 ≤ 250 ms, the proposal page
    p95 ≤ 150 ms, at 1,000 and at 10,000 proposals.
    """
    pages = []
    for size in sizes:
        label, call = f"desk {size:,}", f"{{desk_call_{size}}}"
        pages += [
            BenchPage(f"{label}: proposal list (official)", f"/calls/{call}/desk/?sort=-score&per_page=100", OFFICIAL),
            BenchPage(f"{label}: unreviewed, early-career, ES", f"/calls/{call}/desk/?{DESK_FILTER}", OFFICIAL),
            BenchPage(f"{label}: ranking (official)", f"/calls/{call}/ranking/", OFFICIAL),
            BenchPage(f"{label}: proposal page as the city", f"/proposals/{{desk_proposal_{size}}}/", OFFICIAL),
        ]
    return [BenchPage(p.name, p.path, p.user, budget=SIGNED_IN) for p in pages]


def verdict(page: BenchPage, row: dict, baseline_p95_ms: float | None) -> str:
    """The row's verdict: "PASS", "FAIL: …" (what is over budget) or "–" (no budget, or not measured)."""
    if page.budget is None or "p95_ms" not in row:
        return "–"
    over = []
    queries = row.get("sql_queries")
    if queries is None or queries > page.budget.sql:
        over.append(f"SQL {queries if queries is not None else '?'} > {page.budget.sql}")
    if baseline_p95_ms:
        ratio = row["p95_ms"] / baseline_p95_ms
        row["p95_ratio"] = ratio
        if ratio > page.budget.p95_ratio:
            over.append(f"p95 {ratio:.0f}× > {page.budget.p95_ratio:.0f}× trivial")
    return "FAIL: " + ", ".join(over) if over else "PASS"
