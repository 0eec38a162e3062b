"""Writes in a partnership's workspace: milestones, shared documents with versions, the notes stream.

Every service checks membership itself: views only fetch through ``selectors.workspace`` (404 for
non-members), and these checks keep the rule true for any other caller.
"""

import codecs
import datetime as dt
import hashlib
import os
import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

import filetype

from hub.uploads import looks_like_markup, zip_problem
from hub.versioning import claim_edit
from profiles.models import User
from projects.models import (
    Milestone,
    Partnership,
    PartnershipMember,
    WorkspaceDocument,
    WorkspaceDocumentVersion,
    WorkspaceNote,
)

DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024
# Extension → MIME type expected from the file's first bytes.
BINARY_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
# Office files are ZIP archives; when the first bytes only say "zip", this member proves the kind.
ZIP_MARKERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "odt": "content.xml", "ods": "content.xml"}
TEXT_TYPES = {"csv": "text/csv", "txt": "text/plain", "md": "text/markdown"}
ALLOWED_EXTENSIONS = ("pdf", "docx", "odt", "xlsx", "ods", "csv", "txt", "md", "png", "jpg")
SNIFF_BYTES = 8192


def max_upload_bytes() -> int:
    return getattr(settings, "WORKSPACE_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def _member(user, partnership: Partnership) -> PartnershipMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return PartnershipMember.objects.filter(partnership=partnership, user=user).first()


def can_use_workspace(user, partnership: Partnership) -> tuple[bool, str]:
    """Any member, whatever their side."""
    if _member(user, partnership) is None:
        return False, _("Only members of this partnership can use its workspace.")
    return True, ""


def can_edit_milestones(user, partnership: Partnership) -> tuple[bool, str]:
    """Members of the research team and the city plan the work; partner organisations follow it."""
    member = _member(user, partnership)
    if member is None:
        return False, _("Only members of this partnership can use its workspace.")
    if member.side not in (PartnershipMember.Side.RESEARCH, PartnershipMember.Side.CITY):
        return False, _("Milestones are set by the research team and the city.")
    return True, ""


def _require(check: tuple[bool, str]) -> None:
    allowed, reason = check
    if not allowed:
        raise PermissionDenied(reason)


# Milestones


def _milestone_fields(title: str, due_date: dt.date | None, status: str) -> dict:
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the milestone a title.")
    if due_date is None:
        errors["due_date"] = _("Give the milestone a due date.")
    if status not in Milestone.Status.values:
        errors["status"] = _("Choose a status from the list.")
    if errors:
        raise ValidationError(errors)
    return {"title": title.strip()[:200], "due_date": due_date, "status": status}


def _completed_at(status: str, previous: dt.date | None) -> dt.date | None:
    if status == Milestone.Status.DONE:
        return previous or timezone.localdate()
    return None


@transaction.atomic
def milestone_add(
    *,
    partnership: Partnership,
    by: User,
    title: str,
    due_date: dt.date | None,
    description: str = "",
    status: str = Milestone.Status.PLANNED,
    is_public: bool = True,
) -> Milestone:
    """A new milestone; research and city members only."""
    _require(can_edit_milestones(by, partnership))
    fields = _milestone_fields(title, due_date, status)
    return Milestone.objects.create(
        partnership=partnership,
        description=description.strip(),
        is_public=is_public,
        completed_at=_completed_at(status, None),
        created_by=by,
        **fields,
    )


MILESTONE_FIELDS = ["title", "due_date", "status", "description", "is_public", "completed_at", "updated_at"]


@transaction.atomic
def milestone_update(
    *,
    milestone: Milestone,
    by: User,
    title: str,
    due_date: dt.date | None,
    description: str = "",
    status: str = Milestone.Status.PLANNED,
    is_public: bool = True,
    edit_version: int,
) -> Milestone:
    """Change a milestone's text, date, status or visibility; research and city members only.

    ``edit_version`` is the version the form was opened on; an older one raises ``StaleEdit`` and saves nothing.
    """
    _require(can_edit_milestones(by, milestone.partnership))
    fields = _milestone_fields(title, due_date, status)
    claim_edit(milestone, expected=edit_version)
    # The row is now ours at the version the form showed: its completion date is the one the form saw.
    milestone.refresh_from_db(fields=["completed_at"])
    for name, value in fields.items():
        setattr(milestone, name, value)
    milestone.description = description.strip()
    milestone.is_public = is_public
    milestone.completed_at = _completed_at(status, milestone.completed_at)
    milestone.save(update_fields=MILESTONE_FIELDS)
    return milestone


@transaction.atomic
def milestone_set_status(*, milestone: Milestone, by: User, status: str, edit_version: int) -> Milestone:
    """Move a milestone along (planned, in progress, done, dropped).

    ``edit_version`` is the version the page showed: a change of a milestone edited since raises ``StaleEdit``
    (it would undo that edit), and a change moves the version on, so an edit form opened before it is stale.
    """
    _require(can_edit_milestones(by, milestone.partnership))
    if status not in Milestone.Status.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    claim_edit(milestone, expected=edit_version)
    milestone.refresh_from_db(fields=["completed_at"])
    milestone.status = status
    milestone.completed_at = _completed_at(status, milestone.completed_at)
    milestone.save(update_fields=["status", "completed_at", "updated_at"])
    return milestone


# Documents


def clean_filename(name: str) -> str:
    """The last path component, without control characters or leading dots, at most 255 characters."""
    name = (name or "").replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".").strip() or "document"
    if len(name) > 255:
        stem, ext = os.path.splitext(name)
        name = stem[: 255 - len(ext)] + ext
    return name


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def _zip_has(upload, member: str) -> bool:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            return member in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def validate_workspace_upload(upload) -> tuple[str, str]:
    """Check size, allowed type and content; returns (clean original name, content type)."""
    name = clean_filename(getattr(upload, "name", ""))
    size = getattr(upload, "size", 0) or 0
    limit = max_upload_bytes()
    if size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    extension = _extension(name)
    allowed = ", ".join(ALLOWED_EXTENSIONS)
    if extension not in BINARY_TYPES and extension not in TEXT_TYPES:
        raise ValidationError(
            _("“%(name)s” is not a file type the workspace accepts. Allowed: %(allowed)s.")
            % {"name": name, "allowed": allowed}
        )
    head = _read_head(upload)
    kind = filetype.guess(head)
    if extension in TEXT_TYPES:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            readable = b"\x00" not in head and kind is None
        except UnicodeDecodeError:
            readable = False
        if not readable or looks_like_markup(head):
            raise ValidationError(
                _("“%(name)s” is not a plain-text file, although its name ends in .%(ext)s. Save it as UTF-8 text.")
                % {"name": name, "ext": extension}
            )
        return name, TEXT_TYPES[extension]
    expected = BINARY_TYPES[extension]
    matches = kind is not None and kind.mime == expected
    if not matches and kind is not None and kind.mime == "application/zip" and extension in ZIP_MARKERS:
        matches = _zip_has(upload, ZIP_MARKERS[extension])
    if not matches:
        raise ValidationError(
            _("The content of “%(name)s” is not a .%(ext)s file. Check that you picked the right file.")
            % {"name": name, "ext": extension}
        )
    if extension in ZIP_MARKERS:
        problem = zip_problem(upload, name=name)
        if problem:
            raise ValidationError(problem)
    return name, expected


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _store_version(*, document: WorkspaceDocument, by: User, upload, note: str) -> WorkspaceDocumentVersion:
    name, content_type = validate_workspace_upload(upload)
    # Lock the document so that two uploads at once get distinct numbers.
    WorkspaceDocument.objects.select_for_update().filter(pk=document.pk).first()
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = WorkspaceDocumentVersion(
        document=document,
        number=number,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=_sha256(upload),
        note=note.strip()[:300],
        uploaded_by=by,
    )
    version.file.save(name, upload, save=False)  # the storage name is generated by ``workspace_upload_to``
    version.save()
    WorkspaceDocument.objects.filter(pk=document.pk).update(updated_at=timezone.now())
    return version


