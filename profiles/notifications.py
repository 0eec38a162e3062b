"""Emails about memberships, rendered here and sent by a background task."""

from django.conf import settings
from django.urls import reverse

from hub.mail import queue_email, render_subject, render_text
from profiles.models import Membership


def _send(template: str, context: dict, to: list[str]) -> None:
    if not to:
        return
    context = {**context, "site_url": settings.SITE_BASE_URL}
    subject = render_subject(f"profiles/email/{template}_subject.txt", context)
    body = render_text(f"profiles/email/{template}_message.txt", context)
    queue_email(subject=subject, body=body, to=to)


def email_membership_requested(*, membership_id: int) -> None:
    """Tell an organisation's admins that someone asked to join."""
    membership = Membership.objects.select_related("user", "organisation").get(pk=membership_id)
    admins = Membership.objects.filter(
        organisation=membership.organisation, role=Membership.Role.ADMIN, status=Membership.Status.APPROVED
    ).values_list("user__email", flat=True)
    _send(
        "membership_requested",
        {"membership": membership, "manage_url": reverse("organisation_members", args=[membership.organisation.slug])},
        list(admins),
    )


def email_membership_decided(*, membership_id: int) -> None:
    """Tell the applicant whether they were accepted."""
    membership = Membership.objects.select_related("user", "organisation").get(pk=membership_id)
    _send(
        "membership_decided", {"membership": membership, "dashboard_url": reverse("dashboard")}, [membership.user.email]
    )
