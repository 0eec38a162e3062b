"""Result pages: the /results/ list with facets, a result's page and files with their visibility, forms and usage."""

import datetime as dt

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from hub.models import Language, Theme
from projects import usage
from projects.models import Result
from projects.services import results as services
from tests.projects.test_results_services import make_result, pdf_upload


def publish_many(partnership, researcher, n: int) -> list[Result]:
    theme = Theme.objects.order_by("pk").first()
    results = []
    for i in range(n):
        result = make_result(partnership, researcher, title=f"Finding number {i}", doi=f"10.5555/bridges-test.{i}")
        result.themes.add(theme)
        services.result_file_add(result=result, by=researcher, upload=pdf_upload())
        services.result_publish(result=result, by=researcher)
        results.append(result)
    return results


def test_list_shows_public_results_with_facets_and_hides_drafts_and_embargoes(client, partnership, researcher):
    english = Language.objects.get(code="en")
    make_result(partnership, researcher, publish=True, title="Public housing report", language=english)
    make_result(partnership, researcher, title="Draft findings")
    make_result(
        partnership,
        researcher,
        publish=True,
        title="Embargoed brief",
        embargo_until=timezone.localdate() + dt.timedelta(days=10),
    )
    response = client.get("/results/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Public housing report" in content
    assert "Draft findings" not in content and "Embargoed brief" not in content
    assert "1 result found" in content
    assert "Report (1)" in content and "English (1)" in content and "City of Graz (1)" in content
    assert "CC BY 4.0 (1)" in content and "2026 (1)" in content


def test_list_filters_show_chips_and_an_empty_state_that_widens(client, partnership, researcher):
    make_result(partnership, researcher, publish=True)
    response = client.get("/results/", {"kind": "tool", "q": "housing"})
    content = response.content.decode()
    assert "No results match these filters" in content
    assert "Type: Tool" in content and "Search: housing" in content
    assert "Remove “Type: Tool”" in content
    assert "1 result found" in client.get("/results/", {"kind": "report"}).content.decode()


def test_list_without_any_result_says_so(client, db):
    assert "No results have been published yet" in client.get("/results/").content.decode()


def test_list_sorts_by_title(client, partnership, researcher):
    make_result(partnership, researcher, publish=True, title="Zebra crossings and children", doi="10.5555/x.1")
    make_result(partnership, researcher, publish=True, title="Access to water", doi="10.5555/x.2")
    content = client.get("/results/", {"sort": "title"}).content.decode()
    assert content.index("Access to water") < content.index("Zebra crossings")


@pytest.mark.parametrize("path", ["/results/", "detail"])
def test_query_count_is_constant_as_results_grow(client, partnership, researcher, django_assert_max_num_queries, path):
    first = publish_many(partnership, researcher, 1)[0]
    url = first.get_absolute_url() if path == "detail" else path
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    publish_many(partnership, researcher, 9)
    if path == "detail":  # more authors and files on the same result
        services.result_update(
            result=first,
            by=researcher,
            data={},
            authors=[{"name": f"Author {i}", "affiliation": "Uni"} for i in range(10)],
            edit_version=Result.objects.get(pk=first.pk).edit_version,
        )
        for _ in range(4):
            services.result_file_add(result=first, by=researcher, upload=pdf_upload())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_result_page_shows_metadata_counts_the_view_and_has_json_ld(client, partnership, researcher):
    result = make_result(partnership, researcher, publish=True)
    response = client.get(result.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "Anna Berger" in content and "https://doi.org/10.5555/bridges-test.1" in content
    assert "CC BY 4.0" in content and partnership.title in content and "City of Graz" in content
    assert '<script type="application/ld+json">' in content
    assert usage.totals(result) == {"views": 1, "downloads": 0}
    assert "Usage per month" not in content  # the monthly table is for partnership members


@pytest.mark.parametrize("who", [None, "official", "outsider"])
def test_draft_is_a_404_outside_the_research_team(client, partnership, researcher, request, who):
    result = make_result(partnership, researcher)
    if who:
        client.force_login(request.getfixturevalue(who))
    assert client.get(result.get_absolute_url()).status_code == 404
    assert client.get(f"/results/{result.slug}/edit/").status_code in (302, 404)


def test_embargoed_result_is_hidden_from_the_public_and_shown_to_the_team(client, partnership, researcher, official):
    until = timezone.localdate() + dt.timedelta(days=40)
    result = make_result(partnership, researcher, publish=True, embargo_until=until)
    stored = services.result_file_add(result=result, by=researcher, upload=pdf_upload())
    file_url = f"/results/{result.slug}/files/{stored.pk}/"
    assert client.get(result.get_absolute_url()).status_code == 404
    assert client.get(file_url).status_code == 404
    client.force_login(official)
    assert client.get(result.get_absolute_url()).status_code == 404
    assert client.get(file_url).status_code == 404
    client.force_login(researcher)
    content = client.get(result.get_absolute_url()).content.decode()
    assert "Embargoed until" in content
    assert client.get(file_url).status_code == 200
    assert usage.totals(result) == {"views": 0, "downloads": 0}


def test_public_file_is_served_and_counted_as_a_download(client, partnership, researcher):
    result = make_result(partnership, researcher)
    stored = services.result_file_add(result=result, by=researcher, upload=pdf_upload("Full report.pdf"))
    url = f"/results/{result.slug}/files/{stored.pk}/"
    assert client.get(url).status_code == 404  # draft
    services.result_publish(result=result, by=researcher)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert usage.totals(result)["downloads"] == 1


def test_members_see_the_monthly_usage_table(client, partnership, researcher, official):
    result = make_result(partnership, researcher, publish=True)
    client.get(result.get_absolute_url())
    client.force_login(official)
    content = client.get(result.get_absolute_url()).content.decode()
    assert "Usage per month" in content and timezone.localdate().strftime("%B %Y") in content


def author_post(**overrides) -> dict:
    data = {
        "kind": "policy_brief",
        "title": "Rent burden of single parents",
        "abstract": "Single parents spend half their income on rent.",
        "licence": "CC-BY-4.0",
        "doi": "https://doi.org/10.5555/bridges-test.9",
        "url": "",
        "publication_date": "2026-02-10",
        "authors-TOTAL_FORMS": "2",
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "0",
        "authors-MAX_NUM_FORMS": "50",
        "authors-0-researcher": "",
        "authors-0-name": "Maria Huber",
        "authors-0-affiliation": "FH Joanneum",
        "authors-0-ORDER": "2",
        "authors-1-researcher": "researcher@example.org",
        "authors-1-name": "Rosa Searcher",
        "authors-1-affiliation": "",
        "authors-1-ORDER": "1",
    }
    return {**data, **overrides}


def test_research_member_creates_a_draft_through_the_form(client, partnership, researcher):
    client.force_login(researcher)
    url = f"/partnerships/{partnership.slug}/results/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, author_post())
    result = Result.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/results/{result.slug}/edit/"
    assert result.doi == "10.5555/bridges-test.9" and result.status == Result.Status.DRAFT
    authors = list(result.authors.all())
    assert [a.name for a in authors] == ["Rosa Searcher", "Maria Huber"]
    # An address is an invitation: the profile is linked only when its owner confirms.
    assert authors[0].profile is None and authors[0].invited_email == "researcher@example.org"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"doi": "not a doi"}, "A DOI looks like 10.1000/xyz123"),
        ({"authors-1-researcher": "0000-0002-1825-0098"}, "check digit does not match"),
        ({"authors-1-researcher": "0000-0002-1825-0097"}, "No profile you can see on Bridges shows this ORCID iD"),
        ({"authors-1-name": ""}, "Type the author's name as it should appear on the result"),
        ({"title": ""}, "This field is required"),
        ({"title": "x" * 301}, "at most 300 characters"),
        ({"publication_date": "31/31/2026"}, "Enter a valid date"),
        ({"url": "javascript:alert(1)"}, "Enter a valid URL"),
    ],
)
def test_bad_input_is_explained_keeps_what_was_typed_and_stores_nothing(
    client, partnership, researcher, overrides, message
):
    client.force_login(researcher)
    response = client.post(f"/partnerships/{partnership.slug}/results/new/", author_post(**overrides))
    content = response.content.decode()
    assert response.status_code == 400
    assert message in content.replace("&#x27;", "'")
    assert "Single parents spend half their income on rent." in content and "Maria Huber" in content
    assert not Result.objects.exists()


