"""Takedowns: only a network coordinator can take public content down, with a public reason (recommendation 10).

Generic over the models that carry ``status`` with a ``TAKEN_DOWN`` value, a ``title`` and
``get_absolute_url()`` (results and datasets); every takedown is listed at /transparency/.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hub.versioning import claim_edit
from profiles.models import User
from profiles.services import is_coordinator
from projects.models import Takedown

REASON_MIN_LENGTH = 20


def can_take_down(user, obj) -> tuple[bool, str]:
    """Coordinators may take down published content; nobody else, ever."""
    if not is_coordinator(user):
        return False, _("Only a network coordinator can take content down.")
    status = obj.Status
    if obj.status == status.TAKEN_DOWN:
        return False, _("This has already been taken down.")
    if obj.status != status.PUBLISHED:
        return False, _("Only published content can be taken down; drafts are not public.")
    return True, ""


def reason_problem(reason: str) -> str:
    """Why a takedown reason is not acceptable, or an empty string."""
    if len((reason or "").strip()) < REASON_MIN_LENGTH:
        return _(
            "Give the reason the public will read at /transparency/, in at least %(n)s characters "
            "(for example which rule was broken and how)."
        ) % {"n": REASON_MIN_LENGTH}
    return ""


@transaction.atomic
def take_down(*, obj, reason: str, by: User) -> Takedown:
    """Mark ``obj`` taken down and record the public decision; its URL then shows the notice."""
    allowed, why = can_take_down(by, obj)
    if not allowed:
        raise PermissionDenied(why)
    problem = reason_problem(reason)
    if problem:
        raise ValidationError({"reason": problem})
    # Lock the row: two coordinators pressing the button at once record one takedown.
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    if locked.status == obj.Status.TAKEN_DOWN:
        raise ValidationError(_("This has already been taken down."))
    if hasattr(locked, "edit_version"):
        # An edit form opened before the takedown is stale now (issue 15: no silent lost update).
        claim_edit(locked, expected=None)
        obj.edit_version = locked.edit_version
    obj.status = obj.Status.TAKEN_DOWN
    fields = ["status", "updated_at"] if hasattr(obj, "updated_at") else ["status"]
    obj.save(update_fields=fields)
    return Takedown.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        title=str(obj.title)[:300],
        path=obj.get_absolute_url()[:300],
        reason=reason.strip(),
        decided_by=by,
        decided_by_name=(by.display_name or _("A network coordinator"))[:200],
    )


def takedown_for(obj) -> Takedown | None:
    """The takedown of ``obj`` (the latest, should there be several), or None."""
    return (
        Takedown.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .order_by("-decided_at", "-pk")
        .first()
    )
