"""The notification centre: ``notify`` (any app), the unread count, marking read and the daily digest."""

import datetime as dt

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from hub.mail import send_templated
from hub.registry import DashboardSection
from profiles.models import Notification, User

UNREAD_CACHE_SECONDS = 300
DIGEST_LIMIT = 50


def _unread_key(user: User) -> str:
    # The join time too: a row id can come back after an account is deleted (SQLite), its count must not.
    joined = user.date_joined.timestamp() if user.date_joined else 0
    return f"notifications:unread:{user.pk}:{joined}"


def _forget_unread(user: User) -> None:
    key = _unread_key(user)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def notify(user: User, *, kind: str, message: str, url: str, email: bool = True) -> Notification | None:
    """Tell ``user`` something: a row in their notification centre and, per their preference, an email now or in the
    day's digest. Inactive accounts get nothing."""
    if user is None or not user.is_active:
        return None
    preference = user.notification_email if email else "none"
    state = {"instant": Notification.Email.SENT, "daily": Notification.Email.PENDING}.get(
        preference, Notification.Email.NONE
    )
    notification = Notification.objects.create(
        user=user, kind=kind[:40], message=message[:500], url=url[:500], email=state
    )
    _forget_unread(user)
    if state == Notification.Email.SENT:
        transaction.on_commit(lambda: _email_one(notification, user))
    return notification


def _email_one(notification: Notification, user: User) -> None:
    send_templated(
        "profiles/email/notification",
        {"notification": notification, "user": user, "centre_url": reverse("notifications")},
        to=[user.email],
        key=f"notification:{notification.pk}",
    )


def unread_count(user: User) -> int:
    """The number shown beside "Dashboard"; cached per user and forgotten on every change."""
    if not getattr(user, "is_authenticated", False):
        return 0
    key = _unread_key(user)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def notifications_of(user: User):
    """The user's own notifications, newest first (nobody else's: the one queryset the pages use)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def mark_read(*, user: User, notification_id: int) -> bool:
    """Mark one of the user's notifications read; False when it was read already (a double click) or not theirs."""
    changed = Notification.objects.filter(pk=notification_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    _forget_unread(user)
    return bool(changed)


def mark_all_read(*, user: User) -> int:
    changed = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    _forget_unread(user)
    return changed


def set_email_preference(*, user: User, preference: str) -> None:
    """Change how notifications are emailed; pending digest items of someone who chose "never" are dropped."""
    if preference not in {"instant", "daily", "none"}:
        raise ValueError(preference)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(notification_email=preference)
        user.notification_email = preference
        if preference != "daily":
            # Waiting items go out in the next digest run only for daily readers; others read them on the site.
            Notification.objects.filter(user=user, email=Notification.Email.PENDING).update(
                email=Notification.Email.NONE
            )


def send_digests(*, now: dt.datetime | None = None) -> dict:
    """One email per daily reader with what waited since the last digest. Each item is claimed by a conditional
    update before its email is queued, so two runs at once (or a rerun) never send an item twice."""
    now = now or timezone.now()
    user_ids = list(
        Notification.objects.filter(email=Notification.Email.PENDING, created_at__lte=now)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    digests = items = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        with transaction.atomic():
            pending = list(
                Notification.objects.select_for_update()
                .filter(user=user, email=Notification.Email.PENDING, created_at__lte=now)
                .order_by("created_at", "pk")
            )
            claimed = Notification.objects.filter(
                pk__in=[n.pk for n in pending], email=Notification.Email.PENDING
            ).update(email=Notification.Email.SENT)
            if not claimed:
                continue
            shown = pending[:DIGEST_LIMIT]
            send_templated(
                "profiles/email/notification_digest",
                {
                    "user": user,
                    "notifications": shown,
                    "more": len(pending) - len(shown),
                    "centre_url": reverse("notifications"),
                },
                to=[user.email],
                key=f"notification-digest:{user.pk}:{pending[-1].pk}",
            )
            digests += 1
            items += len(pending)
    return {"digests": digests, "items": items}


DASHBOARD_LIMIT = 5


def dashboard_section(user: User):
    """The dashboard's notification panel: the unread count and the newest unread ones (the hook answer)."""
    unread = list(notifications_of(user).filter(read_at__isnull=True)[:DASHBOARD_LIMIT])
    if not unread:
        return None
    return DashboardSection(
        "notifications",
        "profiles/dashboard_notifications.html",
        {"unread": unread, "unread_total": unread_count(user)},
    )
