"""A person's data export holds their proposals, reviews, comments and saved searches — and nobody else's."""

import json

import pytest

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import ReviewAssignment, SavedSearch
from profiles.factories import ResearcherProfileFactory

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
