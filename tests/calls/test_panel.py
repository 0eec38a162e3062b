"""The panel and the staff's tools (issue 18 §4–5): recommendations, meta-reviews by the chair, reviewers reading
each other's reviews, screening, flags, the dashboard's task list — bad input, permissions and query counts."""

from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

import pytest

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import MetaReview, PanelChair, Proposal, ProposalFlag, ResearchCall, ReviewAssignment
from calls.services import panel
from calls.services.reviews import review_assign, review_declare, review_submit
from hub.versioning import StaleEdit
from tests.calls.test_review_assignment import person
from tests.concurrency.races import needs_postgresql, race, race_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def reviewed(call, official, n: int, reviews: list[tuple[int, str, int]], *, lead=None):
    """A submitted proposal with one submitted review per (score, recommendation, confidence)."""
    proposal = ProposalFactory(call=call, lead=lead or person(f"lead{n}@example.org"), title=f"Proposal {n}")
    submit_for_tests(proposal)
    for r, (score, recommendation, confidence) in enumerate(reviews):
        reviewer = person(f"reviewer{n}-{r}@example.org")
        assignment = review_assign(proposal=proposal, reviewer_email=reviewer.email, by=official)
        review_declare(assignment=assignment, by=reviewer, has_conflict=False)
        review_submit(
            assignment=assignment,
            by=reviewer,
            scores={c.pk: score for c in call.criteria.all()},
            comments=f"Comments of reviewer {n}-{r}.",
            recommendation=recommendation,
            confidence=confidence,
        )
    return proposal


def accepted(proposal, official, email):
    reviewer = person(email)
    assignment = review_assign(proposal=proposal, reviewer_email=email, by=official)
    review_declare(assignment=assignment, by=reviewer, has_conflict=False)
    assignment.refresh_from_db()
    return reviewer, assignment


def score_post(call, **extra):
    data = {f"criterion_{c.pk}": "4" for c in call.criteria.all()}
    data.update({"comments": "Solid methods.", "recommendation": "fund", "confidence": "4"})
    data.update(extra)
    return data


# --- recommendation and confidence -------------------------------------------------------------------------------


def test_a_review_keeps_its_recommendation_and_confidence(client, open_call, city):
    _org, official = city
    proposal = reviewed(open_call, official, 1, [])
    reviewer, assignment = accepted(proposal, official, "rev@example.org")
    client.force_login(reviewer)
    response = client.post(f"/reviews/{assignment.pk}/", score_post(open_call, recommendation="fund_with_changes"))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.recommendation, assignment.confidence, assignment.status) == (
        "fund_with_changes",
        4,
        "submitted",
    )
    page = client.get(f"/reviews/{assignment.pk}/").content.decode()
    assert 'value="fund_with_changes" checked' in page.replace("\n", " ") or "fund_with_changes" in page


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"recommendation": ""}, "recommendation"),
        ({"recommendation": "maybe"}, "recommendation"),
        ({"confidence": ""}, "confidence"),
        ({"confidence": "9"}, "confidence"),
        ({"confidence": "<script>"}, "confidence"),
    ],
)
def test_a_review_without_a_valid_recommendation_or_confidence_is_refused_and_keeps_the_text(
    client, open_call, city, extra, field
):
    _org, official = city
    proposal = reviewed(open_call, official, 1, [])
    reviewer, assignment = accepted(proposal, official, "rev@example.org")
    client.force_login(reviewer)
    response = client.post(f"/reviews/{assignment.pk}/", score_post(open_call, comments="My typed comment", **extra))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "My typed comment" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.ACCEPTED and not assignment.recommendation


def test_the_service_refuses_unknown_recommendations_and_confidences(open_call, city):
    _org, official = city
    proposal = reviewed(open_call, official, 1, [])
    reviewer, assignment = accepted(proposal, official, "rev@example.org")
    scores = {c.pk: 3 for c in open_call.criteria.all()}
    with pytest.raises(ValidationError):
        review_submit(assignment=assignment, by=reviewer, scores=scores, comments="", recommendation="yes please")
    with pytest.raises(ValidationError):
        review_submit(assignment=assignment, by=reviewer, scores=scores, comments="", confidence=0)


# --- reviewers see each other's reviews ---------------------------------------------------------------------------


