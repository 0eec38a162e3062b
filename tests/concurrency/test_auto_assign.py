"""The "assign automatically" confirmation (issue 18 §2) sent several times at the same moment: one run creates its
plan, the others find nothing left to assign; no reviewer is invited twice to a proposal or above a cap, and nobody
gets an error page.

``auto_assign_confirm`` locks the call's row (two runs on one call queue up) and then the candidates' rows (runs on
two calls that share reviewers queue up for the monthly cap), and computes the plan again after the locks. The
thread races send the confirmations at once through the test client (two officials of the city, each from three
tabs, so that the requests surely meet) and run on PostgreSQL only, where requests really overlap; the
one-after-the-other replays are in tests/calls/test_reviewer_matching.py.
"""

import re
from collections import Counter

from django.contrib.messages import get_messages
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.models import ReviewAssignment
from profiles.factories import MembershipFactory, UserFactory
from profiles.models import CityPage, Membership
from tests.calls.reviewer_helpers import fitting_profile, reviewing_world
from tests.concurrency.races import needs_postgresql, race, race_db

TABS = 3
CREATED = re.compile(r"^\d+ review assignments? (was|were) created")
NOTHING_LEFT = "There is nothing (more) to assign: no reviewer was invited twice."


def second_official(organisation):
    user = UserFactory(email=f"second.official@{organisation.slug}.example.org", account_type="organisation")
    MembershipFactory(
        user=user, organisation=organisation, role=Membership.Role.ADMIN, status=Membership.Status.APPROVED
    )
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tabs(*officials) -> list[Client]:
    """``TABS`` clients per official, alternating: client ``i`` belongs to ``officials[i % len(officials)]``."""
    return [signed_in(officials[i % len(officials)]) for i in range(TABS * len(officials))]


def preview_signature(client: Client, call) -> str:
    """The signature of the plan the official previews (the confirmation must match it)."""
    page = client.get(reverse("call_auto_assign", args=[call.pk])).content.decode()
    return re.search(r'name="signature" value="([0-9a-f]+)"', page).group(1)


def told(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def assert_no_duplicate_and_no_reviewer_above_the_caps(calls):
    pairs = Counter(
        ReviewAssignment.objects.filter(proposal__call__in=calls, reviewer__isnull=False).values_list(
            "proposal_id", "reviewer_id"
        )
    )
    assert all(n == 1 for n in pairs.values()), pairs
    active = ReviewAssignment.objects.filter(status__in=ReviewAssignment.ACTIVE, reviewer__isnull=False)
    for call in calls:
        per_call = active.filter(proposal__call=call).values("reviewer_id").annotate(n=Count("pk"))
        assert all(row["n"] <= call.reviewer_cap_per_call for row in per_call), list(per_call)
        per_month = active.values("reviewer_id").annotate(n=Count("pk"))  # every row was made this month
        assert all(row["n"] <= call.reviewer_cap_per_month for row in per_month), list(per_month)


@needs_postgresql
@race_db
def test_two_officials_confirming_the_same_plan_at_once_create_it_once(city):
    # Each of the four reviewers already reviews one proposal of the call (the seed) and may take one more: the
    # plan gives each of them one of the three proposals' six slots, and the caps leave the rest short.
    world = reviewing_world(city, proposals=3, reviewers=4, reviews_per_proposal=2, reviewer_cap_per_call=2)
    organisation, official = city
    clients = tabs(official, second_official(organisation))
    signature = preview_signature(clients[0], world.call)
    assert preview_signature(clients[1], world.call) == signature
    url = reverse("call_auto_assign", args=[world.call.pk])

    responses = race(clients, lambda i, client: client.post(url, {"signature": signature}))

    assert {r.status_code for r in responses} == {302}
    assert {r["Location"] for r in responses} == {reverse("call_manage", args=[world.call.pk])}
    messages = sorted((m for r in responses for m in told(r)), key=lambda m: m == NOTHING_LEFT)
    assert len(messages) == len(clients) and CREATED.match(messages[0]), messages
    assert messages[1:] == [NOTHING_LEFT] * (len(clients) - 1), messages
    made = ReviewAssignment.objects.filter(proposal__in=world.proposals)
    assert made.count() == 4
    assert sorted(made.values_list("reviewer_id", flat=True)) == sorted(u.pk for u in world.reviewers)
    assert_no_duplicate_and_no_reviewer_above_the_caps([world.call])


@needs_postgresql
@race_db
def test_two_calls_sharing_reviewers_at_once_keep_the_monthly_cap(city):
    # Two calls of the city with the same two reviewers, each already reviewing one proposal of each call (two
    # invitations this month, four allowed): either call's plan alone takes both reviewers to the monthly cap.
    first = reviewing_world(
        city, proposals=2, reviewers=2, reviews_per_proposal=2, reviewer_cap_per_call=5, reviewer_cap_per_month=4
    )
    organisation, official = city
    second = make_call(
        city_page=CityPage.objects.get(organisation=organisation),
        title="Access to justice for older tenants",
        reviews_per_proposal=2,
        reviewer_cap_per_call=5,
        reviewer_cap_per_month=4,
    )
    proposals = []
    for i in range(3):
        lead = fitting_profile(f"lead{i}.second@{organisation.slug}.example.org").user
        proposal = ProposalFactory(call=second, lead=lead, title=f"Second call proposal {i}")
        submit_for_tests(proposal)
        proposals.append(proposal)
    seed, proposals = proposals[0], proposals[1:]
    for user in first.reviewers:
        ReviewAssignment.objects.create(
            proposal=seed, reviewer=user, email=user.email, status=ReviewAssignment.Status.ACCEPTED
        )
    clients = tabs(official, second_official(organisation))  # the first official confirms the first call's plan
    signatures = [preview_signature(clients[0], first.call), preview_signature(clients[1], second)]
    urls = [reverse("call_auto_assign", args=[c.pk]) for c in (first.call, second)]

    responses = race(clients, lambda i, client: client.post(urls[i % 2], {"signature": signatures[i % 2]}))

    assert {r.status_code for r in responses} == {302}
    messages = sorted((m for r in responses for m in told(r)), key=lambda m: m == NOTHING_LEFT)
    assert len(messages) == len(clients) and CREATED.match(messages[0]), messages
    assert messages[1:] == [NOTHING_LEFT] * (len(clients) - 1), messages
    made = ReviewAssignment.objects.filter(proposal__in=[*first.proposals, *proposals])
    assert made.count() == 4
    assert_no_duplicate_and_no_reviewer_above_the_caps([first.call, second])
