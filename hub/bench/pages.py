"""The pages ``make bench`` measures. Later issues append theirs to ``PAGES``.

A path may name values from the seeded data in braces (``{city_slug}``); ``hub.bench.seed.bench_context``
provides them. ``user`` is who requests the page: ``anonymous`` or one of the seeded accounts
(``city_editor``, ``network_editor`` — an editor of 20 cities —, ``coordinator``, ``researcher``), whose session
cookie is sent.
"""

from dataclasses import dataclass

ANONYMOUS = "anonymous"
CITY_EDITOR = "city_editor"
NETWORK_EDITOR = "network_editor"
COORDINATOR = "coordinator"
RESEARCHER = "researcher"


OFFICIAL = "official"


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


BASELINE = BenchPage("trivial Django view (baseline)", "/__bench__/trivial/")

PAGES: list[BenchPage] = [
    BASELINE,
    BenchPage("home", "/"),
    BenchPage("cities index", "/cities/"),
    BenchPage("city page", "/cities/{city_slug}/"),
    BenchPage("researcher directory", "/researchers/"),
    BenchPage("organisation directory", "/organisations/"),
    BenchPage("SDG vocabulary", "/vocabularies/sdgs/"),
    BenchPage("admin dashboard (city editor)", "/admin/", CITY_EDITOR),
    BenchPage("admin explorer, own city (city editor)", "/admin/pages/{city_page_id}/", CITY_EDITOR),
    BenchPage("admin page editor, own city (city editor)", "/admin/pages/{city_page_id}/edit/", CITY_EDITOR),
    # Wagtail ORs one clause per page permission of the user: these grow with the editor groups a user has.
    BenchPage("admin dashboard (editor of 20 cities)", "/admin/", NETWORK_EDITOR),
    BenchPage("admin explorer, cities (editor of 20 cities)", "/admin/pages/{cities_index_id}/", NETWORK_EDITOR),
    BenchPage("admin explorer, all cities (coordinator)", "/admin/pages/{cities_index_id}/", COORDINATOR),
    BenchPage("calls index", "/calls/"),
    BenchPage("calls index, filtered and sorted", "/calls/?status=open&early_career=only&sort=newest"),
    BenchPage("call page", "{call_path}"),
    BenchPage("calls feed (Atom, 200 items)", "/feeds/calls.atom"),
    BenchPage("calls deadlines (iCalendar, 200 items)", "/calls.ics"),
    # Matching (``--only matching``): top 20 of every researcher for one call, of every open call for one researcher.
    BenchPage("matching: researchers who fit a call (city editor)", "/calls/{match_call_id}/researchers/", CITY_EDITOR),
    BenchPage("matching: calls for you (researcher)", "/calls/for-you/", RESEARCHER),
    BenchPage("matching: partner search (researcher)", "/researchers/partners/", RESEARCHER),
    BenchPage("matching: calls index sorted by fit (researcher)", "/calls/?sort=fit", RESEARCHER),
    BenchPage("matching: city page with peer cities", "/cities/{city_slug}/"),
]

# ``--records N`` (issue 7): the pages measured at 100,000 records, on SQLite and PostgreSQL.
PROPOSAL_SAVE_BODY = (
    "csrfmiddlewaretoken={csrf_token}&edit_version={proposal_edit_version}&title=Bench+proposal+to+save&summary=What+we+will+find+out."
    "&methodology=Survey+and+focus+groups.&participation_plan=Residents+take+part.&data_management_plan=Kept+safe."
    "&ethics=&budget=20000&milestones-TOTAL_FORMS=0&milestones-INITIAL_FORMS=0"
    "&milestones-MIN_NUM_FORMS=0&milestones-MAX_NUM_FORMS=40"
)
RECORD_PAGES: list[BenchPage] = [
    BASELINE,
    BenchPage("home", "/", cached=True),
    BenchPage("calls, two facets", "/calls/?theme={theme_slug}&status=open", cached=True),
    BenchPage("call page", "{call_path}", cached=True),
    BenchPage("city page", "/cities/{city_slug}/", cached=True),
    BenchPage("researcher directory", "/researchers/", cached=True),
    BenchPage("search", "/search/?q=housing+rights", cached=True),
    BenchPage("dashboard (city official)", "/dashboard/", OFFICIAL),
    BenchPage(
        "proposal save (POST, researcher)", "/proposals/{proposal_id}/edit/", RESEARCHER, "POST", PROPOSAL_SAVE_BODY
    ),
    BenchPage("API list of calls (JSON)", "/api/v1/calls/"),
    BenchPage("CSV export of calls", "/calls/export.csv"),
]
