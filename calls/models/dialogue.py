"""Issue 18 §3: comments on a proposal (visibility per comment, threads, mentions, a PDF each) and its activity log."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from calls.storage import get_private_storage
from calls.validators import validate_pdf


class Audience(models.TextChoices):
    """Who sees a comment or an event; "everyone" (team, city and reviewers) is for events only."""

    TEAM = "team", _("The team only")
    TEAM_CITY = "team_city", _("The team and the city")
    INTERNAL = "internal", _("The city and the reviewers (internal)")
    EVERYONE = "everyone", _("The team, the city and the reviewers")


COMMENT_AUDIENCES = [Audience.TEAM, Audience.TEAM_CITY, Audience.INTERNAL]


class ProposalComment(models.Model):
    """A comment on a proposal, or a reply to one (a reply has its thread's audience)."""

    class AuthorRole(models.TextChoices):
        TEAM = "team", _("Applicant team")
        CITY = "city", _("City")
        REVIEWER = "reviewer", _("Reviewer")

    proposal = models.ForeignKey("calls.Proposal", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    # The capacity the author wrote in, fixed when posted: in a blind review, reviewers see "Applicant team" for it.
    author_role = models.CharField(max_length=16, choices=AuthorRole.choices)
    visibility = models.CharField(max_length=16, choices=[(a.value, a.label) for a in COMMENT_AUDIENCES])
    body = models.TextField(max_length=5000)
    mentions = models.ManyToManyField("profiles.User", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The one-time key of the form that posted it: a double submit finds the comment already made.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["proposal", "visibility", "created_at"], name="proposal_comment_seen")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on proposal {self.proposal_id}"


def comment_attachment_path(instance: "CommentAttachment", filename: str) -> str:
    return f"comments/{instance.comment.proposal_id}/{uuid.uuid4().hex}.pdf"


class CommentAttachment(models.Model):
    """A PDF attached to a comment, in private storage, served only to those who see the comment."""

    comment = models.OneToOneField(ProposalComment, on_delete=models.CASCADE, related_name="attachment")
    file = models.FileField(upload_to=comment_attachment_path, storage=get_private_storage, validators=[validate_pdf])
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.original_name


class ProposalActivity(models.Model):
    """One event in a proposal's log, shown to the audience it names."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        VERSION = "version", _("New version")
        REVIEW_RECEIVED = "review_received", _("Review received")
        STATUS_CHANGED = "status_changed", _("Status changed")
        COMMENT = "comment", _("Comment")
        RESPONSE = "response", _("Response to the reviews")

    proposal = models.ForeignKey("calls.Proposal", on_delete=models.CASCADE, related_name="activity")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    actor = models.ForeignKey("profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["proposal", "audience", "created_at"], name="proposal_activity_seen")]
        verbose_name_plural = _("proposal activities")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on proposal {self.proposal_id}"
