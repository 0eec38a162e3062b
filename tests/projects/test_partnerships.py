"""Partnerships created by an award: public list and page, with a query budget."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from calls.factories import ProposalFactory, submit_for_tests
from calls.services.reviews import call_decide
from projects.models import Partnership
from projects.services.partnerships import unique_partnership_slug
from tests.calls.award_helpers import ready_to_award
from tests.calls.test_review_assignment import person


def award(call, official, title, lead_email):
    proposal = ProposalFactory(call=call, lead=person(lead_email), title=title)
    submit_for_tests(proposal)
    ready_to_award(call, [proposal], official=official)
    call_decide(call=call, by=official, award=[proposal])
    return Partnership.objects.get(proposal=proposal)


def test_partnership_page_shows_team_city_and_call(client, open_call, city):
    organisation, official = city
    partnership = award(open_call, official, "Water access in informal settlements", "lead@example.org")
    response = client.get(f"/partnerships/{partnership.slug}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Water access in informal settlements" in content
    assert organisation.name in content and open_call.title in content
    assert partnership.proposal.lead.display_name in content and official.display_name in content
    assert "Results will appear here" in content


def test_same_titles_get_distinct_slugs(open_call, city):
    _org, official = city
    first = award(open_call, official, "Same title", "a@example.org")
    second = award(open_call, official, "Same title", "b@example.org")
    assert first.slug == "same-title" and second.slug == "same-title-2"
    assert unique_partnership_slug("Same title") == "same-title-3"


def test_private_partnerships_are_not_listed_and_404(client, open_call, city):
    partnership = award(open_call, city[1], "Hidden", "c@example.org")
    Partnership.objects.filter(pk=partnership.pk).update(is_public=False)
    assert client.get(f"/partnerships/{partnership.slug}/").status_code == 404
    assert "Hidden" not in client.get("/partnerships/").content.decode()


def test_city_page_lists_its_public_partnerships_only(client, open_call, city, make_city):
    organisation, official = city
    shown = award(open_call, official, "Water access in informal settlements", "lead@example.org")
    hidden = award(open_call, official, "Hidden partnership", "other@example.org")
    Partnership.objects.filter(pk=hidden.pk).update(is_public=False)
    other_city, _other_official = make_city("Linz")

    page = client.get(organisation.city_page.url).content.decode()
    assert shown.get_absolute_url() in page and "Hidden partnership" not in page

    other_page = client.get(other_city.city_page.url).content.decode()
    assert "Water access" not in other_page and "has no public partnerships yet" in other_page


def test_empty_list_explains_where_partnerships_come_from(client, db):
    assert "When a city awards a research call" in client.get("/partnerships/").content.decode()


def test_home_page_counts_partnerships(db):
    from hub.registry import home_stats

    assert "partnerships" in [s["key"] for s in home_stats()]


@pytest.mark.parametrize("which", ["list", "detail"])
def test_partnership_pages_query_count_is_constant(client, open_call, city, django_assert_max_num_queries, which):
    _org, official = city
    first = award(open_call, official, "First partnership", "first@example.org")
    url = "/partnerships/" if which == "list" else f"/partnerships/{first.slug}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        award(open_call, official, f"Partnership {n}", f"lead{n}@example.org")
    from calls.models import TeamMember

    for n in range(3):
        TeamMember.objects.create(
            proposal=first.proposal, email=f"member{n}@example.org", name=f"Member {n}", status="accepted"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
