"""Drill: the directory uploads spool to (FILE_UPLOAD_TEMP_DIR) fills up in the middle of an upload.

The user gets the same clear "nothing was saved" page as for a full media disk (507, never a 500), no partial
temporary file stays behind, and once space is freed the same upload succeeds.
"""

import errno
import os
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

import pytest

from calls.models import Attachment
from tests.drills.conftest import assert_no_traceback, big_pdf

pytestmark = [pytest.mark.drill, pytest.mark.django_db]
FULL_AFTER_BYTES = 256 * 1024
FULL_HANDLERS = [
    "hub.upload_handlers.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "tests.drills.test_upload_temp_full.FullDiskTemporaryFileUploadHandler",
]


class FullDiskTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's spooling handler on a disk that is full after FULL_AFTER_BYTES: the write fails with ENOSPC."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > FULL_AFTER_BYTES:
            self.file.write(raw_data[: max(0, FULL_AFTER_BYTES - start)])
            self.file.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().receive_data_chunk(raw_data, start)


def temp_files(settings) -> list[str]:
    root = Path(settings.FILE_UPLOAD_TEMP_DIR)
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_a_full_upload_directory_answers_507_and_leaves_no_partial_file(client, settings, draft, lead):
    client.force_login(lead)
    settings.FILE_UPLOAD_HANDLERS = FULL_HANDLERS
    upload = SimpleUploadedFile("plan.csv", big_pdf(3 * 1024 * 1024), content_type="application/pdf")

    response = client.post(f"/proposals/{draft.pk}/attachments/", {"file": upload})

    assert response.status_code == 507
    assert "could not store your file" in response.content.decode()
    assert_no_traceback(response)
    assert temp_files(settings) == [], "a partial tmp*.upload file was left behind"
    assert not Attachment.objects.filter(proposal=draft).exists()


def test_after_space_is_freed_the_same_upload_succeeds(client, settings, draft, lead):
    client.force_login(lead)
    content, handlers = big_pdf(3 * 1024 * 1024), settings.FILE_UPLOAD_HANDLERS
    settings.FILE_UPLOAD_HANDLERS = FULL_HANDLERS
    client.post(f"/proposals/{draft.pk}/attachments/", {"file": SimpleUploadedFile("plan.pdf", content)})
    settings.FILE_UPLOAD_HANDLERS = handlers

    response = client.post(f"/proposals/{draft.pk}/attachments/", {"file": SimpleUploadedFile("plan.pdf", content)})

    assert response.status_code == 302
    assert Attachment.objects.filter(proposal=draft).count() == 1
    assert temp_files(settings) == []
