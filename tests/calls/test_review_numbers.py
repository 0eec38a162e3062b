"""The review numbers stored on each proposal (calls.review_numbers), which the desk and the ranking sort and filter
on: they follow every event that changes them, equal the ranking rule, are repaired by the command, and two reviews
submitted at the same moment both count."""

from io import StringIO
from statistics import pstdev

from django.core.management import call_command
from django.test import Client

import pytest

from calls import review_numbers
from calls.factories import ProposalFactory, submit_for_tests
from calls.models import Proposal, ReviewScore
from calls.scoring import criterion_stats, weighted_score
from calls.services.desk import review_remove
from calls.services.reviews import review_assign, review_declare, review_submit
from tests.calls.test_review_assignment import person
from tests.concurrency.races import needs_postgresql, race, race_db


def numbers(proposal) -> tuple:
    p = Proposal.objects.get(pk=proposal.pk)
    return p.review_count, p.reviewer_count, p.review_score, p.review_spread


def expected_score(call, reviews: list[list[int | None]]) -> float | None:
    criteria = list(call.criteria.all())
    weights = {c.pk: c.weight for c in criteria}
    stats = [criterion_stats(c.pk, [r[i] for r in reviews]) for i, c in enumerate(criteria)]
    return weighted_score(stats, weights)


@pytest.fixture
def proposal(open_call, researcher):
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Housing of older tenants")
    submit_for_tests(proposal)
    return proposal


def accepted(proposal, official, email):
    assignment = review_assign(proposal=proposal, reviewer_email=person(email).email, by=official)
    return review_declare(assignment=assignment, by=assignment.reviewer, has_conflict=False)


def submit(assignment, values):
    criteria = list(assignment.proposal.call.criteria.all())
    return review_submit(
        assignment=assignment,
        by=assignment.reviewer,
        scores={c.pk: v for c, v in zip(criteria, values, strict=True)},
        comments="Clear questions.",
    )


def test_the_numbers_follow_assignment_declaration_review_and_removal(proposal, city):
    _org, official = city
    call = proposal.call
    width = call.criteria.count()
    assert numbers(proposal) == (0, 0, None, None)

    first = accepted(proposal, official, "first.reviewer@example.org")
    second = review_assign(proposal=proposal, reviewer_email=person("second.reviewer@example.org").email, by=official)
    assert numbers(proposal) == (0, 2, None, None)

    submit(first, [4] * width)
    assert numbers(proposal)[:3] == (1, 2, pytest.approx(4.0))
    assert numbers(proposal)[3] == pytest.approx(0.0)

    # A conflict takes the second reviewer out of the active ones; a third reviewer scores lower.
    review_declare(assignment=second, by=second.reviewer, has_conflict=True, statement="I co-wrote with the lead.")
    third = accepted(proposal, official, "third.reviewer@example.org")
    low = [2, None] + [2] * (width - 2)
    submit(third, low)
    count, active, score, spread = numbers(proposal)
    assert (count, active) == (2, 2)
    assert score == pytest.approx(expected_score(call, [[4] * width, low]))
    # The spread of every score given (not applicable left out).
    assert spread == pytest.approx(pstdev([4] * width + [v for v in low if v is not None]))

    # The third reviewer changes their mind: the numbers follow the new scores, not the old ones.
    submit(third, [5] * width)
    assert numbers(proposal)[2] == pytest.approx(4.5)

    # A review that is only an invitation can be withdrawn by the city.
    pending = review_assign(proposal=proposal, reviewer_email=person("fourth.reviewer@example.org").email, by=official)
    assert numbers(proposal)[1] == 3
    review_remove(assignment=pending, by=official)
    assert numbers(proposal)[:2] == (2, 2)


def test_a_new_weight_or_a_removed_criterion_moves_the_score(proposal, city):
    _org, official = city
    call = proposal.call
    criteria = list(call.criteria.all())
    assert len(criteria) >= 2
    values = [5, 1] + [3] * (len(criteria) - 2)
    submit(accepted(proposal, official, "first.reviewer@example.org"), values)
    before = numbers(proposal)[2]
    assert before == pytest.approx(expected_score(call, [values]))

    criteria[0].weight += 30
    criteria[0].save()
    after = numbers(proposal)[2]
    assert after == pytest.approx(expected_score(call, [values])) and after > before

    criteria[0].delete()
    assert numbers(proposal)[2] == pytest.approx(expected_score(call, [values[1:]]))


def test_the_desk_sorts_and_filters_on_the_stored_numbers(client, proposal, open_call, city, researcher):
    _org, official = city
    width = open_call.criteria.count()
    other = ProposalFactory(call=open_call, lead=person("second.lead@example.org"), title="Water for informal homes")
    submit_for_tests(other)
    submit(accepted(proposal, official, "first.reviewer@example.org"), [2] * width)
    submit(accepted(other, official, "second.reviewer@example.org"), [5] * width)
    client.force_login(official)

    page = client.get(f"/calls/{open_call.pk}/desk/?sort=-score").content.decode()
    assert page.index("Water for informal homes") < page.index("Housing of older tenants")
    page = client.get(f"/calls/{open_call.pk}/desk/?score_min=4").content.decode()
    assert "Water for informal homes" in page and "Housing of older tenants" not in page


def test_the_check_finds_stale_numbers_and_the_command_repairs_them(proposal, city):
    _org, official = city
    width = proposal.call.criteria.count()
    submit(accepted(proposal, official, "first.reviewer@example.org"), [4] * width)
    # A write that bypasses the signals (as a bulk import would): the stored score no longer tells the truth.
    ReviewScore.objects.filter(assignment__proposal=proposal).update(score=1)
    assert review_numbers.stale() == [proposal.pk]

    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("refresh_review_numbers", "--check", stdout=out)
    assert f"1 proposal(s) out of date: {proposal.pk}" in out.getvalue()

    call_command("refresh_review_numbers", stdout=out)
    assert review_numbers.stale() == []
    assert numbers(proposal)[2] == pytest.approx(1.0)
    call_command("refresh_review_numbers", "--check", stdout=out)


@needs_postgresql
@race_db
def test_two_reviews_submitted_at_the_same_moment_both_count(proposal, city):
    _org, official = city
    call = proposal.call
    width = call.criteria.count()
    reviewers = [accepted(proposal, official, f"r{i}.reviewer@example.org") for i in range(4)]
    values = [[i + 1] * width for i in range(4)]

    def send(i, client):
        data = {"comments": "Clear questions.", "recommendation": "fund", "confidence": "3"}
        for criterion, value in zip(call.criteria.all(), values[i], strict=True):
            data[f"criterion_{criterion.pk}"] = value
        return client.post(f"/reviews/{reviewers[i].pk}/", data)

    clients = []
    for assignment in reviewers:
        client = Client()
        client.force_login(assignment.reviewer)
        clients.append(client)
    responses = race(clients, send)

    assert {r.status_code for r in responses} == {302}
    assert numbers(proposal)[:3] == (4, 4, pytest.approx(2.5))
    assert review_numbers.stale() == []
