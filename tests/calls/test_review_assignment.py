"""Assigning reviewers: conflicts of interest are detected and refused with the reason."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

import pytest

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import Proposal, ReviewAssignment, TeamMember
from calls.services.reviews import review_assign
from profiles.factories import MembershipFactory, OrganisationFactory, ResearcherProfileFactory, UserFactory
from profiles.models import Membership


def person(email, *, affiliation=None, verified=True):
    user = UserFactory(email=email, verified_email=verified)
    ResearcherProfileFactory(user=user, affiliation=affiliation)
    return user


@pytest.fixture
def submitted(open_call, researcher):
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Housing of older tenants")
    submit_for_tests(proposal)
    return proposal


def assign(proposal, email, official, **kwargs):
    return review_assign(proposal=proposal, reviewer_email=email, by=official, **kwargs)


def test_a_fine_reviewer_is_assigned_and_invited_by_email(
    submitted, city, mailoutbox, django_capture_on_commit_callbacks
):
    _org, official = city
    reviewer = person("reviewer@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assignment = assign(submitted, "Reviewer@Example.org", official, due_at=timezone.now() + dt.timedelta(days=10))
    assert assignment.reviewer == reviewer and assignment.status == ReviewAssignment.Status.INVITED
    submitted.refresh_from_db()
    assert submitted.status == Proposal.Status.UNDER_REVIEW
    assert [m.to for m in mailoutbox] == [["reviewer@example.org"]]
    assert f"/reviews/{assignment.pk}/" in mailoutbox[0].body
    assert mailoutbox[0].alternatives  # an HTML version too


def _team_member(proposal, user):
    TeamMember.objects.create(
        proposal=proposal, user=user, email=user.email, name=user.display_name, status=TeamMember.Status.ACCEPTED
    )


def _same_membership(proposal, user):
    org = OrganisationFactory(name="Institute of Social Research")
    for member in (proposal.lead, user):
        MembershipFactory(user=member, organisation=org, status=Membership.Status.APPROVED)


def _same_affiliation(proposal, user):
    org = OrganisationFactory(name="University of Ljubljana")
    for member in (proposal.lead, user):
        profile = member.researcher_profile
        profile.affiliation = org
        profile.save()


def _team_member_organisation(proposal, user):
    org = OrganisationFactory(name="Roma Rights Centre")
    TeamMember.objects.create(
        proposal=proposal,
        email="partner@example.org",
        name="A partner",
        organisation=org,
        status=TeamMember.Status.ACCEPTED,
    )
    MembershipFactory(user=user, organisation=org, status=Membership.Status.APPROVED)


def _invited_by_email(proposal, user):
    TeamMember.objects.create(proposal=proposal, email=user.email.upper(), name="Not yet signed in")


@pytest.mark.parametrize(
    ("make_conflict", "reason"),
    [
        (_team_member, "is on the proposal's team"),
        (_invited_by_email, "is on the proposal's team"),
        (_same_membership, "shares an organisation with the team (Institute of Social Research)"),
        (_same_affiliation, "shares an organisation with the team (University of Ljubljana)"),
        (_team_member_organisation, "shares an organisation with the team (Roma Rights Centre)"),
    ],
    ids=["team member", "invited team member", "same organisation", "same affiliation", "team member's organisation"],
)
def test_conflicted_reviewer_is_refused_with_the_reason(submitted, city, make_conflict, reason, mailoutbox):
    _org, official = city
    reviewer = person("conflicted@example.org")
    make_conflict(submitted, reviewer)
    with pytest.raises(ValidationError) as error:
        assign(submitted, reviewer.email, official)
    assert reason in str(error.value.message_dict["reviewer_email"])
    assert not ReviewAssignment.objects.exists()
    assert mailoutbox == []


def test_lead_cannot_review_their_own_proposal(submitted, city, researcher):
    _org, official = city
    with pytest.raises(ValidationError, match="is on the proposal's team"):
        assign(submitted, researcher.email, official)


def test_unverified_email_is_refused(submitted, city):
    _org, official = city
    person("unverified@example.org", verified=False)
    with pytest.raises(ValidationError, match="verified email address"):
        assign(submitted, "unverified@example.org", official)


def test_unknown_or_inactive_reviewer_is_refused(submitted, city):
    _org, official = city
    inactive = person("gone@example.org")
    inactive.is_active = False
    inactive.save()
    for email in ("nobody@example.org", "gone@example.org"):
        with pytest.raises(ValidationError, match="Ask them to sign up"):
            assign(submitted, email, official)


def test_a_reviewer_cannot_be_assigned_twice(submitted, city):
    _org, official = city
    person("reviewer@example.org")
    assign(submitted, "reviewer@example.org", official)
    with pytest.raises(ValidationError, match="already a reviewer"):
        assign(submitted, "reviewer@example.org", official)


def test_officials_of_the_same_city_may_review(submitted, city, make_city):
    organisation, official = city
    colleague = UserFactory(email="colleague@graz.example.org")
    MembershipFactory(user=colleague, organisation=organisation, status=Membership.Status.APPROVED)
    assert assign(submitted, colleague.email, official).reviewer == colleague


def test_another_citys_official_cannot_assign(submitted, make_city):
    _linz, linz_official = make_city("Linz")
    person("reviewer@example.org")
    with pytest.raises(PermissionDenied):
        assign(submitted, "reviewer@example.org", linz_official)


def test_drafts_cannot_get_reviewers(open_call, city):
    _org, official = city
    draft = ProposalFactory(call=open_call, lead=person("lead@example.org"))
    person("reviewer@example.org")
    # A draft is not visible to the city at all.
    with pytest.raises(PermissionDenied):
        assign(draft, "reviewer@example.org", official)


def test_decided_proposals_cannot_get_reviewers(submitted, city):
    _org, official = city
    Proposal.objects.filter(pk=submitted.pk).update(status=Proposal.Status.DECLINED)
    submitted.refresh_from_db()
    person("reviewer@example.org")
    with pytest.raises(ValidationError, match="not decided"):
        assign(submitted, "reviewer@example.org", official)


def test_sealed_proposal_cannot_get_reviewers_before_the_deadline(city, researcher):
    from calls.factories import make_call
    from profiles.models import CityPage

    organisation, official = city
    call = make_call(city_page=CityPage.objects.get(organisation=organisation), title="Sealed call", sealed=True)
    proposal = ProposalFactory(call=call, lead=researcher)
    submit_for_tests(proposal)
    person("reviewer@example.org")
    with pytest.raises(PermissionDenied):
        assign(proposal, "reviewer@example.org", official)
