"""The life of a partnership after the award: dated status changes, membership changes, scheduled reports with
their review, deliverables, and the signed agreement with its amendments (issue 19 §1)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.storage import get_private_storage
from hub.versioning import EditVersionField
from projects.models.partnerships import Partnership, PartnershipMember, WorkspaceDocument


class StatusChange(models.Model):
    """A dated change of a partnership's status; public, with its reason (the page and the API show the history)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Partnership.Status.choices)
    to_status = models.CharField(max_length=16, choices=Partnership.Status.choices)
    reason = models.TextField(_("public reason"), blank=True, max_length=2000)
    effective_on = models.DateField()
    changed_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partnership", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.from_status} → {self.to_status}"


class MembershipChange(models.Model):
    """One dated change of who is in a partnership; a member who left is remembered here (name, side, affiliation),
    so the public page still credits them while every permission follows the current members."""

    class Kind(models.TextChoices):
        JOINED = "joined", _("Joined")
        LEFT = "left", _("Left")
        ROLE = "role", _("Changed role")
        LEAD = "lead", _("Became the lead")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="membership_changes")
    member = models.ForeignKey(
        PartnershipMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    user = models.ForeignKey("profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=200)
    side = models.CharField(max_length=16, choices=PartnershipMember.Side.choices)
    organisation = models.ForeignKey(
        "profiles.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    affiliation = models.CharField(max_length=300, blank=True)
    country = models.ForeignKey("hub.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    role_before = models.CharField(max_length=100, blank=True)
    role_after = models.CharField(max_length=100, blank=True)
    changed_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partnership", "-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_kind_display()}"


class PartnershipReport(models.Model):
    """A report the city scheduled (progress or final): the team writes and submits it, the city accepts it or
    returns it with comments. Its content is private; the public learns only that it was delivered, and when."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress report")
        FINAL = "final", _("Final report")

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")
        ACCEPTED = "accepted", _("Accepted")

    OPEN = (Status.DUE, Status.RETURNED)  # the team's turn

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PROGRESS)
    title = models.CharField(max_length=200)
    due_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DUE, db_index=True)
    work_done = models.TextField(_("what was done"), blank=True, max_length=10000)
    plan_changes = models.TextField(_("changes to the plan"), blank=True, max_length=10000)
    risks = models.TextField(_("risks"), blank=True, max_length=10000)
    next_steps = models.TextField(_("next steps"), blank=True, max_length=10000)
    review_comment = models.TextField(_("the city's comments"), blank=True, max_length=5000)
    times_returned = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    edit_version = EditVersionField()

    class Meta:
        ordering = ["partnership", "due_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partnership"], condition=Q(kind="final"), name="one_final_report")
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="report_status_due")]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today) -> bool:
        return self.status in self.OPEN and self.due_date < today


def report_upload_to(instance: "ReportAttachment", filename: str) -> str:
    return f"reports/{instance.report.partnership_id}/{uuid.uuid4().hex}"


class ReportAttachment(models.Model):
    """A file attached to a report (checked like every workspace upload), in private storage."""

    report = models.ForeignKey(PartnershipReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=report_upload_to, storage=get_private_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Deliverable(models.Model):
    """What the partnership agreed to deliver, by when, and the results and datasets that deliver it."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DELIVERED = "delivered", _("Delivered")
        DROPPED = "dropped", _("Dropped")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="deliverables")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=3000)
    due_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    delivered_on = models.DateField(null=True, blank=True)
    results = models.ManyToManyField("projects.Result", blank=True, related_name="deliverables")
    datasets = models.ManyToManyField("projects.Dataset", blank=True, related_name="deliverables")
    is_public = models.BooleanField(_("show on the public page"), default=True)
    created_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    edit_version = EditVersionField()

    class Meta:
        ordering = ["partnership", "due_date", "pk"]

    def __str__(self) -> str:
        return self.title


class Agreement(models.Model):
    """The signed agreement or one of its amendments; the file is a workspace document (private, versioned)."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Signed agreement")
        AMENDMENT = "amendment", _("Amendment")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="agreements")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.AGREEMENT)
    title = models.CharField(max_length=200)
    signed_on = models.DateField()
    document = models.OneToOneField(WorkspaceDocument, on_delete=models.CASCADE, related_name="agreement")
    created_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partnership", "signed_on", "pk"]

    def __str__(self) -> str:
        return self.title