def test_reviewers_see_the_other_reviews_only_after_their_own_and_only_if_the_call_allows(client, open_call, city):
    _org, official = city
    proposal = reviewed(open_call, official, 1, [(2, "do_not_fund", 5)])
    reviewer, assignment = accepted(proposal, official, "second@example.org")
    client.force_login(reviewer)
    # The call does not allow it: never, even after submitting.
    page = client.get(f"/reviews/{assignment.pk}/").content.decode()
    assert "Comments of reviewer 1-0." not in page
    ResearchCall.objects.filter(pk=open_call.pk).update(reviewers_see_reviews=True)
    # Allowed, but not before the reviewer's own review is in.
    page = client.get(f"/reviews/{assignment.pk}/").content.decode()
    assert "Comments of reviewer 1-0." not in page and "The other reviews" not in page
    client.post(f"/reviews/{assignment.pk}/", score_post(open_call))
    page = client.get(f"/reviews/{assignment.pk}/").content.decode()
    assert "The other reviews of this proposal" in page
    assert "Comments of reviewer 1-0." in page and "Do not fund" in page
    # Never the other reviewer's name or address, and not the reader's own review among "the others".
    other = proposal.review_assignments.exclude(pk=assignment.pk).get().reviewer
    assert other.email not in page and other.display_name not in page
    assert page.count("Solid methods.") == 1  # in the reader's own form only


# --- chairs and meta-reviews ---------------------------------------------------------------------------------------


@pytest.fixture
def panel_setup(open_call, city):
    _org, official = city
    proposal = reviewed(open_call, official, 1, [(4, "fund", 4), (2, "fund_with_changes", 2)])
    chair = proposal.review_assignments.order_by("pk").first().reviewer
    return proposal, official, chair


def test_the_city_makes_a_reviewer_chair_and_the_chair_writes_the_meta_review(client, panel_setup, open_call):
    proposal, official, chair = panel_setup
    client.force_login(official)
    response = client.post(f"/calls/{open_call.pk}/panel/", {"action": "appoint", "reviewer": chair.pk})
    assert response.status_code == 302
    assert PanelChair.objects.filter(call=open_call, user=chair).exists()
    # A second click answers with the existing chair.
    client.post(f"/calls/{open_call.pk}/panel/", {"action": "appoint", "reviewer": chair.pk})
    assert PanelChair.objects.filter(call=open_call).count() == 1

    client.force_login(chair)
    assert "Panels you chair" in client.get("/reviews/").content.decode()
    page = client.get(f"/proposals/{proposal.pk}/meta-review/").content.decode()
    assert "Reviewer A" in page and "Reviewer B" in page and "Fund with changes" in page
    assert proposal.lead.email not in page  # the chair sees the reviews, not the team
    response = client.post(
        f"/proposals/{proposal.pk}/meta-review/", {"summary": "Both value the method.", "recommendation": "fund"}
    )
    assert response.status_code == 302
    meta = MetaReview.objects.get(proposal=proposal)
    assert (meta.author, meta.recommendation, meta.edit_version) == (chair, "fund", 1)

    # The city reads it on the proposal page and in the ranking, beside the scores.
    client.force_login(official)
    detail = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Both value the method." in detail and "The panel recommends: Fund" in detail
    ranking = client.get(f"/calls/{open_call.pk}/ranking/").content.decode()
    assert "Fund: 1 review" in ranking and "Fund with changes: 1 review" in ranking and "Panel: Fund" in ranking


def test_a_non_reviewer_cannot_be_made_chair(client, panel_setup, open_call, researcher):
    _proposal, official, _chair = panel_setup
    client.force_login(official)
    response = client.post(f"/calls/{open_call.pk}/panel/", {"action": "appoint", "reviewer": researcher.pk})
    assert response.status_code == 400
    assert "Only a reviewer of this call" in response.content.decode()
    with pytest.raises(ValidationError):
        panel.chair_appoint(call=open_call, user=researcher, by=official)
    assert not PanelChair.objects.exists()


@pytest.mark.parametrize("data", [{"summary": "", "recommendation": "fund"}, {"summary": "x" * 10001}])
def test_a_meta_review_with_bad_input_is_refused_and_keeps_what_was_typed(client, panel_setup, data):
    proposal, official, _chair = panel_setup
    client.force_login(official)
    response = client.post(f"/proposals/{proposal.pk}/meta-review/", data)
    assert response.status_code == 400
    assert response.context["form"].errors
    if data["summary"]:
        assert "x" * 100 in response.content.decode()
    assert not MetaReview.objects.exists()


