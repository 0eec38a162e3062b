"""The workspace page is one form (issue 16 §3): whichever button is pressed, everything typed on the page is saved.

One test per button: type into every part of the page (a new milestone, a status change, a document with its file,
a note), press that button, and find every part saved.
"""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import pytest

from projects.models import Milestone, WorkspaceDocument, WorkspaceNote

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def kickoff(partnership):
    return Milestone.objects.create(partnership=partnership, title="Kick-off", due_date=TODAY)


def everything_typed(kickoff, **overrides) -> dict:
    data = {
        "milestone-title": "Survey fieldwork",
        "milestone-due_date": (TODAY + dt.timedelta(days=30)).isoformat(),
        "milestone-status": "planned",
        "milestone-description": "Door-to-door.",
        "milestone-is_public": "on",
        f"status-{kickoff.pk}": "done",
        f"status-{kickoff.pk}-shown": "planned",
        f"status-{kickoff.pk}-version": str(kickoff.edit_version),
        "document-title": "Data management plan",
        "document-description": "How we keep the data.",
        "document-note": "First draft",
        "document-file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        "note-body": "Fieldwork starts next month.",
    }
    data.update(overrides)
    return data


def assert_everything_saved(partnership):
    added = Milestone.objects.get(partnership=partnership, title="Survey fieldwork")
    assert added.description == "Door-to-door." and added.is_public
    assert Milestone.objects.get(partnership=partnership, title="Kick-off").status == Milestone.Status.DONE
    document = WorkspaceDocument.objects.get(partnership=partnership)
    assert document.title == "Data management plan" and document.description == "How we keep the data."
    assert document.versions.get().note == "First draft"
    assert WorkspaceNote.objects.get(partnership=partnership).body == "Fieldwork starts next month."


@pytest.mark.parametrize(
    "button, address",
    [
        ("Add milestone", "milestones/add/"),
        ("Share document", "documents/add/"),
        ("Post note", "notes/add/"),
        ("Change status", "milestones/{pk}/status/"),
    ],
)
def test_every_button_of_the_workspace_saves_everything_typed(
    client, partnership, researcher, kickoff, button, address
):
    client.force_login(researcher)
    page = client.get(partnership.get_workspace_url()).content.decode()
    action = f"{partnership.get_workspace_url()}{address.format(pk=kickoff.pk)}"
    assert f'formaction="{action}">{button}' in page
    assert page.count('id="workspace-form"') == 1
    response = client.post(action, everything_typed(kickoff))
    assert response.status_code == 302
    assert_everything_saved(partnership)
    messages = client.get(response["Location"]).content.decode()
    for text in ("Milestone “Survey fieldwork” added.", "is shared with the partnership.", "Your note is posted."):
        assert text in messages


def test_a_part_that_needs_fixing_comes_back_with_its_text_and_the_rest_is_saved(
    client, partnership, researcher, kickoff
):
    client.force_login(researcher)
    typed = everything_typed(kickoff, **{"milestone-due_date": "", "milestone-title": "Survey <fieldwork>"})
    response = client.post(f"{partnership.get_workspace_url()}notes/add/", typed)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Survey &lt;fieldwork&gt;"' in page and "This field is required" in page
    assert not Milestone.objects.filter(title__startswith="Survey").exists()
    assert WorkspaceNote.objects.get().body == "Fieldwork starts next month."
    assert WorkspaceDocument.objects.get().title == "Data management plan"
    assert Milestone.objects.get(pk=kickoff.pk).status == Milestone.Status.DONE
    # What was saved is not in the form any more, so saving again does not post it twice.
    assert "Fieldwork starts next month.</textarea>" not in page


def test_the_pressed_part_must_be_filled_in_the_others_only_when_typed(client, partnership, researcher, kickoff):
    client.force_login(researcher)
    response = client.post(f"{partnership.get_workspace_url()}notes/add/", {"note-body": "  "})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = client.post(f"{partnership.get_workspace_url()}notes/add/", {"note-body": "Only a note"})
    assert response.status_code == 302
    assert Milestone.objects.count() == 1 and not WorkspaceDocument.objects.exists()
    assert WorkspaceNote.objects.get().body == "Only a note"
