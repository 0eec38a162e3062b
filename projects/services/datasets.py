"""Writes of datasets: upload (normalised, checked for identifiers), edit, publish, access requests, download log.

The research side of a partnership manages its datasets. An upload is read and normalised in temporary files
before anything is stored, so a refused file leaves no row and no file behind.
"""

import os

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hub.mail import send_templated
from hub.versioning import claim_edit
from profiles.models import User
from profiles.services import save_with_free_slug
from profiles.validators import normalise_doi, validate_doi
from projects import datasets_io, suppression
from projects.models import (
    DataAccessRequest,
    Dataset,
    DatasetDownload,
    Disaggregation,
    Partnership,
    PartnershipMember,
)
from projects.services.versions import dataset_first_version
from projects.usage import record_download

METADATA_FIELDS = (
    "title",
    "description",
    "licence",
    "provenance",
    "access_level",
    "personal_data",
    "personal_data_note",
    "disaggregations",
    "min_cell_count",
    "period_start",
    "period_end",
    "result",
    "doi",
)
M2M_FIELDS = ("themes", "sdg_targets", "groups", "countries")
# With columns that look like direct identifiers, the declaration must say the data is about people.
PERSONAL_DECLARATIONS = {Dataset.PersonalData.PSEUDONYMISED, Dataset.PersonalData.PERSONAL}


def _is_research_member(user, partnership: Partnership) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and partnership.members.filter(user=user, side=PartnershipMember.Side.RESEARCH).exists()
    )


def _is_member(user, partnership: Partnership) -> bool:
    return bool(getattr(user, "is_authenticated", False) and partnership.members.filter(user=user).exists())


def can_manage_datasets(user, partnership: Partnership) -> tuple[bool, str]:
    """Research-side members upload, edit and publish a partnership's datasets and decide access requests."""
    if not getattr(user, "is_authenticated", False):
        return False, _("Sign in to manage datasets.")
    if not _is_research_member(user, partnership):
        return False, _("Only members of the partnership's research team can manage its datasets.")
    return True, ""


def _require_manager(user, partnership: Partnership) -> None:
    allowed, reason = can_manage_datasets(user, partnership)
    if not allowed:
        raise PermissionDenied(reason)


def unique_dataset_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:180] or "dataset"
    slug, n = base, 2
    taken = Dataset.objects.exclude(pk=exclude_pk) if exclude_pk else Dataset.objects.all()
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def identifier_message(findings: list[dict]) -> str:
    columns = "; ".join(f"“{f['column']}” ({f['reason']})" for f in findings)
    return _(
        "This dataset cannot be open: some columns look like direct identifiers — %(columns)s. Remove these "
        "columns and upload the file again, or choose “on request” or “closed” and declare the personal data."
    ) % {"columns": columns}


def _validate_protection(*, access_level: str, personal_data: str, personal_data_note: str, findings: list[dict]):
    """Open access needs no identifier findings and no records about people; with findings, the declaration must
    say how people are protected."""
    if access_level == Dataset.AccessLevel.OPEN and personal_data in PERSONAL_DECLARATIONS:
        raise ValidationError(
            {
                "access_level": _(
                    "Pseudonymised or personal data cannot be open: choose “on request” or “closed”, or publish "
                    "aggregated or anonymised data instead."
                )
            }
        )
    if not findings:
        return
    if access_level == Dataset.AccessLevel.OPEN:
        raise ValidationError({"access_level": identifier_message(findings)})
    errors = {}
    if personal_data not in PERSONAL_DECLARATIONS:
        errors["personal_data"] = _(
            "Columns look like direct identifiers (%(columns)s): declare the data as pseudonymised or as personal data."
        ) % {"columns": ", ".join(f["column"] for f in findings)}
    if not (personal_data_note or "").strip():
        errors["personal_data_note"] = _(
            "Describe the data-protection measures: legal basis, consent, who may see the identifiers, how long they are kept."
        )
    if errors:
        raise ValidationError(errors)


