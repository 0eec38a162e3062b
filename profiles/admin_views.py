"""Wagtail admin views for coordinators."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from profiles.models import Organisation
from profiles.services import is_coordinator, organisation_verify


def verify_organisation(request, pk: int):
    """Confirm, then verify an organisation (creating a city page for governments)."""
    if not is_coordinator(request.user):
        raise PermissionDenied
    organisation = get_object_or_404(Organisation.objects.select_related("country"), pk=pk)
    if request.method == "POST":
        organisation = organisation_verify(organisation=organisation, by=request.user)
        if organisation.is_government:
            messages.success(
                request,
                _("%(name)s is verified. Its city page and editor group were created.") % {"name": organisation.name},
            )
        else:
            messages.success(request, _("%(name)s is verified.") % {"name": organisation.name})
        return redirect("wagtailsnippets_profiles_organisation:list")
    return TemplateResponse(
        request,
        "profiles/admin/verify_organisation.html",
        {
            "organisation": organisation,
            "members": organisation.memberships.select_related("user").order_by("status"),
        },
    )
