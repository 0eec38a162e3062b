"""Writes of the impact ledger: the implementation of a policy-uptake record (status, progress share, responsible
department, intended indicators) and the dated entries of its trail with their evidence.

Who may write: approved members (officials) of the record's city, on records of public results — the same rule as
recording the uptake (``services.uptake.can_respond``), checked again here whatever the view did. Every change
claims the record's edit version (``hub.versioning.claim_edit``: a conditional UPDATE), so that an official who
opened a form before another official's save gets the side-by-side conflict instead of overwriting it.
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.versioning import claim_edit
from profiles.models import User
from projects.models import ImplementationEntry, ImplementationStatus, Indicator, PolicyUptake
from projects.selectors.ledger import MAX_INDICATORS, indicator_choices
from projects.services.uptake import ALLOWED_LINK_SCHEMES, can_respond
from projects.services.workspace import validate_workspace_upload


def can_keep(user, uptake: PolicyUptake) -> tuple[bool, str]:
    """Whether the user may keep the record's implementation trail (an official of its city, on a public result)."""
    allowed, reason = can_respond(user, uptake.result)
    if allowed and uptake.city_id != uptake.result.partnership.city_id:
        return False, _("Only the city that recorded this decision keeps its implementation trail.")
    return allowed, reason


def _require(user, uptake: PolicyUptake) -> None:
    allowed, reason = can_keep(user, uptake)
    if not allowed:
        raise PermissionDenied(reason)


def _clean_state(status: str, progress) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if status not in ImplementationStatus.values:
        errors["implementation_status"] = [_("Choose one of the statuses offered.")]
    if not isinstance(progress, int) or isinstance(progress, bool) or not 0 <= progress <= 100:
        errors["progress"] = [_("Give the progress share as a whole number from 0 to 100.")]
    elif status == ImplementationStatus.DONE and progress != 100:
        errors["progress"] = [_("A decision whose implementation is done has a progress share of 100.")]
    return errors


def _lock(uptake: PolicyUptake) -> None:
    """Lock the record's row; a record removed meanwhile cannot be kept."""
    if PolicyUptake.objects.select_for_update().filter(pk=uptake.pk).values_list("pk", flat=True).first() is None:
        raise ValidationError(_("This decision record was removed by another official after you opened it."))


@transaction.atomic
def implementation_update(
    *,
    uptake: PolicyUptake,
    by: User,
    implementation_status: str,
    progress: int,
    department: str = "",
    indicators: Iterable[Indicator] = (),
    edit_version: int,
) -> PolicyUptake:
    """Set the status, progress share, responsible department and intended indicators, as read at ``edit_version``.

    Raises ``StaleEdit`` (nothing saved) when another official saved the record after ``edit_version``.
    """
    _require(by, uptake)
    department = (department or "").strip()
    errors = _clean_state(implementation_status, progress)
    if len(department) > 200:
        errors["department"] = [_("Keep the department's name to 200 characters.")]
    wanted = {indicator.pk for indicator in indicators}
    if len(wanted) > MAX_INDICATORS:
        errors["indicators"] = [_("Name at most %(count)s indicators.") % {"count": MAX_INDICATORS}]
    elif wanted and indicator_choices().filter(pk__in=wanted).count() != len(wanted):
        errors["indicators"] = [_("Choose among the indicators offered.")]
    if errors:
        raise ValidationError(errors)
    _lock(uptake)
    claim_edit(uptake, expected=edit_version)
    uptake.implementation_status, uptake.progress, uptake.department = implementation_status, progress, department
    uptake.save(update_fields=["implementation_status", "progress", "department", "edit_version", "updated_at"])
    uptake.indicators.set(wanted)
    return uptake


def _clean_entry(uptake: PolicyUptake, *, date: dt.date | None, text: str, link: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if date is None:
        errors["date"] = [_("Give the date of this step.")]
    elif date > timezone.localdate():
        errors["date"] = [_("The date cannot be in the future: record a step once it is taken.")]
    elif date < uptake.date:
        errors["date"] = [
            _("A step of the implementation cannot come before the decision of %(date)s.")
            % {"date": uptake.date.strftime("%d %b %Y")}
        ]
    if not (text or "").strip():
        errors["text"] = [_("Say what happened: readers see it in the implementation trail.")]
    elif len(text) > 5000:
        errors["text"] = [_("Keep the description to 5,000 characters.")]
    if link and (link.split(":", 1)[0].lower() not in ALLOWED_LINK_SCHEMES or len(link) > 500):
        errors["link"] = [_("Give a web address starting with http:// or https://.")]
    return errors


@transaction.atomic
def entry_add(
    *,
    uptake: PolicyUptake,
    by: User,
    date: dt.date,
    text: str,
    link: str = "",
    upload=None,
    implementation_status: str,
    progress: int,
    edit_version: int,
) -> ImplementationEntry:
    """Add a dated step with its evidence, and set the record's status and progress share as of this step.

    The form carries the record's version: a step added on a form opened before another official's change raises
    ``StaleEdit`` (nothing saved, no file stored), and the official checks the status and progress again.
    """
    _require(by, uptake)
    errors = _clean_entry(uptake, date=date, text=text, link=link)
    errors.update(_clean_state(implementation_status, progress))
    name = content_type = ""
    if upload is not None:
        try:
            name, content_type = validate_workspace_upload(upload)
        except ValidationError as error:
            errors["file"] = error.messages
    if errors:
        raise ValidationError(errors)
    _lock(uptake)
    claim_edit(uptake, expected=edit_version)
    uptake.implementation_status, uptake.progress = implementation_status, progress
    uptake.save(update_fields=["implementation_status", "progress", "edit_version", "updated_at"])
    entry = ImplementationEntry(
        uptake=uptake,
        date=date,
        text=text.strip(),
        link=link,
        status=implementation_status,
        progress=progress,
        recorded_by=by,
    )
    if upload is not None:
        entry.original_name, entry.content_type, entry.size = name, content_type, upload.size
        # The file is written when the row is: a refused save above stores nothing. The storage name is generated.
        entry.file.save(name, upload, save=False)
    entry.save()
    return entry
