"""Drill: the disk fills up while a proposal attachment is being written.

The lead gets a clear message, no attachment row points at a missing file and no partial file
stays on disk, for a small upload (held in memory) and a large one (spooled to a temporary file).
"""

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from calls.models import Attachment
from calls.storage import private_storage
from tests.drills.conftest import assert_invariant, assert_no_traceback, big_pdf, private_files

pytestmark = [pytest.mark.drill, pytest.mark.django_db]

FULL = "The server could not store your file; nothing was saved"


@pytest.mark.parametrize("size", [64 * 1024, 3 * 1024 * 1024], ids=["in-memory upload", "spooled upload"])
def test_disk_full_during_upload_leaves_no_row_and_no_partial_file(client, settings, draft, lead, size):
    client.force_login(lead)
    settings.PRIVATE_STORAGE_DRILL = {"enospc_after_bytes": 10_000}
    upload = SimpleUploadedFile("plan.pdf", big_pdf(size), content_type="application/pdf")

    response = client.post(f"/proposals/{draft.pk}/attachments/", {"file": upload})

    assert response.status_code == 400
    assert FULL in response.content.decode()
    assert_no_traceback(response)
    assert not Attachment.objects.filter(proposal=draft).exists()
    assert private_files() == [], "a partial file was left on disk"
    assert_invariant()


def test_after_the_disk_is_freed_the_same_upload_succeeds(client, settings, draft, lead):
    client.force_login(lead)
    settings.PRIVATE_STORAGE_DRILL = {"enospc_after_bytes": 1_000}
    content = big_pdf(20_000)
    client.post(f"/proposals/{draft.pk}/attachments/", {"file": SimpleUploadedFile("plan.pdf", content)})
    settings.PRIVATE_STORAGE_DRILL = None

    response = client.post(f"/proposals/{draft.pk}/attachments/", {"file": SimpleUploadedFile("plan.pdf", content)})

    assert response.status_code == 302
    attachment = Attachment.objects.get(proposal=draft)
    with private_storage.open(attachment.file.name) as stored:
        assert stored.read() == content
    assert_invariant()


def test_disk_full_during_a_workspace_upload_answers_507_and_stores_nothing(client, settings, city, researcher):
    """Uploads without a message of their own (workspace documents, results, datasets) get the 507 page."""
    from projects.factories import PartnershipFactory, add_member
    from projects.models import PartnershipMember, WorkspaceDocument, WorkspaceDocumentVersion

    organisation, _official = city
    partnership = PartnershipFactory(title="Heat and health Graz", slug="heat-and-health-graz", city=organisation)
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH, role="Lead researcher")
    client.force_login(researcher)
    settings.PRIVATE_STORAGE_DRILL = {"enospc_after_bytes": 1_000}
    upload = SimpleUploadedFile("plan.pdf", big_pdf(64 * 1024), content_type="application/pdf")

    response = client.post(
        f"{partnership.get_workspace_url()}documents/add/",
        {"document-title": "Data plan", "document-description": "", "document-note": "", "document-file": upload},
    )

    assert response.status_code == 507
    assert "could not store your file" in response.content.decode()
    assert_no_traceback(response)
    assert not WorkspaceDocument.objects.exists() and not WorkspaceDocumentVersion.objects.exists()
    assert private_files() == [], "a partial file was left on disk"
