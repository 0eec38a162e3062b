"""Results: what partnerships publish, under the scientific-freedom guarantee (recommendation 10).

Researchers of the partnership publish; the commissioning city can only reply (``CityResponse``)
and record what the result informed (``PolicyUptake``); only a coordinator can take it down
(``Takedown``), and every takedown is public at /transparency/.
"""

import datetime as dt
import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.storage import get_private_storage
from hub.versioning import EditVersionField
from profiles.validators import validate_doi


class Licence(models.TextChoices):
    """SPDX identifiers offered for texts and tools; CC BY 4.0 is the default."""

    CC_BY_4 = "CC-BY-4.0", "CC BY 4.0"
    CC_BY_SA_4 = "CC-BY-SA-4.0", "CC BY-SA 4.0"
    CC_BY_NC_4 = "CC-BY-NC-4.0", "CC BY-NC 4.0"
    CC_BY_ND_4 = "CC-BY-ND-4.0", "CC BY-ND 4.0"
    CC_BY_NC_SA_4 = "CC-BY-NC-SA-4.0", "CC BY-NC-SA 4.0"
    CC_BY_NC_ND_4 = "CC-BY-NC-ND-4.0", "CC BY-NC-ND 4.0"
    CC0 = "CC0-1.0", "CC0 1.0 (public domain)"
    MIT = "MIT", "MIT"
    APACHE_2 = "Apache-2.0", "Apache 2.0"
    GPL_3 = "GPL-3.0-or-later", "GPL 3.0 or later"
    ODBL = "ODbL-1.0", "Open Database Licence 1.0"
    ODC_BY = "ODC-By-1.0", "ODC Attribution 1.0"


class ResultQuerySet(models.QuerySet):
    def public(self, *, today: dt.date | None = None):
        """Published, not taken down, and past any embargo: the embargo ends by itself on its date."""
        today = today or timezone.localdate()
        return self.filter(status=Result.Status.PUBLISHED).filter(
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=today)
        )


class Result(models.Model):
    """An article, report, policy brief, tool or dataset published by a partnership's researchers."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        REPORT = "report", _("Report")
        POLICY_BRIEF = "policy_brief", _("Policy brief")
        TOOL = "tool", _("Tool")
        DATASET = "dataset", _("Dataset")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        TAKEN_DOWN = "taken_down", _("Taken down")

    partnership = models.ForeignKey("projects.Partnership", on_delete=models.PROTECT, related_name="results")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.REPORT)
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    abstract = models.TextField(max_length=10000)
    language = models.ForeignKey("hub.Language", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    licence = models.CharField(max_length=20, choices=Licence.choices, default=Licence.CC_BY_4)
    doi = models.CharField(_("DOI"), max_length=200, blank=True, validators=[validate_doi])
    url = models.URLField(_("URL"), blank=True, max_length=500)
    publication_date = models.DateField(null=True, blank=True)
    themes = models.ManyToManyField("hub.Theme", blank=True, related_name="results")
    sdg_targets = models.ManyToManyField("hub.SDGTarget", blank=True, related_name="results")
    methods = models.ManyToManyField("hub.Method", blank=True, related_name="results")
    groups = models.ManyToManyField("hub.GroupAtRisk", blank=True, related_name="results")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    embargo_until = models.DateField(
        null=True, blank=True, help_text=_("The result becomes public on this date without anyone acting.")
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        "profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # The number of its latest published version (``ResultVersion``); 0 for a draft.
    version_number = models.PositiveIntegerField(_("version"), default=0, editable=False)
    created_by = models.ForeignKey(
        "profiles.User", null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    edit_version = EditVersionField()

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["-publication_date", "-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "embargo_until"], name="result_public_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("result_detail", args=[self.slug])

    @property
    def public_since(self) -> dt.date | None:
        """The day the public could first read it: publication, or the end of its embargo."""
        if self.status != self.Status.PUBLISHED or self.published_at is None:
            return None
        published = timezone.localdate(self.published_at)
        return max(published, self.embargo_until) if self.embargo_until else published


class ResultAuthor(models.Model):
    """An author of a result: a linked researcher profile or just a name.

    A profile is linked only by an ORCID iD the team could read on it, or by the author themselves answering the
    invitation the team sent to ``invited_email``: the team never learns from Bridges whether that address has an
    account, and the author decides what of their profile the result shows.
    """

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="authors")
    profile = models.ForeignKey(
        "profiles.ResearcherProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="authored_results"
    )
    name = models.CharField(max_length=200)
    affiliation = models.CharField(max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    invited_email = models.EmailField(
        blank=True, help_text=_("The address the team invited to confirm the authorship; only the team sees it.")
    )
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["result", "sort_order", "pk"]
        indexes = [models.Index(fields=["invited_email"], name="result_author_invited_email")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_invited(self) -> bool:
        """Invited by email and not answered yet."""
        return bool(self.invited_email) and self.answered_at is None

    @property
    def declined(self) -> bool:
        return bool(self.invited_email) and self.answered_at is not None and self.profile_id is None


def result_upload_to(instance: "ResultFile", filename: str) -> str:
    return f"results/{instance.result_id}/{uuid.uuid4().hex}.pdf"


class ResultFile(models.Model):
    """A PDF of a result; private storage, served by a view that applies the result's visibility and embargo."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="files")
    title = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to=result_upload_to, storage=get_private_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["result", "pk"]

    def __str__(self) -> str:
        return self.title or self.original_name


