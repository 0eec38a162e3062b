"""The impact ledger (issue 19 §3): each decision's implementation trail kept by its city's officials, the indicators it
intends to move charted with the decision date, the filters of /results/uptake/, the city page's sums, API and CSV."""

import csv
import datetime as dt
import io
import random
import xml.dom.minidom
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

import pytest

from hub.models import Theme
from hub.versioning import StaleEdit
from profiles.factories import MembershipFactory, UserFactory
from profiles.models import CityPage, Membership
from projects import charts, contributions_uptake
from projects.demo import indicators as indicators_demo
from projects.demo import ledger as ledger_demo
from projects.demo import uptake as uptake_demo
from projects.models import ImplementationEntry, Indicator, Observation, PolicyUptake, Result
from projects.selectors import ledger as selectors
from projects.services import ledger as services
from projects.services import uptake as uptake_services
from tests.concurrency.races import needs_postgresql, race, race_db
from tests.dates import city_today

pytestmark = pytest.mark.django_db
TODAY = city_today()  # decisions are dated in the official's city
DECIDED = TODAY - dt.timedelta(days=730)
HOSTILE = '<script>alert("x")</script>'
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def make_indicator(title: str, *, unit: str = "% of households") -> Indicator:
    return Indicator.objects.create(
        title=title,
        slug=slugify(title),
        type=Indicator.Type.OUTCOME,
        obligation=Indicator.Obligation.FULFIL,
        theme=Theme.objects.get(slug="adequate-housing"),
        unit=unit,
        definition="Share of households spending more than 40% of their income on housing.",
    )


def observe(indicator, city, year: int, value) -> Observation:
    return Observation.objects.create(
        indicator=indicator, city=city, period=str(year), period_start=dt.date(year, 1, 1), value=Decimal(str(value))
    )


@pytest.fixture
def result(partnership):
    return Result.objects.create(
        partnership=partnership,
        title="Older tenants in Graz",
        slug="older-tenants-in-graz",
        abstract="What older tenants in Graz told us about their housing.",
        status=Result.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=1200),
    )


@pytest.fixture
def uptake(result, official):
    return uptake_services.uptake_create(
        result=result, by=official, kind="plan", title="Municipal Housing Plan, measure 4.2", date=DECIDED
    )


@pytest.fixture
def housing(city):
    """An indicator with Graz's values two and three years before the decision, and after it."""
    indicator = make_indicator("Households overburdened by housing costs")
    for year, value in ((DECIDED.year - 2, 18.5), (DECIDED.year - 1, 17.9), (TODAY.year, 15.2)):
        observe(indicator, city[0], year, value)
    return indicator


@pytest.fixture
def colleague(city):
    user = UserFactory(email="ben@graz.example.org", first_name="Ben", last_name="Huber")
    MembershipFactory(user=user, organisation=city[0], status=Membership.Status.APPROVED)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add(uptake, by, **fields):
    uptake.refresh_from_db()
    values = {
        "date": DECIDED + dt.timedelta(days=30),
        "text": "Tender for 120 housing units launched.",
        "implementation_status": "in_progress",
        "progress": 20,
        "edit_version": uptake.edit_version,
    }
    return services.entry_add(uptake=uptake, by=by, **{**values, **fields})


def entry_post(uptake, **fields) -> dict:
    uptake.refresh_from_db()
    return {
        "date": (DECIDED + dt.timedelta(days=40)).isoformat(),
        "text": "Council approved the budget line 231.48.",
        "link": "https://graz.example.org/budget",
        "implementation_status": "in_progress",
        "progress": "35",
        "edit_version": str(uptake.edit_version),
        **fields,
    }


# Services: who keeps the trail, what it accepts, and concurrent changes


def test_an_official_adds_a_step_with_evidence_and_moves_the_status(uptake, official):
    upload = SimpleUploadedFile("tender.pdf", PDF, content_type="application/pdf")
    entry = add(uptake, official, link="https://graz.example.org/tender", upload=upload)
    uptake.refresh_from_db()
    assert (uptake.implementation_status, uptake.progress) == ("in_progress", 20)
    assert (entry.status, entry.progress, entry.original_name, entry.content_type) == (
        "in_progress",
        20,
        "tender.pdf",
        "application/pdf",
    )
    assert entry.file.name.startswith(f"uptake/{uptake.pk}/") and entry.file.name.endswith(".pdf")


