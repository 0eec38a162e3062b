"""Saved searches (alerts) and the record of what each one has already delivered."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A publication committed just before a digest run may carry a timestamp slightly older than the
# run; looking back this far covers it, and the delivery records keep anything from going out twice.
SETTLE = dt.timedelta(minutes=10)


class SavedSearch(models.Model):
    """A user's saved filter on one alert source (calls, partnerships…) and how often to email them."""

    class Frequency(models.TextChoices):
        INSTANT = "instant", _("Instantly, as soon as something is published")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")

    user = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="saved_searches")
    source = models.CharField(max_length=32, help_text=_("Key of the alert source, e.g. “calls”."))
    name = models.CharField(max_length=100)
    query = models.CharField(max_length=2000, blank=True, help_text=_("The normalised query string of the filter."))
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.DAILY, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        constraints = [models.UniqueConstraint(fields=["user", "source", "query"], name="saved_search_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def new_since(self) -> dt.datetime:
        """Items published after this moment are new: after creation and (give or take SETTLE) the last email."""
        if self.last_sent_at is None:
            return self.created_at
        return max(self.created_at, self.last_sent_at - SETTLE)


class AlertDelivery(models.Model):
    """One item sent for one saved search; the unique pair is what makes every alert go out once."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="deliveries")
    item_id = models.PositiveBigIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["saved_search", "sent_at"]
        verbose_name_plural = _("alert deliveries")
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "item_id"], name="alert_delivery_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.saved_search_id}:{self.item_id}"