def test_two_chairs_saving_from_the_same_version_see_the_conflict(client, panel_setup, open_call):
    proposal, official, chair = panel_setup
    PanelChair.objects.create(call=open_call, user=chair, appointed_by=official)
    meta = panel.meta_review_save(
        proposal=proposal, by=chair, summary="First.", recommendation="fund", edit_version=None
    )
    panel.meta_review_save(proposal=proposal, by=chair, summary="Second.", recommendation="fund", edit_version=1)
    client.force_login(official)
    response = client.post(
        f"/proposals/{proposal.pk}/meta-review/",
        {"summary": "Mine, from the old page.", "recommendation": "do_not_fund", "edit_version": "1"},
    )
    assert response.status_code == 409
    assert "Mine, from the old page." in response.content.decode() and "Second." in response.content.decode()
    meta.refresh_from_db()
    assert meta.summary == "Second."
    # A first meta-review posted while another chair's first one landed: the conflict, not a 500.
    with pytest.raises(StaleEdit):
        panel.meta_review_save(proposal=proposal, by=official, summary="x", recommendation="fund", edit_version=None)


def test_no_meta_review_before_any_review(client, open_call, city):
    _org, official = city
    proposal = reviewed(open_call, official, 1, [])
    client.force_login(official)
    response = client.post(
        f"/proposals/{proposal.pk}/meta-review/", {"summary": "Too early.", "recommendation": "fund"}
    )
    assert response.status_code == 400
    assert "No review of this proposal is in yet" in response.content.decode()
    assert not MetaReview.objects.exists()


def test_who_reaches_the_meta_review_and_the_panel(client, panel_setup, open_call, make_city, researcher):
    proposal, official, chair = panel_setup
    _linz, foreign = make_city("Linz")
    other_call_reviewer = person("elsewhere@example.org")
    other_proposal = reviewed(open_call, official, 2, [])
    _r, _a = accepted(other_proposal, official, other_call_reviewer.email)
    urls = [f"/proposals/{proposal.pk}/meta-review/", f"/calls/{open_call.pk}/panel/"]
    # A reviewer who is not chair (even of this proposal), a foreign official, the team, an outsider: 404.
    for user in (chair, foreign, proposal.lead, researcher, other_call_reviewer):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(urls[0], {"summary": "Mine", "recommendation": "fund"}).status_code == 404
    with pytest.raises(PermissionDenied):
        panel.meta_review_save(proposal=proposal, by=foreign, summary="x", recommendation="fund", edit_version=None)
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 302
    # A chair of this call may not appoint chairs.
    PanelChair.objects.create(call=open_call, user=chair, appointed_by=official)
    client.force_login(chair)
    assert client.get(urls[1]).status_code == 200
    assert client.post(urls[1], {"action": "appoint", "reviewer": chair.pk}).status_code == 403
    assert not MetaReview.objects.exists()


# --- screening ----------------------------------------------------------------------------------------------------


@pytest.fixture
def submitted(open_call, researcher):
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Housing of older tenants")
    submit_for_tests(proposal)
    return proposal


def test_ineligible_with_a_reason_declines_tells_the_team_and_keeps_it_out_of_review(
    client, submitted, city, commit, mailoutbox
):
    _org, official = city
    client.force_login(official)
    response = client.post(f"/proposals/{submitted.pk}/screen/", {"decision": "ineligible", "reason": ""})
    assert response.status_code == 400 and "Say why the proposal is ineligible" in response.content.decode()
    with commit():
        response = client.post(
            f"/proposals/{submitted.pk}/screen/", {"decision": "ineligible", "reason": "The budget exceeds the cap."}
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.screening, submitted.status, submitted.screened_by) == ("ineligible", "declined", official)
    assert submitted.outcome_message == "The budget exceeds the cap."
    assert [m.to for m in mailoutbox] == [[submitted.lead.email]]
    assert "The budget exceeds the cap." in mailoutbox[0].body
    with pytest.raises(ValidationError):
        review_assign(proposal=submitted, reviewer_email="late@example.org", by=official)


def test_a_second_screening_is_told_the_first_stands(client, submitted, city):
    _org, official = city
    stale = Proposal.objects.get(pk=submitted.pk)
    panel.proposal_screen(proposal=submitted, by=official, eligible=True)
    with pytest.raises(ValidationError) as error:
        panel.proposal_screen(proposal=stale, by=official, eligible=False, reason="Late click")
    assert error.value.code == "already_screened"
    client.force_login(official)
    response = client.post(f"/proposals/{submitted.pk}/screen/", {"decision": "ineligible", "reason": "Again"})
    assert response.status_code == 302
    assert "already screened" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    submitted.refresh_from_db()
    assert (submitted.screening, submitted.status) == ("eligible", "submitted")


