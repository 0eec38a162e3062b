"""Partnerships: members, milestones and the members-only workspace (documents with versions, notes)."""

import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from calls.storage import get_private_storage
from hub.versioning import EditVersionField


class PartnershipQuerySet(models.QuerySet):
    def public(self):
        """The single public rule: listed partnerships."""
        return self.filter(is_public=True)

    def with_member(self, user):
        """Partnerships the user belongs to (any side); none for anonymous users."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(members__user=user).distinct()


class Partnership(models.Model):
    """A collaboration created by awarding a proposal, or registered for an existing one."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        ENDED = "ended", _("Ended early")

    class Origin(models.TextChoices):
        CALL = "call", _("Awarded through a call")
        REGISTERED = "registered", _("Registered collaboration")

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(blank=True, max_length=3000)
    description = models.TextField(blank=True, max_length=20000)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.CALL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    call = models.ForeignKey(
        "calls.ResearchCall", null=True, blank=True, on_delete=models.SET_NULL, related_name="partnerships"
    )
    proposal = models.OneToOneField(
        "calls.Proposal", null=True, blank=True, on_delete=models.SET_NULL, related_name="partnership"
    )
    city = models.ForeignKey(
        "profiles.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="partnerships"
    )
    methods = models.ManyToManyField("hub.Method", blank=True, related_name="partnerships")
    themes = models.ManyToManyField("hub.Theme", blank=True, related_name="partnerships")
    sdg_targets = models.ManyToManyField("hub.SDGTarget", blank=True, related_name="partnerships")
    groups = models.ManyToManyField("hub.GroupAtRisk", blank=True, related_name="partnerships")
    website = models.URLField(blank=True, max_length=500)
    is_public = models.BooleanField(default=True)
    started_at = models.DateField(null=True, blank=True)
    ended_at = models.DateField(null=True, blank=True)
    registered_by = models.ForeignKey(
        "profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("partnership_detail", args=[self.slug])

    def get_workspace_url(self) -> str:
        return reverse("partnership_workspace", args=[self.slug])


class PartnershipMember(models.Model):
    """A person in a partnership, from the research team, the city or a partner organisation."""

    class Side(models.TextChoices):
        RESEARCH = "research", _("Research team")
        CITY = "city", _("City")
        PARTNER = "partner", _("Partner organisation")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        "profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="partnerships"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100, blank=True)
    side = models.CharField(max_length=16, choices=Side.choices, default=Side.RESEARCH)
    organisation = models.ForeignKey(
        "profiles.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    affiliation = models.CharField(max_length=300, blank=True)
    country = models.ForeignKey("hub.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A member registered by email joins (``user`` is set) only by answering the invitation sent to that address,
    # so that whoever registered them never learns from Bridges whether the address has an account.
    invited_email = models.EmailField(blank=True)
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    joined_at = models.DateTimeField(null=True, blank=True)
    # The research lead (issue 19: a new lead is a logged membership change); at most one per partnership.
    is_lead = models.BooleanField(default=False)

    class Meta:
        ordering = ["partnership", "side", "-is_lead", "name"]
        indexes = [models.Index(fields=["invited_email"], name="partnership_member_invited")]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "user"], condition=Q(user__isnull=False), name="partnership_member_unique"
            ),
            models.UniqueConstraint(fields=["partnership"], condition=Q(is_lead=True), name="partnership_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_side_display()})"


class Milestone(models.Model):
    """A dated step of a partnership; public ones make up the timeline on the partnership page."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=3000)
    due_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    completed_at = models.DateField(null=True, blank=True)
    is_public = models.BooleanField(_("show on the public timeline"), default=True)
    created_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    edit_version = EditVersionField()

    class Meta:
        ordering = ["partnership", "due_date", "pk"]

    def __str__(self) -> str:
        return self.title


class WorkspaceDocument(models.Model):
    """A shared document of a partnership's workspace; its files are versions."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partnership", "-updated_at"]

    def __str__(self) -> str:
        return self.title


def workspace_upload_to(instance: "WorkspaceDocumentVersion", filename: str) -> str:
    """Generated names: the uploaded name is kept in ``original_name`` only."""
    return f"workspace/{instance.document.partnership_id}/{uuid.uuid4().hex}"


class WorkspaceDocumentVersion(models.Model):
    """One uploaded file of a workspace document, kept in private storage."""

    document = models.ForeignKey(WorkspaceDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=workspace_upload_to, storage=get_private_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="workspace_version_unique")]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class WorkspaceNote(models.Model):
    """A message in the partnership's notes stream (members only)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=10000)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    edit_version = EditVersionField()

    class Meta:
        ordering = ["partnership", "-created_at"]

    def __str__(self) -> str:
        return self.body[:60]
