"""No button discards input (issue 16 §3): on every page with more than one submit button, a person types into
every field, presses each button in turn, and finds everything typed saved.

The dataset edit page: "Save changes" and "Publish dataset" (which saves first). The workspace page: "Add
milestone", "Share document", "Post note" and each milestone's "Change status" (one form: each saves it all).
"""

import datetime as dt
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from playwright.sync_api import Page, expect

from hub.models import Country, GroupAtRisk, SDGTarget, Theme
from projects.factories import PartnershipFactory, add_member
from projects.models import Dataset, Milestone, PartnershipMember, WorkspaceDocument, WorkspaceNote
from projects.services import datasets as dataset_services
from tests.e2e.helpers import sign_in

DATA = Path(__file__).resolve().parents[1] / "projects" / "data"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def graz_partnership(city, researcher):
    organisation, official = city
    partnership = PartnershipFactory(title="Housing rights monitor Graz", slug="housing-monitor", city=organisation)
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH, role="Lead researcher")
    add_member(partnership, official, side=PartnershipMember.Side.CITY, role="City official")
    return partnership


# --- The dataset edit page -----------------------------------------------------------------------------------------


def type_everything(page: Page, words: str, *, access: str, disaggregation: str, index: int) -> None:
    """Type into every field of the dataset edit page (the columns included)."""
    form = page.locator("#dataset-edit-form")
    form.get_by_label("Title", exact=True).fill(f"Evictions {words}")
    form.get_by_label("Description", exact=True).fill(f"Description {words}")
    form.get_by_label("Provenance").fill(f"Provenance {words}")
    form.get_by_label("Licence").select_option("CC0-1.0" if index else "CC-BY-4.0")
    form.locator(f'input[name="access_level"][value="{access}"]').check()
    form.get_by_label("Anonymised records").check()
    form.get_by_label("Data-protection measures").fill(f"Measures {words}")
    form.locator(f'input[name="disaggregations"][value="{disaggregation}"]').check()
    form.get_by_label("Small-cell threshold").fill(str(6 + index))
    form.get_by_label("Period from").fill(f"202{index}-01-01")
    form.get_by_label("Period to").fill(f"202{index}-12-31")
    for name in ("themes", "sdg_targets", "groups", "countries"):
        form.locator(f'select[name="{name}"]').select_option(index=index)
    for column in ("Bezirk", "Haushaltstyp", "Räumungen", "Jahr"):
        form.get_by_label(f"Description of {column}").fill(f"{column} {words}")
    form.get_by_label("Type of Jahr").select_option("string" if index else "integer")
    counts = form.get_by_label("Räumungen holds counts")
    counts.set_checked(not index)


def assert_everything_saved(dataset: Dataset, words: str, *, access: str, disaggregation: str, index: int) -> None:
    dataset.refresh_from_db()
    assert dataset.title == f"Evictions {words}"
    assert dataset.description == f"Description {words}" and dataset.provenance == f"Provenance {words}"
    assert dataset.licence == ("CC0-1.0" if index else "CC-BY-4.0") and dataset.access_level == access
    assert dataset.personal_data == "anonymised" and dataset.personal_data_note == f"Measures {words}"
    assert disaggregation in dataset.disaggregations and dataset.min_cell_count == 6 + index
    assert dataset.period_start == dt.date(2020 + index, 1, 1) and dataset.period_end == dt.date(2020 + index, 12, 31)
    expected = {
        "themes": Theme.objects.order_by("name")[index],
        "sdg_targets": SDGTarget.objects.order_by("sort_key")[index],
        "groups": GroupAtRisk.objects.order_by("name")[index],
        "countries": Country.objects.order_by("name")[index],
    }
    for name, item in expected.items():
        assert list(getattr(dataset, name).all()) == [item], name
    descriptions = {column["name"]: column["description"] for column in dataset.schema}
    assert descriptions == {c: f"{c} {words}" for c in ("Bezirk", "Haushaltstyp", "Räumungen", "Jahr")}
    kinds = {column["name"]: column for column in dataset.schema}
    assert kinds["Jahr"]["type"] == ("string" if index else "integer")
    assert kinds["Räumungen"]["is_count"] is (not index)


