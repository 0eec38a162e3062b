"""Emails of a submission: a receipt with a copy to the team, a notice to the city (sealed: no content)."""

# The shared proposal fixtures are imported from test_proposal_services; pytest injects them by name.
# ruff: noqa: F401, F811

import pytest

from calls.models import ResearchCall
from calls.services import proposals as services
from tests.calls.test_proposal_services import FILLED, colleague, draft, filled, lead

pytestmark = pytest.mark.django_db


def submit(proposal, lead, capture):
    with capture(execute=True):
        return services.proposal_submit(proposal=proposal, by=lead)


def test_receipt_goes_to_the_accepted_team_with_what_was_submitted(
    filled,
    lead,
    colleague,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    member = services.team_invite(proposal=filled, by=lead, email=colleague.email, name="Ana", role="co_applicant")
    services.team_respond(member=member, user=colleague, accept=True)
    services.team_invite(proposal=filled, by=lead, email="pending@example.org", name="Pending", role="advisor")
    mailoutbox.clear()
    submit(filled, lead, django_capture_on_commit_callbacks)
    receipts = [m for m in mailoutbox if m.subject.startswith("Received")]
    assert sorted(m.to[0] for m in receipts) == sorted([lead.email, colleague.email])
    receipt = receipts[0]
    assert FILLED["summary"] in receipt.body and FILLED["participation_plan"] in receipt.body
    assert "version 1" in receipt.subject
    html = receipt.alternatives[0][0]
    assert FILLED["summary"] in html and html.lstrip().lower().startswith("<!doctype html>")


def test_city_officials_are_told_of_a_new_submission(
    filled, lead, city, mailoutbox, django_capture_on_commit_callbacks
):
    _organisation, official = city
    submit(filled, lead, django_capture_on_commit_callbacks)
    notices = [m for m in mailoutbox if m.to == [official.email]]
    assert len(notices) == 1
    assert filled.title in notices[0].subject and FILLED["summary"] in notices[0].body


def test_sealed_call_notice_reveals_no_content(filled, lead, city, mailoutbox, django_capture_on_commit_callbacks):
    ResearchCall.objects.filter(pk=filled.call_id).update(sealed=True)
    _organisation, official = city
    submit(filled, lead, django_capture_on_commit_callbacks)
    notice = next(m for m in mailoutbox if m.to == [official.email])
    text = notice.subject + notice.body + notice.alternatives[0][0]
    assert "A proposal was received" in notice.subject
    for secret in (FILLED["title"], FILLED["summary"], lead.display_name, lead.email):
        assert secret not in text
