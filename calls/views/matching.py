"""Matching pages: calls for a researcher, researchers who fit a call (and inviting them), partner search."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls.matching import selectors
from calls.matching.services import invite_to_apply
from calls.models import ResearchCall
from calls.selectors import calls_public
from calls.services.calls import can_manage_call
from profiles.models import ResearcherProfile


def _profile_of(user) -> ResearcherProfile | None:
    return ResearcherProfile.objects.filter(user=user).select_related("user").first()


@login_required
def calls_for_you(request):
    """Every open or upcoming call the researcher may apply to, best fit first, with the reasons."""
    profile = _profile_of(request.user)
    fits, hints = selectors.calls_for_researcher(profile) if profile else ([], [])
    return TemplateResponse(
        request, "calls/matching/calls_for_you.html", {"profile": profile, "fits": fits, "hints": hints}
    )


def _managed_call(request, call_id: int) -> ResearchCall:
    call = get_object_or_404(ResearchCall.objects.select_related("organisation"), pk=call_id)
    if not can_manage_call(request.user, call):
        raise Http404
    return call


@login_required
def call_researchers(request, call_id: int):
    """For the call's city: listed researchers who fit, as far as their visibility settings allow."""
    call = _managed_call(request, call_id)
    fits = selectors.researchers_for_call(call, viewer=request.user)
    return TemplateResponse(
        request,
        "calls/matching/call_researchers.html",
        {"call": call, "fits": fits, "accepts": call.live and call.accepts_submissions()},
    )


@login_required
@require_POST
def call_researcher_invite(request, call_id: int, profile_id: int):
    """Invite one researcher to apply; a second invitation to the same person is not sent."""
    call = _managed_call(request, call_id)
    profile = get_object_or_404(
        ResearcherProfile.objects.select_related("user").filter(is_public=True, user__is_active=True), pk=profile_id
    )
    try:
        invitation, created = invite_to_apply(call=call, profile=profile, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = profile.user.display_name
        if created:
            messages.success(request, _("%(name)s is invited to apply. We sent them an email.") % {"name": name})
        else:
            messages.info(
                request,
                _("%(name)s was already invited on %(date)s; no second email was sent.")
                % {"name": name, "date": invitation.created_at.strftime("%-d %b %Y")},
            )
    return redirect("call_researchers", call_id=call.pk)


def _chosen_call(raw: str):
    """The public call named by ``?call=``, or None (with the reason) for anything else."""
    if not raw:
        return None, ""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        return None, _("That call was not found; showing partners for any call.")
    call = calls_public().filter(pk=int(raw)).first()
    if call is None:
        return None, _("That call was not found; showing partners for any call.")
    return call, ""


@login_required
def partner_search(request):
    """Researchers who complement the signed-in researcher for a cross-border team (optionally for one call)."""
    profile = _profile_of(request.user)
    call, problem = _chosen_call((request.GET.get("call") or "").strip())
    fits = selectors.partners_for(profile, viewer=request.user, call=call) if profile else []
    return TemplateResponse(
        request,
        "calls/matching/partner_search.html",
        {"profile": profile, "fits": fits, "call": call, "call_problem": problem},
    )
