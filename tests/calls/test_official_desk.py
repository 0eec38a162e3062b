"""Officials find their work: "Post a research call" and "Draft a page for your city" on the dashboard and the city
page, straight into Wagtail's editor under their city; "Your city's calls" says where each call stands and what to do
next. Nobody else sees the links, and the admin refuses them."""

import datetime as dt
import re

from django.utils import timezone

from wagtail.models import Page

import pytest

from calls.dashboard import DeskState, desk_state
from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.models import ResearchCall
from calls.services.reviews import review_assign
from hub.models import StandardPage
from profiles.factories import MembershipFactory, UserFactory
from profiles.models import CityPage, Membership
from profiles.services import sync_editor_groups
from tests.calls.test_review_assignment import person

pytestmark = pytest.mark.django_db

POST_CALL = "Post a research call"
DRAFT_PAGE = "Draft a page for your city"


def add_call_url(city_page) -> str:
    return f"/admin/pages/add/calls/researchcall/{city_page.pk}/"


def add_page_url(city_page) -> str:
    return f"/admin/pages/add/hub/standardpage/{city_page.pk}/"


def get(client, user, url) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def graz(city):
    organisation, official = city
    return CityPage.objects.get(organisation=organisation), official


# The links ------------------------------------------------------------------------------------------------------


def test_official_dashboard_offers_posting_a_call_and_drafting_a_page_under_their_city(client, graz):
    city_page, official = graz
    content = get(client, official, "/dashboard/")
    assert POST_CALL in content and f'href="{add_call_url(city_page)}"' in content
    assert DRAFT_PAGE in content and f'href="{add_page_url(city_page)}"' in content


def test_the_links_open_wagtails_editor_under_the_city(client, graz):
    city_page, official = graz
    client.force_login(official)
    call_editor = client.get(add_call_url(city_page))
    page_editor = client.get(add_page_url(city_page))
    assert call_editor.status_code == 200 and 'name="closes_at"' in call_editor.content.decode()
    assert page_editor.status_code == 200


def test_official_city_page_offers_the_same_links(client, graz):
    city_page, official = graz
    content = get(client, official, city_page.url)
    assert POST_CALL in content and f'href="{add_call_url(city_page)}"' in content
    assert DRAFT_PAGE in content and f'href="{add_page_url(city_page)}"' in content


def test_city_member_without_publish_rights_gets_the_links_too(client, graz):
    city_page, _official = graz
    member = UserFactory(email="member.graz@example.org")
    MembershipFactory(user=member, organisation=city_page.organisation, role=Membership.Role.MEMBER)
    sync_editor_groups(user=member)
    assert f'href="{add_call_url(city_page)}"' in get(client, member, "/dashboard/")
    assert f'href="{add_call_url(city_page)}"' in get(client, member, city_page.url)


def test_spanish_and_french_pages_link_to_the_same_editor(client, graz):
    city_page, official = graz
    path = city_page.url
    for prefix in ("/es", "/fr"):
        assert f'href="{add_call_url(city_page)}"' in get(client, official, f"{prefix}/dashboard/")
        assert f'href="{add_call_url(city_page)}"' in get(client, official, f"{prefix}{path}")


@pytest.mark.parametrize("who", ["anonymous", "researcher", "official_of_another_city"])
def test_others_see_no_links_on_the_city_page(client, graz, researcher, make_city, who):
    city_page, _official = graz
    user = {"anonymous": None, "researcher": researcher, "official_of_another_city": make_city("Linz")[1]}[who]
    content = get(client, user, city_page.url)
    assert POST_CALL not in content
    assert add_call_url(city_page) not in content and add_page_url(city_page) not in content


def test_coordinators_may_add_under_every_city_so_they_see_the_links(client, graz, coordinator):
    city_page, _official = graz
    assert f'href="{add_call_url(city_page)}"' in get(client, coordinator, city_page.url)


