"""No silent lost update on workspace milestones and notes (issue 15 §2).

Two partnership members (the researcher and the city's official) edit one milestone: the second save of the same
version is refused with both versions side by side, nothing of it saved and the typed text kept; a per-field choice
merges. A status change from the workspace page moves the version on (an open edit form becomes stale) and is
itself refused when the milestone changed since the page was opened, so it never silently undoes an edit.
"""

import datetime as dt
import html
import re

from django.test import Client
from django.utils import timezone

import pytest

from hub.versioning import StaleEdit
from projects.models import Milestone, WorkspaceNote
from projects.services import workspace as services
from tests.concurrency.races import needs_postgresql, race, race_db

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def milestone(partnership, researcher):
    return Milestone.objects.create(
        partnership=partnership,
        title="Survey fieldwork",
        due_date=TODAY + dt.timedelta(days=30),
        description="Door-to-door survey.",
        created_by=researcher,
    )


def edit_url(milestone) -> str:
    return f"{milestone.partnership.get_workspace_url()}milestones/{milestone.pk}/edit/"


def status_url(milestone) -> str:
    return f"{milestone.partnership.get_workspace_url()}milestones/{milestone.pk}/status/"


def milestone_form(milestone, **overrides) -> dict:
    """What the edit page posts when opened now and saved unchanged (plus ``overrides``)."""
    milestone = Milestone.objects.get(pk=milestone.pk)
    data = {
        "title": milestone.title,
        "due_date": milestone.due_date.isoformat(),
        "status": milestone.status,
        "description": milestone.description,
        "edit_version": str(milestone.edit_version),
    }
    if milestone.is_public:
        data["is_public"] = "on"
    data.update(overrides)
    return data


def as_user(client, user):
    client.force_login(user)
    return client


# --- Milestone edit ----------------------------------------------------------------------------------------------


def test_second_milestone_save_of_the_same_version_gets_both_side_by_side(client, milestone, researcher, official):
    a_form, b_form = milestone_form(milestone), milestone_form(milestone)
    assert as_user(client, researcher).get(edit_url(milestone)).status_code == 200
    assert as_user(client, researcher).post(edit_url(milestone), {**a_form, "title": "Survey (A)"}).status_code == 302

    response = as_user(client, official).post(edit_url(milestone), {**b_form, "description": "Typed by the city (B)"})
    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert "Your version and the saved version" in page
    assert "Survey (A)" in page and "Typed by the city (B)" in page
    assert 'name="edit_version" value="2"' in response.content.decode()
    saved = Milestone.objects.get(pk=milestone.pk)
    assert saved.title == "Survey (A)" and saved.description == "Door-to-door survey." and saved.edit_version == 2


def test_taking_the_saved_title_merges_both_changes(client, milestone, researcher, official):
    b_form = milestone_form(milestone)
    as_user(client, researcher).post(edit_url(milestone), {**milestone_form(milestone), "title": "Survey (A)"})
    typed = {**b_form, "description": "Typed by the city (B)"}
    assert as_user(client, official).post(edit_url(milestone), typed).status_code == 409
    response = client.post(
        edit_url(milestone), {**typed, "edit_version": "2", "merge-title": "saved", "merge-description": "mine"}
    )
    assert response.status_code == 302
    saved = Milestone.objects.get(pk=milestone.pk)
    assert saved.title == "Survey (A)" and saved.description == "Typed by the city (B)" and saved.edit_version == 3


def test_a_status_change_makes_an_open_edit_form_stale(client, milestone, researcher, official):
    b_form = milestone_form(milestone)  # the official opens the edit page
    response = as_user(client, researcher).post(status_url(milestone), {"status": "done", "edit_version": "1"})
    assert response.status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).edit_version == 2

    response = as_user(client, official).post(edit_url(milestone), {**b_form, "title": "Survey fieldwork (B)"})
    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    # The status row: B's "Planned" beside the saved "Done".
    assert re.search(r'data-conflict-mine="status"[^>]*>Planned</td>', page)
    assert re.search(r'data-conflict-saved="status"[^>]*>Done</td>', page)
    saved = Milestone.objects.get(pk=milestone.pk)
    assert saved.status == Milestone.Status.DONE and saved.title == "Survey fieldwork"


