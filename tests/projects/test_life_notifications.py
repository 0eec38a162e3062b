"""People are told (issue 19 §1, §4): the research team when the city returns (with its comments) or accepts a
report, and a need's poster and endorsers when the city answers it — a row in each one's notification centre and an
email per their preference, sent once the change commits, once per change, never to whoever made it."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

import pytest

from profiles.factories import MembershipFactory, OrganisationFactory, UserFactory
from profiles.models import Membership, Notification, Organisation
from projects.factories import add_member
from projects.models import PartnershipMember
from projects.services import lifecycle
from projects.services import needs as need_services

COMMENT = "Add the risks of the second survey wave, please."
ANSWER = "The budget for 2026 is allocated; we will reconsider it next spring."


def notified(kind: str) -> dict[str, str]:
    """Who got a notification of this kind: email address → the state of its email."""
    return dict(Notification.objects.filter(kind=kind).values_list("user__email", "email"))


# --- Reports ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def team(partnership, researcher, official):
    """The research side as notify sees it: one instant, one daily, one "never" reader and an inactive account; a
    partner organisation's member and someone outside (neither is told)."""
    people = {"instant": researcher}
    for preference in ("daily", "none"):
        user = UserFactory(email=f"{preference}@example.org", notification_email=preference)
        add_member(partnership, user, side=PartnershipMember.Side.RESEARCH)
        people[preference] = user
    people["inactive"] = UserFactory(email="inactive@example.org", is_active=False)
    add_member(partnership, people["inactive"], side=PartnershipMember.Side.RESEARCH)
    people["partner"] = UserFactory(email="partner@example.org")
    add_member(partnership, people["partner"], side=PartnershipMember.Side.PARTNER)
    people["outsider"] = UserFactory(email="nobody@example.org")
    return people


@pytest.fixture
def submitted(partnership, researcher, official):
    report = lifecycle.report_schedule(
        partnership=partnership, by=official, kind="progress", due_date=timezone.localdate() + dt.timedelta(days=3)
    )
    return submit(report, researcher)


def submit(report, researcher):
    report.refresh_from_db()
    return lifecycle.report_save(
        report=report,
        by=researcher,
        fields={"work_done": "Forty interviews in Lend."},
        edit_version=report.edit_version,
        submit=True,
    )


TEAM_TOLD = {"researcher@example.org": "sent", "daily@example.org": "pending", "none@example.org": "none"}


