"""State changes are atomic: a late or duplicate transition is refused with a message, and the first one stands.

The deterministic tests replay the race one step after the other with an object loaded before the first change
(what a page opened earlier, or a second request that read the row first, holds); the thread races send the POSTs
at once through the test client and run on PostgreSQL only, where requests really overlap.
"""

import datetime as dt

from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

import pytest

from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.models import ConsultationComment, Proposal, ReviewAssignment, TeamMember
from calls.services import proposals as proposal_services
from calls.services.calls import call_cancel, consultation_comment_post
from calls.services.reviews import call_decide, proposal_request_info, review_assign, review_declare
from profiles import services as profile_services
from profiles.factories import OrganisationFactory, ResearcherProfileFactory, UserFactory
from profiles.models import CityPage, Membership, Organisation
from profiles.services import organisation_verify
from projects.factories import PartnershipFactory, add_member
from projects.models import PartnershipMember, Result
from projects.services import results as result_services
from projects.services.takedowns import take_down
from tests.calls.award_helpers import ready_to_award
from tests.concurrency.races import needs_postgresql, race, race_db
from tests.projects.test_results_services import make_result

RACERS = 10


# --- Set-up ------------------------------------------------------------------------------------------------------


@pytest.fixture
def submitted(open_call, researcher):
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Housing of older tenants")
    submit_for_tests(proposal)
    return proposal


@pytest.fixture
def assignment(submitted, city):
    reviewer = UserFactory(email="reviewer@example.org", verified_email=True)
    ResearcherProfileFactory(user=reviewer)
    return review_assign(proposal=submitted, reviewer_email=reviewer.email, by=city[1])


@pytest.fixture
def invitation(open_call, researcher):
    colleague = ResearcherProfileFactory(user__email="colega@example.org").user
    draft = proposal_services.proposal_start(call=open_call, by=researcher, title="Older tenants")
    return proposal_services.team_invite(
        proposal=draft,
        by=researcher,
        email=colleague.email,
        name="Ana Gómez",
        role="co_applicant",
        affiliation="",
        country=None,
        early_career=False,
    )


@pytest.fixture
def request_to_join(university):
    applicant = UserFactory(email="applicant@example.org", first_name="Jo", last_name="Applicant")
    return profile_services.membership_request(user=applicant, organisation=university)


@pytest.fixture
def university_admin(university):
    admin = UserFactory(email="admin@uni.example.org")
    Membership.objects.create(
        user=admin, organisation=university, role=Membership.Role.ADMIN, status=Membership.Status.APPROVED
    )
    return admin


@pytest.fixture
def partnership(city, researcher):
    organisation, official = city
    partnership = PartnershipFactory(
        title="Housing rights monitor Graz", slug="housing-monitor-graz", city=organisation
    )
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH)
    add_member(partnership, official, side=PartnershipMember.Side.CITY, organisation=organisation)
    return partnership


def declare(client, assignment, answer):
    data = {"answer": answer, "statement": "I co-authored with the lead last year." if answer == "conflict" else ""}
    return client.post(f"/reviews/{assignment.pk}/declare/", data)


def decide_membership(client, membership, decision):
    return client.post(
        f"/organisations/{membership.organisation.slug}/members/",
        {"membership": membership.pk, "decision": decision, "role": "member", "status": "requested"},
    )


