"""Upload checks by content, not by file name."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

import filetype

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def validate_pdf(upload) -> None:
    """PDF only (checked by its first bytes), at most 10 MB."""
    size = getattr(upload, "size", 0) or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            f"“{getattr(upload, 'name', 'The file')}” is {filesizeformat(size)}; attachments may be at most "
            f"{filesizeformat(MAX_ATTACHMENT_BYTES)}."
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(position)
    kind = filetype.guess(head)
    if kind is None or kind.mime != "application/pdf" or not head.startswith(b"%PDF-"):
        raise ValidationError(
            f"“{getattr(upload, 'name', 'The file')}” is not a PDF document. Attach PDF files only "
            "(save or export your document as PDF)."
        )


# The file types a file question may allow, by what ``filetype`` reads from their first bytes.
UPLOAD_MIMES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "png": "image/png",
    "jpg": "image/jpeg",
}


def validate_upload(upload, *, types, max_bytes: int = MAX_ATTACHMENT_BYTES) -> str:
    """A file of one of ``types`` (checked by content), at most ``max_bytes``; returns its extension."""
    name = getattr(upload, "name", None) or "The file"
    size = getattr(upload, "size", 0) or 0
    limit = min(max_bytes, MAX_ATTACHMENT_BYTES)
    if size > limit:
        raise ValidationError(
            f"“{name}” is {filesizeformat(size)}; this question accepts files of at most {filesizeformat(limit)}."
        )
    if list(types) == ["pdf"] or "pdf" in types and _looks_like_pdf(upload):
        validate_pdf(upload)
        return "pdf"
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(position)
    kind = filetype.guess(head)
    for extension in types:
        if kind is not None and kind.mime == UPLOAD_MIMES.get(extension):
            return extension
    allowed = ", ".join(extension.upper() for extension in types)
    raise ValidationError(f"“{name}” is not of an accepted type. This question accepts: {allowed}.")


def _looks_like_pdf(upload) -> bool:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(5)
    upload.seek(position)
    return head == b"%PDF-"