def test_screening_a_decided_proposal_is_refused(submitted, city):
    _org, official = city
    Proposal.objects.filter(pk=submitted.pk).update(status=Proposal.Status.AWARDED)
    with pytest.raises(ValidationError, match="Only submitted proposals"):
        panel.proposal_screen(proposal=submitted, by=official, eligible=True)


def test_only_the_citys_officials_screen(client, submitted, city, make_city):
    _org, official = city
    _linz, foreign = make_city("Linz")
    reviewer, _assignment = accepted(submitted, official, "rev@example.org")
    for user in (foreign, submitted.lead, reviewer):
        client.force_login(user)
        response = client.post(f"/proposals/{submitted.pk}/screen/", {"decision": "eligible"})
        assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        panel.proposal_screen(proposal=submitted, by=reviewer, eligible=True)
    client.logout()
    assert client.post(f"/proposals/{submitted.pk}/screen/", {"decision": "eligible"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.screening == "pending"


def test_oversized_reason_is_refused_and_kept(client, submitted, city):
    _org, official = city
    client.force_login(official)
    response = client.post(f"/proposals/{submitted.pk}/screen/", {"decision": "ineligible", "reason": "y" * 4001})
    assert response.status_code == 400 and "y" * 100 in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.screening == "pending"


# --- flags --------------------------------------------------------------------------------------------------------


def test_private_and_shared_flags(client, submitted, city, make_city):
    org, official = city
    colleague = person("colleague@example.org")
    from profiles.factories import MembershipFactory
    from profiles.models import Membership

    MembershipFactory(user=colleague, organisation=org, status=Membership.Status.APPROVED)
    client.force_login(official)
    client.post(f"/proposals/{submitted.pk}/flags/", {"label": "budget check", "note": "Ask about travel."})
    client.post(f"/proposals/{submitted.pk}/flags/", {"label": "ethics", "note": "Consent forms.", "shared": "on"})
    assert ProposalFlag.objects.count() == 2
    # A double click: a message, no second flag.
    response = client.post(f"/proposals/{submitted.pk}/flags/", {"label": "ethics"})
    assert response.status_code == 400 and "You already flagged" in response.content.decode()
    assert ProposalFlag.objects.count() == 2

    client.force_login(colleague)
    page = client.get(f"/proposals/{submitted.pk}/").content.decode()
    assert "Consent forms." in page and "Ask about travel." not in page
    # The desk filters by a flag the user sees; a private flag of someone else filters nothing.
    assert submitted.title in client.get("/desk/?flag=ethics&cols=flags").content.decode()
    assert submitted.title not in client.get("/desk/?flag=budget+check").content.decode()
    # Only the owner removes a flag.
    shared = ProposalFlag.objects.get(label="ethics")
    client.post(f"/proposals/{submitted.pk}/flags/{shared.pk}/remove/")
    assert ProposalFlag.objects.filter(pk=shared.pk).exists()
    client.force_login(official)
    client.post(f"/proposals/{submitted.pk}/flags/{shared.pk}/remove/")
    assert not ProposalFlag.objects.filter(pk=shared.pk).exists()


@pytest.mark.parametrize("data", [{"label": ""}, {"label": "z" * 61}, {"label": "ok", "note": "n" * 2001}])
def test_flags_with_bad_input_are_refused(client, submitted, city, data):
    _org, official = city
    client.force_login(official)
    response = client.post(f"/proposals/{submitted.pk}/flags/", data)
    assert response.status_code == 400 and response.context["form"].errors
    assert not ProposalFlag.objects.exists()


def test_reviewers_flag_privately_and_the_team_and_strangers_cannot(client, submitted, city, make_city, researcher):
    _org, official = city
    reviewer, assignment = accepted(submitted, official, "rev@example.org")
    flag = panel.flag_add(proposal=submitted, by=reviewer, label="read again", shared=True)
    assert flag.shared is False  # only officials share
    assert list(panel.flags_visible_to(official)) == []
    _linz, foreign = make_city("Linz")
    for user in (submitted.lead, foreign):
        client.force_login(user)
        assert client.post(f"/proposals/{submitted.pk}/flags/", {"label": "x"}).status_code == 404
        assert client.post(f"/proposals/{submitted.pk}/flags/{flag.pk}/remove/").status_code in (302, 404)
    assert ProposalFlag.objects.filter(pk=flag.pk).exists()
    with pytest.raises(PermissionDenied):
        panel.flag_add(proposal=submitted, by=submitted.lead, label="mine")


# --- the dashboard's task list --------------------------------------------------------------------------------------


def test_the_task_list_counts_what_is_to_do(client, open_call, city, submitted):
    _org, official = city
    done = reviewed(open_call, official, 2, [(3, "fund", 3)])
    reviewer, _assignment = accepted(reviewed(open_call, official, 3, []), official, "todo@example.org")
    client.force_login(official)
    page = client.get("/dashboard/").content.decode()
    assert "Your tasks" in page
    assert "3 proposals to screen" in page
    assert "1 proposal with its reviews in, waiting for a decision" in page
    client.force_login(reviewer)
    assert "1 review to declare or write" in client.get("/dashboard/").content.decode()
    chair = done.review_assignments.get().reviewer
    PanelChair.objects.create(call=open_call, user=chair, appointed_by=official)
    client.force_login(chair)
    assert "1 meta-review to write" in client.get("/dashboard/").content.decode()


def test_no_task_list_without_tasks(client, researcher):
    client.force_login(researcher)
    assert "Your tasks" not in client.get("/dashboard/").content.decode()


# --- query counts ---------------------------------------------------------------------------------------------------


def _count_queries(client, url, django_assert_num_queries_fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("path", ["ranking/", "panel/", "desk"])
def test_pages_keep_a_constant_number_of_queries(client, open_call, city, path):
    _org, official = city
    url = (
        f"/calls/{open_call.pk}/desk/?cols=recommendations&cols=flags&cols=screening"
        if path == "desk"
        else (f"/calls/{open_call.pk}/{path}")
    )
    first = reviewed(open_call, official, 1, [(3, "fund", 3)])
    panel.flag_add(proposal=first, by=official, label="one", shared=True)
    client.force_login(official)
    few = _count_queries(client, url, None)
    for n in range(2, 6):
        proposal = reviewed(open_call, official, n, [(4, "fund", 4), (2, "do_not_fund", 2)])
        panel.flag_add(proposal=proposal, by=official, label=f"f{n}", shared=True)
        panel.meta_review_save(proposal=proposal, by=official, summary="ok", recommendation="fund", edit_version=None)
    many = _count_queries(client, url, None)
    assert many <= few, (few, many)


def test_the_proposal_page_and_the_dashboard_keep_a_constant_number_of_queries(client, open_call, city):
    _org, official = city
    proposal = reviewed(open_call, official, 1, [(3, "fund", 3)])
    client.force_login(official)
    few = (_count_queries(client, f"/proposals/{proposal.pk}/", None), _count_queries(client, "/dashboard/", None))
    for r in range(2, 6):
        _reviewer, assignment = accepted(proposal, official, f"extra{r}@example.org")
        review_submit(
            assignment=assignment,
            by=assignment.reviewer,
            scores={c.pk: 2 for c in open_call.criteria.all()},
            comments="More.",
            recommendation="do_not_fund",
            confidence=2,
        )
        panel.flag_add(proposal=proposal, by=official, label=f"flag {r}", shared=True)
        reviewed(open_call, official, 10 + r, [])
    many = (_count_queries(client, f"/proposals/{proposal.pk}/", None), _count_queries(client, "/dashboard/", None))
    assert many[0] <= few[0] and many[1] <= few[1], (few, many)


# --- screening under concurrency (PostgreSQL: requests really overlap) -------------------------------------------------


@needs_postgresql
@race_db
def test_simultaneous_screenings_change_the_proposal_once(city, open_call, researcher, mailoutbox):
    _org, official = city
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Raced proposal")
    submit_for_tests(proposal)
    clients = [Client() for _ in range(6)]
    for c in clients:
        c.force_login(official)

    def send(index, client):
        decision = {"decision": "eligible"} if index % 2 else {"decision": "ineligible", "reason": f"Reason {index}"}
        return client.post(f"/proposals/{proposal.pk}/screen/", decision)

    responses = race(clients, send)
    assert all(r.status_code == 302 for r in responses)
    proposal.refresh_from_db()
    assert proposal.screening in ("eligible", "ineligible")
    # One screening stood; an ineligible one emailed the team once.
    assert len(mailoutbox) == (1 if proposal.screening == "ineligible" else 0)