@transaction.atomic
def document_create(
    *, partnership: Partnership, by: User, title: str, upload, description: str = "", note: str = ""
) -> WorkspaceDocument:
    """A shared document with its first version; any member."""
    _require(can_use_workspace(by, partnership))
    if not title.strip():
        raise ValidationError({"title": _("Give the document a title.")})
    try:
        validate_workspace_upload(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    document = WorkspaceDocument.objects.create(
        partnership=partnership, title=title.strip()[:200], description=description.strip(), created_by=by
    )
    _store_version(document=document, by=by, upload=upload, note=note)
    return document


@transaction.atomic
def document_version_add(*, document: WorkspaceDocument, by: User, upload, note: str = "") -> WorkspaceDocumentVersion:
    """A new version of a shared document; any member. Earlier versions stay available."""
    _require(can_use_workspace(by, document.partnership))
    try:
        return _store_version(document=document, by=by, upload=upload, note=note)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error


# Notes


def _note_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something before posting.")})
    if len(body) > 10000:
        raise ValidationError({"body": _("A note can be at most 10,000 characters.")})
    return body


@transaction.atomic
def note_post(*, partnership: Partnership, by: User, body: str) -> WorkspaceNote:
    """A message in the notes stream; any member."""
    _require(can_use_workspace(by, partnership))
    return WorkspaceNote.objects.create(partnership=partnership, author=by, body=_note_body(body))


def can_edit_note(user, note: WorkspaceNote) -> tuple[bool, str]:
    if not getattr(user, "is_authenticated", False) or note.author_id != user.pk:
        return False, _("Only the author can edit a note.")
    return can_use_workspace(user, note.partnership)


@transaction.atomic
def note_edit(*, note: WorkspaceNote, by: User, body: str, edit_version: int) -> WorkspaceNote:
    """Change one's own note; marked as edited. An edit from an older version raises ``StaleEdit``."""
    _require(can_edit_note(by, note))
    body = _note_body(body)
    claim_edit(note, expected=edit_version)
    note.body = body
    note.edited_at = timezone.now()
    note.save(update_fields=["body", "edited_at"])
    return note
