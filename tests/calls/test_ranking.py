"""The ranking and the review desk: order by weighted score, visibility, sealed calls and query budgets."""

import pytest

from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.services.reviews import review_assign, review_declare, review_submit
from profiles.models import CityPage
from tests.calls.test_review_assignment import person


def add_proposal(call, official, n, scores_per_review):
    """A submitted proposal with one submitted review per entry of ``scores_per_review``."""
    proposal = ProposalFactory(call=call, lead=person(f"lead{n}@example.org"), title=f"Proposal {n}")
    submit_for_tests(proposal)
    criteria = list(call.criteria.all())
    for r, values in enumerate(scores_per_review):
        reviewer = person(f"reviewer{n}-{r}@example.org")
        assignment = review_assign(proposal=proposal, reviewer_email=reviewer.email, by=official)
        review_declare(assignment=assignment, by=reviewer, has_conflict=False)
        review_submit(
            assignment=assignment,
            by=reviewer,
            scores={c.pk: v for c, v in zip(criteria, values, strict=True)},
            comments="",
        )
    return proposal


def test_ranking_orders_by_weighted_score_and_leaves_not_applicable_out(client, open_call, city):
    _org, official = city
    low = add_proposal(open_call, official, 1, [[1, 1, 1, 1]])
    high = add_proposal(open_call, official, 2, [[5, 5, None, 5], [4, 4, None, 4]])
    unscored = add_proposal(open_call, official, 3, [])
    client.force_login(official)
    content = client.get(f"/calls/{open_call.pk}/ranking/").content.decode()
    assert content.index(high.title) < content.index(low.title) < content.index(unscored.title)
    assert "4.50" in content  # mean of 5 and 4, N/A left out
    assert "2 not applicable" in content
    by_title = client.get(f"/calls/{open_call.pk}/ranking/?sort=title").content.decode()
    assert by_title.index("Proposal 1") < by_title.index("Proposal 2") < by_title.index("Proposal 3")


def test_invited_reviewer_does_not_count_until_they_submit(client, open_call, city):
    _org, official = city
    proposal = add_proposal(open_call, official, 1, [[2, 2, 2, 2]])
    review_assign(proposal=proposal, reviewer_email=person("pending@example.org").email, by=official)
    client.force_login(official)
    content = client.get(f"/calls/{open_call.pk}/manage/").content.decode()
    assert "2.00 / 5" in content and "1 review" in content


@pytest.mark.parametrize("path", ["manage", "ranking", "export.csv"])
def test_only_the_citys_officials_reach_the_review_desk(client, open_call, city, make_city, researcher, path):
    _org, official = city
    proposal = add_proposal(open_call, official, 1, [[3, 3, 3, 3]])
    reviewer = proposal.review_assignments.get().reviewer
    _linz, linz_official = make_city("Linz")
    url = f"/calls/{open_call.pk}/{path}" + ("" if path.endswith(".csv") else "/")
    for user in (researcher, linz_official, reviewer, proposal.lead):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(official)
    assert client.get(url).status_code == 200


def test_sealed_call_shows_only_a_count_before_the_deadline(client, city):
    organisation, official = city
    call = make_call(city_page=CityPage.objects.get(organisation=organisation), title="Sealed call", sealed=True)
    for n in range(2):
        proposal = ProposalFactory(call=call, lead=person(f"sealed{n}@example.org"), title=f"Secret title {n}")
        submit_for_tests(proposal)
    client.force_login(official)
    for path in ("manage", "ranking"):
        content = client.get(f"/calls/{call.pk}/{path}/").content.decode()
        assert "2 proposals received; sealed until the deadline" in content
        assert "Secret title" not in content
    assert "Secret title" not in client.get(f"/calls/{call.pk}/export.csv").content.decode()


def test_assigning_a_team_member_shows_the_conflict_in_the_page(client, open_call, city, researcher):
    _org, official = city
    proposal = add_proposal(open_call, official, 1, [])
    client.force_login(official)
    response = client.post(
        f"/calls/{open_call.pk}/manage/",
        {"proposal": proposal.pk, "action": "assign", f"p{proposal.pk}-reviewer_email": proposal.lead.email},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Conflict of interest" in content and "is on the proposal&#x27;s team" in content
    assert f'value="{proposal.lead.email}"' in content


def test_assigning_a_reviewer_from_the_page(client, open_call, city):
    _org, official = city
    proposal = add_proposal(open_call, official, 1, [])
    reviewer = person("fine.reviewer@example.org")
    client.force_login(official)
    response = client.post(
        f"/calls/{open_call.pk}/manage/",
        {
            "proposal": proposal.pk,
            "action": "assign",
            f"p{proposal.pk}-reviewer_email": reviewer.email,
            f"p{proposal.pk}-due_on": "2099-01-31",
        },
        follow=True,
    )
    assert response.redirect_chain
    assignment = proposal.review_assignments.get()
    assert assignment.reviewer == reviewer and assignment.due_at.year == 2099
    assert f"We will email {reviewer.email} an invitation to review" in response.content.decode()


def _queries_for(client, django_assert_max_num_queries, url, budget):
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("path", ["manage/", "ranking/", "export.csv"])
def test_review_desk_query_count_does_not_grow_with_proposals_and_reviews(
    client, open_call, city, django_assert_max_num_queries, path
):
    _org, official = city
    add_proposal(open_call, official, 1, [[3, 3, 3, 3]])
    client.force_login(official)
    url = f"/calls/{open_call.pk}/{path}"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(2, 6):
        add_proposal(open_call, official, n, [[4, 3, None, 2], [5, 5, 5, 5]])
    _queries_for(client, django_assert_max_num_queries, url, len(few.captured_queries))


def test_forged_proposal_ids_get_404(client, open_call, city, make_city, researcher):
    organisation, official = city
    _linz, _linz_official = make_city("Linz")
    other_call = make_call(city_page=CityPage.objects.get(organisation=organisation), title="Another call")
    elsewhere = ProposalFactory(call=other_call, lead=researcher)
    submit_for_tests(elsewhere)
    client.force_login(official)
    for forged in ("abc", "999999", str(elsewhere.pk), ""):
        response = client.post(
            f"/calls/{open_call.pk}/manage/", {"proposal": forged, "action": "request_info", "message": "x"}
        )
        assert response.status_code == 404, forged
    assert client.get("/calls/999999/manage/").status_code == 404
    response = client.post(f"/calls/{open_call.pk}/ranking/", {"proposals": [elsewhere.pk], "action": "award"})
    assert response.status_code == 400
    elsewhere.refresh_from_db()
    assert elsewhere.status == "submitted"
