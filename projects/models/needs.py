"""Research needs from the people concerned (issue 19 §4): posted for a city, endorsed, discussed, answered.

Civil-society organisations, national human-rights institutions and residents post a need; the city's officials
answer it publicly; a network coordinator may hide a need or a comment with a public reason (a ``Takedown`` row,
listed at /transparency/). ``ModerationReport`` is private: only coordinators see the queue.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ResearchNeedQuerySet(models.QuerySet):
    def public(self):
        """Needs anyone may read: every need that a coordinator has not hidden."""
        return self.filter(hidden_at__isnull=True)


class ResearchNeed(models.Model):
    """A need for research in a city, told by the people concerned."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting the city's answer")
        ACCEPTED = "accepted", _("Accepted for a call")
        COVERED = "covered", _("Already covered")
        NOT_NOW = "not_now", _("Not now")

    ANSWERED = (Status.ACCEPTED, Status.COVERED, Status.NOT_NOW)

    city = models.ForeignKey("profiles.Organisation", on_delete=models.PROTECT, related_name="research_needs")
    author = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="research_needs")
    author_name = models.CharField(max_length=200, help_text=_("The name shown with the need."))
    organisation = models.ForeignKey(
        "profiles.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posted_research_needs",
        help_text=_("The civil-society organisation or human-rights institution the author posts for, if any."),
    )
    title = models.CharField(max_length=200)
    situation = models.TextField(max_length=5000)
    missing_evidence = models.TextField(max_length=3000)
    themes = models.ManyToManyField("hub.Theme", blank=True, related_name="research_needs")
    sdg_targets = models.ManyToManyField("hub.SDGTarget", blank=True, related_name="research_needs")
    groups = models.ManyToManyField("hub.GroupAtRisk", blank=True, related_name="research_needs")
    # The city's public answer; a change is a conditional UPDATE on the status the official saw.
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    answer = models.TextField(blank=True, max_length=5000)
    covered_by_url = models.URLField(blank=True, max_length=500)
    answered_by = models.ForeignKey("profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    call = models.ForeignKey(
        "calls.ResearchCall", null=True, blank=True, on_delete=models.SET_NULL, related_name="research_needs"
    )
    # Set by a coordinator with a public reason (the ``Takedown`` row at /transparency/).
    hidden_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResearchNeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("need_detail", args=[self.pk])

    @property
    def is_answered(self) -> bool:
        return self.status in self.ANSWERED


class NeedEndorsement(models.Model):
    """One account's support of a need: at most one per account (a unique constraint, so a double click is one)."""

    need = models.ForeignKey(ResearchNeed, on_delete=models.CASCADE, related_name="endorsements")
    user = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="need_endorsements")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["need", "user"], name="need_endorsement_once")]

    def __str__(self) -> str:
        return f"{self.user} endorses {self.need}"


class NeedComment(models.Model):
    """A public comment on a need; a coordinator may hide it with a public reason."""

    need = models.ForeignKey(ResearchNeed, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="need_comments")
    author_name = models.CharField(max_length=200)
    body = models.TextField(max_length=3000)
    # SHA-256 of the body as sent: the same comment sent twice (a double click) is stored once.
    body_digest = models.CharField(max_length=64, editable=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["need", "author", "body_digest"], name="need_comment_once"),
        ]

    def __str__(self) -> str:
        return f"Comment by {self.author_name} on {self.need}"

    def get_absolute_url(self) -> str:
        return f"{self.need.get_absolute_url()}#comment-{self.pk}"

    @property
    def title(self) -> str:
        return _("Comment on “%(title)s”") % {"title": self.need.title}


class NeedTopic(models.Model):
    """A researcher or student takes a need up as a thesis or project topic (listed on the need)."""

    class Kind(models.TextChoices):
        THESIS = "thesis", _("Thesis topic")
        PROJECT = "project", _("Research project")

    need = models.ForeignKey(ResearchNeed, on_delete=models.CASCADE, related_name="topics")
    user = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="need_topics")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["need", "user"], name="need_topic_once")]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_kind_display()} on {self.need}"


class ModerationReport(models.Model):
    """A user's report of a public need or comment; private: only network coordinators see the queue."""

    class Reason(models.TextChoices):
        ABUSE = "abuse", _("Abusive, hateful or harassing")
        PERSONAL_DATA = "personal_data", _("Reveals personal data about someone")
        SPAM = "spam", _("Spam or advertising")
        FALSE = "false", _("Deliberately false or misleading")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HIDDEN = "hidden", _("Content hidden")
        DISMISSED = "dismissed", _("Dismissed")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    reporter = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="moderation_reports")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    details = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolved_by = models.ForeignKey("profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "reporter"], name="moderation_report_once")
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} ({self.get_reason_display()})"
