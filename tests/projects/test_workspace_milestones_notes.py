"""Milestones (research and city members plan them) and the notes stream (every member)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone

import pytest

from projects.factories import add_member
from projects.models import Milestone, PartnershipMember, WorkspaceNote
from projects.services.workspace import milestone_add, note_edit
from tests.dates import city_today

TODAY = timezone.localdate()  # UTC: the services, called here outside a request
CITY_TODAY = city_today()  # an official's today, in a request


def add(client, partnership, **fields):
    data = {
        "milestone-title": "Survey fieldwork",
        "milestone-due_date": (TODAY + dt.timedelta(days=30)).isoformat(),
        "milestone-status": "planned",
        "milestone-description": "",
        "milestone-is_public": "on",
    }
    data.update({f"milestone-{k}": v for k, v in fields.items()})
    return client.post(f"{partnership.get_workspace_url()}milestones/add/", data)


@pytest.mark.parametrize("who", ["researcher", "official"])
def test_research_and_city_members_add_milestones(client, partnership, researcher, official, who):
    client.force_login(researcher if who == "researcher" else official)
    response = add(client, partnership)
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    assert milestone.title == "Survey fieldwork" and milestone.is_public and milestone.partnership == partnership
    assert "Survey fieldwork" in client.get(partnership.get_absolute_url()).content.decode()


def test_partner_members_see_milestones_but_cannot_change_them(client, partnership, outsider):
    add_member(partnership, outsider, side=PartnershipMember.Side.PARTNER)
    milestone = Milestone.objects.create(partnership=partnership, title="Kick-off", due_date=TODAY)
    client.force_login(outsider)
    page = client.get(partnership.get_workspace_url()).content.decode()
    assert "Kick-off" in page and "Add a milestone" not in page
    assert "Milestones are set by the research team and the city." in page
    add(client, partnership)
    client.post(f"{partnership.get_workspace_url()}milestones/{milestone.pk}/status/", {"status": "done"})
    assert Milestone.objects.count() == 1 and Milestone.objects.get().status == Milestone.Status.PLANNED
    with pytest.raises(PermissionDenied):
        milestone_add(partnership=partnership, by=outsider, title="X", due_date=TODAY)


def test_bad_milestone_input_is_explained_and_kept(client, partnership, researcher):
    client.force_login(researcher)
    response = add(client, partnership, title="<b>Fieldwork</b>", due_date="31/02/2025")
    assert response.status_code == 400
    content = response.content.decode()
    assert "Enter a valid date" in content and 'value="&lt;b&gt;Fieldwork&lt;/b&gt;"' in content
    response = add(client, partnership, title="", status="finished")
    assert "This field is required" in response.content.decode()
    assert "Select a valid choice" in response.content.decode()
    assert not Milestone.objects.exists()


def test_status_change_records_completion_and_late_ones_are_marked(client, partnership, researcher):
    late = Milestone.objects.create(partnership=partnership, title="Ethics approval", due_date=TODAY - dt.timedelta(1))
    client.force_login(researcher)
    assert ">late<" in client.get(partnership.get_workspace_url()).content.decode()
    response = client.post(
        f"{partnership.get_workspace_url()}milestones/{late.pk}/status/", {"status": "done", "edit_version": "1"}
    )
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.status == Milestone.Status.DONE and late.completed_at == TODAY
    assert ">late<" not in client.get(partnership.get_workspace_url()).content.decode()
    client.post(
        f"{partnership.get_workspace_url()}milestones/{late.pk}/status/", {"status": "in_progress", "edit_version": "2"}
    )
    late.refresh_from_db()
    assert late.completed_at is None


def test_edit_a_milestone_and_hide_it_from_the_public(client, partnership, official):
    milestone = Milestone.objects.create(partnership=partnership, title="Kick-off", due_date=TODAY)
    client.force_login(official)
    url = f"{partnership.get_workspace_url()}milestones/{milestone.pk}/edit/"
    assert 'value="Kick-off"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": "Kick-off meeting",
            "due_date": TODAY.isoformat(),
            "status": "done",
            "description": "Done.",
            "edit_version": "1",
        },
    )
    assert response.status_code == 302
    assert "Kick-off meeting" in client.get(response["Location"]).content.decode()
    milestone.refresh_from_db()
    assert milestone.title == "Kick-off meeting" and not milestone.is_public and milestone.completed_at == CITY_TODAY
    assert "Kick-off meeting" not in client.get(partnership.get_absolute_url()).content.decode()


# Notes


def test_members_post_notes_newest_first_and_script_is_shown_as_text(client, partnership, researcher, official):
    client.force_login(researcher)
    client.post(f"{partnership.get_workspace_url()}notes/add/", {"note-body": "First: survey draft is ready"})
    client.force_login(official)
    response = client.post(
        f"{partnership.get_workspace_url()}notes/add/", {"note-body": "<script>alert('x')</script>\nSecond line"}
    )
    assert response.status_code == 302
    content = client.get(partnership.get_workspace_url()).content.decode()
    assert "<script>alert('x')</script>" not in content
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>Second line" in content
    assert content.index("&lt;script&gt;") < content.index("First: survey draft is ready")


def test_empty_or_too_long_notes_are_refused(client, partnership, researcher):
    client.force_login(researcher)
    url = f"{partnership.get_workspace_url()}notes/add/"
    assert "This field is required" in client.post(url, {"note-body": "   "}).content.decode()
    response = client.post(url, {"note-body": "x" * 10001})
    assert response.status_code == 400 and "at most 10000 characters" in response.content.decode()
    assert not WorkspaceNote.objects.exists()


def test_authors_edit_their_own_notes_only(client, partnership, researcher, official):
    note = WorkspaceNote.objects.create(partnership=partnership, author=researcher, body="Meeting on Monday")
    url = f"{partnership.get_workspace_url()}notes/{note.pk}/edit/"
    client.force_login(official)
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "Hijacked"}).status_code == 404
    with pytest.raises(PermissionDenied):
        note_edit(note=note, by=official, body="Hijacked", edit_version=note.edit_version)
    assert f"notes/{note.pk}/edit/" not in client.get(partnership.get_workspace_url()).content.decode()
    client.force_login(researcher)
    assert client.post(url, {"body": "", "edit_version": "1"}).status_code == 400
    assert client.post(url, {"body": "Meeting on Tuesday", "edit_version": "1"}).status_code == 302
    note.refresh_from_db()
    assert note.body == "Meeting on Tuesday" and note.edited_at is not None
    assert "edited" in client.get(partnership.get_workspace_url()).content.decode()