class CityResponse(models.Model):
    """The commissioning city's dated public response to a result (right of reply and policy stance).

    No row means "pending", shown publicly with how long since the result became public.
    """

    class Stance(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        PARTLY = "partly", _("Partly accepted")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")

    result = models.OneToOneField(Result, on_delete=models.CASCADE, related_name="city_response")
    city = models.ForeignKey("profiles.Organisation", on_delete=models.PROTECT, related_name="result_responses")
    stance = models.CharField(max_length=16, choices=Stance.choices, default=Stance.PENDING)
    reasons = models.TextField(_("the city's reasons"), blank=True, max_length=5000)
    reply = models.TextField(_("public reply"), blank=True, max_length=10000)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    edit_version = EditVersionField()

    def __str__(self) -> str:
        return f"{self.city}: {self.get_stance_display()}"


class ImplementationStatus(models.TextChoices):
    """Where the implementation of a decision stands (the impact ledger)."""

    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    ABANDONED = "abandoned", _("Abandoned")


class PolicyUptake(models.Model):
    """A decision, plan, budget line or service change that a result informed (recommendation 1)."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("Decision")
        PLAN = "plan", _("Plan or strategy")
        BUDGET = "budget", _("Budget line")
        SERVICE = "service", _("Service change")
        REGULATION = "regulation", _("By-law or regulation")
        OTHER = "other", _("Other")

    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="uptakes")
    city = models.ForeignKey("profiles.Organisation", on_delete=models.PROTECT, related_name="policy_uptakes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=300)
    date = models.DateField()
    body = models.CharField(_("deciding body"), max_length=200, blank=True)
    link = models.URLField(blank=True, max_length=500)
    description = models.TextField(blank=True, max_length=5000)
    recorded_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The impact ledger (issue 19 §3): how the city implements it, and the indicators it intends to move.
    implementation_status = models.CharField(
        _("implementation status"), max_length=16, choices=ImplementationStatus.choices, default="planned"
    )
    progress = models.PositiveSmallIntegerField(_("progress share"), default=0, help_text=_("0 to 100 per cent."))
    department = models.CharField(_("responsible department"), max_length=200, blank=True)
    indicators = models.ManyToManyField("projects.Indicator", blank=True, related_name="uptakes")

    edit_version = EditVersionField()

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="uptake_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("uptake_detail", args=[self.pk])


class Takedown(models.Model):
    """A coordinator's decision to take public content down, listed at /transparency/."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    title = models.CharField(max_length=300, help_text=_("The title at the time of the takedown."))
    path = models.CharField(max_length=300, help_text=_("The URL that now shows the takedown notice."))
    reason = models.TextField(max_length=5000)
    decided_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by_name = models.CharField(max_length=200)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="takedown_object_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.decided_at:%Y-%m-%d})"
