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
