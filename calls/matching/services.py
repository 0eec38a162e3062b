"""Writes of matching: a city official invites a researcher who fits to apply to a call."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import MatchInvitation
from calls.services.calls import can_manage_call
from hub.mail import send_templated

INVITE_TEMPLATE = "calls/matching/email/invite_to_apply"


@transaction.atomic
def invite_to_apply(*, call, profile, by, score: int = 0) -> tuple[object, bool]:
    """Invite ``profile``'s researcher to apply to ``call``, once: returns (invitation, created)."""
    if not can_manage_call(by, call):
        raise PermissionDenied(_("Only the call's city may invite researchers to apply."))
    if not (profile.is_public and profile.user.is_active):
        raise ValidationError(_("This researcher is not listed."))
    if call.closes_at <= timezone.now() or call.cancelled_at or call.awarded_at or not call.live:
        raise ValidationError(_("This call no longer accepts proposals."))
    existing = MatchInvitation.objects.filter(call=call, profile=profile).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            invitation = MatchInvitation.objects.create(call=call, profile=profile, invited_by=by, score=score)
    except IntegrityError:  # a double click raced us
        return MatchInvitation.objects.get(call=call, profile=profile), False
    context = {
        "call": call,
        "call_url": call.full_url or "",
        "city": call.organisation.name if call.organisation_id else "",
        "name": profile.user.display_name,
    }
    transaction.on_commit(lambda: send_templated(INVITE_TEMPLATE, context, to=[profile.user.email]))
    return invitation, True