def told(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Review assignment ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_declaration_from_a_stale_page_is_refused_and_the_first_stands(assignment):
    reviewer = assignment.reviewer
    first, stale = ReviewAssignment.objects.get(pk=assignment.pk), ReviewAssignment.objects.get(pk=assignment.pk)

    review_declare(assignment=first, by=reviewer, has_conflict=True, statement="I co-authored with the lead.")
    with pytest.raises(ValidationError, match="already answered: “Declared a conflict of interest”"):
        review_declare(assignment=stale, by=reviewer, has_conflict=False)

    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.CONFLICT


@pytest.mark.django_db
def test_a_reviewer_answering_twice_is_told_the_first_answer_stands(client, assignment):
    client.force_login(assignment.reviewer)

    declare(client, assignment, "conflict")
    response = declare(client, assignment, "no_conflict")

    assert response.status_code == 302 and response["Location"] == f"/reviews/{assignment.pk}/"
    assert told(response)[-1] == (
        "This review invitation was already answered: “Declared a conflict of interest”. That first answer stands."
    )
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.CONFLICT


# --- Proposal status -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_information_request_from_a_page_loaded_before_the_decision_is_refused(submitted, city, open_call):
    official = city[1]
    stale = Proposal.objects.get(pk=submitted.pk)
    call_decide(call=open_call, by=official, decline=[submitted], message="Many strong proposals this year.")

    with pytest.raises(ValidationError, match="this one is “Declined”"):
        proposal_request_info(proposal=stale, by=official, message="Please add the budget breakdown.")

    submitted.refresh_from_db()
    assert submitted.status == Proposal.Status.DECLINED


@pytest.mark.django_db
def test_a_reviewer_is_not_assigned_from_a_page_loaded_before_the_decision(submitted, city, open_call):
    official = city[1]
    ready_to_award(open_call, [submitted], official=official)
    stale = Proposal.objects.get(pk=submitted.pk)
    call_decide(call=open_call, by=official, award=[submitted], message="Congratulations!")

    with pytest.raises(ValidationError, match="this one is “Awarded”"):
        review_assign(proposal=stale, reviewer_email="late@example.org", by=official)

    submitted.refresh_from_db()
    assert submitted.status == Proposal.Status.AWARDED
    assert not submitted.review_assignments.filter(email="late@example.org").exists()


@pytest.mark.django_db
def test_a_call_cancelled_meanwhile_is_not_awarded(submitted, city, open_call):
    official = city[1]
    stale_call = type(open_call).objects.get(pk=open_call.pk)
    call_cancel(call=open_call, reason="The council withdrew the budget.", by=official)

    with pytest.raises(ValidationError, match="was cancelled"):
        call_decide(call=stale_call, by=official, award=[submitted])

    submitted.refresh_from_db()
    assert submitted.status == Proposal.Status.SUBMITTED


@pytest.mark.django_db
def test_a_comment_moderated_meanwhile_keeps_the_first_decision(client, city, coordinator):
    organisation, official = city
    call = make_call(
        city_page=CityPage.objects.get(organisation=organisation),
        opens_in=dt.timedelta(days=10),
        closes_in=dt.timedelta(days=40),
        consultation_opens_at=timezone.now() - dt.timedelta(days=1),
        consultation_questions="Which neighbourhoods should the study cover?",
    )
    society = organisation_verify(
        organisation=OrganisationFactory(kind=Organisation.Kind.CIVIL_SOCIETY, name="Tenants' union"), by=coordinator
    )
    author = UserFactory()
    Membership.objects.create(user=author, organisation=society, status=Membership.Status.APPROVED)
    comment = consultation_comment_post(call=call, author=author, body="Please include the outer districts.")
    client.force_login(official)
    url = f"/calls/{call.pk}/consultation/{comment.pk}/moderate/"

    client.post(url, {"decision": "publish"})
    response = client.post(url, {"decision": "reject", "reason": "Off topic"})

    assert told(response)[-1] == "This comment was already moderated: it is “Published”."
    comment.refresh_from_db()
    assert comment.status == ConsultationComment.Status.PUBLISHED and comment.moderation_reason == ""


# --- Team invitation ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_decline_after_an_accept_from_a_stale_page_is_refused(invitation):
    colleague = UserFactory._meta.model.objects.get(email="colega@example.org")
    first, stale = TeamMember.objects.get(pk=invitation.pk), TeamMember.objects.get(pk=invitation.pk)

    proposal_services.team_respond(member=first, user=colleague, accept=True)
    with pytest.raises(PermissionDenied, match="already answered this invitation \\(accepted\\)"):
        proposal_services.team_respond(member=stale, user=colleague, accept=False)

    invitation.refresh_from_db()
    assert invitation.status == TeamMember.Status.ACCEPTED and invitation.user == colleague


# --- Organisation membership ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_admin_rejecting_an_approved_request_from_the_old_page_is_told(
    client, request_to_join, university_admin, coordinator
):
    client.force_login(university_admin)
    decide_membership(client, request_to_join, "approve")

    response = decide_membership(client, request_to_join, "reject")

    assert told(response)[-1] == "The membership of Jo Applicant was already decided: it is “Approved”."
    request_to_join.refresh_from_db()
    assert request_to_join.status == Membership.Status.APPROVED


