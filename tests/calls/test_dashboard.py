"""Dashboard panels: researchers see their proposals, invitations and reviews; officials their city's calls."""

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import TeamMember
from calls.services.reviews import review_assign
from tests.calls.test_review_assignment import person


def dashboard(client, user):
    client.force_login(user)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


def test_researcher_sees_proposals_invitations_and_reviews_to_do(client, open_call, city, researcher):
    _org, official = city
    mine = ProposalFactory(call=open_call, lead=researcher, title="My draft")
    other = ProposalFactory(call=open_call, lead=person("other@example.org"), title="Their proposal")
    TeamMember.objects.create(proposal=other, email=researcher.email.upper(), name="Me")
    to_review = ProposalFactory(call=open_call, lead=person("third@example.org"), title="To review")
    submit_for_tests(to_review)
    review_assign(proposal=to_review, reviewer_email=researcher.email, by=official)

    content = dashboard(client, researcher)
    assert "Your proposals" in content and mine.title in content and "Draft" in content
    assert "1 team invitation" in content and "invites you to join “Their proposal”" in content
    assert "1 review to do" in content and open_call.title in content
    assert "Your city's calls" not in content


def test_accepted_co_applicant_sees_the_proposal(client, open_call, researcher):
    proposal = ProposalFactory(call=open_call, lead=person("lead@example.org"), title="Shared work")
    TeamMember.objects.create(
        proposal=proposal, user=researcher, email=researcher.email, name="Me", status=TeamMember.Status.ACCEPTED
    )
    assert "Shared work" in dashboard(client, researcher)


def test_people_with_nothing_to_do_see_no_panels(client, open_call):
    content = dashboard(client, person("newcomer@example.org"))
    assert "Your proposals" not in content and "reviews to do" not in content and "Your city" not in content


def test_official_sees_calls_with_counts_and_pending_reviews(client, open_call, city, make_city):
    _org, official = city
    for n in range(3):
        proposal = ProposalFactory(call=open_call, lead=person(f"lead{n}@example.org"))
        submit_for_tests(proposal)
    ProposalFactory(call=open_call, lead=person("drafter@example.org"))
    review_assign(proposal=proposal, reviewer_email=person("rev@example.org").email, by=official)
    content = dashboard(client, official)
    assert "Your city's calls" in content and open_call.title in content
    assert "3 proposals received" in content
    assert "Submitted: 2" in content and "Under review: 1" in content
    assert "1 review pending" in content
    assert f"/calls/{open_call.pk}/manage/" in content and f"/calls/{open_call.pk}/ranking/" in content

    _linz, linz_official = make_city("Linz")
    other = dashboard(client, linz_official)
    assert "Your city's calls" in other and open_call.title not in other


def test_official_panel_query_count_is_constant(client, open_call, city, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from calls.dashboard import official_context

    _org, official = city
    with CaptureQueriesContext(connection) as few:
        official_context(official)
    for n in range(4):
        proposal = ProposalFactory(call=open_call, lead=person(f"lead{n}@example.org"))
        submit_for_tests(proposal)
    with django_assert_max_num_queries(len(few.captured_queries)):
        official_context(official)
