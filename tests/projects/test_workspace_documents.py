"""Shared documents: versions, checked uploads (type by content, size), downloads with a safe name."""

import hashlib
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from projects.models import WorkspaceDocument, WorkspaceDocumentVersion
from projects.services.workspace import clean_filename, document_create

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


def pdf_upload(name: str = "data-plan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def share(client, partnership, upload, title="Data management plan"):
    return client.post(
        f"{partnership.get_workspace_url()}documents/add/",
        {"document-title": title, "document-description": "", "document-note": "First draft", "document-file": upload},
    )


@pytest.fixture
def member_client(client, researcher):
    client.force_login(researcher)
    return client


def test_member_shares_a_document_and_uploads_a_new_version(member_client, partnership, researcher):
    response = share(member_client, partnership, pdf_upload())
    document = WorkspaceDocument.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/documents/{document.pk}/")
    response = member_client.post(
        f"{partnership.get_workspace_url()}documents/{document.pk}/versions/add/",
        {"file": SimpleUploadedFile("plan v2.csv", b"district,evictions\nNorth,12\n"), "note": "With numbers"},
    )
    assert response.status_code == 302
    page = member_client.get(response["Location"]).content.decode()
    assert "plan v2.csv" in page and "data-plan.pdf" in page and "With numbers" in page
    first, second = document.versions.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert first.sha256 == hashlib.sha256(PDF).hexdigest() and first.size == len(PDF)
    assert first.content_type == "application/pdf" and second.content_type == "text/csv"
    assert first.uploaded_by == researcher
    workspace = member_client.get(partnership.get_workspace_url()).content.decode()
    assert "Data management plan" in workspace and "version 2, plan v2.csv" in workspace


def test_storage_names_are_generated_and_the_original_name_kept(member_client, partnership):
    share(member_client, partnership, pdf_upload("../../etc/passwd.pdf"))
    version = WorkspaceDocumentVersion.objects.get()
    assert version.original_name == "passwd.pdf"
    assert version.file.name.startswith(f"workspace/{partnership.pk}/") and "passwd" not in version.file.name
    assert ".." not in version.file.name


def test_download_sends_the_file_as_an_attachment_with_a_safe_name(member_client, partnership, researcher):
    # Stored through the service: the test client cannot send quotes in a multipart file name.
    document_create(
        partnership=partnership, by=researcher, title="Plan", upload=pdf_upload('evil"; filename=x.exe; naïve.pdf')
    )
    version = WorkspaceDocumentVersion.objects.get()
    assert version.original_name == 'evil"; filename=x.exe; naïve.pdf'
    response = member_client.get(
        f"{partnership.get_workspace_url()}documents/{version.document_id}/versions/1/download/"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "\r" not in disposition and "\n" not in disposition
    # Quotes and semicolons cannot end the parameter early: the name is percent-encoded.
    assert disposition == "attachment; filename*=utf-8''evil%22%3B%20filename%3Dx.exe%3B%20na%C3%AFve.pdf"
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("report.pdf", b"MZ\x90\x00 this is an executable", "is not a .pdf file"),
        ("photo.png", PDF, "is not a .png file"),
        ("tool.exe", b"MZ\x90\x00", "is not a file type the workspace accepts"),
        ("script.html", b"<script>alert(1)</script>", "is not a file type the workspace accepts"),
        ("notes.txt", PNG, "is not a plain-text file"),
        ("table.csv", b"a,b\x00\x01\x02", "is not a plain-text file"),
        ("report.docx", b"PK\x03\x04 not really a zip", "is not a .docx file"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_wrong_types_are_refused_with_a_message_and_nothing_is_stored(
    member_client, partnership, name, content, message
):
    response = share(member_client, partnership, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text and 'value="Data management plan"' in text
    assert not WorkspaceDocument.objects.exists() and not WorkspaceDocumentVersion.objects.exists()


def test_allowed_types_are_accepted_by_content(member_client, partnership):
    for n, (name, content) in enumerate(
        [("photo.png", PNG), ("minutes.md", "# Réunion\n- Punkt".encode()), ("plan.docx", docx_bytes())]
    ):
        assert share(member_client, partnership, SimpleUploadedFile(name, content), title=f"Doc {n}").status_code == 302
    assert sorted(WorkspaceDocumentVersion.objects.values_list("content_type", flat=True)) == sorted(
        [
            "image/png",
            "text/markdown",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ]
    )


def test_oversized_files_are_refused(member_client, partnership, settings):
    settings.WORKSPACE_MAX_UPLOAD_BYTES = 100
    response = share(member_client, partnership, pdf_upload(content=PDF + b"0" * 200))
    assert response.status_code == 400
    assert "files may be at most 100" in response.content.decode()
    assert not WorkspaceDocument.objects.exists()


def test_a_bad_new_version_keeps_the_earlier_ones(member_client, partnership):
    share(member_client, partnership, pdf_upload())
    document = WorkspaceDocument.objects.get()
    response = member_client.post(
        f"{partnership.get_workspace_url()}documents/{document.pk}/versions/add/",
        {"file": SimpleUploadedFile("v2.pdf", b"not a pdf"), "note": "Second"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "is not a .pdf file" in content and 'value="Second"' in content
    assert document.versions.count() == 1


def test_missing_file_is_explained(member_client, partnership):
    response = member_client.post(
        f"{partnership.get_workspace_url()}documents/add/", {"document-title": "Plan", "document-note": ""}
    )
    assert response.status_code == 400 and "This field is required" in response.content.decode()


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ana\\report.pdf", "report.pdf"),
        (".htaccess", "htaccess"),
        ("a\x00b\r\nc.txt", "abc.txt"),
        ("", "document"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_clean_filename(raw, clean):
    assert clean_filename(raw) == clean
