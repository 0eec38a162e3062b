"""Wagtail admin views for coordinators."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from wagtail.users.models import UserProfile

from hub.mail import queue_email
from profiles.models import Membership, Organisation
from profiles.services import is_coordinator, organisation_verify


def verify_organisation(request, pk: int):
    """Confirm, then verify an organisation (creating a city page for governments) and tell its members.

    Verifying a verified organisation changes nothing and emails nobody: the row is locked while its state is read,
    so two coordinators (or a double click) cannot both see it unverified."""
    if not is_coordinator(request.user):
        raise PermissionDenied
    organisation = get_object_or_404(Organisation.objects.select_related("country"), pk=pk)
    if request.method == "POST":
        with transaction.atomic():
            was_verified = Organisation.objects.select_for_update().values_list("verified", flat=True).get(pk=pk)
            organisation = organisation_verify(organisation=organisation, by=request.user)
            if not was_verified:
                transaction.on_commit(partial(email_members_verified, organisation_id=organisation.pk))
        if was_verified:
            messages.info(request, _("%(name)s was already verified.") % {"name": organisation.name})
        elif organisation.is_government:
            messages.success(
                request,
                _("%(name)s is verified. Its city page and editor group were created; its members were told by email.")
                % {"name": organisation.name},
            )
        else:
            messages.success(
                request, _("%(name)s is verified. Its members were told by email.") % {"name": organisation.name}
            )
        return redirect("wagtailsnippets_profiles_organisation:list")
    return TemplateResponse(
        request,
        "profiles/admin/verify_organisation.html",
        {
            "organisation": organisation,
            "members": organisation.memberships.select_related("user").order_by("status"),
        },
    )


def email_members_verified(*, organisation_id: int) -> None:
    """One email to each approved member of a newly verified organisation, in their admin language if they chose one
    (the coordinator's language says nothing about theirs), else the site's."""
    organisation = Organisation.objects.get(pk=organisation_id)
    memberships = (
        Membership.objects.filter(organisation=organisation, status=Membership.Status.APPROVED)
        .select_related("user")
        .order_by("pk")
    )
    languages = dict(
        UserProfile.objects.filter(user__in=[m.user_id for m in memberships]).values_list(
            "user_id", "preferred_language"
        )
    )
    site_url = settings.SITE_BASE_URL.rstrip("/")
    site_languages = {code for code, _name in settings.LANGUAGES}
    for membership in memberships:
        if not membership.user.is_active or not membership.user.email:
            continue
        language = languages.get(membership.user_id)
        with translation.override(language if language in site_languages else settings.LANGUAGE_CODE):
            context = {
                "organisation": organisation,
                "membership": membership,
                "site_url": site_url,
                "dashboard_url": reverse("dashboard"),
                "organisation_url": organisation.get_absolute_url(),
            }
            subject = " ".join(render_to_string("profiles/email/organisation_verified_subject.txt", context).split())
            body = render_to_string("profiles/email/organisation_verified_message.txt", context)
        queue_email(subject=subject, body=body, to=[membership.user.email])
