"""The workspace is for members only: every URL is a 404 for everyone else, and sign-in for anonymous people."""

import pytest

from projects.factories import PartnershipFactory, add_member
from projects.models import Milestone, PartnershipMember, WorkspaceDocument, WorkspaceNote
from projects.services.workspace import document_create
from tests.projects.test_workspace_documents import pdf_upload


@pytest.fixture
def workspace_objects(partnership, researcher):
    milestone = Milestone.objects.create(partnership=partnership, title="Kick-off", due_date="2030-01-01")
    document = document_create(partnership=partnership, by=researcher, title="Data plan", upload=pdf_upload())
    note = WorkspaceNote.objects.create(partnership=partnership, author=researcher, body="Hello team")
    return milestone, document, note


def urls(partnership, milestone, document, note):
    base = f"/partnerships/{partnership.slug}/workspace/"
    return [
        ("get", base),
        ("post", f"{base}milestones/add/"),
        ("get", f"{base}milestones/{milestone.pk}/edit/"),
        ("post", f"{base}milestones/{milestone.pk}/edit/"),
        ("post", f"{base}milestones/{milestone.pk}/status/"),
        ("post", f"{base}documents/add/"),
        ("get", f"{base}documents/{document.pk}/"),
        ("post", f"{base}documents/{document.pk}/versions/add/"),
        ("get", f"{base}documents/{document.pk}/versions/1/download/"),
        ("post", f"{base}notes/add/"),
        ("get", f"{base}notes/{note.pk}/edit/"),
        ("post", f"{base}notes/{note.pk}/edit/"),
    ]


@pytest.fixture
def other_city_official(make_city):
    return make_city("Linz")[1]


@pytest.mark.parametrize("who", ["outsider", "coordinator", "other_city_official"])
def test_non_members_get_404_at_every_workspace_url(client, request, partnership, workspace_objects, who):
    client.force_login(request.getfixturevalue(who))
    for method, url in urls(partnership, *workspace_objects):
        response = getattr(client, method)(url, {"status": "done", "note-body": "x", "body": "x"})
        assert response.status_code == 404, (who, method, url)
    assert WorkspaceNote.objects.count() == 1 and WorkspaceDocument.objects.count() == 1
    assert Milestone.objects.get().status == Milestone.Status.PLANNED


def test_anonymous_people_are_sent_to_sign_in(client, partnership, workspace_objects):
    for method, url in urls(partnership, *workspace_objects):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_objects_of_another_partnership_are_404_for_its_non_members(client, partnership, workspace_objects, outsider):
    mine = PartnershipFactory(title="Outsider's own partnership")
    add_member(mine, outsider)
    client.force_login(outsider)
    milestone, document, note = workspace_objects
    base = f"/partnerships/{mine.slug}/workspace/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}documents/{document.pk}/").status_code == 404
    assert client.get(f"{base}documents/{document.pk}/versions/1/download/").status_code == 404
    assert client.get(f"{base}milestones/{milestone.pk}/edit/").status_code == 404
    assert client.get(f"{base}notes/{note.pk}/edit/").status_code == 404


@pytest.mark.parametrize("side", ["research", "city", "partner"])
def test_members_of_every_side_open_the_workspace(client, partnership, outsider, side):
    add_member(partnership, outsider, side=side)
    client.force_login(outsider)
    response = client.get(partnership.get_workspace_url())
    assert response.status_code == 200
    assert "Only the partnership's members see this page" in response.content.decode()


def test_private_partnerships_have_a_workspace_for_members(client, researcher):
    hidden = PartnershipFactory(is_public=False)
    add_member(hidden, researcher, side=PartnershipMember.Side.RESEARCH)
    client.force_login(researcher)
    assert client.get(hidden.get_workspace_url()).status_code == 200
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_workspace_links_the_members_actions_and_drafts(client, partnership, researcher):
    from tests.projects.test_partnerships_pages import make_dataset, make_result

    make_result(partnership, "Draft policy brief", status="draft")
    make_result(partnership, "Published report")
    make_dataset(partnership, "Draft survey data", status="draft")
    client.force_login(researcher)
    content = client.get(partnership.get_workspace_url()).content.decode()
    for path, label in [
        ("results/new/", "Publish a result"),
        ("datasets/new/", "Upload a dataset"),
        ("indicators/import/", "Import indicator observations"),
        ("methods/propose/", "Propose a method or tool"),
    ]:
        assert f"/partnerships/{partnership.slug}/{path}" in content and label in content
    drafts = content[content.index('id="drafts-title"') :]
    assert "Draft policy brief" in drafts and "Draft survey data" in drafts and "Published report" not in drafts


def test_workspace_query_count_does_not_grow(client, partnership, researcher, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(researcher)
    url = partnership.get_workspace_url()
    document_create(partnership=partnership, by=researcher, title="Doc 0", upload=pdf_upload())
    WorkspaceNote.objects.create(partnership=partnership, author=researcher, body="First")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(1, 8):
        document_create(partnership=partnership, by=researcher, title=f"Doc {n}", upload=pdf_upload())
        WorkspaceNote.objects.create(partnership=partnership, author=researcher, body=f"Note {n}")
        Milestone.objects.create(partnership=partnership, title=f"Step {n}", due_date="2030-01-01")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Doc 7" in client.get(url).content.decode()