def test_upload_that_is_not_a_pdf_is_refused_with_a_message(client, partnership, researcher):
    result = make_result(partnership, researcher)
    client.force_login(researcher)
    response = client.post(
        f"/results/{result.slug}/files/add/", {"file": pdf_upload("notes.pdf", b"MZ\x90\x00 not a pdf"), "title": "x"}
    )
    assert response.status_code == 400
    assert "is not a PDF document" in response.content.decode()
    assert not result.files.exists()


def test_publish_with_too_long_an_embargo_names_the_cap(client, partnership, researcher):
    result = make_result(partnership, researcher)
    client.force_login(researcher)
    too_late = timezone.localdate() + dt.timedelta(days=900)
    response = client.post(f"/results/{result.slug}/publish/", {"embargo_until": too_late.isoformat()})
    content = response.content.decode()
    assert response.status_code == 400 and "An embargo can last at most 24 months" in content
    assert too_late.isoformat() in content
    result.refresh_from_db()
    assert result.status == Result.Status.DRAFT


def test_publish_with_an_embargo_through_the_page(client, partnership, researcher):
    result = make_result(partnership, researcher)
    client.force_login(researcher)
    until = timezone.localdate() + dt.timedelta(days=60)
    response = client.post(f"/results/{result.slug}/publish/", {"embargo_until": until.isoformat()}, follow=True)
    assert "becomes public on" in response.content.decode()
    result.refresh_from_db()
    assert result.status == Result.Status.PUBLISHED and result.embargo_until == until


