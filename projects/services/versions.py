"""Versions of results and datasets (issue 19 §2): numbered, dated, never edited or deleted.

A result gets version 1 when it is first published and a new version each time the research team publishes
an edit of it. A dataset gets version 1 with its first file and a new version for each further file the team
confirms after reading the schema difference. Numbers come from the locked record and the database's unique
constraint: a publication that meets a number taken meanwhile takes the next one.
"""

import copy
import os

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.versioning import claim_edit
from profiles.models import User
from projects import datasets_io
from projects.models import Dataset, DatasetVersion, Result, ResultVersion

NUMBER_ATTEMPTS = 5


def result_snapshot(result: Result) -> dict:
    """What the public reads of the result now: the frozen content of a version."""
    authors = [
        {
            "name": a.name,
            "affiliation": a.affiliation,
            "orcid": (a.profile.orcid if a.profile_id and a.profile and a.profile.orcid else ""),
        }
        for a in result.authors.select_related("profile").order_by("sort_order", "pk")
    ]
    return {
        "kind": result.kind,
        "title": result.title,
        "abstract": result.abstract,
        "language": result.language.code if result.language_id else "",
        "language_name": result.language.name if result.language_id else "",
        "licence": result.licence,
        "doi": result.doi,
        "url": result.url,
        "publication_date": result.publication_date.isoformat() if result.publication_date else None,
        "authors": authors,
        "themes": sorted(result.themes.values_list("name", flat=True)),
        "sdg_targets": sorted(result.sdg_targets.values_list("code", flat=True)),
        "methods": sorted(result.methods.values_list("name", flat=True)),
        "groups": sorted(result.groups.values_list("name", flat=True)),
        "files": list(result.files.order_by("pk").values_list("pk", flat=True)),
    }


def _content(snapshot: dict) -> dict:
    """A snapshot without the files: adding a file is not a new version by itself."""
    return {key: value for key, value in snapshot.items() if key != "files"}


def _next_number(queryset) -> int:
    return (queryset.aggregate(top=Max("number"))["top"] or 0) + 1


def result_version_create(
    *, result: Result, by: User | None, note: str = "", if_changed: bool = False
) -> ResultVersion | None:
    """Freeze the result as its next version; the caller holds the result's row lock and the transaction.

    When nothing the public reads changed since the latest version: None with ``if_changed``, else refused.
    """
    snapshot = result_snapshot(result)
    latest = result.versions.order_by("-number").first()
    if latest is not None and _content(latest.snapshot) == _content(snapshot):
        if if_changed:
            return None
        raise ValidationError(
            _("Nothing changed since version %(number)s: change the result before publishing a new version.")
            % {"number": latest.number}
        )
    now = timezone.now()
    for _attempt in range(NUMBER_ATTEMPTS):
        number = _next_number(result.versions.all())
        try:
            with transaction.atomic():
                version = ResultVersion.objects.create(
                    result=result,
                    number=number,
                    title=result.title,
                    note=(note or "").strip()[:2000],
                    snapshot=snapshot,
                    published_at=now,
                    published_by=by,
                )
        except IntegrityError:
            # Another publication took this number between our read and our write: take the next one.
            continue
        Result.objects.filter(pk=result.pk, version_number__lt=number).update(version_number=number)
        result.version_number = max(result.version_number, number)
        return version
    raise ValidationError(_("Several versions were published at the same moment; publish again."))


def result_versions(result: Result) -> list[ResultVersion]:
    """Its published versions, newest first (one query; the snapshots are not read)."""
    return list(result.versions.defer("snapshot").order_by("-number"))


# --- Datasets ----------------------------------------------------------------------------------------------------


def dataset_first_version(*, dataset: Dataset, by: User | None) -> DatasetVersion:
    """Version 1: the dataset's first file (the stored name is shared; files are never overwritten)."""
    return DatasetVersion.objects.create(
        dataset=dataset,
        number=1,
        file=dataset.file.name,
        original_name=dataset.original_name,
        source_encoding=dataset.source_encoding,
        delimiter=dataset.delimiter,
        row_count=dataset.row_count,
        size=dataset.size,
        sha256=dataset.sha256,
        schema=dataset.schema,
        identifier_columns=dataset.identifier_columns,
        created_by=by,
        confirmed_at=timezone.now(),
    )


def can_add_version(user, dataset: Dataset) -> tuple[bool, str]:
    """The research team adds files to a dataset that is not taken down."""
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        return False, _("A dataset that was taken down cannot get new files.")
    if (
        not getattr(user, "is_authenticated", False)
        or not dataset.partnership.members.filter(user=user, side="research").exists()
    ):
        return False, _("Only members of the partnership's research team can add a new file to its datasets.")
    return True, ""


def _require(allowed_reason: tuple[bool, str]) -> None:
    allowed, reason = allowed_reason
    if not allowed:
        raise PermissionDenied(reason)


def dataset_version_upload(*, dataset: Dataset, by: User, upload, note: str = "") -> DatasetVersion:
    """Read and check a new file; keep it waiting for confirmation with its schema difference.

    A file refused (unreadable, or with identifier-like columns the dataset's access level forbids) leaves
    nothing stored. A second upload replaces the one waiting.
    """
    _require(can_add_version(by, dataset))
    try:
        spooled = datasets_io.spool(upload, max_bytes=settings.DATASET_MAX_UPLOAD_BYTES)
    except datasets_io.CSVProblem as problem:
        raise ValidationError({"file": str(problem)}) from None
    try:
        try:
            normalised = datasets_io.normalise(spooled, original_name=getattr(upload, "name", ""))
        except datasets_io.CSVProblem as problem:
            raise ValidationError({"file": str(problem)}) from None
    finally:
        os.unlink(spooled)
    try:
        return _store_pending(dataset=dataset, by=by, normalised=normalised, upload=upload, note=note)
    finally:
        normalised.discard()


