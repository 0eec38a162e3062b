"""Reviewer assignments, their conflict declarations, and the scores they give."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from calls.models.panel import Recommendation
from hub.page_cache import WriteNotingQuerySet


class ReviewAssignment(models.Model):
    """A reviewer asked to score one proposal; holds their declaration and, once done, their review."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted, no conflict declared")
        CONFLICT = "conflict", _("Declared a conflict of interest")
        DECLINED = "declined", _("Declined")
        SUBMITTED = "submitted", _("Review submitted")

    ACTIVE = (Status.INVITED, Status.ACCEPTED, Status.SUBMITTED)

    proposal = models.ForeignKey("calls.Proposal", on_delete=models.CASCADE, related_name="review_assignments")
    # Set at once when the invited address is an account's verified address, else when its owner (after signing up)
    # opens the invitation; the city sees the address it typed until the reviewer answers, either way.
    reviewer = models.ForeignKey(
        "profiles.User", null=True, blank=True, on_delete=models.PROTECT, related_name="review_assignments"
    )
    email = models.EmailField(blank=True, help_text=_("The address the city invited."))
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    assigned_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INVITED, db_index=True)
    due_at = models.DateTimeField(null=True, blank=True)
    conflict_statement = models.TextField(blank=True, max_length=2000)
    declared_at = models.DateTimeField(null=True, blank=True)
    version = models.ForeignKey(
        "calls.ProposalVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
        help_text=_("The submitted version this review scored."),
    )
    comments = models.TextField(blank=True, max_length=10000)
    # Issue 18 §1: answers to the call's free-text review questions, by question key.
    answers = models.JSONField(default=dict, blank=True)
    # Panel (issue 18 §4): what the reviewer recommends, and how sure they are (1 = not sure, 5 = expert).
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Its updates stamp the table, so that the desk's cached counts never lag a bulk action (hub.page_cache).
    objects = WriteNotingQuerySet.as_manager()

    class Meta:
        ordering = ["proposal", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "reviewer"], name="review_assignment_unique"),
            # One invitation per typed address (stored lower-case), even before anyone has an account for it.
            models.UniqueConstraint(
                fields=["proposal", "email"], condition=~models.Q(email=""), name="review_assignment_unique_email"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer or self.email} reviews {self.proposal}"

    @property
    def invited_address(self) -> str:
        """The address the city typed (older assignments: the reviewer's)."""
        return self.email or (self.reviewer.email if self.reviewer_id else "")


class ReviewScore(models.Model):
    """A score from 0 to 5 on one criterion; empty means “not applicable”."""

    assignment = models.ForeignKey(ReviewAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("calls.EvaluationCriterion", on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(5)])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="review_score_unique")]

    def __str__(self) -> str:
        return f"{self.criterion}: {'n/a' if self.score is None else self.score}"


class ProposalReminder(models.Model):
    """Marks that a draft's team was reminded of one deadline, so the reminder goes out once."""

    proposal = models.ForeignKey("calls.Proposal", on_delete=models.CASCADE, related_name="reminders")
    deadline = models.DateTimeField(help_text=_("The deadline the team was reminded of."))
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "deadline"]
        constraints = [models.UniqueConstraint(fields=["proposal", "deadline"], name="proposal_reminder_unique")]

    def __str__(self) -> str:
        return f"Reminder for {self.proposal} ({self.deadline:%Y-%m-%d})"


class ReviewBid(models.Model):
    """How much a call's reviewer wants to review one of its submitted proposals, before assignment.

    Private to the reviewer and the call's city; "assign automatically" prefers eager, then willing, and never
    gives a proposal to someone who said it is not their field.
    """

    class Level(models.TextChoices):
        EAGER = "eager", _("Eager")
        WILLING = "willing", _("Willing")
        NOT_MY_FIELD = "not_my_field", _("Not my field")

    proposal = models.ForeignKey("calls.Proposal", on_delete=models.CASCADE, related_name="review_bids")
    reviewer = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="review_bids")
    level = models.CharField(max_length=16, choices=Level.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["proposal", "reviewer"]
        constraints = [models.UniqueConstraint(fields=["proposal", "reviewer"], name="review_bid_unique")]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.proposal}: {self.level}"
