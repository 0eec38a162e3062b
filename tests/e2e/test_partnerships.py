"""A member works in the partnership's workspace; an outsider gets the 404 page; the public sees the timeline."""

import datetime as dt
import json
import os
import re

from django.utils import timezone

import pytest
from playwright.sync_api import expect

from profiles.factories import ResearcherProfileFactory
from projects.factories import PartnershipFactory, add_member
from projects.models import Milestone, PartnershipMember, WorkspaceDocumentVersion, WorkspaceNote
from tests.e2e.helpers import sign_in
from tests.e2e.test_accessibility import AXE, serious_violations

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_member_plans_shares_and_posts_outsider_gets_404_public_sees_timeline(
    new_page, researcher, city, password, tmp_path
):
    organisation, official = city
    partnership = PartnershipFactory(
        title="Housing rights monitor Graz", slug="housing-rights-monitor-graz", city=organisation
    )
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH, role="Lead researcher")
    outsider = ResearcherProfileFactory(user__email="outsider@example.org").user

    page = new_page()
    sign_in(page, researcher.email, password)
    page.goto("/dashboard/")
    page.get_by_role("region", name="Your partnerships").get_by_role("link", name=re.compile("^Workspace")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Housing rights monitor Graz")

    # A milestone
    milestones = page.get_by_role("region", name="Milestones")
    milestones.get_by_text("Add a milestone").click()
    milestones.get_by_label("Title").fill("Survey fieldwork")
    due = timezone.localdate() + dt.timedelta(days=30)
    milestones.get_by_label("Due date").fill(due.isoformat())
    milestones.get_by_role("button", name="Add milestone").click()
    expect(page.locator(".messages")).to_contain_text("Milestone “Survey fieldwork” added")
    expect(page.get_by_role("region", name="Milestones")).to_contain_text("Survey fieldwork")
    assert Milestone.objects.filter(partnership=partnership, title="Survey fieldwork").exists()

    # A shared document, then a second version
    documents = page.get_by_role("region", name="Shared documents")
    documents.get_by_text("Share a document").click()
    documents.get_by_label("Title").fill("Data management plan")
    first = tmp_path / "plan.pdf"
    first.write_bytes(PDF)
    documents.get_by_label("File").set_input_files(str(first))
    documents.get_by_role("button", name="Share document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data management plan")
    second = tmp_path / "plan-v2.csv"
    second.write_text("district,households\nNorth,120\n")
    page.get_by_label("File").set_input_files(str(second))
    page.get_by_label("What changed").fill("Adds the district table")
    page.get_by_role("button", name="Upload version").click()
    versions = page.get_by_role("table")
    expect(versions).to_contain_text("plan-v2.csv")
    expect(versions).to_contain_text("plan.pdf")
    assert WorkspaceDocumentVersion.objects.filter(document__partnership=partnership).count() == 2

    # A note
    page.get_by_role("link", name="Workspace").first.click()
    notes = page.get_by_role("region", name="Notes")
    notes.get_by_label("Note").fill("Fieldwork starts next month. <b>Bring consent forms.</b>")
    notes.get_by_role("button", name="Post note").click()
    expect(page.get_by_role("region", name="Notes")).to_contain_text("<b>Bring consent forms.</b>")
    assert WorkspaceNote.objects.filter(partnership=partnership).count() == 1

    # An outsider researcher gets the 404 page
    other = new_page()
    sign_in(other, outsider.email, password)
    response = other.goto(partnership.get_workspace_url())
    assert response.status == 404
    expect(other.get_by_role("main")).not_to_contain_text("Survey fieldwork")

    # The public page shows the public milestone
    public = new_page()
    public.goto(partnership.get_absolute_url())
    expect(public.get_by_role("region", name="Timeline")).to_contain_text("Survey fieldwork")
    expect(public.get_by_role("main")).not_to_contain_text("Data management plan")


@pytest.fixture
def axe_js():
    if not AXE.exists():
        message = f"axe-core is not installed at {AXE}: run `make install` (needs npm)"
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


def test_partnership_pages_and_workspace_have_no_serious_accessibility_violations(
    new_page, axe_js, researcher, coordinator, city, password
):
    organisation, _official = city
    partnership = PartnershipFactory(title="Housing rights monitor", slug="housing-rights-monitor", city=organisation)
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH)
    Milestone.objects.create(
        partnership=partnership, title="Late step", due_date=timezone.localdate() - dt.timedelta(1)
    )
    WorkspaceNote.objects.create(partnership=partnership, author=researcher, body="Hello")
    failures = {}
    page = new_page()
    sign_in(page, researcher.email, password)
    for path in [
        "/partnerships/",
        "/partnerships/?country=ZZ",
        partnership.get_absolute_url(),
        partnership.get_workspace_url(),
    ]:
        assert page.goto(path).status == 200
        if violations := serious_violations(page, axe_js):
            failures[path] = violations
    coordinator_page = new_page()
    sign_in(coordinator_page, coordinator.email, password)
    assert coordinator_page.goto("/partnerships/register/").status == 200
    if violations := serious_violations(coordinator_page, axe_js):
        failures["/partnerships/register/"] = violations
    assert not failures, json.dumps(failures, indent=2)
