"""Proposals: private, versioned on submission, seen only by the team, the city and assigned reviewers."""

import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calls.storage import get_private_storage
from calls.validators import validate_pdf
from hub.page_cache import WriteNotingQuerySet
from hub.versioning import EditVersionField


class Proposal(models.Model):
    """A team's application to a call; text fields hold the working draft."""

    class Stage(models.TextChoices):
        CONCEPT = "concept", _("Concept note")
        FULL = "full", _("Full proposal")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        INFO_REQUESTED = "info_requested", _("More information requested")
        UNDER_REVIEW = "under_review", _("Under review")
        INVITED = "invited", _("Invited to submit a full proposal")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        AWARDED = "awarded", pgettext_lazy("proposal status", "Awarded")
        DECLINED = "declined", _("Declined")

    class Screening(models.TextChoices):
        PENDING = "pending", _("Not screened")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Ineligible")

    EDITABLE = (Status.DRAFT, Status.WITHDRAWN, Status.INFO_REQUESTED, Status.INVITED)
    SUBMITTED_STATES = (
        Status.SUBMITTED,
        Status.INFO_REQUESTED,
        Status.UNDER_REVIEW,
        Status.INVITED,
        Status.SHORTLISTED,
        Status.AWARDED,
        Status.DECLINED,
    )
    DECIDED = (Status.AWARDED, Status.DECLINED)

    call = models.ForeignKey("calls.ResearchCall", on_delete=models.PROTECT, related_name="proposals")
    # Empty only once the proposal is anonymised (data retention, calls/services/retention.py).
    lead = models.ForeignKey("profiles.User", null=True, on_delete=models.PROTECT, related_name="led_proposals")
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.FULL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True, max_length=3000)
    methodology = models.TextField(blank=True, max_length=20000)
    methods = models.ManyToManyField("hub.Method", blank=True, related_name="proposals")
    participation_plan = models.TextField(
        blank=True, max_length=10000, help_text=_("How the community and civil society take part.")
    )
    data_management_plan = models.TextField(_("data management and protection plan"), blank=True, max_length=10000)
    ethics = models.TextField(blank=True, max_length=10000)
    budget = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    # Issue 18 §1: the draft's answers to the call's own questions, by question key (frozen per version).
    answers = models.JSONField(default=dict, blank=True)
    info_request = models.TextField(blank=True, help_text=_("What the city asked the team to add or change."))
    outcome_message = models.TextField(blank=True)
    # Issue 18 §3: the team's answer to the released reviews; every version submitted after it carries it.
    review_response = models.TextField(blank=True, max_length=10000, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Screening before review (issue 18 §5): the city marks a submitted proposal eligible or not, with a reason.
    screening = models.CharField(max_length=12, choices=Screening.choices, default=Screening.PENDING, db_index=True)
    screening_reason = models.TextField(blank=True, max_length=4000)
    screened_by = models.ForeignKey("profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    screened_at = models.DateTimeField(null=True, blank=True)
    # Data retention: the team was told of the coming anonymisation; the personal data was removed.
    retention_notice_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The review numbers the desk and the ranking sort and filter on, kept by calls.review_numbers (never typed).
    review_count = models.PositiveIntegerField(default=0, editable=False, help_text=_("Reviews submitted."))
    reviewer_count = models.PositiveIntegerField(
        default=0, editable=False, help_text=_("Reviewers invited, accepted or done.")
    )
    review_score = models.FloatField(null=True, editable=False, help_text=_("Weighted score of the submitted reviews."))
    review_spread = models.FloatField(null=True, editable=False, help_text=_("Spread of the scores given."))

    edit_version = EditVersionField()

    # Its updates stamp the table, so that the desk's cached counts never lag a bulk action (hub.page_cache).
    objects = WriteNotingQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["call", "status"]),
            models.Index(fields=["call", "review_score"], name="proposal_call_score"),
        ]
        # One live proposal per lead and call: a double click on "Start a proposal" must not make two drafts.
        constraints = [
            models.UniqueConstraint(
                fields=["call", "lead"], condition=~models.Q(status="withdrawn"), name="one_proposal_per_lead_and_call"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_submitted(self) -> bool:
        return self.status in self.SUBMITTED_STATES

    @property
    def full_stage(self) -> bool:
        return self.stage == self.Stage.FULL and self.call.two_stage

    @property
    def form_full_stage(self) -> bool:
        """Whether the team answers the full-proposal form (invited to the second stage, or in it)."""
        return self.call.two_stage and (self.stage == self.Stage.FULL or self.status == self.Status.INVITED)

    @property
    def deadline(self):
        return self.call.deadline_for(full_stage=self.full_stage)

    def latest_version(self):
        return self.versions.order_by("-number").first()


class ProposalVersion(models.Model):
    """A frozen copy of what the team submitted; reviews point at the version they scored."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    stage = models.CharField(max_length=16, choices=Proposal.Stage.choices)
    content = models.JSONField()
    submitted_by = models.ForeignKey("profiles.User", null=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    is_withdrawn = models.BooleanField(default=False)
    # The one-time key of the submit form that created this version: a replayed POST finds it here.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_unique")]

    def __str__(self) -> str:
        return f"{self.proposal} v{self.number}"


class TeamMember(models.Model):
    """A person on a proposal's team: the lead, or an invited co-applicant."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead applicant")
        CO_APPLICANT = "co_applicant", _("Co-applicant")
        COMMUNITY_PARTNER = "community_partner", _("Community or civil-society partner")
        ADVISOR = "advisor", _("Advisor")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        "profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="team_memberships"
    )
    email = models.EmailField()
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CO_APPLICANT)
    affiliation = models.CharField(max_length=300, blank=True)
    organisation = models.ForeignKey(
        "profiles.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    country = models.ForeignKey("hub.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    early_career = models.BooleanField(default=False, help_text=_("Student or early-career researcher."))
    languages = models.ManyToManyField("hub.Language", blank=True, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INVITED)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invited_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    # Its updates stamp the table, so that the desk's cached counts never lag a bulk action (hub.page_cache).
    objects = WriteNotingQuerySet.as_manager()

    class Meta:
        ordering = ["proposal", "-role", "invited_at"]
        constraints = [models.UniqueConstraint(fields=["proposal", "email"], name="team_member_unique_email")]
        # The dashboard looks up open invitations by address, whatever its case (``email__iexact``).
        indexes = [
            models.Index(Upper("email"), condition=models.Q(status="invited"), name="team_member_invited_email"),
            # The desk's "early-career lead" and "team country" filters and counts, over thousands of proposals.
            models.Index(
                fields=["proposal"], condition=models.Q(role="lead", early_career=True), name="team_early_career_lead"
            ),
            models.Index(fields=["country", "proposal"], name="team_member_country"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD


class Milestone(models.Model):
    """A step of the proposal's timeline, in months from the start."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    month = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    description = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["proposal", "month", "pk"]

    def __str__(self) -> str:
        return f"Month {self.month}: {self.title}"


ATTACHMENT_EXTENSIONS = ("pdf", "docx", "xlsx", "odt", "png", "jpg")


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Files of file questions keep the extension their checked content gave them; attachments are PDFs.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "pdf"
    return f"proposals/{instance.proposal_id}/{uuid.uuid4().hex}.{extension if extension in ATTACHMENT_EXTENSIONS else 'pdf'}"


class Attachment(models.Model):
    """A PDF of a proposal, in private storage; kept once a submitted version refers to it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, storage=get_private_storage, validators=[validate_pdf])
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed = models.BooleanField(default=False, help_text=_("Removed from the draft; earlier versions keep it."))

    class Meta:
        ordering = ["proposal", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
