"""The pages of reviewer matching (issue 18 §2): who may open them (a foreign city, a reviewer of another call,
anonymous people get 404 or sign-in), bad input, constant query counts, and an invited reviewer without an account
who creates it from the link, declares, then reads the proposal."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from calls.models import ReviewAssignment, ReviewBid
from calls.services import reviewer_matching as services
from calls.services.reviews import review_assign
from tests.calls.reviewer_helpers import fitting_profile, reviewing_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city):
    return reviewing_world(city, proposals=2, reviewers=3, reviews_per_proposal=2)


def test_the_city_sees_suggestions_with_reasons_and_conflicts(client, world):
    client.force_login(world.official)
    response = client.get(reverse("call_reviewers_suggested", args=[world.call.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Rev1 Reviewer" in body and "% fit" in body and world.theme.name in body


def test_strangers_are_refused_every_page(client, world, make_city):
    _org, foreign = make_city("Vienna")
    other = reviewing_world(make_city("Linz"), proposals=1, reviewers=1)
    pages = [
        reverse("call_reviewers_suggested", args=[world.call.pk]),
        reverse("call_auto_assign", args=[world.call.pk]),
    ]
    for user in (foreign, other.reviewers[0], world.reviewers[0], world.proposals[0].lead):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(pages[1], {"signature": "x"}).status_code == 404
    client.force_login(other.reviewers[0])  # reviewer of another call: no bids here
    assert client.get(reverse("call_bids", args=[world.call.pk])).status_code == 404
    client.logout()
    for url in [*pages, reverse("call_bids", args=[world.call.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ReviewAssignment.objects.filter(proposal__in=world.proposals).exists()


def test_the_preview_creates_nothing_and_the_confirmation_creates_it_once(client, world):
    client.force_login(world.official)
    url = reverse("call_auto_assign", args=[world.call.pk])
    preview = client.get(url)
    assert preview.status_code == 200 and "Create 4 assignments" in preview.content.decode()
    assert not ReviewAssignment.objects.filter(proposal__in=world.proposals).exists()
    signature = re.search(r'name="signature" value="([0-9a-f]+)"', preview.content.decode()).group(1)
    first = client.post(url, {"signature": signature})
    assert first.status_code == 302
    assert ReviewAssignment.objects.filter(proposal__in=world.proposals).count() == 4
    again = client.post(url, {"signature": signature}, follow=True)
    assert "nothing (more) to assign" in again.content.decode()
    assert ReviewAssignment.objects.filter(proposal__in=world.proposals).count() == 4


def test_a_forged_or_missing_signature_creates_nothing(client, world):
    client.force_login(world.official)
    url = reverse("call_auto_assign", args=[world.call.pk])
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"signature": "0" * 64}).status_code == 409
    assert client.post(url, {"signature": "x" * 5000}).status_code == 400
    assert not ReviewAssignment.objects.filter(proposal__in=world.proposals).exists()


def test_a_reviewer_bids_and_bad_input_keeps_the_choices(client, world):
    reviewer = world.reviewers[0]
    p1, p2 = world.proposals
    client.force_login(reviewer)
    url = reverse("call_bids", args=[world.call.pk])
    page = client.get(url)
    assert page.status_code == 200 and p1.title in page.content.decode()
    assert p1.lead.display_name not in page.content.decode()  # titles and summaries only
    bad = client.post(url, {f"bid-{p1.pk}": "eager", f"bid-{p2.pk}": "ecstatic"})
    assert bad.status_code == 400
    assert 'value="eager" checked' in bad.content.decode().replace("\n", " ") or "checked" in bad.content.decode()
    assert not ReviewBid.objects.exists()
    ok = client.post(url, {f"bid-{p1.pk}": "eager", f"bid-{p2.pk}": "not_my_field"})
    assert ok.status_code == 302
    assert services.bids_of(reviewer, world.call) == {p1.pk: "eager", p2.pk: "not_my_field"}


def test_query_counts_stay_constant_as_proposals_and_reviewers_grow(
    client, city, make_city, django_assert_max_num_queries
):
    small = reviewing_world(city, proposals=1, reviewers=1)
    big = reviewing_world(make_city("Vienna"), proposals=6, reviewers=6)
    counts = {}
    for name, w in (("small", small), ("big", big)):
        client.force_login(w.official)
        for page in ("call_reviewers_suggested", "call_auto_assign"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(page, args=[w.call.pk])).status_code == 200
            counts[(name, page)] = len(queries)
        client.force_login(w.reviewers[0])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("call_bids", args=[w.call.pk])).status_code == 200
        counts[(name, "bids")] = len(queries)
    for page in ("call_reviewers_suggested", "call_auto_assign", "bids"):
        assert counts[("big", page)] <= counts[("small", page)], counts
    with django_assert_max_num_queries(60):
        client.force_login(big.official)
        client.get(reverse("call_reviewers_suggested", args=[big.call.pk]))


def test_an_invited_reviewer_without_an_account_creates_it_from_the_link_declares_then_reads(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = review_assign(
            proposal=world.proposals[0], reviewer_email="New.Person@Example.org", by=world.official
        )
    link = re.search(r"/reviews/invitation/[0-9a-f-]+/", mailoutbox[-1].body).group(0)
    page = client.get(link, follow=True)
    assert page.status_code == 200 and "new.person@example.org" in page.content.decode()
    join = reverse("review_invitation_join", args=[assignment.token])
    short = client.post(join, {"first_name": "Nia", "last_name": "Okafor", "password1": "abc", "password2": "abc"})
    assert short.status_code == 400 and 'value="Nia"' in short.content.decode()
    differ = client.post(
        join, {"first_name": "Nia", "last_name": "Okafor", "password1": "long enough pass 1", "password2": "other"}
    )
    assert differ.status_code == 400
    done = client.post(
        join,
        {
            "first_name": "Nia",
            "last_name": "Okafor",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
        },
    )
    assert done.status_code == 302 and done["Location"] == reverse("review_assignment", args=[assignment.pk])
    assignment.refresh_from_db()
    assert assignment.reviewer.email == "new.person@example.org"
    assert assignment.reviewer.emailaddress_set.get().verified
    declare = client.get(done["Location"])
    assert "conflict" in declare.content.decode().lower()
    assert world.proposals[0].methodology not in declare.content.decode()  # nothing of the proposal before declaring
    client.post(reverse("review_declare", args=[assignment.pk]), {"answer": "no_conflict"})
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.ACCEPTED
    assert world.proposals[0].title in client.get(done["Location"]).content.decode()
    client.logout()  # the link again, now that the account exists: sign in, no second account
    again = client.get(join)
    assert "Sign in" in again.content.decode() and "Create my account" not in again.content.decode()


def test_an_address_with_an_account_is_sent_to_sign_in(client, world):
    fitting_profile("known.person@example.org")
    assignment = review_assign(
        proposal=world.proposals[0], reviewer_email="known.person@example.org", by=world.official
    )
    page = client.get(reverse("review_invitation_join", args=[assignment.token]))
    assert "Create my account" not in page.content.decode()
    assert (
        client.post(
            reverse("review_invitation_join", args=[assignment.token]),
            {
                "first_name": "X",
                "last_name": "Y",
                "password1": "a long pass phrase 42",
                "password2": "a long pass phrase 42",
            },
        ).status_code
        == 200
    )
