"""Snapshots freeze what was submitted; the diff says what changed between two versions."""

# The shared proposal fixtures are imported from test_proposal_services; pytest injects them by name.
# ruff: noqa: F401, F811

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from calls.services import proposals as services
from calls.snapshot import proposal_snapshot, snapshot_diff
from tests.calls.test_proposal_services import PDF, draft, filled, lead


def test_diff_of_identical_snapshots_is_empty():
    content = {"title": "A", "summary": "x", "team": [{"name": "Ana"}]}
    assert snapshot_diff(content, dict(content)) == []


def test_diff_reports_changed_text_line_by_line():
    changes = snapshot_diff({"summary": "one\ntwo"}, {"summary": "one\nthree"})
    assert [c["label"] for c in changes] == ["Summary"]
    assert "-two" in changes[0]["diff"] and "+three" in changes[0]["diff"]


def test_diff_reports_team_and_budget_changes():
    old = {"budget": "20000.00", "team": [{"name": "Ana", "country": "AT"}]}
    new = {"budget": "25000.00", "team": [{"name": "Ana", "country": "AT"}, {"name": "Luis", "country": "CO"}]}
    labels = [c["label"] for c in snapshot_diff(old, new)]
    assert labels == ["Budget", "Team"]
    team = next(c for c in snapshot_diff(old, new) if c["label"] == "Team")
    assert "+Luis · CO" in team["diff"]


@pytest.mark.django_db
def test_snapshot_holds_accepted_team_and_current_files_only(filled, lead):
    services.team_invite(proposal=filled, by=lead, email="pending@example.org", name="Pending", role="advisor")
    kept = services.attachment_add(proposal=filled, by=lead, upload=SimpleUploadedFile("kept.pdf", PDF))
    gone = services.attachment_add(proposal=filled, by=lead, upload=SimpleUploadedFile("gone.pdf", PDF))
    services.attachment_remove(attachment=gone, by=lead)
    content = proposal_snapshot(filled)
    assert [m["name"] for m in content["team"]] == [lead.display_name]
    assert [a["id"] for a in content["attachments"]] == [kept.pk]
    assert content["budget"] == str(Decimal("30000.00")) and content["currency"] == "EUR"