def _protection_problem(dataset: Dataset, findings: list[dict]) -> str:
    """Why this file cannot be a version of this dataset as it is declared, or ""."""
    if not findings:
        return ""
    columns = "; ".join(f"“{f['column']}” ({f['reason']})" for f in findings)
    if dataset.access_level == Dataset.AccessLevel.OPEN:
        return _(
            "This file cannot be a version of an open dataset: some columns look like direct identifiers — "
            "%(columns)s. Remove these columns and upload the file again."
        ) % {"columns": columns}
    if dataset.personal_data not in (Dataset.PersonalData.PSEUDONYMISED, Dataset.PersonalData.PERSONAL):
        return _(
            "Some columns look like direct identifiers (%(columns)s), but the dataset declares no personal data. "
            "Remove these columns, or change the dataset's declaration first."
        ) % {"columns": columns}
    return ""


def _store_pending(*, dataset: Dataset, by: User, normalised, upload, note: str) -> DatasetVersion:
    problem = _protection_problem(dataset, normalised.identifiers)
    if problem:
        raise ValidationError({"file": problem})
    stored_name = None
    try:
        with transaction.atomic():
            locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
            _require(can_add_version(by, locked))
            for waiting in DatasetVersion.objects.filter(dataset=locked, number__isnull=True):
                waiting.file.delete(save=False)
                waiting.delete()
            version = DatasetVersion(
                dataset=locked,
                note=(note or "").strip()[:2000],
                original_name=os.path.basename(getattr(upload, "name", "") or "data.csv")[:255],
                source_encoding=normalised.encoding,
                delimiter=normalised.delimiter,
                row_count=normalised.row_count,
                size=normalised.size,
                sha256=normalised.sha256,
                schema=datasets_io.carry_descriptions(locked.schema, normalised.schema),
                identifier_columns=normalised.identifiers,
                schema_diff=datasets_io.schema_diff(locked.schema, normalised.schema),
                created_by=by,
            )
            if version.sha256 == locked.sha256:
                raise ValidationError({"file": _("This file is the same as the current version's.")})
            with open(normalised.path, "rb") as handle:
                version.file.save("data.csv", File(handle), save=False)
            stored_name = version.file.name
            version.save()
    except BaseException:
        # The database rolled back; the file outside it must go too.
        if stored_name:
            DatasetVersion._meta.get_field("file").storage.delete(stored_name)
        raise
    return version


@transaction.atomic
def dataset_version_confirm(*, version: DatasetVersion, by: User, note: str | None = None) -> DatasetVersion:
    """Make the waiting file the dataset's current one, with the next number."""
    dataset = Dataset.objects.select_for_update().get(pk=version.dataset_id)
    _require(can_add_version(by, dataset))
    version = DatasetVersion.objects.select_for_update().filter(pk=version.pk, number__isnull=True).first()
    if version is None:
        raise ValidationError(_("This file was already confirmed or discarded."))
    if _protection_problem(dataset, version.identifier_columns):
        raise ValidationError(_protection_problem(dataset, version.identifier_columns))
    if note is not None:
        version.note = note.strip()[:2000]
    # The difference against the version current now (another file may have been confirmed meanwhile).
    version.schema_diff = datasets_io.schema_diff(dataset.schema, version.schema)
    for _attempt in range(NUMBER_ATTEMPTS):
        version.number = _next_number(dataset.versions.all())
        version.confirmed_at = timezone.now()
        try:
            with transaction.atomic():
                version.save(update_fields=["number", "confirmed_at", "note", "schema_diff"])
        except IntegrityError:
            continue
        break
    else:
        raise ValidationError(_("Several files were confirmed at the same moment; confirm again."))
    dataset.file = version.file.name
    for name in ("original_name", "source_encoding", "delimiter", "row_count", "size", "sha256", "schema"):
        setattr(dataset, name, getattr(version, name))
    dataset.identifier_columns = version.identifier_columns
    dataset.version_number = version.number
    claim_edit(dataset, expected=None)  # an edit form opened on the old schema is stale now
    dataset.save(
        update_fields=[
            "file",
            "original_name",
            "source_encoding",
            "delimiter",
            "row_count",
            "size",
            "sha256",
            "schema",
            "identifier_columns",
            "version_number",
            "updated_at",
        ]
    )
    return version


@transaction.atomic
def dataset_version_discard(*, version: DatasetVersion, by: User) -> None:
    """Drop a file that waits for confirmation (a confirmed version is never deleted)."""
    dataset = Dataset.objects.select_for_update().get(pk=version.dataset_id)
    _require(can_add_version(by, dataset))
    version = DatasetVersion.objects.filter(pk=version.pk, number__isnull=True).first()
    if version is None:
        raise ValidationError(_("This file was already confirmed or discarded."))
    version.file.delete(save=False)
    version.delete()


def as_dataset(version: DatasetVersion) -> Dataset:
    """The dataset as it was with this version's file: what the readers of stored rows take (not saved)."""
    dataset = copy.copy(version.dataset)
    dataset.file = version.file.name
    for name in ("row_count", "size", "sha256", "schema", "identifier_columns", "original_name"):
        setattr(dataset, name, getattr(version, name))
    dataset.version_number = version.number
    return dataset