def test_contributions_count_list_and_city_section(partnership, researcher, city):
    from profiles.models import CityPage
    from projects import contributions_results as contributions

    result = make_result(partnership, researcher, publish=True)
    make_result(partnership, researcher, title="Still a draft")
    assert contributions.results_stat().value == 1
    assert contributions.latest_results(4).items == [result]
    section = contributions.city_results_section(CityPage.objects.get(organisation=city[0])).context
    assert section["results"] == [result] and section["more"] is False


def test_dashboard_lists_the_research_teams_results_with_their_state(client, partnership, researcher, official):
    from projects import contributions_results as contributions

    make_result(partnership, researcher, title="Draft on evictions")
    make_result(partnership, researcher, publish=True, title="Public report", doi="10.5555/x.3")
    section = contributions.dashboard(researcher).context
    assert [p.title for p in section["partnerships"]] == [partnership.title]
    assert {r.title for r in section["partnerships"][0].results.all()} == {"Draft on evictions", "Public report"}
    assert contributions.dashboard(official) is None
    html = render_to_string("projects/results/dashboard_section.html", {"section": section})
    assert "Draft on evictions" in html and f"/partnerships/{partnership.slug}/results/new/" in html


def test_registered_contributions_show_on_the_home_and_city_pages(client, partnership, researcher, city):
    from profiles.models import CityPage

    make_result(partnership, researcher, publish=True, title="Rent burden of older tenants")
    home = client.get("/").content.decode()
    assert "Published results" in home and "Rent burden of older tenants" in home
    city_page = CityPage.objects.get(organisation=city[0])
    assert "Rent burden of older tenants" in client.get(city_page.url).content.decode()
