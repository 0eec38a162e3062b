"""Issue 18 §3: comments by audience, threads, mentions and files; the activity log; reviews released to the team
and its response. The visibility matrix covers every role against every audience, through services and pages."""

import datetime as dt
import io
import uuid

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from calls import demo_dialogue, dialogue
from calls.models import Audience, Proposal, ProposalActivity, ProposalComment, ProposalVersion
from calls.services import dialogue as services
from calls.services.reviews import call_decide
from profiles.factories import MembershipFactory
from profiles.models import Membership, Notification
from tests.calls.dialogue_world import ROLES, build_world, open_response_stage, submit_review
from tests.calls.test_proposal_services import PDF

REFUSED = (ValidationError, PermissionDenied)


@pytest.fixture
def world(make_city):
    return build_world(make_city)


@pytest.fixture
def blind_world(make_city):
    return build_world(make_city, blind=True)


def post(world, who, body, visibility, **kwargs):
    return services.comment_post(
        proposal=world.proposal, by=world.users[who], body=body, visibility=visibility, **kwargs
    )


def the_three(world):
    """One comment of each audience, each by someone allowed to write it."""
    return {
        Audience.TEAM: post(world, "lead", "Team-only note: budget table to fix", Audience.TEAM),
        Audience.TEAM_CITY: post(world, "official", "Question from the city about the sample", Audience.TEAM_CITY),
        Audience.INTERNAL: post(world, "reviewer", "Internal: the ethics plan is thin", Audience.INTERNAL),
    }


# Who reads which audience: the visibility matrix (default deny).
SEES = {
    "lead": {Audience.TEAM, Audience.TEAM_CITY},
    "member": {Audience.TEAM, Audience.TEAM_CITY},
    "other_team": set(),
    "official": {Audience.TEAM_CITY, Audience.INTERNAL},
    "foreign_official": set(),
    "reviewer": {Audience.INTERNAL},
    "other_reviewer": set(),
    "anonymous": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_comment_querysets_follow_the_matrix(world, role):
    comments = the_three(world)
    user = world.users[role]
    seen = set(
        dialogue.comments_visible_to(user or AnonymousUser(), world.proposal).values_list("visibility", flat=True)
    )
    assert seen == {a.value for a in SEES[role]}
    assert set(comments) == {Audience.TEAM, Audience.TEAM_CITY, Audience.INTERNAL}


@pytest.mark.parametrize("role", ROLES)
def test_discussion_page_shows_each_role_only_its_audiences(client, world, role):
    the_three(world)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("proposal_discussion", args=[world.proposal.pk]))
    if not SEES[role]:
        assert response.status_code in (302, 404)  # anonymous people are sent to sign in
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert ("Team-only note" in page) == (Audience.TEAM in SEES[role])
    assert ("Question from the city" in page) == (Audience.TEAM_CITY in SEES[role])
    assert ("Internal: the ethics plan" in page) == (Audience.INTERNAL in SEES[role])


@pytest.mark.parametrize("role", ROLES)
def test_comment_file_is_served_only_to_those_who_read_the_comment(client, world, role):
    upload = SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf")
    comment = post(world, "official", "Our notes on the budget", Audience.INTERNAL, upload=upload)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("comment_attachment", args=[world.proposal.pk, comment.pk]))
    if Audience.INTERNAL in SEES[role]:
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    else:
        assert response.status_code in (302, 404)


def test_who_may_write_which_audience(world):
    with pytest.raises(REFUSED):
        post(world, "lead", "Trying to reach the reviewers", Audience.INTERNAL)
    with pytest.raises(REFUSED):
        post(world, "reviewer", "Trying to reach the team", Audience.TEAM_CITY)
    with pytest.raises(REFUSED):
        post(world, "official", "Peeking into the team's notes", Audience.TEAM)
    for role in ("other_team", "foreign_official", "other_reviewer"):
        with pytest.raises(REFUSED):
            post(world, role, "Not mine", Audience.TEAM_CITY)
    assert not ProposalComment.objects.exists()


def test_a_reply_keeps_its_threads_audience_and_joins_the_thread(world):
    root = post(world, "official", "Can you share the survey?", Audience.TEAM_CITY)
    reply = post(world, "lead", "Attached in version 2.", "", parent=root)
    reply_to_reply = post(world, "official", "Thanks.", Audience.INTERNAL, parent=reply)
    assert reply.visibility == reply_to_reply.visibility == Audience.TEAM_CITY
    assert reply_to_reply.parent_id == root.pk
    threads = dialogue.threads(world.users["member"], world.proposal, {"team"})
    assert [t["comment"].pk for t in threads] == [root.pk]
    assert [r.pk for r in threads[0]["replies"]] == [reply.pk, reply_to_reply.pk]