def test_a_status_change_from_an_older_page_does_not_undo_an_edit(client, milestone, researcher, official):
    # The official's workspace page shows version 1; the researcher then edits the milestone to "in progress".
    page = as_user(client, official).get(milestone.partnership.get_workspace_url()).content.decode()
    assert f'name="status-{milestone.pk}-version" value="1"' in page
    as_user(client, researcher).post(edit_url(milestone), milestone_form(milestone, status="in_progress"))
    response = as_user(client, official).post(
        status_url(milestone), {"status": "dropped", "edit_version": "1"}, follow=True
    )
    assert "Someone changed “Survey fieldwork” after you opened this page: it is now In progress." in html.unescape(
        response.content.decode()
    )
    saved = Milestone.objects.get(pk=milestone.pk)
    assert saved.status == Milestone.Status.IN_PROGRESS and saved.edit_version == 2


@pytest.mark.parametrize("version", [None, "", "x", "0"])
def test_milestone_edit_without_a_good_version_is_refused(client, milestone, researcher, version):
    form = milestone_form(milestone, title="Not saved")
    if version is None:
        del form["edit_version"]
    else:
        form["edit_version"] = version
    response = as_user(client, researcher).post(edit_url(milestone), form)
    assert response.status_code == 400 and 'value="Not saved"' in response.content.decode()
    if version in (None, ""):
        assert "This form is missing its version; reload the page and try again." in response.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).title == "Survey fieldwork"


@pytest.mark.parametrize("version", [None, "x"])
def test_status_change_without_a_good_version_is_refused(client, milestone, researcher, version):
    data = {"status": "done"} if version is None else {"status": "done", "edit_version": version}
    response = as_user(client, researcher).post(status_url(milestone), data, follow=True)
    assert "This status form is missing its version; reload the page and try again." in response.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.PLANNED


def test_services_refuse_stale_versions(milestone, researcher):
    services.milestone_set_status(milestone=milestone, by=researcher, status="done", edit_version=1)
    stale = Milestone.objects.get(pk=milestone.pk)
    stale.edit_version = 1
    with pytest.raises(StaleEdit):
        services.milestone_update(
            milestone=stale, by=researcher, title="Late", due_date=TODAY, status="planned", edit_version=1
        )
    with pytest.raises(StaleEdit):
        services.milestone_set_status(milestone=stale, by=researcher, status="dropped", edit_version=1)
    saved = Milestone.objects.get(pk=milestone.pk)
    assert saved.status == Milestone.Status.DONE and saved.title == "Survey fieldwork" and saved.completed_at == TODAY


# --- Notes -------------------------------------------------------------------------------------------------------


@pytest.fixture
def note(partnership, researcher):
    return WorkspaceNote.objects.create(partnership=partnership, author=researcher, body="Meeting on Monday")


def note_url(note) -> str:
    return f"{note.partnership.get_workspace_url()}notes/{note.pk}/edit/"


def test_a_note_saved_in_two_tabs_gets_the_conflict_then_merges(client, note, researcher):
    as_user(client, researcher)
    assert client.post(note_url(note), {"body": "Meeting on Tuesday", "edit_version": "1"}).status_code == 302
    response = client.post(note_url(note), {"body": "Meeting on Monday, room 2", "edit_version": "1"})
    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert "Meeting on Tuesday" in page and "Meeting on Monday, room 2" in page
    assert WorkspaceNote.objects.get(pk=note.pk).body == "Meeting on Tuesday"
    # Mine, edited to combine both.
    response = client.post(
        note_url(note), {"body": "Meeting on Tuesday, room 2", "edit_version": "2", "merge-body": "mine"}
    )
    assert response.status_code == 302
    saved = WorkspaceNote.objects.get(pk=note.pk)
    assert saved.body == "Meeting on Tuesday, room 2" and saved.edit_version == 3


def test_a_note_save_without_a_version_is_refused(client, note, researcher):
    response = as_user(client, researcher).post(note_url(note), {"body": "Not saved"})
    assert response.status_code == 400
    assert "This form is missing its version; reload the page and try again." in response.content.decode()
    assert "Not saved" in response.content.decode()
    assert WorkspaceNote.objects.get(pk=note.pk).body == "Meeting on Monday"


# --- Thread race (PostgreSQL) --------------------------------------------------------------------------------------

RACERS = 8


@needs_postgresql
@race_db
def test_simultaneous_milestone_saves_one_wins_the_others_get_the_conflict(partnership, researcher):
    milestone = Milestone.objects.create(partnership=partnership, title="Kick-off", due_date=TODAY)
    form = milestone_form(milestone)
    clients = []
    for _ in range(RACERS):
        racer = Client()
        racer.force_login(researcher)
        clients.append(racer)
    responses = race(clients, lambda i, c: c.post(edit_url(milestone), {**form, "description": f"Racer {i}"}))
    assert sorted(r.status_code for r in responses) == [302] + [409] * (RACERS - 1)
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    saved = Milestone.objects.get(pk=milestone.pk)
    assert saved.description == f"Racer {winner}" and saved.edit_version == 2
