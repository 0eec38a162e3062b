"""Data retention (issue 18 §5): declined and withdrawn proposals are anonymised after the period the site sets, the
team told a month before (once); personal data and files go, scores stay. The command's dry run changes nothing."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

import pytest

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import (
    Attachment,
    CommentAttachment,
    MetaReview,
    Proposal,
    ProposalActivity,
    ProposalComment,
    ProposalFlag,
    ReviewScore,
    TeamMember,
)
from calls.services import proposals as proposal_services
from calls.services.retention import months_before, run_retention
from calls.services.reviews import review_assign, review_declare, review_submit
from tests.calls.test_proposal_services import pdf
from tests.calls.test_review_assignment import person


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def declined(open_call, city, researcher, settings):
    """A declined proposal with an attachment, a co-applicant, a review, a flag and a meta-review."""
    settings.PROPOSAL_RETENTION_MONTHS = 24
    _org, official = city
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Tenants of Graz", summary="Names and places.")
    attachment = proposal_services.attachment_add(proposal=proposal, by=researcher, upload=pdf())
    TeamMember.objects.create(proposal=proposal, email="co@example.org", name="Co Applicant")
    submit_for_tests(proposal)
    reviewer = person("reviewer@example.org")
    assignment = review_assign(proposal=proposal, reviewer_email=reviewer.email, by=official)
    review_declare(assignment=assignment, by=reviewer, has_conflict=False)
    review_submit(
        assignment=assignment,
        by=reviewer,
        scores={c.pk: 3 for c in open_call.criteria.all()},
        comments="The lead, Ms Example, knows the area.",
        recommendation="do_not_fund",
        confidence=4,
    )
    ProposalFlag.objects.create(proposal=proposal, owner=official, label="budget", note="Ms Example called.")
    MetaReview.objects.create(
        proposal=proposal, author=official, summary="Ms Example's plan…", recommendation="do_not_fund"
    )
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.DECLINED, decided_at=timezone.now())
    proposal.refresh_from_db()
    return proposal, attachment.file.name


def later(months: int, days: int = 0) -> dt.datetime:
    now = timezone.now()
    return months_before(now, -months) + dt.timedelta(days=days)


def test_months_before_keeps_the_day_or_takes_the_months_last():
    moment = dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)
    assert months_before(moment, 1) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert months_before(moment, 24) == dt.datetime(2024, 3, 31, 12, tzinfo=dt.UTC)
    assert months_before(moment, -10) == dt.datetime(2027, 1, 31, 12, tzinfo=dt.UTC)


def test_nothing_happens_before_the_notice_period(declined):
    run = run_retention(now=later(22))
    assert run.notices == [] and run.anonymised == []


def test_the_team_is_told_once_a_month_before(declined, commit, mailoutbox):
    proposal, _name = declined
    with commit():
        run = run_retention(now=later(23, days=1))
    assert run.notices == [proposal.pk] and run.anonymised == []
    assert sorted(m.to[0] for m in mailoutbox) == [proposal.lead.email]
    assert "anonymised" in mailoutbox[0].subject
    with commit():
        assert run_retention(now=later(23, days=5)).notices == []
    assert len(mailoutbox) == 1


def test_anonymising_waits_a_month_after_a_late_notice(declined):
    proposal, _name = declined
    # Never told (the command did not run in time): told now, anonymised only a month later.
    run = run_retention(now=later(30))
    assert run.notices == [proposal.pk] and run.anonymised == []
    assert run_retention(now=later(30, days=10)).anonymised == []
    assert run_retention(now=later(31, days=1)).anonymised == [proposal.pk]


def test_dry_run_then_real_run_of_the_command(declined, settings, commit, mailoutbox):
    proposal, file_name = declined
    storage = Attachment._meta.get_field("file").storage
    assert storage.exists(file_name)
    Proposal.objects.filter(pk=proposal.pk).update(
        decided_at=timezone.now() - dt.timedelta(days=800),
        retention_notice_at=timezone.now() - dt.timedelta(days=40),
        answers={"community": "Tenants' association of Lend"},
        review_response="We will add a second district.",
    )
    # What the team and the city said about it (issue 18 §3): a comment with its PDF, and the log naming who acted.
    comment = ProposalComment.objects.create(
        proposal=proposal, author=proposal.lead, author_role="team", visibility="team_city", body="Our budget notes."
    )
    attachment = CommentAttachment(comment=comment, original_name="budget.pdf", size=9)
    attachment.file.save("budget.pdf", pdf("budget.pdf"), save=True)
    comment_file = attachment.file.name
    ProposalActivity.objects.create(proposal=proposal, kind="comment", audience="team_city", actor=proposal.lead)
    out = StringIO()
    call_command("anonymise_proposals", "--dry-run", stdout=out)
    assert f"Would anonymise 1 proposal(s): {proposal.pk}" in out.getvalue()
    proposal.refresh_from_db()
    assert proposal.anonymised_at is None and proposal.title == "Tenants of Graz" and storage.exists(file_name)

    out = StringIO()
    with commit():
        call_command("anonymise_proposals", stdout=out)
    assert f"Anonymised 1 proposal(s): {proposal.pk}" in out.getvalue()
    proposal.refresh_from_db()
    assert proposal.anonymised_at is not None and proposal.lead_id is None
    assert proposal.title == "Anonymised proposal" and proposal.summary == ""
    assert not storage.exists(file_name) and not Attachment.objects.filter(proposal=proposal).exists()
    assert not TeamMember.objects.filter(proposal=proposal).exists()
    assert not ProposalFlag.objects.filter(proposal=proposal).exists()
    assert all(v.content == {"anonymised": True} and v.submitted_by_id is None for v in proposal.versions.all())
    review = proposal.review_assignments.get()
    assert review.comments == "" and (review.recommendation, review.confidence) == ("do_not_fund", 4)
    assert ReviewScore.objects.filter(assignment=review).count() == proposal.call.criteria.count()
    meta = MetaReview.objects.get(proposal=proposal)
    assert meta.summary == "" and meta.recommendation == "do_not_fund"
    assert proposal.answers == {} and proposal.review_response == ""
    assert not ProposalComment.objects.filter(proposal=proposal).exists() and not attachment.file.storage.exists(
        comment_file
    )
    log = list(ProposalActivity.objects.filter(proposal=proposal).values_list("kind", "actor", "data"))
    assert ("comment", None, {}) in log and all(actor is None and data == {} for _kind, actor, data in log)
    # Nobody reaches it any more; a second run does nothing.
    assert "Anonymised 0 proposal(s)" in _run()
    assert mailoutbox == []


def test_an_anonymised_proposal_is_gone_from_the_team_and_the_city(client, declined, city):
    proposal, _name = declined
    Proposal.objects.filter(pk=proposal.pk).update(
        decided_at=timezone.now() - dt.timedelta(days=800), retention_notice_at=timezone.now() - dt.timedelta(days=40)
    )
    lead = proposal.lead
    run_retention()
    for user in (lead, city[1]):
        client.force_login(user)
        assert client.get(f"/proposals/{proposal.pk}/").status_code == 404


def test_withdrawn_proposals_count_from_their_last_change_and_live_ones_are_kept(open_call, researcher, settings):
    settings.PROPOSAL_RETENTION_MONTHS = 12
    withdrawn = ProposalFactory(call=open_call, lead=researcher, status=Proposal.Status.WITHDRAWN, title="Withdrawn")
    live = ProposalFactory(call=open_call, lead=person("live@example.org"), title="Live")
    submit_for_tests(live)
    old = timezone.now() - dt.timedelta(days=400)
    Proposal.objects.filter(pk__in=[withdrawn.pk, live.pk]).update(updated_at=old, retention_notice_at=old)
    run = run_retention()
    assert run.anonymised == [withdrawn.pk]
    live.refresh_from_db()
    assert live.anonymised_at is None and live.title == "Live"


def _run() -> str:
    out = StringIO()
    call_command("anonymise_proposals", stdout=out)
    return out.getvalue()