def test_a_reviewer_cannot_reply_into_a_thread_they_cannot_read(world):
    root = post(world, "official", "For the team", Audience.TEAM_CITY)
    with pytest.raises(REFUSED):
        post(world, "reviewer", "Sneaking in", "", parent=root)
    assert root.replies.count() == 0


def test_blind_review_shows_the_team_as_applicant_team_to_reviewers(blind_world, client):
    world = blind_world
    # A team member who is also an official of the city writes internally (the only way the team reaches reviewers).
    MembershipFactory(
        user=world.users["lead"],
        organisation=world.call.organisation,
        role=Membership.Role.MEMBER,
        status=Membership.Status.APPROVED,
    )
    post(world, "lead", "From the lead, as a team member", Audience.INTERNAL)
    comment = ProposalComment.objects.get()
    assert comment.author_role == ProposalComment.AuthorRole.TEAM
    shown = dialogue.author_label(comment, hide_team=dialogue.hides_team(world.proposal, {"reviewer"}))
    assert shown == "Applicant team"
    # Mentions offered to a reviewer never include the team.
    candidates = dialogue.mention_candidates(world.users["reviewer"], world.proposal, {"reviewer"})
    assert world.users["lead"] not in [p for p, _roles in candidates]
    assert world.users["member"] not in [p for p, _roles in candidates]
    client.force_login(world.users["reviewer"])
    page = client.get(reverse("proposal_discussion", args=[world.proposal.pk])).content.decode()
    assert "From the lead, as a team member" in page and "Applicant team" in page
    assert "lead@example.org" not in page and world.users["lead"].display_name not in page


