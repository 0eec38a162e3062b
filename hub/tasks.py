"""Background tasks of the hub: sending email off the request cycle, exactly once per idempotency key."""

import logging
import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from django_tasks import task

from hub.models import SentEmail

logger = logging.getLogger("hub.mail")
# What a mail server that is down, refusing or timing out raises (socket errors are OSErrors).
MAIL_UNAVAILABLE = (smtplib.SMTPException, OSError)


@task()
def send_email(
    *,
    key: str,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str = "",
    headers: dict[str, str] | None = None,
) -> int:
    """Send one email unless the email of this key was sent already; enqueued by ``hub.mail.queue_email``.

    While the mail server is down the task fails and the queue runs it again with backoff (``TASK_RETRY_DELAYS``).
    A run after the email went out (its worker killed before it reported success, a duplicate) sends nothing.
    ``headers``: extra headers such as ``List-Unsubscribe`` (values already checked by the caller)."""
    # The key is the Message-ID too: should a run be cut between the server's acceptance and the commit below (the
    # one moment a second run sends again), mail servers and clients see one message twice, not two messages.
    headers = {**(headers or {}), "Message-ID": f"<{key}@{urlsplit(settings.SITE_BASE_URL).hostname or 'bridges'}>"}
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to, headers=headers)
    if html:
        message.attach_alternative(html, "text/html")
    with transaction.atomic():
        # The key's row is written first: a concurrent run of the same email waits on it (unique index) until
        # this one commits (then finds it) or rolls back because the server refused it (then sends it itself).
        try:
            with transaction.atomic():
                SentEmail.objects.create(
                    key=key, recipients=", ".join(to), subject=subject[:998], sent_at=timezone.now()
                )
        except IntegrityError:
            logger.info("Email %s was sent already; not sending it again", key)
            return 0
        try:
            return message.send()
        except MAIL_UNAVAILABLE as error:
            logger.warning("Email %r to %s not sent (%s); the task queue will try again", subject, to, error)
            raise


class CacheUnavailable(Exception):
    """The cache still cannot be reached: the task fails, and the queue runs it again later."""


@task()
def stamp_page_cache(*, tags: list[str]) -> None:
    """Stamp page-cache tags that a process could not stamp while the cache was unreachable (``hub.page_cache``)."""
    from hub import page_cache

    if not page_cache.invalidate(tags, announce=False):
        raise CacheUnavailable(f"could not stamp {len(tags)} page-cache tag(s)")