@pytest.mark.parametrize("who", ["other_official", "researcher", "outsider", "coordinator"])
def test_nobody_but_the_citys_officials_keeps_the_trail(uptake, who, researcher, outsider, coordinator, make_city):
    user = make_city("Linz")[1] if who == "other_official" else locals()[who]
    with pytest.raises(PermissionDenied):
        add(uptake, user)
    with pytest.raises(PermissionDenied):
        services.implementation_update(
            uptake=uptake, by=user, implementation_status="done", progress=100, edit_version=uptake.edit_version
        )
    assert not ImplementationEntry.objects.exists()
    assert not selectors.uptakes_kept_by(user).exists()
    uptake.refresh_from_db()
    assert uptake.implementation_status == "planned"


def test_a_record_of_a_result_no_longer_public_cannot_be_kept(uptake, official):
    Result.objects.filter(pk=uptake.result_id).update(status=Result.Status.DRAFT)
    uptake.refresh_from_db()
    with pytest.raises(PermissionDenied):
        add(uptake, official)
    assert selectors.uptake_for_page(uptake.pk) is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"date": DECIDED - dt.timedelta(days=1)}, "date"),
        ({"date": TODAY + dt.timedelta(days=1)}, "date"),
        ({"text": "   "}, "text"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"implementation_status": "finished"}, "implementation_status"),
        ({"progress": 101}, "progress"),
        ({"implementation_status": "done", "progress": 80}, "progress"),
        (
            {"upload": SimpleUploadedFile("tender.pdf", b"<html><script>1</script>", content_type="application/pdf")},
            "file",
        ),
    ],
)
def test_bad_steps_are_refused_and_nothing_is_stored(uptake, official, fields, field):
    with pytest.raises(ValidationError) as refused:
        add(uptake, official, **fields)
    assert field in refused.value.message_dict
    assert not ImplementationEntry.objects.exists()
    uptake.refresh_from_db()
    assert (uptake.implementation_status, uptake.progress, uptake.edit_version) == ("planned", 0, 1)


def test_a_step_on_a_stale_version_is_refused_and_stores_nothing(uptake, official, colleague):
    opened_at = uptake.edit_version
    add(uptake, colleague, implementation_status="abandoned", progress=10)
    upload = SimpleUploadedFile("tender.pdf", PDF, content_type="application/pdf")
    with pytest.raises(StaleEdit) as stale:
        add(uptake, official, edit_version=opened_at, upload=upload)
    assert stale.value.current.implementation_status == "abandoned"
    assert ImplementationEntry.objects.count() == 1
    assert not ImplementationEntry.objects.exclude(file="").exists()


def test_the_implementation_names_indicators_and_refuses_a_stale_save(uptake, official, colleague, housing):
    services.implementation_update(
        uptake=uptake,
        by=official,
        implementation_status="in_progress",
        progress=50,
        department=" Department of Housing ",
        indicators=[housing],
        edit_version=1,
    )
    uptake.refresh_from_db()
    assert (uptake.department, list(uptake.indicators.all())) == ("Department of Housing", [housing])
    with pytest.raises(StaleEdit):
        services.implementation_update(
            uptake=uptake, by=colleague, implementation_status="done", progress=100, indicators=[], edit_version=1
        )
    uptake.refresh_from_db()
    assert uptake.implementation_status == "in_progress" and list(uptake.indicators.all()) == [housing]


@needs_postgresql
@race_db
def test_two_officials_adding_steps_at_once_store_one_and_show_the_other_a_conflict(city, partnership, colleague):
    official = city[1]
    result = Result.objects.create(
        partnership=partnership,
        title="Older tenants in Graz",
        slug="older-tenants-race",
        abstract="…",
        status=Result.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=1200),
    )
    uptake = uptake_services.uptake_create(result=result, by=official, kind="plan", title="Plan", date=DECIDED)
    url = reverse("uptake_entry_new", args=[uptake.pk])
    responses = race(
        [signed_in(official), signed_in(colleague)],
        lambda index, client: client.post(url, entry_post(uptake, text=f"Step by official {index}.")),
    )
    assert sorted(r.status_code for r in responses) == [302, 409]
    assert ImplementationEntry.objects.count() == 1


