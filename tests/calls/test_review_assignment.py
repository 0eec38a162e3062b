"""Assigning reviewers by email: the same answer whether or not the address has an account; conflicts of interest
are refused (the team's addresses) or must be declared by the reviewer (a shared organisation)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

import pytest

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import Proposal, ReviewAssignment, TeamMember
from calls.services.reviews import review_assign, review_declare
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


@pytest.mark.parametrize("make_conflict", [_team_member, _invited_by_email], ids=["team member", "invited team member"])
def test_an_address_on_the_team_is_refused(submitted, city, make_conflict, mailoutbox):
    """The team's addresses are part of the proposal the city reads: refusing them tells nothing about accounts."""
    _org, official = city
    reviewer = person("conflicted@example.org")
    make_conflict(submitted, reviewer)
    with pytest.raises(ValidationError) as error:
        assign(submitted, reviewer.email, official)
    assert "is on the proposal's team" in str(error.value.message_dict["reviewer_email"])
    assert not ReviewAssignment.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    "make_conflict",
    [_same_membership, _same_affiliation, _team_member_organisation],
    ids=["same organisation", "same affiliation", "team member's organisation"],
)
def test_a_shared_organisation_is_a_conflict_the_reviewer_cannot_declare_away(submitted, city, make_conflict):
    """The city is not told (it would learn the reviewer's account and hidden affiliation); the reviewer must
    declare the conflict before seeing anything."""
    _org, official = city
    reviewer = person("conflicted@example.org")
    make_conflict(submitted, reviewer)
    assignment = assign(submitted, reviewer.email, official)
    with pytest.raises(ValidationError, match="You share an organisation with the proposal's team"):
        review_declare(assignment=assignment, by=reviewer, has_conflict=False)
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.INVITED
    review_declare(assignment=assignment, by=reviewer, has_conflict=True, statement="We work together.")
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.CONFLICT


def test_lead_cannot_review_their_own_proposal(submitted, city, researcher):
    _org, official = city
    with pytest.raises(ValidationError, match="is on the proposal's team"):
        assign(submitted, researcher.email, official)


@pytest.mark.parametrize("email", ["unverified@example.org", "nobody@example.org", "gone@example.org"])
def test_an_address_without_a_verified_account_is_invited_to_sign_up(
    submitted, city, email, mailoutbox, django_capture_on_commit_callbacks
):
    _org, official = city
    person("unverified@example.org", verified=False)
    inactive = person("gone@example.org")
    inactive.is_active = False
    inactive.save()
    with django_capture_on_commit_callbacks(execute=True):
        assignment = assign(submitted, email, official)
    assert assignment.reviewer is None and assignment.email == email
    assert [m.to for m in mailoutbox] == [[email]]
    assert "Sign up on Bridges with" in mailoutbox[0].body
    assert f"/reviews/invitation/{assignment.token}/" in mailoutbox[0].body


def test_the_owner_of_the_address_takes_up_the_invitation_after_signing_up(submitted, city, client):
    _org, official = city
    assignment = assign(submitted, "newcomer@example.org", official)
    stranger = person("stranger@example.org")
    client.force_login(stranger)
    url = f"/reviews/invitation/{assignment.token}/"
    assert client.post(url).status_code == 403
    newcomer = person("newcomer@example.org")
    client.force_login(newcomer)
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == f"/reviews/{assignment.pk}/"
    assignment.refresh_from_db()
    assert assignment.reviewer == newcomer
    review_declare(assignment=assignment, by=newcomer, has_conflict=False)


def test_a_reviewer_cannot_be_assigned_twice(submitted, city):
    _org, official = city
    person("reviewer@example.org")
    assign(submitted, "reviewer@example.org", official)
    with pytest.raises(ValidationError, match="already invited"):
        assign(submitted, "Reviewer@example.org", official)


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
