"""Public comments on a call's draft questions before it opens (recommendation 11)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsultationComment(models.Model):
    """A moderated public comment; the city says whether it took it up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Not published")

    class Uptake(models.TextChoices):
        UNDECIDED = "undecided", _("Not decided yet")
        TAKEN_UP = "taken_up", _("Taken up")
        NOT_TAKEN_UP = "not_taken_up", _("Not taken up")

    call = models.ForeignKey("calls.ResearchCall", on_delete=models.CASCADE, related_name="consultation_comments")
    author = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="consultation_comments")
    organisation = models.ForeignKey(
        "profiles.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=4000)
    # SHA-256 of the body as sent: the same comment sent twice (a double click) is stored once.
    body_digest = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    moderation_reason = models.CharField(max_length=500, blank=True)
    uptake = models.CharField(max_length=16, choices=Uptake.choices, default=Uptake.UNDECIDED)
    city_response = models.TextField(blank=True, max_length=2000)
    moderated_by = models.ForeignKey(
        "profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "author", "body_digest"],
                condition=~models.Q(body_digest=""),
                name="consultation_comment_once",
            )
        ]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.call}"
