"""The reviewer's side: declare conflicts first, then read the latest submitted version and score it."""

import pytest

from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.models import Proposal, ReviewAssignment, ReviewScore
from calls.services.reviews import call_decide, review_assign, review_declare
from profiles.models import CityPage
from tests.calls.test_proposal_services import PDF
from tests.calls.test_review_assignment import person

SUMMARY = "We will map the situation together with the people concerned."


@pytest.fixture
def submitted(open_call, researcher):
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Housing of older tenants")
    submit_for_tests(proposal)
    return proposal


@pytest.fixture
def reviewer(db):
    return person("reviewer@example.org")


@pytest.fixture
def assignment(submitted, city, reviewer):
    return review_assign(proposal=submitted, reviewer_email=reviewer.email, by=city[1])


def url(assignment):
    return f"/reviews/{assignment.pk}/"


def score_data(call, values):
    data = {
        "comments": "Solid design; the participation plan is convincing.",
        "recommendation": "fund",
        "confidence": "4",
    }
    for criterion, value in zip(call.criteria.all(), values, strict=True):
        data[f"criterion_{criterion.pk}"] = value
    return data


def test_before_declaring_the_reviewer_sees_only_the_titles(client, assignment, reviewer):
    client.force_login(reviewer)
    response = client.get(url(assignment))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Housing of older tenants" in content and assignment.proposal.call.title in content
    assert SUMMARY not in content
    assert "I have no conflict of interest" in content


