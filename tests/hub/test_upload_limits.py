"""Upload limits per URL: a body over its URL's limit is refused with 413 before it reaches the disk."""

import os
import time
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

import pytest

from calls.models import Attachment
from calls.services.proposals import proposal_start
from profiles.factories import ResearcherProfileFactory
from tests.calls.test_proposal_services import PDF

pytestmark = pytest.mark.django_db
GIGABYTE = 1024 * 1024 * 1024


@pytest.fixture
def lead(db):
    return ResearcherProfileFactory(user__email="lead@example.org").user


@pytest.fixture
def draft(open_call, lead):
    return proposal_start(call=open_call, by=lead, title="Older tenants")


class UnreadableBody:
    """A request body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


class CountingBody:
    """A request body that records how much of it was read."""

    def __init__(self, data: bytes):
        self.data, self.position = data, 0

    def read(self, size=-1):
        end = len(self.data) if size is None or size < 0 else self.position + size
        chunk = self.data[self.position : end]
        self.position += len(chunk)
        return chunk

    def readline(self, size=-1):
        return self.read(size)


def temp_files(settings) -> list[str]:
    root = Path(settings.FILE_UPLOAD_TEMP_DIR)
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def post_body(client, path: str, body, length: int):
    return client.generic(
        "POST",
        path,
        b"",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": body},
    )


def test_a_gigabyte_content_length_is_refused_with_413_without_reading_the_body(client, settings, draft, lead):
    client.force_login(lead)

    response = post_body(client, f"/proposals/{draft.pk}/attachments/", UnreadableBody(), GIGABYTE)

    assert response.status_code == 413
    text = response.content.decode()
    assert "too large" in text and "10.0\xa0MB" in text and "Nothing was saved" in text
    assert "Traceback" not in text
    assert not Attachment.objects.filter(proposal=draft).exists()
    assert temp_files(settings) == []


def test_the_limit_is_per_url(client, settings, draft, lead):
    """The same 30 MB are too much for an attachment (10 MB) but within a dataset upload's limit (50 MB)."""
    client.force_login(lead)
    length = 30 * 1024 * 1024

    attachment = post_body(client, f"/proposals/{draft.pk}/attachments/", UnreadableBody(), length)
    dataset = post_body(client, "/partnerships/no-such-partnership/datasets/new/", CountingBody(b""), length)

    assert attachment.status_code == 413
    assert dataset.status_code != 413


def test_a_body_longer_than_its_files_may_be_is_stopped_while_streaming(client, settings, draft, lead):
    """A length header that passes (here: a generous allowance for form fields) does not let a file through."""
    client.force_login(lead)
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "proposal_attachment_add": 100_000}
    settings.UPLOAD_FORM_OVERHEAD_BYTES = 20 * 1024 * 1024
    data = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("plan.pdf", PDF + b"0" * (8 * 1024 * 1024))})
    body = CountingBody(data)

    response = post_body(client, f"/proposals/{draft.pk}/attachments/", body, len(data))

    assert response.status_code == 413
    assert "97.7\xa0KB" in response.content.decode()
    assert body.position < 1024 * 1024, "the whole body was read before refusing it"
    assert not Attachment.objects.filter(proposal=draft).exists()
    assert temp_files(settings) == []


def test_a_file_slightly_over_the_limit_still_gets_the_forms_own_message(client, settings, draft, lead):
    client.force_login(lead)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (11 * 1024 * 1024), content_type="application/pdf")

    response = client.post(f"/proposals/{draft.pk}/attachments/", {"file": big})

    assert response.status_code == 400
    assert "attachments may be at most 10.0\xa0MB" in response.content.decode()
    assert temp_files(settings) == []


def test_a_spooled_upload_within_the_limit_is_stored_and_leaves_no_temporary_file(client, settings, draft, lead):
    client.force_login(lead)
    content = PDF + b"%" + b"x" * (3 * 1024 * 1024) + b"\n"

    response = client.post(f"/proposals/{draft.pk}/attachments/", {"file": SimpleUploadedFile("plan.pdf", content)})

    assert response.status_code == 302
    assert Attachment.objects.filter(proposal=draft).count() == 1
    assert temp_files(settings) == []


def test_uploads_spool_to_the_sites_own_directory(settings):
    assert "hub.upload_handlers.UploadLimitHandler" == settings.FILE_UPLOAD_HANDLERS[0]
    assert settings.FILE_UPLOAD_TEMP_DIR


def test_the_sweep_removes_temporary_uploads_older_than_an_hour(settings):
    root = Path(settings.FILE_UPLOAD_TEMP_DIR)
    root.mkdir(parents=True, exist_ok=True)
    stale, fresh = root / "tmpabc123.upload.pdf", root / "tmpdef456.upload.pdf"
    stale.write_bytes(b"x" * 20_000)
    fresh.write_bytes(b"x" * 20_000)
    two_hours_ago = time.time() - 2 * 3600
    os.utime(stale, (two_hours_ago, two_hours_ago))

    call_command("private_media_sweep")

    assert not stale.exists()
    assert fresh.exists(), "an upload in flight was removed"