# Views: 404 for others, bad input answered in the page with the typed text kept


@pytest.mark.parametrize("name", ["uptake_entry_new", "uptake_implementation"])
def test_the_forms_answer_404_to_others(client, uptake, name, researcher, make_city):
    url = reverse(name, args=[uptake.pk])
    assert client.get(url).status_code == 302  # sign in first
    for user in (researcher, make_city("Linz")[1]):
        assert signed_in(user).get(url).status_code == 404
        assert signed_in(user).post(url, entry_post(uptake)).status_code == 404
    assert not ImplementationEntry.objects.exists()


def test_hostile_and_oversized_input_is_answered_in_the_page_and_kept(uptake, official):
    client = signed_in(official)
    url = reverse("uptake_entry_new", args=[uptake.pk])
    typed = HOSTILE + " " + "x" * 5100
    response = client.post(url, entry_post(uptake, text=typed, link="javascript:alert(1)", progress="1e999"))
    html = response.content.decode()
    assert response.status_code == 400
    assert HOSTILE not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html  # kept, escaped
    assert "Give a web address starting with http:// or https://." in html
    assert "Give the progress share as a whole number from 0 to 100." in html
    assert not ImplementationEntry.objects.exists()


def test_a_disguised_file_is_refused_with_a_message_and_the_text_kept(uptake, official):
    client = signed_in(official)
    upload = SimpleUploadedFile("minutes.pdf", b"<svg onload=alert(1)>", content_type="application/pdf")
    response = client.post(
        reverse("uptake_entry_new", args=[uptake.pk]),
        {**entry_post(uptake, text="Minutes of the board."), "file": upload},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "is not a .pdf file" in html and "Minutes of the board." in html
    assert not ImplementationEntry.objects.exists()


def test_a_stale_step_is_shown_side_by_side_with_the_typed_text_kept(uptake, official, colleague):
    data = entry_post(uptake, text="Step typed by Ana.")
    add(uptake, colleague, implementation_status="abandoned", progress=10)
    response = signed_in(official).post(reverse("uptake_entry_new", args=[uptake.pk]), data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Step typed by Ana." in html and "Abandoned" in html
    assert ImplementationEntry.objects.count() == 1


def test_the_implementation_form_saves_and_redirects_to_the_decision(uptake, official, housing):
    client = signed_in(official)
    url = reverse("uptake_implementation", args=[uptake.pk])
    assert client.get(url).status_code == 200
    data = {
        "implementation_status": "in_progress",
        "progress": "40",
        "department": "Department of Housing",
        "indicators": [str(housing.pk)],
        "edit_version": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == uptake.get_absolute_url()
    refused = client.post(url, {**data, "indicators": ["999999"], "department": "D" * 250, "edit_version": "2"})
    assert refused.status_code == 400 and "D" * 250 in refused.content.decode()


# The public decision page: trail, chart with the decision date, table alternative


def svg_of(html: str, chart_id: str):
    start = html.rindex("<svg", 0, html.index(f'aria-labelledby="{chart_id}-title {chart_id}-desc"'))
    return xml.dom.minidom.parseString(html[start : html.index("</svg>", start) + 6]).documentElement


def test_the_decision_page_shows_the_trail_and_the_indicator_with_the_decision_marked(
    client, uptake, official, housing, city
):
    services.implementation_update(
        uptake=uptake,
        by=official,
        implementation_status="in_progress",
        progress=20,
        department="Department of Housing",
        indicators=[housing],
        edit_version=1,
    )
    upload = SimpleUploadedFile("tender.pdf", PDF, content_type="application/pdf")
    entry = add(uptake, official, text=f"Tender launched {HOSTILE}", upload=upload, progress=30)
    response = client.get(uptake.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tender launched &lt;script&gt;" in html and HOSTILE not in html
    assert "Department of Housing" in html and "Housing rights monitor Graz" in html
    chart_id = f"chart-uptake-{uptake.pk}-{housing.pk}"
    svg = svg_of(html, chart_id)
    marker = [g for g in svg.getElementsByTagName("g") if g.getAttribute("class") == "chart__marker"]
    assert len(marker) == 1
    label = f"Decision of {DECIDED:%d %b %Y}"
    assert marker[0].getElementsByTagName("text")[0].firstChild.data == label
    assert label in svg.getElementsByTagName("desc")[0].firstChild.data
    # The table alternative says which values come before and after the decision.
    assert f'<th scope="row">{DECIDED.year - 1}</th><td>17.9</td><td>Before the decision</td>' in html
    assert f'<th scope="row">{TODAY.year}</th><td>15.2</td><td>After the decision</td>' in html
    assert "-2.7" in html  # the change from the latest before to the latest after
    download = client.get(reverse("uptake_entry_file", args=[uptake.pk, entry.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")


def test_the_marker_falls_between_the_periods_around_the_decision():
    periods = [("2021", dt.date(2021, 1, 1)), ("2022", dt.date(2022, 1, 1)), ("2023", dt.date(2023, 1, 1))]
    assert charts.date_position(periods, dt.date(2022, 7, 2)) == pytest.approx(1.5, abs=0.01)
    assert charts.date_position(periods, dt.date(2019, 1, 1)) == 0
    assert charts.date_position(periods, dt.date(2030, 1, 1)) == 2
    assert charts.date_position([], dt.date(2030, 1, 1)) is None
    svg = charts.line_chart(
        [charts.Series("Graz", [charts.Point(p, v) for (p, _d), v in zip(periods, (3, 2, 1), strict=True)])],
        title="t",
        marker=charts.Marker(1.5, 'Decision <of> "2022"'),
    )
    document = xml.dom.minidom.parseString(svg).documentElement
    [line] = [g for g in document.getElementsByTagName("g") if g.getAttribute("class") == "chart__marker"]
    assert line.getElementsByTagName("text")[0].firstChild.data == 'Decision <of> "2022"'


def test_a_decision_of_a_draft_result_has_no_page_nor_files(client, uptake, official):
    entry = add(uptake, official, upload=SimpleUploadedFile("tender.pdf", PDF, content_type="application/pdf"))
    Result.objects.filter(pk=uptake.result_id).update(status=Result.Status.DRAFT)
    assert client.get(uptake.get_absolute_url()).status_code == 404
    assert client.get(reverse("uptake_entry_file", args=[uptake.pk, entry.pk])).status_code == 404


@pytest.mark.parametrize("count", [1, 12])
def test_the_decision_page_queries_stay_constant_as_the_trail_grows(
    client, uptake, official, housing, count, django_assert_max_num_queries
):
    uptake.indicators.add(housing, make_indicator("Evictions per 1,000 households", unit="per 1,000 households"))
    for n in range(count):
        add(uptake, official, text=f"Step {n}", link=f"https://graz.example.org/{n}")
    client.get(uptake.get_absolute_url())
    with django_assert_max_num_queries(12):
        response = client.get(uptake.get_absolute_url())
    assert response.content.decode().count('class="ledger-entry"') == count


# /results/uptake/ filters, the city page's sums


def test_the_list_filters_by_status_and_indicator(client, result, official, housing):
    planned = uptake_services.uptake_create(result=result, by=official, kind="plan", title="Planned one", date=DECIDED)
    moving = uptake_services.uptake_create(result=result, by=official, kind="budget", title="Moving one", date=DECIDED)
    services.implementation_update(
        uptake=moving,
        by=official,
        implementation_status="in_progress",
        progress=10,
        indicators=[housing],
        edit_version=1,
    )
    titles = lambda response: [u.title for u in response.context["rows"]]  # noqa: E731
    assert titles(client.get("/results/uptake/", {"status": "in_progress"})) == ["Moving one"]
    assert titles(client.get("/results/uptake/", {"status": "planned"})) == ["Planned one"]
    assert titles(client.get("/results/uptake/", {"indicator": housing.slug})) == ["Moving one"]
    hostile = client.get("/results/uptake/", {"indicator": HOSTILE})
    assert hostile.status_code == 200 and HOSTILE not in hostile.content.decode() and not hostile.context["rows"]
    page = client.get("/results/uptake/", {"status": "bogus"})
    facets = {f.name: {o.value: o.count for o in f.options} for f in page.context["facets"]}
    assert facets["status"] == {"planned": 1, "in_progress": 1, "bogus": 0}
    assert facets["indicator"] == {housing.slug: 1}
    assert planned.pk and moving.pk


def test_the_city_page_sums_its_decisions_by_status(result, official, city):
    for n, status in enumerate(("in_progress", "in_progress", "done", "planned")):
        uptake = uptake_services.uptake_create(result=result, by=official, kind="plan", title=f"D{n}", date=DECIDED)
        services.implementation_update(
            uptake=uptake,
            by=official,
            implementation_status=status,
            progress=100 if status == "done" else 5,
            edit_version=1,
        )
    section = contributions_uptake.city_uptake_section(CityPage.objects.get(organisation=city[0]))
    assert [(r["status"], r["count"]) for r in section.context["implementation"]] == [
        ("planned", 1),
        ("in_progress", 2),
        ("done", 1),
    ]


# API and CSV: the trail and the intended indicators, with constant queries


def test_the_api_gives_the_trail_and_the_indicators_and_filters_by_them(client, uptake, official, housing):
    services.implementation_update(
        uptake=uptake,
        by=official,
        implementation_status="in_progress",
        progress=20,
        indicators=[housing],
        department="Department of Housing",
        edit_version=1,
    )
    add(uptake, official, upload=SimpleUploadedFile("tender.pdf", PDF, content_type="application/pdf"))
    body = client.get(f"/api/v1/policy-uptake/{uptake.pk}").json()
    assert (body["implementation_status"], body["progress"], body["department"]) == (
        "in_progress",
        20,
        "Department of Housing",
    )
    assert body["decision_url"].endswith(f"/results/uptake/{uptake.pk}/")
    assert [i["slug"] for i in body["indicators"]] == [housing.slug]
    [step] = body["implementation"]
    assert step["text"] == "Tender for 120 housing units launched." and step["file_url"].endswith("/file/")
    assert client.get("/api/v1/policy-uptake/", {"status": "done"}).json()["count"] == 0
    assert client.get("/api/v1/policy-uptake/", {"indicator": housing.slug}).json()["count"] == 1


@pytest.mark.parametrize("path", ["/api/v1/policy-uptake/", "/results/uptake/export.csv"])
def test_api_and_csv_queries_do_not_grow_with_the_trail(client, uptake, official, housing, path):
    uptake.indicators.add(housing)
    add(uptake, official)
    client.get(path)
    with CaptureQueriesContext(connection) as one:
        client.get(path, {"status": "in_progress"})
    for n in range(10):
        add(uptake, official, text=f"Step {n}")
    with CaptureQueriesContext(connection) as eleven:
        response = client.get(path, {"status": "in_progress"})
    assert response.status_code == 200
    assert len(eleven) <= len(one)


def test_the_csv_exports_carry_the_trail(client, uptake, official, housing):
    uptake.indicators.add(housing)
    entry = add(uptake, official, link="https://graz.example.org/tender")
    response = client.get("/results/uptake/export.csv", {"status": "in_progress"})
    [row] = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert (row["implementation_status"], row["progress"], row["indicators"], row["implementation"]) == (
        "in_progress",
        "20",
        housing.slug,
        str(entry.pk),
    )
    trail = client.get("/results/uptake/implementation/export.csv")
    [step] = list(csv.DictReader(io.StringIO(b"".join(trail.streaming_content).decode("utf-8-sig"))))
    assert (step["uptake_id"], step["link"], step["status"]) == (
        str(uptake.pk),
        "https://graz.example.org/tender",
        "in_progress",
    )


# Demo


def test_the_demo_gives_a_decision_an_implementation_trail_linked_to_an_indicator(client, partnership, official):
    for n in range(4):
        Result.objects.create(
            partnership=partnership,
            title=f"Demo report {n}",
            slug=f"demo-report-{n}",
            abstract="…",
            status=Result.Status.PUBLISHED,
            published_at=timezone.now() - dt.timedelta(days=200 + n),
        )
    for _ in range(2):
        for module in (indicators_demo, uptake_demo, ledger_demo):
            module.seed(rng=random.Random(1), stdout=io.StringIO())
    [uptake] = PolicyUptake.objects.filter(entries__isnull=False).distinct()
    assert uptake.entries.count() == 3 and all(ledger_demo.DEMO in e.text for e in uptake.entries.all())
    assert uptake.indicators.exists() and uptake.implementation_status == "in_progress"
    html = client.get(uptake.get_absolute_url()).content.decode()
    assert 'class="chart__marker"' in html and "First annual report" in html