def test_mentions_notify_only_people_who_can_read_the_comment(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(
            world,
            "official",
            "@Mara please check the consent form",
            Audience.TEAM_CITY,
            mentions=[world.users["member"].pk],
        )
    note = Notification.objects.get(user=world.users["member"], kind="proposal_mention")
    assert "mentioned you" in note.message and note.url.startswith(f"/proposals/{world.proposal.pk}/discussion/")
    assert any("mentioned you" in m.subject for m in mailoutbox if "member@example.org" in m.to)
    with pytest.raises(REFUSED) as refused:
        post(world, "official", "Reviewer, look at this", Audience.TEAM_CITY, mentions=[world.users["reviewer"].pk])
    assert "only people who can read" in str(refused.value)
    with pytest.raises(REFUSED):
        post(world, "lead", "Hey reviewer", Audience.TEAM_CITY, mentions=[world.users["reviewer"].pk])


def test_a_city_comment_to_the_team_notifies_the_team_once(world, django_capture_on_commit_callbacks):
    post(world, "official", "Please confirm the start date", Audience.TEAM_CITY, mentions=[world.users["lead"].pk])
    assert Notification.objects.filter(user=world.users["lead"]).count() == 1
    assert Notification.objects.filter(user=world.users["member"], kind="proposal_comment").count() == 1
    assert not Notification.objects.filter(user=world.users["reviewer"]).exists()


def test_double_submit_makes_one_comment(client, world):
    client.force_login(world.users["lead"])
    key = str(uuid.uuid4())
    data = {"body": "Our answer", "visibility": Audience.TEAM_CITY, "idempotency_key": key}
    url = reverse("proposal_discussion", args=[world.proposal.pk])
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert ProposalComment.objects.count() == 1
    assert ProposalActivity.objects.filter(kind="comment").count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"body": "x" * 5001, "visibility": "team"}, "at most 5000 characters"),
        ({"body": "   ", "visibility": "team"}, "This field is required"),
        ({"body": "<script>alert(1)</script> keep me", "visibility": "internal"}, "Select a valid choice"),
        ({"body": "<script>alert(1)</script> keep me", "visibility": "everyone"}, "Select a valid choice"),
        ({"body": "<script>alert(1)</script> keep me", "visibility": ""}, "Choose who may read the comment"),
        ({"body": "keep me", "visibility": "team", "mentions": ["99999999"]}, "Select a valid choice"),
        ({"body": "keep me", "visibility": "team", "parent": "-3"}, "greater than or equal to 1"),
    ],
)
def test_hostile_comments_are_refused_with_the_text_kept(client, world, data, message):
    client.force_login(world.users["lead"])
    response = client.post(reverse("proposal_discussion", args=[world.proposal.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if data["body"].strip():
        typed = data["body"][:100].replace("<", "&lt;").replace(">", "&gt;")
        assert typed in page
    assert "<script>alert(1)</script>" not in page
    assert not ProposalComment.objects.exists()


def test_a_fake_or_oversized_pdf_is_refused_with_the_text_kept(client, world, settings):
    client.force_login(world.users["lead"])
    fake = SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        reverse("proposal_discussion", args=[world.proposal.pk]),
        {"body": "With our CV", "visibility": "team_city", "attachment": fake},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a PDF document" in page and "With our CV" in page and "Choose the file again" in page
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    response = client.post(
        reverse("proposal_discussion", args=[world.proposal.pk]),
        {"body": "With the big annex", "visibility": "team_city", "attachment": big},
    )
    assert response.status_code == 400
    assert "attachments may be at most" in response.content.decode()
    assert not ProposalComment.objects.exists()


def test_a_reply_with_an_error_reopens_its_own_form(client, world):
    root = post(world, "official", "Please send the consent form", Audience.TEAM_CITY)
    client.force_login(world.users["lead"])
    response = client.post(
        reverse("proposal_discussion", args=[world.proposal.pk]), {"body": "y" * 6000, "parent": str(root.pk)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert '<details class="comment-reply" open>' in page and "y" * 200 in page


def test_a_foreign_parent_is_a_404(client, world):
    internal = post(world, "official", "Internal", Audience.INTERNAL)
    client.force_login(world.users["lead"])
    response = client.post(
        reverse("proposal_discussion", args=[world.proposal.pk]), {"body": "reply", "parent": str(internal.pk)}
    )
    assert response.status_code == 404
    assert internal.replies.count() == 0


def test_discussion_queries_stay_constant_as_comments_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.users["official"])
    url = reverse("proposal_discussion", args=[world.proposal.pk])

    def add(n):
        for i in range(n):
            root = post(world, "official", f"Comment {i}", Audience.INTERNAL)
            post(world, "reviewer", f"Reply {i}", "", parent=root)
            post(world, "official", f"To the team {i}", Audience.TEAM_CITY, upload=SimpleUploadedFile("a.pdf", PDF))

    add(2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    budget = len(small.captured_queries)  # read now: every request resets the connection's query log
    assert 0 < budget <= 40
    add(10)
    client.get(url)  # the header's unread count is recounted once after the replies notified the official
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200


def test_proposal_page_queries_stay_constant_as_activity_grows(client, world, django_assert_max_num_queries):
    client.force_login(world.users["lead"])
    url = reverse("proposal_detail", args=[world.proposal.pk])
    post(world, "lead", "one", Audience.TEAM)
    client.get(url)
    with django_assert_max_num_queries(60) as small:
        client.get(url)
    for i in range(15):
        post(world, "lead", f"more {i}", Audience.TEAM)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


# --- The activity log ------------------------------------------------------------------------------------------------


def test_activity_log_records_events_per_audience(world, client):
    submit_review(world)
    post(world, "reviewer", "Internal remark", Audience.INTERNAL)
    post(world, "lead", "Team note", Audience.TEAM)
    kinds = {(a.kind, a.audience) for a in ProposalActivity.objects.filter(proposal=world.proposal)}
    assert ("status_changed", "team_city") in kinds  # the assignment put it under review
    assert ("review_received", "internal") in kinds
    assert ("comment", "internal") in kinds and ("comment", "team") in kinds
    team_sees = {a.kind for a in dialogue.activity_visible_to(world.users["lead"], world.proposal, {"team"})}
    assert "review_received" not in team_sees and "status_changed" in team_sees
    city = {(a.kind, a.audience) for a in dialogue.activity_visible_to(None, world.proposal, {"city"})}
    assert ("comment", "team") not in city and ("review_received", "internal") in city
    client.force_login(world.users["lead"])
    page = client.get(reverse("proposal_detail", args=[world.proposal.pk])).content.decode()
    assert "A review was received." not in page and "The status changed to “Under review”." in page
    client.force_login(world.users["official"])
    page = client.get(reverse("proposal_detail", args=[world.proposal.pk])).content.decode()
    assert "A review was received." in page


def test_a_second_save_of_a_review_is_not_a_second_event(world):
    submit_review(world)
    submit_review(world, comments="Updated.")
    assert ProposalActivity.objects.filter(kind="review_received").count() == 1


# --- Reviews released to the team ------------------------------------------------------------------------------------


def test_reviews_stay_with_the_city_by_default(client, world):
    submit_review(world)
    client.force_login(world.users["lead"])
    assert client.get(reverse("proposal_feedback", args=[world.proposal.pk])).status_code == 404


def test_after_decision_the_team_reads_anonymised_reviews(client, world, make_city):
    type(world.call).objects.filter(pk=world.call.pk).update(review_release="after_decision")
    world.call.refresh_from_db()
    submit_review(world, comments="The sampling frame needs work.")
    client.force_login(world.users["lead"])
    url = reverse("proposal_feedback", args=[world.proposal.pk])
    assert client.get(url).status_code == 404  # not decided yet
    call_decide(call=world.call, by=world.users["official"], decline=[world.proposal], message="Not this time.")
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The sampling frame needs work." in page and "Review 1" in page
    reviewer = world.users["reviewer"]
    assert reviewer.email not in page and reviewer.display_name not in page
    assert "<time" not in page.split("Review 1")[1].split("</section>")[0]  # no dates that tell who wrote it
    for role in ("other_team", "official", "reviewer", "foreign_official"):
        client.force_login(world.users[role])
        assert client.get(url).status_code == 404


def test_released_reviews_are_in_an_order_that_follows_neither_invitation_nor_submission(world):
    assert dialogue._shuffle_key(1) != dialogue._shuffle_key(2)
    keys = [dialogue._shuffle_key(n) for n in range(1, 30)]
    assert keys != sorted(keys)


def test_response_stage_makes_a_version_the_reviewer_reads(client, world, django_capture_on_commit_callbacks):
    submit_review(world)
    open_response_stage(world)
    client.force_login(world.users["lead"])
    url = reverse("proposal_feedback", args=[world.proposal.pk])
    page = client.get(url).content.decode()
    assert "Send the response" in page
    key = str(uuid.uuid4())
    data = {"response": "We will double the sample, as reviewer 1 suggests.", "idempotency_key": key}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double click
    versions = list(ProposalVersion.objects.filter(proposal=world.proposal).order_by("number"))
    assert len(versions) == 2
    assert versions[1].content["review_response"] == data["response"]
    assert versions[1].content["summary"] == versions[0].content["summary"]
    assert Notification.objects.filter(user=world.users["reviewer"], kind="review_response").exists()
    client.force_login(world.users["reviewer"])
    page = client.get(reverse("review_assignment", args=[world.assignment.pk])).content.decode()
    assert "The team&#x27;s response to the reviews" in page or "The team's response to the reviews" in page
    assert "We will double the sample" in page


def test_only_the_lead_responds_and_only_in_the_window(client, world):
    submit_review(world)
    open_response_stage(world)
    with pytest.raises(REFUSED):
        services.review_response_submit(proposal=world.proposal, by=world.users["member"], text="mine")
    client.force_login(world.users["member"])
    page = client.get(reverse("proposal_feedback", args=[world.proposal.pk])).content.decode()
    assert "The lead applicant sends the response." in page
    open_response_stage(world, closes_in=-dt.timedelta(minutes=1))
    client.force_login(world.users["lead"])
    response = client.post(reverse("proposal_feedback", args=[world.proposal.pk]), {"response": "Too late answer"})
    assert response.status_code == 400
    assert (
        "closed" in response.content.decode()
        and "Too late answer" not in Proposal.objects.get(pk=world.proposal.pk).review_response
    )
    assert ProposalVersion.objects.filter(proposal=world.proposal).count() == 1


def test_an_oversized_response_keeps_the_text(client, world):
    submit_review(world)
    open_response_stage(world)
    client.force_login(world.users["lead"])
    text = "z" * 10001
    response = client.post(reverse("proposal_feedback", args=[world.proposal.pk]), {"response": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert "at most 10000 characters" in page and text in page


def test_response_stage_dates_are_checked_in_the_editor(world):
    call = world.call
    call.review_release = "response_stage"
    with pytest.raises(ValidationError) as error:
        call.clean()
    assert "response_opens_at" in error.value.message_dict


def test_demo_releases_reviews_and_starts_the_conversation_once(make_city):
    world = build_world(make_city, slug=demo_dialogue.RESPONSE_CALL)
    submit_review(world)
    demo_dialogue.seed(stdout=io.StringIO())
    demo_dialogue.seed(stdout=io.StringIO())
    world.call.refresh_from_db()
    assert world.call.review_release == "response_stage"
    assert ProposalComment.objects.filter(proposal=world.proposal).count() == 4
    assert ProposalVersion.objects.filter(proposal=world.proposal).count() == 2
    assert "(demo)" in Proposal.objects.get(pk=world.proposal.pk).review_response
