"""CSV exports of the remaining public lists (cities, datasets, indicators, methods, case studies, policy uptake,
takedowns) and the list order of every export: the page's filters, the page's order, public things only,
formulas neutralised, a number of queries that does not grow with the rows."""

import csv
import datetime as dt
import io

from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

import pytest

from hub.exports import get_export
from profiles.models import CityPage
from projects.models import (
    CaseStudyPage,
    Dataset,
    Indicator,
    MethodPage,
    Observation,
    PolicyUptake,
    Region,
    Result,
    Takedown,
)

pytestmark = pytest.mark.django_db


def read(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def header(client, path: str) -> list[str]:
    text = b"".join(client.get(path).streaming_content).decode("utf-8")
    return next(csv.reader(io.StringIO(text)))


def ids(rows: list[dict]) -> list[int]:
    return [int(r["id"]) for r in rows]


def page_ids(client, path: str, name: str, **params) -> list[int]:
    """The ids of the objects the list page shows on its first page, in its order."""
    response = client.get(path, params)
    assert response.status_code == 200
    return [obj.pk for obj in response.context[name].object_list]


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        read(client.get(path))
    return len(context.captured_queries)


# Cities ---------------------------------------------------------------------------------------------------------


def test_cities_export_lists_live_city_pages_by_name_and_neutralises_formulas(client, city, make_city):
    make_city("Zagreb")
    make_city("Athens")
    hidden, _official = make_city("Bern")
    CityPage.objects.get(organisation=hidden).unpublish()
    make_city("Oslo", verify=False)
    CityPage.objects.filter(organisation=city[0]).update(intro="=HYPERLINK(1)")
    assert header(client, "/cities/export.csv") == get_export("cities").header
    rows = read(client.get("/cities/export.csv", {"page": "2"}))  # no filters; the page number is ignored
    assert [r["organisation_name"] for r in rows] == ["City of Athens", "City of Graz", "City of Zagreb"]
    assert ids(rows) == page_ids(client, "/cities/", "cities")
    assert rows[1]["intro"] == "'=HYPERLINK(1)" and rows[1]["url"].startswith("http")
    assert "Bern" not in str(rows) and "Oslo" not in str(rows)


# Datasets -------------------------------------------------------------------------------------------------------


def test_datasets_export_keeps_filters_and_order_and_never_gives_rows_of_non_open_data(client, build):
    open_one = build.dataset()
    asked = build.dataset(access_level="on_request", rows=[("Secretstrasse", "41")])
    build.dataset(status="draft", rows=[("Draftgasse", "7")])
    taken = build.dataset(rows=[("Takengasse", "9")])
    Dataset.objects.filter(pk=taken.pk).update(status=Dataset.Status.TAKEN_DOWN)
    Dataset.objects.filter(pk=open_one.pk).update(title="@SUM(A1)")

    assert header(client, "/data/datasets/export.csv") == get_export("datasets").header
    rows = read(client.get("/data/datasets/export.csv"))
    assert ids(rows) == page_ids(client, "/data/datasets/", "page") == [asked.pk, open_one.pk]
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[open_one.pk]["title"] == "'@SUM(A1)"
    assert by_id[open_one.pk]["rows_url"].endswith(f"/api/v1/datasets/{open_one.pk}/rows")
    assert by_id[asked.pk]["rows_url"] == "" and by_id[asked.pk]["is_open"] == "false"
    text = str(rows)
    assert "Secretstrasse" not in text and "Draftgasse" not in text and "Takengasse" not in text
    assert ids(read(client.get("/data/datasets/export.csv", {"access": "open", "page": "4"}))) == [open_one.pk]


# Indicators -----------------------------------------------------------------------------------------------------


def test_indicators_export_keeps_filters_and_order_and_counts_only_public_observations(client, build, city):
    first = build.indicator()
    second = build.indicator()
    Indicator.objects.filter(pk=first.pk).update(title="Zero evictions", definition="-1 means unknown")
    Indicator.objects.filter(pk=second.pk).update(title="Affordable rents", type=Indicator.Type.PROCESS)
    draft_only = Indicator.objects.create(
        title="Homeless shelter beds",
        slug="shelter-beds",
        type=Indicator.Type.STRUCTURAL,
        obligation=Indicator.Obligation.FULFIL,
        theme=first.theme,
        unit="beds",
    )
    Observation.objects.create(
        indicator=draft_only,
        city=city[0],
        period="2024",
        period_start=dt.date(2024, 1, 1),
        value=12,
        source_dataset=build.dataset(status="draft"),
    )

    assert header(client, "/data/indicators/export.csv") == get_export("indicators").header
    rows = read(client.get("/data/indicators/export.csv"))
    assert ids(rows) == page_ids(client, "/data/indicators/", "page") == [second.pk, draft_only.pk, first.pk]
    assert rows[2]["definition"] == "'-1 means unknown"
    assert ids(read(client.get("/data/indicators/export.csv", {"type": "process"}))) == [second.pk]
    # A city "has data" only through public observations: a draft dataset's do not count.
    by_city = read(client.get("/data/indicators/export.csv", {"city": city[0].slug}))
    assert ids(by_city) == [second.pk, first.pk]


# Methods --------------------------------------------------------------------------------------------------------


def test_methods_export_lists_live_pages_by_title(client, build):
    zeta, alpha = build.method(), build.method()
    MethodPage.objects.filter(pk=zeta.pk).update(title="Zeta walks", summary="+ a neighbourhood walk")
    MethodPage.objects.filter(pk=alpha.pk).update(title="Alpha mapping")
    build.method(live=False)

    assert header(client, "/methods/export.csv") == get_export("methods").header
    rows = read(client.get("/methods/export.csv", {"page": "9"}))
    assert ids(rows) == page_ids(client, "/methods/", "methods") == [alpha.pk, zeta.pk]
    assert rows[1]["summary"] == "'+ a neighbourhood walk"


# Case studies ---------------------------------------------------------------------------------------------------


def test_case_studies_export_keeps_filters_and_order_and_hides_taken_down_results(client, build, take_down):
    shown, taken = build.result(), build.result()
    older = build.case_study(results=[shown, taken])
    newer = build.case_study()
    CaseStudyPage.objects.filter(pk=newer.pk).update(region=Region.EUROPE, summary="\tTabbed summary")
    build.case_study(live=False)
    take_down(taken)

    assert header(client, "/case-studies/export.csv") == get_export("case_studies").header
    rows = read(client.get("/case-studies/export.csv"))
    assert ids(rows) == page_ids(client, "/case-studies/", "case_studies") == [newer.pk, older.pk]
    assert rows[0]["summary"] == "'\tTabbed summary"
    assert rows[1]["result_ids"] == str(shown.pk)
    assert ids(read(client.get("/case-studies/export.csv", {"region": "europe"}))) == [newer.pk]


# Policy uptake --------------------------------------------------------------------------------------------------


def test_uptake_export_keeps_filters_and_order_and_skips_taken_down_results(client, build, take_down):
    old = build.uptake()
    new = build.uptake()
    PolicyUptake.objects.filter(pk=new.pk).update(date=dt.date(2025, 6, 1), kind=PolicyUptake.Kind.BUDGET)
    PolicyUptake.objects.filter(pk=old.pk).update(title="=cmd|' /C calc'!A0")
    hidden = build.uptake()
    take_down(hidden.result)

    assert header(client, "/results/uptake/export.csv") == get_export("policy_uptake").header
    rows = read(client.get("/results/uptake/export.csv"))
    assert ids(rows) == page_ids(client, "/results/uptake/", "page") == [new.pk, old.pk]
    assert rows[1]["title"].startswith("'=cmd")
    assert rows[0]["result_id"] == str(new.result_id) and rows[0]["city_response_stance"] == "pending"
    assert ids(read(client.get("/results/uptake/export.csv", {"kind": "budget"}))) == [new.pk]


# Takedowns ------------------------------------------------------------------------------------------------------


def test_takedowns_export_lists_the_transparency_log_newest_first_without_accounts(
    client, build, coordinator, take_down
):
    first = take_down(build.result())
    second = take_down(build.dataset())
    Takedown.objects.filter(pk=second.pk).update(reason="-Defamation, per court order")

    assert header(client, "/transparency/export.csv") == get_export("takedowns").header
    rows = read(client.get("/transparency/export.csv"))
    assert ids(rows) == page_ids(client, "/transparency/", "page") == [second.pk, first.pk]
    assert rows[0]["kind"] == "dataset" and rows[1]["kind"] == "result"
    assert rows[0]["reason"] == "'-Defamation, per court order" and rows[0]["decided_by_name"] == "Nora Coordinator"
    assert coordinator.email not in str(rows)


# The order of the existing exports ------------------------------------------------------------------------------


def test_results_export_follows_the_pages_sort(client, build):
    older = build.result(title="Alpha report", publication_date=dt.date(2024, 1, 1))
    newer = build.result(title="Beta report", publication_date=dt.date(2025, 1, 1))
    assert ids(read(client.get("/results/export.csv"))) == page_ids(client, "/results/", "results")
    assert ids(read(client.get("/results/export.csv"))) == [newer.pk, older.pk]
    by_title = ids(read(client.get("/results/export.csv", {"sort": "title"})))
    assert by_title == page_ids(client, "/results/", "results", sort="title") == [older.pk, newer.pk]


def test_partnerships_organisations_and_researchers_exports_follow_their_pages(client, build, make_city):
    from profiles.factories import ResearcherProfileFactory

    build.partnership_()
    build.partnership_()
    assert ids(read(client.get("/partnerships/export.csv"))) == page_ids(client, "/partnerships/", "page")
    make_city("Zagreb")
    make_city("Athens")
    organisations = ids(read(client.get("/organisations/export.csv")))
    assert organisations == page_ids(client, "/organisations/", "page") and organisations != sorted(organisations)
    ResearcherProfileFactory(user__last_name="Zweig")
    ResearcherProfileFactory(user__last_name="Adler")
    researchers = ids(read(client.get("/researchers/export.csv")))
    assert researchers == page_ids(client, "/researchers/", "page") and researchers != sorted(researchers)


def test_calls_export_follows_the_pages_sort(client, city, open_call):
    from calls.factories import make_call

    page = CityPage.objects.get(organisation=city[0])
    later = make_call(city_page=page, title="Later deadline", closes_in=dt.timedelta(days=90))
    sooner = make_call(city_page=page, title="Sooner deadline", closes_in=dt.timedelta(days=5))
    by_deadline = ids(read(client.get("/calls/export.csv")))
    assert by_deadline == page_ids(client, "/calls/", "calls") == [sooner.pk, open_call.pk, later.pk]
    newest = ids(read(client.get("/calls/export.csv", {"sort": "newest"})))
    assert newest == page_ids(client, "/calls/", "calls", sort="newest") == [sooner.pk, later.pk, open_call.pk]


# Query budget and links -----------------------------------------------------------------------------------------


def _add(build, make_city, take_down, key: str, n: int) -> None:
    for _ in range(n):
        if key == "cities":
            make_city(f"Town{build._next()}")
        elif key == "datasets":
            build.dataset()
        elif key == "indicators":
            build.indicator()
        elif key == "methods":
            build.method()
        elif key == "case_studies":
            build.case_study(results=[build.result()])
        elif key == "policy_uptake":
            build.uptake()
        elif key == "takedowns":
            take_down(build.result())
        elif key == "implementation_entries":
            build.implementation_entry()


@pytest.mark.parametrize(
    "key, path",
    [
        ("cities", "/cities/export.csv"),
        ("datasets", "/data/datasets/export.csv"),
        ("indicators", "/data/indicators/export.csv"),
        ("methods", "/methods/export.csv"),
        ("case_studies", "/case-studies/export.csv"),
        ("policy_uptake", "/results/uptake/export.csv"),
        ("takedowns", "/transparency/export.csv"),
        ("implementation_entries", "/results/uptake/implementation/export.csv"),
    ],
)
def test_queries_do_not_grow_from_3_to_30_rows(
    client, build, make_city, take_down, django_assert_max_num_queries, key, path
):
    _add(build, make_city, take_down, key, 3)
    assert len(read(client.get(path))) >= 3
    budget = queries(client, path)
    _add(build, make_city, take_down, key, 27)
    with django_assert_max_num_queries(budget):
        assert len(read(client.get(path))) >= 30


@pytest.mark.parametrize(
    "page, link",
    [
        ("/cities/?page=1", "/cities/export.csv"),
        ("/data/datasets/?access=open&page=2", "/data/datasets/export.csv?access=open"),
        ("/data/indicators/?type=process", "/data/indicators/export.csv?type=process"),
        ("/methods/", "/methods/export.csv"),
        ("/case-studies/?region=europe", "/case-studies/export.csv?region=europe"),
        ("/results/uptake/?kind=plan", "/results/uptake/export.csv?kind=plan"),
        ("/results/uptake/?kind=plan", "/results/uptake/implementation/export.csv?kind=plan"),
        ("/transparency/", "/transparency/export.csv"),
        ("/results/?sort=title&page=2", "/results/export.csv?sort=title"),
    ],
)
def test_list_pages_link_to_their_export_with_filters_and_sort(client, city, page, link):
    assert f'href="{link}"' in client.get(page).content.decode()


def test_draft_and_embargoed_results_never_reach_an_export(client, build):
    """Drafts and embargoed results are absent from every export that names results (results, case studies)."""
    draft = build.result(status="draft")
    embargoed = build.result(embargo_until=dt.date.today() + dt.timedelta(days=30))
    build.case_study(results=[draft, embargoed])
    assert Result.objects.public().filter(pk__in=[draft.pk, embargoed.pk]).count() == 0
    rows = read(client.get("/case-studies/export.csv"))
    assert rows[0]["result_ids"] == ""
    assert ids(read(client.get("/results/export.csv"))) == []


@pytest.mark.parametrize("module", ["calls.exports", "profiles.exports", "projects.exports"])
def test_exports_use_only_public_functions_of_the_api(module):
    """The exports and the API share serialisers through public functions, not the API's private helpers."""
    import ast
    import importlib

    tree = ast.parse(open(importlib.import_module(module).__file__, encoding="utf-8").read())
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names]
    assert imported and not [name for name in imported if name.startswith("_")]
