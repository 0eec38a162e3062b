"""Email sent by a background task: one idempotency key per message, and templated messages rendered here."""

import hashlib
import uuid

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string

from hub.tasks import send_email


def queue_email(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str = "",
    headers: dict[str, str] | None = None,
    key: str | None = None,
) -> None:
    """Enqueue one email under a key of its own: however often its task runs, the email is sent once.

    ``key`` (at most 64 characters) names the message itself: enqueued twice under one key, it is sent once.
    """
    send_email.enqueue(
        key=key or uuid.uuid4().hex,
        subject=subject,
        body=body,
        to=to,
        from_email=from_email,
        html=html,
        headers=headers,
    )


def render_text(template_name: str, context: dict) -> str:
    """Render a plain-text template (email subject or body) without HTML escaping: "tenants' rights", not
    "tenants&#x27; rights". HTML templates keep Django's escaping (``render_to_string``)."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render_subject(template_name: str, context: dict) -> str:
    """A subject is one line: the rendered template with its whitespace collapsed."""
    return " ".join(render_text(template_name, context).split())


def send_templated(template: str, context: dict, to: list[str], *, key: str | None = None) -> None:
    """Render ``<template>_subject.txt``, ``_message.txt`` and ``_message.html`` and enqueue one email per recipient.

    With ``key`` (what the message is about, e.g. ``"call-closed-early:12:34"``) each recipient's email is sent once
    however often this runs.
    """
    recipients = sorted({address for address in to if address and not address.endswith(".invalid")})
    if not recipients:
        return
    context = {**context, "site_url": settings.SITE_BASE_URL.rstrip("/"), "site_name": "Bridges"}
    subject = render_subject(f"{template}_subject.txt", context)
    body = render_text(f"{template}_message.txt", context)
    html = render_to_string(f"{template}_message.html", context)
    for address in recipients:
        # One message per person: recipients never see each other's addresses.
        message_key = hashlib.sha256(f"{key}:{address.lower()}".encode()).hexdigest() if key else None
        queue_email(subject=subject, body=body, html=html, to=[address], key=message_key)
