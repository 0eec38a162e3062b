"""Email sent by a background task: one idempotency key per message, and templated messages rendered here."""

import uuid

from django.conf import settings
from django.template.loader import render_to_string

from hub.tasks import send_email


def queue_email(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str = "",
    headers: dict[str, str] | None = None,
) -> None:
    """Enqueue one email under a key of its own: however often its task runs, the email is sent once."""
    send_email.enqueue(
        key=uuid.uuid4().hex, subject=subject, body=body, to=to, from_email=from_email, html=html, headers=headers
    )


def send_templated(template: str, context: dict, to: list[str]) -> None:
    """Render ``<template>_subject.txt``, ``_message.txt`` and ``_message.html`` and enqueue one email per recipient."""
    recipients = sorted({address for address in to if address and not address.endswith(".invalid")})
    if not recipients:
        return
    context = {**context, "site_url": settings.SITE_BASE_URL.rstrip("/"), "site_name": "Bridges"}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_message.txt", context)
    html = render_to_string(f"{template}_message.html", context)
    for address in recipients:
        # One message per person: recipients never see each other's addresses.
        queue_email(subject=subject, body=body, html=html, to=[address])
