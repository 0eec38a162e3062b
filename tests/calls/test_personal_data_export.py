"""A person's data export holds their proposals (with the answers they gave), reviews (with their answers and bids),
discussion comments and saved searches — and nobody else's."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import Audience, Proposal, ReviewAssignment, SavedSearch
from calls.services import dialogue as dialogue_services
from calls.services import panel
from calls.services.reviewer_matching import bids_save
from calls.services.reviews import review_submit
from profiles.factories import ResearcherProfileFactory
from tests.calls.dialogue_world import build_world, open_response_stage
from tests.calls.test_proposal_services import PDF

pytestmark = pytest.mark.django_db


def export(client, user) -> dict:
    client.force_login(user)
    response = client.get("/dashboard/export/")
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content) if response.streaming else response.content)


def test_export_has_my_proposals_reviews_and_saved_searches_only(client, open_call):
    me = ResearcherProfileFactory(user__email="me@example.org").user
    other = ResearcherProfileFactory(user__email="other@example.org").user
    mine = ProposalFactory(call=open_call, lead=me, title="My housing study")
    submit_for_tests(mine)
    theirs = ProposalFactory(call=open_call, lead=other, title="Their clinics study")
    submit_for_tests(theirs)
    ReviewAssignment.objects.create(
        proposal=theirs, reviewer=me, status=ReviewAssignment.Status.SUBMITTED, comments="Convincing design."
    )
    SavedSearch.objects.create(user=me, source="calls", query="status=open", name="Open calls")
    SavedSearch.objects.create(user=other, source="calls", query="status=open", name="Someone else's")

    data = export(client, me)

    assert [p["title"] for p in data["proposals"]] == ["My housing study"]
    assert data["proposals"][0]["versions"][0]["number"] == 1
    assert [r["comments"] for r in data["reviews"]] == ["Convincing design."]
    assert [s["name"] for s in data["saved_searches"]] == ["Open calls"]
    assert "Their clinics study" not in json.dumps(data["proposals"])


# Issue 18: the dialogue, the call's own questions, reviews' answers and bids.

FORM = [
    {"type": "heading", "value": {"heading": "Partners", "text": ""}},
    {
        "type": "choice",
        "value": {"key": "partner", "label": "Do you work with a community partner?", "choices": "yes\nno"},
    },
    {
        "type": "long_text",
        "value": {
            "key": "partner_role",
            "label": "What does the partner do?",
            "show_when_key": "partner",
            "show_when_value": "yes",
        },
    },
]
REVIEW_QUESTIONS = [{"type": "question", "value": {"key": "strengths", "label": "Main strengths"}}]


@pytest.fixture
def dialogue(make_city):
    """A proposal whose lead answered the call's form, was reviewed (with answers) and responded; comments of every
    audience by the lead, a co-applicant, the city and the reviewer; the reviewer's bid on the other proposal."""
    world = build_world(make_city)
    call = world.call
    call.application_form = FORM
    call.review_questions = REVIEW_QUESTIONS
    call.save()
    lead, member, official, reviewer = (world.users[r] for r in ("lead", "member", "official", "reviewer"))
    # Set-up: the answers the lead saved, frozen in version 2 (version 1 predates the form), then changed in the draft.
    Proposal.objects.filter(pk=world.proposal.pk).update(
        answers={"partner": "yes", "partner_role": "Tenant union runs the workshops"}
    )
    submit_for_tests(Proposal.objects.get(pk=world.proposal.pk))
    Proposal.objects.filter(pk=world.proposal.pk).update(answers={"partner": "no"})
    review_submit(
        assignment=world.assignment,
        by=reviewer,
        scores={c.pk: 4 for c in call.criteria.all()},
        comments="Convincing participation plan.",
        answers={"strengths": "Strong tenant partners"},
        recommendation="fund",
        confidence=4,
    )
    open_response_stage(world)
    dialogue_services.review_response_submit(
        proposal=world.proposal, by=lead, text="We will double the sample, as the reviewers suggest."
    )
    bids_save(call=call, by=reviewer, levels={world.other_proposal.pk: "eager"})

    def post(who, body, audience, **kwargs):
        return dialogue_services.comment_post(proposal=world.proposal, by=who, body=body, visibility=audience, **kwargs)

    post(
        lead,
        "Team-only note: the budget table to fix",
        Audience.TEAM,
        upload=SimpleUploadedFile("budget-notes.pdf", PDF, content_type="application/pdf"),
    )
    question = post(official, "Question from the city about the sample", Audience.TEAM_CITY)
    post(lead, "Our sample is forty tenants", "", parent=question)
    post(member, "Member's own draft idea", Audience.TEAM)
    post(reviewer, "Internal: the ethics plan is thin", Audience.INTERNAL)
    return world