def test_others_see_no_links_to_this_city_on_their_dashboard(client, graz, researcher, make_city):
    city_page, _official = graz
    linz_page = CityPage.objects.get(organisation=make_city("Linz")[0])
    linz_official = Membership.objects.get(organisation=linz_page.organisation).user
    for user in (researcher, linz_official):
        content = get(client, user, "/dashboard/")
        assert add_call_url(city_page) not in content and add_page_url(city_page) not in content
    assert f'href="{add_call_url(linz_page)}"' in get(client, linz_official, "/dashboard/")
    assert POST_CALL not in get(client, researcher, "/dashboard/")


@pytest.mark.parametrize("who", ["researcher", "official_of_another_city"])
def test_admin_refuses_others_adding_under_the_city(client, graz, researcher, make_city, who):
    city_page, _official = graz
    user = researcher if who == "researcher" else make_city("Linz")[1]
    client.force_login(user)
    for url in (add_call_url(city_page), add_page_url(city_page)):
        assert client.get(url).status_code != 200
        client.post(url, {"title": "Sneaked in", "slug": "sneaked-in", "action-submit": "submit"})
    assert not Page.objects.filter(slug="sneaked-in").exists()


def test_official_of_an_unverified_city_gets_no_links(client, make_city):
    _organisation, official = make_city("Wels", verify=False)
    content = get(client, official, "/dashboard/")
    assert POST_CALL not in content


# Where each call stands --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("live", "in_moderation", "scheduled", "status", "expected"),
    [
        (False, False, False, "open", DeskState.DRAFT),
        (False, True, False, "open", DeskState.IN_MODERATION),
        (False, True, True, "open", DeskState.SCHEDULED),
        (False, False, True, "upcoming", DeskState.SCHEDULED),
        (True, False, False, "upcoming", DeskState.UPCOMING),
        (True, False, False, "consultation", DeskState.CONSULTATION),
        (True, True, False, "open", DeskState.OPEN),
        (True, False, False, "closed", DeskState.CLOSED),
        (True, False, False, "awarded", DeskState.AWARDED),
        (False, False, False, "cancelled", DeskState.CANCELLED),
    ],
)
def test_desk_state(live, in_moderation, scheduled, status, expected):
    assert desk_state(live=live, in_moderation=in_moderation, scheduled=scheduled, status=status) == expected


def rows_by_title(content: str) -> dict[str, str]:
    """Each call row of "Your city's calls", keyed by its title."""
    rows = {}
    for row in re.findall(r'<li class="list-row" data-call-state="[^"]+">.*?</ul>\s*</li>', content, re.S):
        title = re.search(r'<span class="list-row__title">([^<]+)</span>', row).group(1)
        rows[title] = row
    return rows


@pytest.fixture
def calls_in_every_state(graz, researcher):
    """One call of Graz in each state an official meets."""
    city_page, official = graz
    now = timezone.now()
    make_call(city_page=city_page, title="A draft call", publish=False)

    moderated = make_call(city_page=city_page, title="A call in moderation", publish=False)
    moderated.get_workflow().start(moderated, official)

    scheduled = make_call(city_page=city_page, title="A scheduled call", publish=False)
    scheduled.go_live_at = now + dt.timedelta(days=2)
    scheduled.save_revision(user=official).publish(user=official)

    make_call(
        city_page=city_page, title="An upcoming call", opens_in=dt.timedelta(days=10), closes_in=dt.timedelta(days=40)
    )
    make_call(
        city_page=city_page,
        title="A call in consultation",
        opens_in=dt.timedelta(days=10),
        closes_in=dt.timedelta(days=40),
        consultation_opens_at=now - dt.timedelta(days=1),
        consultation_questions="Which neighbourhoods should we start with?",
    )
    make_call(city_page=city_page, title="An open call")
    closed = make_call(
        city_page=city_page, title="A closed call", opens_in=-dt.timedelta(days=40), closes_in=-dt.timedelta(days=1)
    )
    reviewed = make_call(
        city_page=city_page, title="A call being reviewed", opens_in=-dt.timedelta(days=40), closes_in=dt.timedelta(1)
    )
    proposal = ProposalFactory(call=reviewed, lead=researcher)
    submit_for_tests(proposal)
    ResearchCall.objects.filter(pk=reviewed.pk).update(closes_at=now - dt.timedelta(hours=1))
    review_assign(proposal=proposal, reviewer_email=person("reviewer@example.org").email, by=official)
    awarded = make_call(
        city_page=city_page, title="An awarded call", opens_in=-dt.timedelta(days=60), closes_in=-dt.timedelta(days=20)
    )
    ResearchCall.objects.filter(pk=awarded.pk).update(awarded_at=now - dt.timedelta(days=2))
    cancelled = make_call(city_page=city_page, title="A cancelled call")
    ResearchCall.objects.filter(pk=cancelled.pk).update(cancelled_at=now, cancellation_reason="Budget withdrawn.")
    return {call.title: call for call in ResearchCall.objects.filter(organisation=city_page.organisation)}, closed