def test_every_button_of_the_dataset_edit_page_keeps_everything_typed(new_page, city, researcher, password):
    partnership = graz_partnership(city, researcher)
    upload = SimpleUploadedFile("evictions.csv", (DATA / "evictions_latin1_semicolon.csv").read_bytes(), "text/csv")
    dataset = dataset_services.dataset_upload(
        partnership=partnership,
        by=researcher,
        upload=upload,
        data={
            "title": "Evictions",
            "description": "Court-ordered evictions.",
            "licence": "CC-BY-4.0",
            "access_level": "open",
            "personal_data": "aggregated",
        },
    )
    page = new_page()
    sign_in(page, researcher.email, password)
    page.goto(f"/data/datasets/{dataset.slug}/edit/")

    # "Save changes"
    type_everything(page, "saved with Save changes", access="on_request", disaggregation="sex", index=0)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    assert_everything_saved(dataset, "saved with Save changes", access="on_request", disaggregation="sex", index=0)
    assert dataset.status == Dataset.Status.DRAFT

    # "Publish dataset" (at the end of the form; the notice at the top links to it)
    page.get_by_role("link", name="Go to “Publish dataset”").click()
    type_everything(page, "saved with Publish", access="open", disaggregation="age_group", index=1)
    page.get_by_role("button", name="Publish dataset").click()
    expect(page.get_by_text("is published.")).to_be_visible()
    assert_everything_saved(dataset, "saved with Publish", access="open", disaggregation="age_group", index=1)
    assert dataset.status == Dataset.Status.PUBLISHED


# --- The workspace page --------------------------------------------------------------------------------------------


def type_everything_in_the_workspace(page: Page, words: str, *, milestone: Milestone, status: str, tmp_path) -> None:
    milestones = page.get_by_role("region", name="Milestones")
    if milestones.locator("details.workspace-form").get_attribute("open") is None:
        milestones.get_by_text("Add a milestone").click()
    milestones.get_by_label("Title").fill(f"Milestone {words}")
    milestones.get_by_label("Due date").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    milestones.get_by_label("Status", exact=True).select_option("in_progress")
    milestones.get_by_label("Description").fill(f"Milestone description {words}")
    milestones.get_by_label("Show on the public timeline").uncheck()
    milestones.get_by_label(f"Status of {milestone.title}").select_option(status)

    documents = page.get_by_role("region", name="Shared documents")
    if documents.locator("details.workspace-form").get_attribute("open") is None:
        documents.get_by_text("Share a document").click()
    documents.get_by_label("Title").fill(f"Document {words}")
    documents.get_by_label("Description").fill(f"Document description {words}")
    upload = tmp_path / f"{status}.pdf"
    upload.write_bytes(PDF)
    documents.get_by_label("File").set_input_files(str(upload))
    documents.get_by_label("What this version is").fill(f"Version note {words}")

    page.get_by_role("region", name="Notes").get_by_label("Note").fill(f"Note {words}")


def assert_workspace_saved(partnership, words: str, *, milestone: Milestone, status: str) -> None:
    added = Milestone.objects.get(partnership=partnership, title=f"Milestone {words}")
    assert added.description == f"Milestone description {words}" and added.status == "in_progress"
    assert not added.is_public
    assert Milestone.objects.get(pk=milestone.pk).status == status
    document = WorkspaceDocument.objects.get(partnership=partnership, title=f"Document {words}")
    assert document.description == f"Document description {words}"
    assert document.versions.get().note == f"Version note {words}"
    assert WorkspaceNote.objects.filter(partnership=partnership, body=f"Note {words}").exists()


def test_every_button_of_the_workspace_keeps_everything_typed(new_page, city, researcher, password, tmp_path):
    partnership = graz_partnership(city, researcher)
    kickoff = Milestone.objects.create(partnership=partnership, title="Kick-off", due_date=timezone.localdate())
    page = new_page()
    sign_in(page, researcher.email, password)
    presses = [
        ("Add milestone", "in_progress"),
        ("Share document", "done"),
        ("Post note", "dropped"),
        ("Change status", "planned"),
    ]
    for button, status in presses:
        words = f"via {button}"
        page.goto(partnership.get_workspace_url())
        type_everything_in_the_workspace(page, words, milestone=kickoff, status=status, tmp_path=tmp_path)
        if button == "Change status":
            page.get_by_role("button", name=f"Change status — {kickoff.title}").click()
        else:
            page.get_by_role("button", name=button).click()
        expect(page.locator(".messages")).to_contain_text("Your note is posted.")
        assert_workspace_saved(partnership, words, milestone=kickoff, status=status)