def test_conflict_declared_means_the_proposal_is_never_shown(client, assignment, reviewer):
    client.force_login(reviewer)
    response = client.post(
        f"{url(assignment)}declare/", {"answer": "conflict", "statement": "I supervised the lead's thesis."}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.CONFLICT
    response = client.get(url(assignment))
    assert SUMMARY not in response.content.decode()
    assert "You declared a conflict of interest" in response.content.decode()
    assert client.post(url(assignment), score_data(assignment.proposal.call, ["3"] * 4)).status_code != 302
    assert not ReviewScore.objects.exists()


def test_declaring_a_conflict_needs_a_statement_and_keeps_nothing(client, assignment, reviewer):
    client.force_login(reviewer)
    response = client.post(f"{url(assignment)}declare/", {"answer": "conflict", "statement": "  "})
    assert response.status_code == 400
    assert "Describe the conflict" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.INVITED


def test_no_conflict_shows_the_proposal_and_a_scoring_form(client, assignment, reviewer, researcher):
    client.force_login(reviewer)
    client.post(f"{url(assignment)}declare/", {"answer": "no_conflict"})
    response = client.get(url(assignment))
    content = response.content.decode()
    assert SUMMARY in content
    assert researcher.display_name in content  # not a blind call
    assert "Not applicable" in content and 'value="5"' in content


def test_the_reviewer_downloads_the_attachments_of_the_submitted_version(client, open_call, researcher, city, reviewer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from calls.services import proposals as proposal_services

    proposal = ProposalFactory(call=open_call, lead=researcher, title="Housing of older tenants")
    pdf = PDF
    attachment = proposal_services.attachment_add(
        proposal=proposal, by=researcher, upload=SimpleUploadedFile("workplan.pdf", pdf)
    )
    submit_for_tests(proposal)
    assignment = review_assign(proposal=proposal, reviewer_email=reviewer.email, by=city[1])
    download = f"/proposals/{proposal.pk}/attachments/{attachment.pk}/"
    client.force_login(reviewer)

    assert download not in client.get(url(assignment)).content.decode()  # not before declaring
    assert client.get(download).status_code == 404

    client.post(f"{url(assignment)}declare/", {"answer": "no_conflict"})

    assert download in client.get(url(assignment)).content.decode()
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf


def test_submitting_a_review_records_the_version_and_not_applicable(client, assignment, reviewer):
    client.force_login(reviewer)
    client.post(f"{url(assignment)}declare/", {"answer": "no_conflict"})
    call = assignment.proposal.call
    response = client.post(url(assignment), score_data(call, ["5", "4", "na", "2"]))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.SUBMITTED
    assert assignment.version.number == 1
    scores = dict(assignment.scores.values_list("criterion__sort_order", "score"))
    assert scores == {0: 5, 1: 4, 2: None, 3: 2}


def test_missing_score_is_refused_and_typed_scores_are_kept(client, assignment, reviewer):
    client.force_login(reviewer)
    client.post(f"{url(assignment)}declare/", {"answer": "no_conflict"})
    data = score_data(assignment.proposal.call, ["5", "4", "3", "2"])
    last = [k for k in data if k.startswith("criterion_")][-1]
    del data[last]
    data["comments"] = "Keep this text"
    response = client.post(url(assignment), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Give a score from 0 to 5" in content and "Keep this text" in content
    assert not ReviewScore.objects.exists()


def test_every_update_re_pins_the_version_scored(client, assignment, reviewer, city):
    client.force_login(reviewer)
    client.post(f"{url(assignment)}declare/", {"answer": "no_conflict"})
    call = assignment.proposal.call
    client.post(url(assignment), score_data(call, ["3"] * 4))
    submit_for_tests(assignment.proposal)  # the team submitted a revised version

    client.force_login(city[1])
    manage = client.get(f"/calls/{call.pk}/manage/").content.decode()
    assert "scored v1; v2 submitted since" in manage

    client.force_login(reviewer)
    assert "You scored version 1" in client.get(url(assignment)).content.decode()
    client.post(url(assignment), score_data(call, ["4"] * 4))
    assignment.refresh_from_db()
    assert assignment.version.number == 2
    assert list(assignment.scores.values_list("score", flat=True)) == [4, 4, 4, 4]


def test_reviews_close_once_the_city_decides(client, assignment, reviewer, city):
    client.force_login(reviewer)
    client.post(f"{url(assignment)}declare/", {"answer": "no_conflict"})
    call_decide(call=assignment.proposal.call, by=city[1], decline=[assignment.proposal], message="Thanks.")
    response = client.post(url(assignment), score_data(assignment.proposal.call, ["3"] * 4), follow=True)
    assert "reviews are closed" in response.content.decode()
    assert not ReviewScore.objects.exists()


def test_blind_review_hides_the_teams_names(client, city, researcher):
    organisation, official = city
    call = make_call(city_page=CityPage.objects.get(organisation=organisation), title="Blind call", blind_review=True)
    # A surname that is no word of the page (a random one, "Tran", once matched the footer's "Transparency").
    researcher.first_name, researcher.last_name = "Ysolde", "Qwilleran"
    researcher.save(update_fields=["first_name", "last_name"])
    proposal = ProposalFactory(call=call, lead=researcher, title="Anonymous title")
    submit_for_tests(proposal)
    reviewer = person("blind.reviewer@example.org")
    assignment = review_assign(proposal=proposal, reviewer_email=reviewer.email, by=official)
    client.force_login(reviewer)
    before = client.get(url(assignment)).content.decode()
    assert "Anonymous title" not in before
    review_declare(assignment=assignment, by=reviewer, has_conflict=False)
    content = client.get(url(assignment)).content.decode()
    assert SUMMARY in content
    assert researcher.display_name not in content
    assert researcher.last_name not in content
    assert researcher.email not in content
    assert "Lead applicant" in content


def test_reviewer_of_other_proposal_gets_404(client, assignment, open_call, city):
    other = ProposalFactory(call=open_call, lead=person("other.lead@example.org"))
    submit_for_tests(other)
    other_reviewer = person("other.reviewer@example.org")
    other_assignment = review_assign(proposal=other, reviewer_email=other_reviewer.email, by=city[1])
    review_declare(assignment=other_assignment, by=other_reviewer, has_conflict=False)
    client.force_login(other_reviewer)
    assert client.get(url(assignment)).status_code == 404
    assert client.post(f"{url(assignment)}declare/", {"answer": "no_conflict"}).status_code == 404
    assert client.post(url(assignment), {}).status_code == 404
    assert client.get(url(other_assignment)).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, assignment):
    response = client.get(url(assignment))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_review_list_shows_only_my_assignments(client, assignment, reviewer):
    someone = person("someone@example.org")
    client.force_login(someone)
    assert assignment.proposal.call.title not in client.get("/reviews/").content.decode()
    client.force_login(reviewer)
    assert assignment.proposal.call.title in client.get("/reviews/").content.decode()


def test_request_for_information_reaches_the_team(
    client, submitted, city, researcher, mailoutbox, django_capture_on_commit_callbacks
):
    _org, official = city
    client.force_login(official)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/calls/{submitted.call_id}/manage/",
            {
                "proposal": submitted.pk,
                "action": "request_info",
                f"p{submitted.pk}-info-message": "Add a budget table.",
            },
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Proposal.Status.INFO_REQUESTED and submitted.info_request == "Add a budget table."
    assert [m.to for m in mailoutbox] == [[researcher.email]]
    assert "Add a budget table." in mailoutbox[0].body


def test_empty_information_request_is_refused_in_the_page(client, submitted, city):
    client.force_login(city[1])
    response = client.post(
        f"/calls/{submitted.call_id}/manage/",
        {"proposal": submitted.pk, "action": "request_info", f"p{submitted.pk}-info-message": ""},
    )
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Proposal.Status.SUBMITTED
