"""What profiles adds to a person's data export through the ``personal_data`` hook (registered in
profiles/wagtail_hooks.py): their notifications and their affiliation history. The account, addresses,
memberships and profile themselves are in ``profiles.selectors.personal_data_export``."""

from profiles.models import AffiliationPeriod, Notification


def _iso(value):
    return value.isoformat() if value else None


def personal_data(user) -> dict:
    notifications = Notification.objects.filter(user=user).order_by("created_at", "pk")
    periods = AffiliationPeriod.objects.filter(profile__user=user).select_related("organisation")
    return {
        "notifications": [
            {
                "kind": n.kind,
                "message": n.message,
                "url": n.url,
                "read": n.read_at is not None,
                "read_at": _iso(n.read_at),
                "email": n.email,
                "created_at": _iso(n.created_at),
            }
            for n in notifications
        ],
        "affiliation_history": [
            {"organisation": p.organisation.name, "from": p.start_year, "until": p.end_year} for p in periods
        ],
    }