def test_returning_a_report_tells_the_research_team_with_the_comment(
    partnership, submitted, official, team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lifecycle.report_review(report=submitted, by=official, accept=False, comment=COMMENT)
    assert callbacks, "the emails wait for the commit"
    assert notified("report_returned") == TEAM_TOLD  # not the city, the partner, the outsider or the inactive
    note = Notification.objects.get(kind="report_returned", user=team["instant"])
    assert COMMENT in note.message and submitted.title in note.message and partnership.title in note.message
    assert note.url == reverse("life_report", args=[partnership.slug, submitted.pk])
    assert [m.to for m in mailoutbox] == [["researcher@example.org"]]  # instant only; daily waits for the digest
    assert COMMENT in mailoutbox[0].body and note.url in mailoutbox[0].body


def test_accepting_tells_the_team_once_and_a_refused_second_review_tells_nobody(
    partnership, submitted, official, researcher, team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.report_review(report=submitted, by=official, accept=True)
    assert notified("report_accepted") == TEAM_TOLD
    note = Notification.objects.get(kind="report_accepted", user=researcher)
    assert submitted.title in note.message and "accepted" in note.message
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(lifecycle.Conflict):
        # a second official's page still offered the review: nothing changes, nobody is told again
        lifecycle.report_review(report=submitted, by=official, accept=False, comment=COMMENT)
    assert Notification.objects.filter(kind__startswith="report_").count() == 3
    assert len(mailoutbox) == 1


def test_each_transition_is_told_once_a_return_then_an_acceptance(
    partnership, submitted, official, researcher, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.report_review(report=submitted, by=official, accept=False, comment=COMMENT)
    submit(submitted, researcher)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.report_review(report=submitted, by=official, accept=True)
    kinds = list(Notification.objects.filter(user=researcher).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["report_returned", "report_accepted"]
    assert not Notification.objects.filter(user=official).exists()


def test_the_reviewer_is_never_told_of_their_own_review(
    partnership, submitted, city, researcher, django_capture_on_commit_callbacks
):
    """An official of the city who also works on the research side reviews: the rest of the team is told, not them."""
    colleague = UserFactory(email="colleague@example.org", account_type="organisation")
    MembershipFactory(user=colleague, organisation=city[0], status=Membership.Status.APPROVED)
    add_member(partnership, colleague, side=PartnershipMember.Side.RESEARCH)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.report_review(report=submitted, by=colleague, accept=True)
    assert notified("report_accepted") == {"researcher@example.org": "sent"}


def test_returning_through_the_page_tells_the_team(
    client, partnership, submitted, official, researcher, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(official)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("life_report_review", args=[partnership.slug, submitted.pk]),
            {"decision": "return", "comment": COMMENT},
        )
    assert response.status_code == 302
    assert notified("report_returned") == {"researcher@example.org": "sent"}
    client.force_login(researcher)
    assert COMMENT in client.get(reverse("notifications")).content.decode()
    note = Notification.objects.get(user=researcher)
    opened = client.post(reverse("notification_read"), {"notification": note.pk, "open": "1"})
    assert opened.status_code == 302 and opened["Location"] == reverse(
        "life_report", args=[partnership.slug, submitted.pk]
    )
    assert client.get(opened["Location"]).status_code == 200  # the team member reads the city's comments there


def test_a_refused_return_without_comment_tells_nobody(
    partnership, submitted, official, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        lifecycle.report_review(report=submitted, by=official, accept=False, comment="  ")
    assert not Notification.objects.exists()


# --- Research needs --------------------------------------------------------------------------------------------------


@pytest.fixture
def poster(db):
    cso = OrganisationFactory(name="Tenants Union Graz", kind=Organisation.Kind.CIVIL_SOCIETY)
    user = UserFactory(email="poster@tenants.example.org")
    MembershipFactory(user=user, organisation=cso)
    return user


@pytest.fixture
def need(city, poster):
    return need_services.need_create(
        by=poster,
        city=city[0],
        title="Evictions of older tenants in Gries",
        situation="Older tenants in the Gries district are being evicted after rent increases.",
        missing_evidence="How many older tenants were evicted since 2020, and where they went.",
    )


@pytest.fixture
def crowd(need):
    """Endorsers (instant, daily, one who later closed their account, one who withdrew) and a commenter."""
    people = {}
    for name, preference in (("endorser", "instant"), ("daily", "daily"), ("inactive", "instant"), ("gone", "instant")):
        people[name] = UserFactory(email=f"{name}@example.org", notification_email=preference)
        need_services.need_endorse(need=need, by=people[name])
    people["inactive"].is_active = False
    people["inactive"].save()
    need_services.need_withdraw_endorsement(need=need, by=people["gone"])
    people["commenter"] = UserFactory(email="commenter@example.org")
    need_services.comment_add(need=need, by=people["commenter"], body="We see the same in Lend.")
    return people


NEED_TOLD = {"poster@tenants.example.org": "sent", "endorser@example.org": "sent", "daily@example.org": "pending"}


def test_an_answer_tells_the_poster_and_the_endorsers(
    need, city, crowd, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        need_services.need_answer(need=need, by=city[1], status="not_now", answer=ANSWER, seen_status="open")
    assert notified("need_answered") == NEED_TOLD  # not the official, the commenter, the inactive or the withdrawn
    note = Notification.objects.get(kind="need_answered", user__email="poster@tenants.example.org")
    assert need.title in note.message and "Not now" in note.message and city[0].name in note.message
    assert note.url == need.get_absolute_url()
    assert sorted(m.to[0] for m in mailoutbox) == ["endorser@example.org", "poster@tenants.example.org"]


def test_an_answer_refused_as_a_conflict_tells_nobody_again(need, city, crowd, django_capture_on_commit_callbacks):
    official = city[1]
    with django_capture_on_commit_callbacks(execute=True):
        need_services.need_answer(need=need, by=official, status="not_now", answer=ANSWER, seen_status="open")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(need_services.AnswerConflict):
        need_services.need_answer(
            need=need, by=official, status="accepted", answer="We will put it in the next call.", seen_status="open"
        )
    assert Notification.objects.filter(kind="need_answered").count() == len(NEED_TOLD)


def test_the_official_who_answers_is_not_told_even_as_an_endorser(need, city, django_capture_on_commit_callbacks):
    official = city[1]
    need_services.need_endorse(need=need, by=official)
    with django_capture_on_commit_callbacks(execute=True):
        need_services.need_answer(need=need, by=official, status="not_now", answer=ANSWER, seen_status="open")
    assert notified("need_answered") == {"poster@tenants.example.org": "sent"}


def test_turning_an_open_need_into_a_call_is_an_answer_told_once(need, city, crowd, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        need_services.need_to_call(need=need, by=city[1])
        need_services.need_to_call(need=need, by=city[1])  # a double click: the same call, nobody told again
    assert notified("need_answered") == NEED_TOLD
    assert "Accepted for a call" in Notification.objects.filter(kind="need_answered").first().message


def test_answering_through_the_page_tells_the_poster(client, need, city, django_capture_on_commit_callbacks):
    client.force_login(city[1])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("need_answer", args=[need.pk]), {"status": "not_now", "answer": ANSWER, "seen_status": "open"}
        )
    assert response.status_code == 302
    assert notified("need_answered") == {"poster@tenants.example.org": "sent"}