@pytest.mark.django_db
def test_a_rejected_request_cannot_be_approved_from_a_stale_object(request_to_join, university_admin):
    stale = Membership.objects.get(pk=request_to_join.pk)
    profile_services.membership_decide(membership=request_to_join, by=university_admin, approve=False)

    with pytest.raises(ValidationError, match="already rejected; they can ask to join again"):
        profile_services.membership_decide(membership=stale, by=university_admin, approve=True)

    stale.refresh_from_db()
    assert stale.status == Membership.Status.REJECTED


# --- Results and takedowns -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_twice_keeps_the_first_publication(partnership, researcher):
    result = make_result(partnership, researcher)
    stale = Result.objects.get(pk=result.pk)
    result_services.result_publish(result=result, by=researcher)
    published_at = Result.objects.get(pk=result.pk).published_at

    with pytest.raises(PermissionDenied, match="already published"):
        result_services.result_publish(result=stale, by=researcher)

    assert Result.objects.get(pk=result.pk).published_at == published_at


@pytest.mark.django_db
def test_an_edit_from_a_page_opened_before_a_takedown_does_not_undo_it(partnership, researcher, coordinator):
    result = make_result(partnership, researcher, publish=True)
    stale = Result.objects.get(pk=result.pk)
    take_down(obj=result, reason="The report discloses the home addresses of tenants.", by=coordinator)

    with pytest.raises(PermissionDenied, match="taken down"):
        result_services.result_update(
            result=stale, by=researcher, data={"title": "Corrected"}, authors=[], edit_version=stale.edit_version
        )

    assert Result.objects.get(pk=result.pk).status == Result.Status.TAKEN_DOWN


# --- Thread races (PostgreSQL) -------------------------------------------------------------------------------------


def logged_in(user) -> list[Client]:
    clients = []
    for _ in range(RACERS):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


@needs_postgresql
@race_db
def test_ten_simultaneous_declarations_leave_the_first_answer(assignment):
    thanks = {
        "Thank you. The city will assign someone else.": ReviewAssignment.Status.CONFLICT,
        "Thank you. You can now read the proposal and score it.": ReviewAssignment.Status.ACCEPTED,
    }

    responses = race(
        logged_in(assignment.reviewer),
        lambda i, client: declare(client, assignment, "conflict" if i % 2 else "no_conflict"),
    )

    messages = [m for r in responses for m in told(r)]
    winners = [m for m in messages if m in thanks]
    assert len(winners) == 1, messages
    assert sum("That first answer stands." in m for m in messages) == RACERS - 1
    assignment.refresh_from_db()
    assert assignment.status == thanks[winners[0]]


@needs_postgresql
@race_db
def test_ten_simultaneous_invitation_answers_leave_the_first_answer(invitation):
    colleague = UserFactory._meta.model.objects.get(email="colega@example.org")
    url = f"/proposals/invitations/{invitation.token}/"

    responses = race(
        logged_in(colleague), lambda i, client: client.post(url, {"answer": "accept" if i % 2 else "decline"})
    )

    # A request that starts after the first answer committed gets the invitation page itself, saying so (200);
    # one that raced it is redirected back to that page with the same message.
    answered = [r for r in responses if r.status_code == 302 and r["Location"] != url]
    assert len(answered) == 1
    late = [r for r in responses if r.status_code == 200]
    assert all("You already answered this invitation" in r.content.decode() for r in late)
    refused = [m for r in responses if r.status_code == 302 and r["Location"] == url for m in told(r)]
    assert len(refused) + len(late) == RACERS - 1
    assert all("You already answered this invitation" in m for m in refused)
    invitation.refresh_from_db()
    accepted = answered[0]["Location"] == f"/proposals/{invitation.proposal_id}/"
    assert invitation.status == (TeamMember.Status.ACCEPTED if accepted else TeamMember.Status.DECLINED)


@needs_postgresql
@race_db
def test_ten_simultaneous_membership_decisions_leave_the_first_one(request_to_join, university_admin):
    decisions = {
        "Jo Applicant is now a member.": Membership.Status.APPROVED,
        "The request of Jo Applicant was rejected.": Membership.Status.REJECTED,
    }

    responses = race(
        logged_in(university_admin),
        lambda i, client: decide_membership(client, request_to_join, "approve" if i % 2 else "reject"),
    )

    messages = [m for r in responses for m in told(r)]
    winners = [m for m in messages if m in decisions]
    assert len(winners) == 1, messages
    request_to_join.refresh_from_db()
    assert request_to_join.status == decisions[winners[0]]
