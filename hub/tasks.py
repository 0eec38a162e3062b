"""Background tasks of the hub: sending email off the request cycle, retried while the mail server is down."""

import datetime as dt
import logging
import smtplib

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from django_tasks import task

logger = logging.getLogger("hub.mail")
# Attempt n failed → attempt n+1 after RETRY_DELAYS[n-1] (about 4 h 40 in all), then give up (logged as an error).
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=1),
    dt.timedelta(hours=3),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# What a mail server that is down, refusing or timing out raises (socket errors are OSErrors).
MAIL_UNAVAILABLE = (smtplib.SMTPException, OSError)


@task()
def send_email(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str = "",
    headers: dict[str, str] | None = None,
    attempt: int = 1,
) -> int:
    """Send one email; enqueued so that a slow mail server never slows a page, re-enqueued later while it is down.

    ``headers``: extra headers such as ``List-Unsubscribe`` (values already checked by the caller)."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to, headers=headers)
    if html:
        message.attach_alternative(html, "text/html")
    try:
        return message.send()
    except MAIL_UNAVAILABLE as error:
        if attempt >= MAX_ATTEMPTS or not send_email.get_backend().supports_defer:
            # Raising marks the task failed, with the message kept in its arguments for a manual resend
            # (the immediate backend of development and tests cannot defer, so it fails at once).
            logger.error("Email %r to %s not sent after %s attempt(s), giving up: %s", subject, to, attempt, error)
            raise
        delay = RETRY_DELAYS[attempt - 1]
        send_email.using(run_after=timezone.now() + delay).enqueue(
            subject=subject, body=body, to=to, from_email=from_email, html=html, headers=headers, attempt=attempt + 1
        )
        logger.warning(
            "Email %r to %s not sent (attempt %s of %s: %s); retrying in %s",
            subject,
            to,
            attempt,
            MAX_ATTEMPTS,
            error,
            delay,
        )
        return 0
