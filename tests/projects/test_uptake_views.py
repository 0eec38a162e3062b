"""Policy uptake pages: the city's forms (404 for others, bad input answered in the page), panels, /results/uptake/."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

import pytest

from hub.models import Theme
from profiles.factories import UserFactory
from profiles.models import CityPage
from projects import contributions_uptake
from projects.factories import PartnershipFactory
from projects.models import CityResponse, PolicyUptake, Result
from projects.services import uptake as services
from tests.dates import city_today

pytestmark = pytest.mark.django_db
TODAY = city_today()  # decisions are dated in the official's city
# Measured: the page, its 6 facets, the summary, the rows, their intended indicators and their trail; the same for
# 1 and 10 records.
LIST_QUERIES = 18
HOSTILE = '<script>alert("x")</script>'


def make_result(partnership, *, slug="graz-housing-report", days_ago=30, **fields) -> Result:
    fields.setdefault("status", Result.Status.PUBLISHED)
    return Result.objects.create(
        partnership=partnership,
        title=fields.pop("title", f"Report {slug}"),
        slug=slug,
        abstract="What older tenants in Graz told us about their housing.",
        published_at=timezone.now() - dt.timedelta(days=days_ago),
        **fields,
    )


@pytest.fixture
def result(partnership):
    return make_result(partnership, title="Older tenants in Graz")


def uptake_data(**fields):
    return {
        "kind": "plan",
        "title": "Municipal Housing Plan 2025–2030, measure 4.2",
        "date": TODAY.isoformat(),
        "body": "City council",
        "link": "https://graz.example.org/plan",
        "description": "Measure 4.2 follows the study.",
        **fields,
    }


def record(result, by, **fields):
    values = {"kind": "plan", "title": "Municipal Housing Plan 2025–2030", "date": TODAY}
    return services.uptake_create(result=result, by=by, **{**values, **fields})


# The forms answer 404 to everyone but the commissioning city's officials


@pytest.mark.parametrize("name", ["result_response", "uptake_new"])
def test_anonymous_visitors_are_asked_to_sign_in(client, result, name):
    response = client.get(reverse(name, args=[result.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("name", ["result_response", "uptake_new"])
@pytest.mark.parametrize("who", ["researcher", "outsider", "coordinator", "other_official"])
def test_others_get_404_on_the_city_forms(client, result, name, who, researcher, outsider, coordinator, make_city):
    user = make_city("Linz")[1] if who == "other_official" else locals()[who]
    client.force_login(user)
    assert client.get(reverse(name, args=[result.slug])).status_code == 404
    assert client.post(reverse(name, args=[result.slug]), uptake_data(stance="accepted")).status_code == 404
    assert not CityResponse.objects.exists() and not PolicyUptake.objects.exists()


def test_other_officials_get_404_on_edit_and_delete(client, result, official, make_city):
    uptake = record(result, official)
    client.force_login(make_city("Linz")[1])
    assert client.get(reverse("uptake_edit", args=[result.slug, uptake.pk])).status_code == 404
    assert client.post(reverse("uptake_delete", args=[result.slug, uptake.pk])).status_code == 404
    assert PolicyUptake.objects.filter(pk=uptake.pk).exists()


def test_draft_results_have_no_response_form(client, partnership, official):
    draft = make_result(partnership, slug="draft", status=Result.Status.DRAFT)
    client.force_login(official)
    assert client.get(reverse("result_response", args=[draft.slug])).status_code == 404


def test_a_record_of_another_result_is_not_found(client, partnership, result, official):
    other = make_result(partnership, slug="other")
    uptake = record(other, official)
    client.force_login(official)
    assert client.get(reverse("uptake_edit", args=[result.slug, uptake.pk])).status_code == 404


def test_forms_need_the_csrf_token(result, official):
    client = Client(enforce_csrf_checks=True)
    client.force_login(official)
    response = client.post(reverse("result_response", args=[result.slug]), {"stance": "accepted", "reasons": "Yes."})
    assert response.status_code == 403 and not CityResponse.objects.exists()


# The response form


def test_official_responds_and_readers_see_it_beside_the_result(client, result, official):
    client.force_login(official)
    page = client.get(reverse("result_response", args=[result.slug]))
    assert page.status_code == 200 and "Respond to this result" in page.text
    response = client.post(
        reverse("result_response", args=[result.slug]),
        {
            "stance": "partly",
            "reasons": f"Rent caps are regional. {HOSTILE}",
            "reply": "We stay open to talk.",
            "edit_version": "1",
        },
    )
    assert response.status_code == 302 and response.url == result.get_absolute_url()
    reader = Client().get(result.get_absolute_url())
    assert "Partly accepted" in reader.text and "Rent caps are regional." in reader.text
    assert "We stay open to talk." in reader.text and "Reply by City of Graz" in reader.text
    assert HOSTILE not in reader.text and "&lt;script&gt;" in reader.text
    assert "Pending for" not in reader.text


def test_missing_reasons_are_explained_and_the_typed_reply_kept(client, result, official):
    client.force_login(official)
    response = client.post(
        reverse("result_response", args=[result.slug]),
        {"stance": "not_accepted", "reasons": "", "reply": "Kept.", "edit_version": "1"},
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text and "Give the city&#x27;s reasons" in response.text
    assert "Kept.</textarea>" in response.text
    assert not CityResponse.objects.exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"stance": "", "reasons": ""}, "Choose the city&#x27;s stance."),
        ({"stance": "maybe", "reasons": "x"}, "Choose one of the stances."),
        ({"stance": "accepted", "reasons": "x" * 5001}, "at most 5000 characters"),
        ({"stance": "accepted", "reasons": "x", "reply": "y" * 10001}, "at most 10000 characters"),
    ],
)
def test_response_form_refuses_bad_input(client, result, official, data, words):
    client.force_login(official)
    response = client.post(reverse("result_response", args=[result.slug]), {**data, "edit_version": "1"})
    assert response.status_code == 400 and words in response.text
    assert not CityResponse.objects.exists()


def test_pending_result_shows_how_long_it_has_been_pending(client, result):
    page = client.get(result.get_absolute_url())
    since = result.public_since.strftime("%-d %b %Y")
    assert f"Pending for 30 days (since {since})" in page.text
    assert "Respond to this result" not in page.text


def test_officials_see_the_buttons_on_the_result_page(client, result, official):
    client.force_login(official)
    page = client.get(result.get_absolute_url())
    assert reverse("result_response", args=[result.slug]) in page.text
    assert reverse("uptake_new", args=[result.slug]) in page.text


# The uptake form


def test_official_records_a_decision_shown_on_result_partnership_and_list(client, result, official, partnership):
    client.force_login(official)
    response = client.post(reverse("uptake_new", args=[result.slug]), uptake_data(title=f"Plan {HOSTILE}"))
    assert response.status_code == 302
    for url in (result.get_absolute_url(), partnership.get_absolute_url(), reverse("uptake_list")):
        text = Client().get(url).text
        assert "Plan &lt;script&gt;" in text and HOSTILE not in text, url


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"link": "javascript:alert(1)"}, "starting with http:// or https://"),
        ({"link": "ftp://graz.example.org/plan"}, "starting with http:// or https://"),
        ({"date": (TODAY + dt.timedelta(days=1)).isoformat()}, "cannot be in the future"),
        ({"date": (TODAY - dt.timedelta(days=60)).isoformat()}, "cannot have been informed by this result"),
        ({"date": "next tuesday"}, "Enter the date as YYYY-MM-DD."),
        ({"title": "x" * 301}, "at most 300 characters"),
        ({"description": "x" * 5001}, "at most 5000 characters"),
        ({"kind": ""}, "Choose what kind of decision it is."),
    ],
)
def test_uptake_form_refuses_bad_input_and_keeps_what_was_typed(client, result, official, fields, words):
    client.force_login(official)
    response = client.post(reverse("uptake_new", args=[result.slug]), uptake_data(**fields))
    assert response.status_code == 400 and words in response.text
    assert "City council" in response.text  # what the official typed stays in the form
    assert not PolicyUptake.objects.exists()


def test_official_edits_and_removes_a_record(client, result, official):
    uptake = record(result, official)
    client.force_login(official)
    edit = reverse("uptake_edit", args=[result.slug, uptake.pk])
    assert "Municipal Housing Plan 2025–2030" in client.get(edit).text
    assert client.post(edit, uptake_data(title="Budget line 231.48", kind="budget", edit_version=1)).status_code == 302
    assert PolicyUptake.objects.get().title == "Budget line 231.48"
    delete = reverse("uptake_delete", args=[result.slug, uptake.pk])
    assert "Remove the record" in client.get(delete).text
    assert client.post(delete, {"edit_version": 2}).status_code == 302
    assert not PolicyUptake.objects.exists()


# Panels: a constant number of queries


def render_panel(template, user=None, **context):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    return render_to_string(template, {"request": request, **context})


@pytest.mark.parametrize("count", [1, 10])
def test_result_panel_queries_stay_constant(result, official, count, django_assert_max_num_queries):
    services.response_save(
        result=result, by=official, stance="accepted", reasons="We agree.", reply="Thanks.", edit_version=1
    )
    for n in range(count):
        record(result, official, title=f"Decision {n}")
    loaded = Result.objects.select_related("partnership").get(pk=result.pk)
    with django_assert_max_num_queries(2):
        html = render_panel("projects/uptake/result_panel.html", result=loaded)
    assert html.count("uptake-item__title") == count and "Reply by City of Graz" in html
    with django_assert_max_num_queries(3):
        html = render_panel("projects/uptake/result_panel.html", user=official, result=loaded)
    assert html.count(">Edit<") == count


@pytest.mark.parametrize("count", [1, 10])
def test_partnership_panel_queries_stay_constant(partnership, official, count, django_assert_max_num_queries):
    for n in range(count):
        result = make_result(partnership, slug=f"result-{n}")
        services.response_save(result=result, by=official, stance="partly", reasons="In part.", edit_version=1)
        record(result, official, title=f"Decision {n}")
    with django_assert_max_num_queries(2):
        html = render_panel("projects/uptake/partnership_panel.html", partnership=partnership)
    assert html.count("uptake-item__title") == count


# /results/uptake/


def test_empty_list_says_what_will_appear(client):
    page = client.get(reverse("uptake_list"))
    assert page.status_code == 200 and "No decisions recorded yet" in page.text


def test_list_filters_by_city_kind_year_and_theme_with_facet_counts(client, result, official, make_city):
    theme = Theme.objects.order_by("pk").first()
    result.themes.add(theme)
    record(result, official, title="Housing plan", kind="plan")
    record(result, official, title="Eviction budget", kind="budget")
    linz, linz_official = make_city("Linz")
    linz_result = make_result(PartnershipFactory(slug="linz", city=linz), slug="linz-report")
    record(linz_result, linz_official, title="Linz service", kind="service")

    page = client.get(reverse("uptake_list"), {"kind": "plan"})
    assert "Housing plan" in page.text and "Eviction budget" not in page.text and "Linz service" not in page.text
    kind = next(f for f in page.context["facets"] if f.name == "kind")
    assert {o.value: o.count for o in kind.options} == {"budget": 1, "plan": 1, "service": 1}
    city = next(f for f in page.context["facets"] if f.name == "city")
    assert {o.label: o.count for o in city.options} == {"City of Graz": 1}
    assert "Kind of decision: Plan or strategy" in page.text  # the chip

    by_theme = client.get(reverse("uptake_list"), {"theme": theme.slug})
    assert [u.title for u in by_theme.context["rows"]] == ["Eviction budget", "Housing plan"]
    by_city = client.get(reverse("uptake_list"), {"city": linz.slug})
    assert [u.title for u in by_city.context["rows"]] == ["Linz service"]
    by_year = client.get(reverse("uptake_list"), {"year": TODAY.year - 5})
    assert "No decisions match these filters" in by_year.text and "Remove the “Year” filter" in by_year.text


def test_list_shows_the_trail_and_the_summary(client, result, official):
    services.response_save(result=result, by=official, stance="partly", reasons="In part.", edit_version=1)
    record(result, official)
    page = client.get(reverse("uptake_list"))
    assert result.get_absolute_url() in page.text and "Partly accepted" in page.text
    assert "Median days to respond" in page.text
    summary = page.context["summary"]
    assert summary.results_count == 1 and summary.uptakes_count == 1 and summary.median_days_to_respond == 30


def test_list_paginates(client, result, official):
    for n in range(25):
        record(result, official, title=f"Decision {n:02d}")
    first, second = client.get(reverse("uptake_list")), client.get(reverse("uptake_list"), {"page": 2})
    assert len(first.context["rows"]) == 20 and len(second.context["rows"]) == 5
    assert 'rel="next"' in first.text


@pytest.mark.parametrize("count", [1, 10])
def test_list_queries_stay_constant(client, partnership, official, count, django_assert_max_num_queries):
    theme = Theme.objects.order_by("pk").first()
    for n in range(count):
        result = make_result(partnership, slug=f"result-{n}")
        result.themes.add(theme)
        services.response_save(result=result, by=official, stance="accepted", reasons="Yes.", edit_version=1)
        record(result, official, title=f"Decision {n}")
    with django_assert_max_num_queries(LIST_QUERIES):
        page = client.get(reverse("uptake_list"))
    assert len(page.context["rows"]) == count


# The city page section


@pytest.mark.parametrize("count", [1, 10])
def test_city_section_shows_stances_pending_ages_and_decisions(
    partnership, official, city, count, django_assert_max_num_queries
):
    for n in range(count):
        answered = make_result(partnership, slug=f"answered-{n}")
        services.response_save(
            result=answered, by=official, stance="not_accepted", reasons="Too small a sample.", edit_version=1
        )
        record(answered, official, title=f"Decision {n}")
    make_result(partnership, slug="waiting", title="Waiting report", days_ago=9)
    city_page = CityPage.objects.select_related("organisation").get(organisation=city[0])
    # Responses, decisions, and the decisions summed by implementation status (the impact ledger).
    with django_assert_max_num_queries(3):
        section = contributions_uptake.city_uptake_section(city_page).context
        html = render_to_string("projects/city_section_uptake.html", {"section": section})
    assert [(s["stance"], s["count"]) for s in section["stances"]] == [("not_accepted", count), ("pending", 1)]
    assert [(s["status"], s["count"]) for s in section["implementation"]] == [("planned", count)]
    assert "Waiting report" in html and "Pending for 9 days" in html
    assert html.count("Informed by") == min(count, 5)


def test_city_page_has_the_policy_uptake_section(client, result, official, city):
    record(result, official, title="Accessibility service at district offices")
    page = client.get(CityPage.objects.get(organisation=city[0]).url)
    assert "Policy uptake" in page.text and "Accessibility service at district offices" in page.text


def test_personal_data_lists_what_the_official_wrote(result, official):
    services.response_save(result=result, by=official, stance="accepted", reasons="Yes.", edit_version=1)
    record(result, official)
    data = contributions_uptake.personal_data(official)["policy_uptake"]
    assert data["responses"][0]["stance"] == "accepted" and data["uptakes"][0]["kind"] == "plan"
    assert contributions_uptake.personal_data(UserFactory()) == {
        "policy_uptake": {"responses": [], "uptakes": [], "implementation_steps": []}
    }


def test_filters_that_are_not_understood_are_ignored_and_said_so(client, result, official):
    record(result, official)
    page = client.get(reverse("uptake_list"), {"year": "soon", "kind": "bribe", "city": "<b>x</b>"})
    assert page.status_code == 200
    assert "Some filters were not understood and are ignored" in page.text
    assert "<b>x</b>" not in page.text