def _validate_metadata(data: dict) -> None:
    errors = {}
    minimum = data.get("min_cell_count")
    floor = suppression.site_minimum()
    if minimum is not None and minimum < floor:
        errors["min_cell_count"] = _(
            "The site minimum is %(floor)s: counts below it are always suppressed. Choose %(floor)s or more, or leave it empty."
        ) % {"floor": floor}
    start, end = data.get("period_start"), data.get("period_end")
    if start and end and end < start:
        errors["period_end"] = _("The period ends before it starts.")
    if data.get("doi"):
        data["doi"] = normalise_doi(data["doi"])
        try:
            validate_doi(data["doi"])
        except ValidationError as error:
            errors["doi"] = error.messages[0]
    unknown = set(data.get("disaggregations") or []) - set(Disaggregation.values)
    if unknown:
        errors["disaggregations"] = _("Unknown disaggregation: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
    if errors:
        raise ValidationError(errors)


def _apply(dataset: Dataset, data: dict) -> None:
    for name in METADATA_FIELDS:
        if name in data:
            setattr(dataset, name, data[name])


def _set_m2m(dataset: Dataset, data: dict) -> None:
    for name in M2M_FIELDS:
        if name in data:
            getattr(dataset, name).set(data[name] or [])


def dataset_upload(*, partnership: Partnership, by: User, upload, data: dict) -> Dataset:
    """Read, normalise and check an uploaded CSV, then store it as a draft dataset with its inferred schema."""
    _require_manager(by, partnership)
    _validate_metadata(data)
    try:
        spooled = datasets_io.spool(upload, max_bytes=settings.DATASET_MAX_UPLOAD_BYTES)
    except datasets_io.CSVProblem as problem:
        raise ValidationError({"file": str(problem)})
    try:
        try:
            normalised = datasets_io.normalise(spooled, original_name=getattr(upload, "name", ""))
        except datasets_io.CSVProblem as problem:
            raise ValidationError({"file": str(problem)})
    finally:
        os.unlink(spooled)
    try:
        _validate_protection(
            access_level=data.get("access_level") or Dataset.AccessLevel.OPEN,
            personal_data=data.get("personal_data") or Dataset.PersonalData.NONE,
            personal_data_note=data.get("personal_data_note") or "",
            findings=normalised.identifiers,
        )
        return _store(partnership=partnership, by=by, normalised=normalised, data=data, upload=upload)
    finally:
        normalised.discard()


def _store(*, partnership: Partnership, by: User, normalised: datasets_io.Normalised, data: dict, upload) -> Dataset:
    dataset = Dataset(
        partnership=partnership,
        slug=unique_dataset_slug(data["title"]),
        created_by=by,
        original_name=os.path.basename(getattr(upload, "name", "") or "data.csv")[:255],
        source_encoding=normalised.encoding,
        delimiter=normalised.delimiter,
        row_count=normalised.row_count,
        size=normalised.size,
        sha256=normalised.sha256,
        schema=normalised.schema,
        identifier_columns=normalised.identifiers,
        status=Dataset.Status.DRAFT,
    )
    _apply(dataset, data)
    stored_name = None
    try:
        with transaction.atomic():
            with open(normalised.path, "rb") as handle:
                dataset.file.save("data.csv", File(handle), save=False)
            stored_name = dataset.file.name
            save_with_free_slug(dataset, next_slug=lambda: unique_dataset_slug(data["title"]))
            _set_m2m(dataset, data)
            dataset_first_version(dataset=dataset, by=by)
    except BaseException:
        # The database rolled back; the file outside it must go too.
        if stored_name:
            dataset.file.storage.delete(stored_name)
        raise
    return dataset


def _validate_schema(dataset: Dataset, schema: list[dict]) -> list[dict]:
    names = [column["name"] for column in dataset.schema]
    if [column.get("name") for column in schema] != names:
        raise ValidationError(_("The columns do not match the file; reload the page and try again."))
    cleaned = []
    for column in schema:
        kind = column.get("type") or "string"
        if kind not in datasets_io.TYPES:
            raise ValidationError(
                _("Unknown type “%(type)s” for column “%(name)s”.") % {"type": kind, "name": column["name"]}
            )
        is_count = bool(column.get("is_count"))
        if is_count and kind not in ("integer", "number"):
            raise ValidationError(
                {
                    "schema": _("“%(name)s” can hold counts only if its type is integer or number.")
                    % {"name": column["name"]}
                }
            )
        cleaned.append(
            {
                "name": column["name"],
                "type": kind,
                "description": (column.get("description") or "").strip()[:1000],
                "is_count": is_count,
            }
        )
    return cleaned


@transaction.atomic
def dataset_update(
    *, dataset: Dataset, by: User, data: dict, schema: list[dict] | None = None, edit_version: int
) -> Dataset:
    """Change a dataset's metadata and schema descriptions; open access stays refused while identifiers are found.

    ``edit_version`` is the version the form was opened on: a save of an older version raises ``StaleEdit``
    and changes nothing.
    """
    _require_manager(by, dataset.partnership)
    # The saved row carries the status as stored now: an edit never undoes a takedown or publication made meanwhile.
    dataset.refresh_from_db(
        fields=["status", "published_at", "published_by"], from_queryset=Dataset.objects.select_for_update()
    )
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        raise PermissionDenied(_("A dataset that was taken down cannot be edited."))
    _validate_metadata(data)
    merged = {
        "access_level": data.get("access_level", dataset.access_level),
        "personal_data": data.get("personal_data", dataset.personal_data),
        "personal_data_note": data.get("personal_data_note", dataset.personal_data_note),
    }
    _validate_protection(**merged, findings=dataset.identifier_columns)
    cleaned_schema = _validate_schema(dataset, schema) if schema is not None else None
    claim_edit(dataset, expected=edit_version)
    fields = [name for name in METADATA_FIELDS if name in data]
    if cleaned_schema is not None:
        dataset.schema = cleaned_schema
        fields.append("schema")
    _apply(dataset, data)
    if "title" in data and not dataset.slug:
        dataset.slug = unique_dataset_slug(data["title"], exclude_pk=dataset.pk)
        fields.append("slug")
    # Only what this edit changes: the status, counters and the version (already moved by claim_edit) stay as stored.
    dataset.save(update_fields=[*fields, "updated_at"])
    _set_m2m(dataset, data)
    return dataset


@transaction.atomic
def dataset_publish(*, dataset: Dataset, by: User) -> Dataset:
    """Make a draft dataset's page public (and its rows, when it is open); an edit form opened before is stale."""
    _require_manager(by, dataset.partnership)
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if dataset.status != Dataset.Status.DRAFT:
        raise ValidationError(
            _("Only a draft can be published; this dataset is %(status)s.")
            % {"status": dataset.get_status_display().lower()}
        )
    _validate_protection(
        access_level=dataset.access_level,
        personal_data=dataset.personal_data,
        personal_data_note=dataset.personal_data_note,
        findings=dataset.identifier_columns,
    )
    if not dataset.file:
        raise ValidationError(_("The dataset has no file."))
    claim_edit(dataset, expected=None)  # the row is locked: this cannot be stale
    dataset.status = Dataset.Status.PUBLISHED
    dataset.published_at = timezone.now()
    dataset.published_by = by
    dataset.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    return dataset


@transaction.atomic
def dataset_update_and_publish(
    *, dataset: Dataset, by: User, data: dict, schema: list[dict] | None = None, edit_version: int
) -> Dataset:
    """ "Publish" on the edit page: save what was typed (with the version check), then publish; all or nothing."""
    dataset_update(dataset=dataset, by=by, data=data, schema=schema, edit_version=edit_version)
    return dataset_publish(dataset=dataset, by=by)


# --- Access requests and downloads ------------------------------------------------------------------------------


def can_request_access(user, dataset: Dataset) -> tuple[bool, str]:
    if dataset.status != Dataset.Status.PUBLISHED or dataset.access_level != Dataset.AccessLevel.ON_REQUEST:
        return False, _("This dataset does not take access requests.")
    if not getattr(user, "is_authenticated", False):
        return False, _("Sign in to request access to this dataset.")
    if _is_member(user, dataset.partnership):
        return False, _("You are a member of this partnership and can download the data already.")
    existing = dataset.access_requests.filter(requester=user).exclude(status=DataAccessRequest.Status.REFUSED).first()
    if existing is not None:
        if existing.status == DataAccessRequest.Status.APPROVED:
            return False, _("Your request was approved: you can download the data.")
        return False, _("You asked on %(date)s; the partnership has not decided yet.") % {
            "date": timezone.localtime(existing.created_at).strftime("%d %B %Y")
        }
    return True, ""


@transaction.atomic
def access_request_create(*, dataset: Dataset, by: User, purpose: str, organisation: str = "") -> DataAccessRequest:
    """Ask the partnership for an on-request dataset; its research team is emailed."""
    allowed, reason = can_request_access(by, dataset)
    if not allowed:
        raise ValidationError(reason)
    purpose = (purpose or "").strip()
    if len(purpose) < 20:
        raise ValidationError(
            {
                "purpose": _(
                    "Describe what you will use the data for, and how you will protect it (at least 20 characters)."
                )
            }
        )
    try:
        with transaction.atomic():
            request = DataAccessRequest.objects.create(
                dataset=dataset, requester=by, purpose=purpose[:3000], organisation=(organisation or "").strip()[:300]
            )
    except IntegrityError:
        # A concurrent request of the same person was stored first: the answer of the non-concurrent path.
        allowed, reason = can_request_access(by, dataset)
        if allowed:
            raise
        raise ValidationError(reason) from None
    transaction.on_commit(lambda: email_access_requested(request_id=request.pk))
    return request


@transaction.atomic
def access_request_decide(
    *, access_request: DataAccessRequest, by: User, approve: bool, note: str = ""
) -> DataAccessRequest:
    """The research team approves or refuses a pending request; the requester is emailed the decision."""
    _require_manager(by, access_request.dataset.partnership)
    access_request = DataAccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if access_request.status != DataAccessRequest.Status.PENDING:
        raise ValidationError(
            _("This request was already decided: it is “%(status)s”. That first decision stands.")
            % {"status": access_request.get_status_display()},
            code="already_decided",
        )
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"decision_note": _("Tell the requester why the request is refused.")})
    access_request.status = DataAccessRequest.Status.APPROVED if approve else DataAccessRequest.Status.REFUSED
    access_request.decided_by = by
    access_request.decided_at = timezone.now()
    access_request.decision_note = note[:3000]
    access_request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    transaction.on_commit(lambda: email_access_decided(request_id=access_request.pk))
    return access_request