def test_export_has_the_comments_i_wrote_with_audience_and_file_and_nobody_elses(client, dialogue):
    data = export(client, dialogue.users["lead"])

    title = dialogue.proposal.title
    assert [
        (c["proposal"], c["audience"], c["body"], c["reply"], c["attachment"]) for c in data["discussion_comments"]
    ] == [
        (title, "team", "Team-only note: the budget table to fix", False, "budget-notes.pdf"),
        (title, "team_city", "Our sample is forty tenants", True, None),
    ]
    assert all(c["created_at"] for c in data["discussion_comments"])
    text = json.dumps(data)
    for theirs in ("Question from the city", "Member's own draft idea", "the ethics plan is thin"):
        assert theirs not in text

    reviewer = export(client, dialogue.users["reviewer"])
    assert [(c["audience"], c["body"]) for c in reviewer["discussion_comments"]] == [
        ("internal", "Internal: the ethics plan is thin")
    ]
    assert "budget table" not in json.dumps(reviewer) and "budget-notes.pdf" not in json.dumps(reviewer)


def test_export_of_the_lead_has_the_answers_per_version_as_shown_and_the_response(client, dialogue):
    data = export(client, dialogue.users["lead"])

    [proposal] = data["proposals"]
    assert proposal["role"] == "lead"
    versions = {v["number"]: v for v in proposal["versions"]}
    assert versions[1]["answers"] == []  # submitted before the call had its form
    answered = [
        {"question": "Do you work with a community partner?", "answer": "yes"},
        {"question": "What does the partner do?", "answer": "Tenant union runs the workshops"},
    ]
    assert versions[2]["answers"] == answered
    assert versions[3]["answers"] == answered  # the response-stage version keeps the answers it responds with
    assert versions[3]["review_response"] == "We will double the sample, as the reviewers suggest."
    assert proposal["draft_answers"] == [{"question": "Do you work with a community partner?", "answer": "no"}]
    assert proposal["review_response"] == "We will double the sample, as the reviewers suggest."

    # The co-applicant sees the proposal listed, not the lead's answers; another applicant of the call sees nothing.
    [listed] = export(client, dialogue.users["member"])["proposals"]
    assert listed["role"] == "co-applicant" and "draft_answers" not in listed
    assert "Tenant union" not in json.dumps(listed) and "double the sample" not in json.dumps(listed)
    other = json.dumps(export(client, dialogue.users["other_team"]))
    assert "Tenant union" not in other and "double the sample" not in other


def test_export_of_the_reviewer_has_their_review_answers_and_bids(client, dialogue):
    data = export(client, dialogue.users["reviewer"])

    [review] = data["reviews"]
    assert review["answers"] == [{"question": "Main strengths", "answer": "Strong tenant partners"}]
    assert (review["recommendation"], review["confidence"]) == ("fund", 4)
    assert [(b["proposal"], b["level"]) for b in data["review_bids"]] == [(dialogue.other_proposal.title, "eager")]

    for who in ("lead", "official", "other_reviewer"):
        other = export(client, dialogue.users[who])
        assert other["reviews"] == [] or "Strong tenant partners" not in json.dumps(other["reviews"])
        assert other["review_bids"] == []
        assert "Strong tenant partners" not in json.dumps(other)


def test_export_has_my_panel_work_chairs_meta_reviews_and_flags_and_nobody_elses(client, dialogue):
    official, reviewer = dialogue.users["official"], dialogue.users["reviewer"]
    panel.chair_appoint(call=dialogue.call, user=reviewer, by=official)
    panel.meta_review_save(
        proposal=dialogue.proposal,
        by=reviewer,
        summary="The panel agrees the sample is small.",
        recommendation="fund_with_changes",
        edit_version=None,
    )
    panel.flag_add(proposal=dialogue.proposal, by=reviewer, label="ethics", note="Ask about consent.")
    panel.flag_add(proposal=dialogue.proposal, by=official, label="budget check", note="Travel costs.", shared=True)

    data = export(client, reviewer)

    assert [c["call"] for c in data["panel_chairs"]] == [dialogue.call.title]
    assert [(m["summary"], m["recommendation"]) for m in data["meta_reviews"]] == [
        ("The panel agrees the sample is small.", "fund_with_changes")
    ]
    assert [(f["label"], f["note"], f["shared"]) for f in data["proposal_flags"]] == [
        ("ethics", "Ask about consent.", False)
    ]
    city = export(client, official)
    assert [(f["label"], f["shared"]) for f in city["proposal_flags"]] == [("budget check", True)]
    assert city["meta_reviews"] == [] and city["panel_chairs"] == []
    lead = json.dumps(export(client, dialogue.users["lead"]))
    assert not any(private in lead for private in ("sample is small", "Ask about consent", "Travel costs"))
    assert "Ask about consent" not in json.dumps(city) and "Travel costs" not in json.dumps(data)