def test_your_citys_calls_say_where_each_call_stands_and_what_to_do_next(client, graz, calls_in_every_state):
    _city_page, official = graz
    calls, _closed = calls_in_every_state
    rows = rows_by_title(get(client, official, "/dashboard/"))

    expected = {
        "A draft call": ("Draft", "Finish the call and submit it for moderation.", "/admin/pages/{pk}/edit/"),
        "A call in moderation": (
            "In moderation",
            "Your city's approvers review it before it is published.",
            "/admin/pages/{pk}/edit/",
        ),
        "A scheduled call": (
            "Scheduled",
            "It is approved and will be published at the time set.",
            "/admin/pages/{pk}/edit/",
        ),
        "An upcoming call": (
            "Published, not open yet",
            "It is public and opens for proposals at its opening date.",
            "/admin/pages/{pk}/edit/",
        ),
        "A call in consultation": (
            "In public consultation",
            "Read and publish the public's comments before the call opens.",
            "/calls/{pk}/consultation/",
        ),
        "An open call": ("Open", "Proposals arrive until the deadline; invite reviewers now.", "/calls/{pk}/manage/"),
        "A closed call": ("Closed", "Compare the scores, shortlist and award.", "/calls/{pk}/ranking/"),
        "A call being reviewed": (
            "Closed",
            "Wait for the pending reviews, or remind the reviewers.",
            "/calls/{pk}/manage/",
        ),
        "An awarded call": (
            "Awarded",
            "The award is made; the partnership takes it from here.",
            "/calls/{pk}/ranking/",
        ),
        "A cancelled call": ("Cancelled", "The call is cancelled; its reason is shown publicly.", None),
    }
    assert set(rows) == set(expected)
    for title, (label, next_action, url) in expected.items():
        row = rows[title]
        assert f">{label}</span>" in row, title
        assert next_action.replace("'", "&#x27;") in row, title
        if url:
            assert f'href="{url.format(pk=calls[title].pk)}"' in row, title


def test_drafts_show_no_proposal_counts_and_live_calls_do(client, graz, calls_in_every_state):
    _city_page, official = graz
    rows = rows_by_title(get(client, official, "/dashboard/"))
    assert "proposals received" not in rows["A draft call"]
    assert (
        "1 proposal received" in rows["A call being reviewed"] and "1 review pending" in rows["A call being reviewed"]
    )


def test_your_citys_calls_reads_in_spanish_and_french(client, graz, calls_in_every_state):
    _city_page, official = graz
    for prefix in ("/es", "/fr"):
        content = get(client, official, f"{prefix}/dashboard/")
        assert len(rows_by_title(content)) == 10


def test_the_desk_costs_a_fixed_number_of_queries(client, graz, calls_in_every_state, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from calls.dashboard import official_context

    city_page, official = graz
    with CaptureQueriesContext(connection) as before:
        official_context(official)
    for n in range(5):
        make_call(city_page=city_page, title=f"Another call {n}", publish=n % 2 == 0)
    with django_assert_max_num_queries(len(before.captured_queries)):
        official_context(official)


def test_a_page_drafted_from_the_link_lands_under_the_city(client, graz):
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    city_page, official = graz
    client.force_login(official)
    response = client.post(
        add_page_url(city_page),
        nested_form_data({"title": "Our human-rights office", "slug": "office", "body": streamfield([])}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = StandardPage.objects.get(slug="office")
    assert page.get_parent().pk == city_page.pk and not page.live