def download_access(user, dataset: Dataset) -> tuple[bool, bool, DataAccessRequest | None, str]:
    """(allowed, full, access_request, reason): whether the user may download, and whether unsuppressed.

    Open datasets: everybody, with small cells suppressed. Members of the partnership get the full file of any
    dataset that is not taken down; approved requesters the full file of an on-request one.
    """
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        return False, False, None, _("This dataset was taken down.")
    if _is_member(user, dataset.partnership):
        return True, True, None, ""
    if dataset.status != Dataset.Status.PUBLISHED:
        return False, False, None, _("This dataset is not published.")
    if dataset.access_level == Dataset.AccessLevel.OPEN:
        return True, False, None, ""
    if dataset.access_level == Dataset.AccessLevel.ON_REQUEST and getattr(user, "is_authenticated", False):
        approved = dataset.access_requests.filter(requester=user, status=DataAccessRequest.Status.APPROVED).first()
        if approved is not None:
            return True, True, approved, ""
        return False, False, None, _("Request access to download this dataset.")
    return False, False, None, _("This dataset is closed: only its description is public.")


def download_record(*, dataset: Dataset, user, format: str, access_request: DataAccessRequest | None = None) -> None:
    """Count the download; every download of a non-open dataset (or a full one) is also logged with who and when."""
    record_download(dataset)
    if not dataset.is_open or access_request is not None:
        DatasetDownload.objects.create(
            dataset=dataset,
            user=user if getattr(user, "is_authenticated", False) else None,
            access_request=access_request,
            format=format,
        )


def email_access_requested(*, request_id: int) -> None:
    """Tell the partnership's research team that someone asks for a dataset."""
    access_request = DataAccessRequest.objects.select_related("dataset__partnership", "requester").get(pk=request_id)
    dataset = access_request.dataset
    team = dataset.partnership.members.filter(side=PartnershipMember.Side.RESEARCH, user__isnull=False)
    send_templated(
        "projects/datasets/email/access_requested",
        {
            "access_request": access_request,
            "dataset": dataset,
            "requests_url": reverse("dataset_requests", args=[dataset.slug]),
        },
        to=list(team.values_list("user__email", flat=True)),
    )


def email_access_decided(*, request_id: int) -> None:
    """Tell the requester whether the partnership approved the request."""
    access_request = DataAccessRequest.objects.select_related("dataset", "requester").get(pk=request_id)
    send_templated(
        "projects/datasets/email/access_decided",
        {
            "access_request": access_request,
            "dataset": access_request.dataset,
            "approved": access_request.status == DataAccessRequest.Status.APPROVED,
            "dataset_url": access_request.dataset.get_absolute_url(),
        },
        to=[access_request.requester.email],
    )
