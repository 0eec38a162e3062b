"""Datasets: CSV files with a schema, an access level and a personal-data declaration (recommendations 3, 5–7)."""

import uuid

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from calls.storage import get_private_storage
from hub.versioning import EditVersionField
from profiles.validators import validate_doi


class DataLicence(models.TextChoices):
    CC0 = "CC0-1.0", "CC0 1.0 (public domain)"
    CC_BY_4 = "CC-BY-4.0", "CC BY 4.0"


class Disaggregation(models.TextChoices):
    """Dimensions by which data about people can be broken down (the keys used in schemas and observations)."""

    SEX = "sex", _("Sex")
    GENDER = "gender", _("Gender identity")
    AGE_GROUP = "age_group", _("Age group")
    DISABILITY = "disability", _("Disability")
    MIGRATION_STATUS = "migration_status", _("Migration status")
    ETHNICITY = "ethnicity", _("Ethnicity")
    INCOME = "income", _("Income group")
    AREA = "area", _("Neighbourhood or area")
    HOUSEHOLD = "household", _("Household type")
    EDUCATION = "education", _("Education level")


class DatasetQuerySet(models.QuerySet):
    def public(self):
        """Datasets whose page (metadata) is public; their rows are public only when ``access_level`` is open."""
        return self.filter(status=Dataset.Status.PUBLISHED)

    def open(self):
        return self.public().filter(access_level=Dataset.AccessLevel.OPEN)


def dataset_upload_to(instance: "Dataset", filename: str) -> str:
    return f"datasets/{uuid.uuid4().hex}.csv"


class Dataset(models.Model):
    """A CSV dataset of a partnership, stored as normalised UTF-8 in private storage."""

    class AccessLevel(models.TextChoices):
        OPEN = "open", _("Open: anyone can download")
        ON_REQUEST = "on_request", _("On request: the partnership approves each request")
        CLOSED = "closed", _("Closed: description only")

    class PersonalData(models.TextChoices):
        NONE = "none", _("No data about individual people")
        AGGREGATED = "aggregated", _("Aggregated counts only")
        ANONYMISED = "anonymised", _("Anonymised records")
        PSEUDONYMISED = "pseudonymised", _("Pseudonymised records")
        PERSONAL = "personal", _("Contains personal data")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        TAKEN_DOWN = "taken_down", _("Taken down")

    partnership = models.ForeignKey("projects.Partnership", on_delete=models.PROTECT, related_name="datasets")
    result = models.ForeignKey(
        "projects.Result", null=True, blank=True, on_delete=models.SET_NULL, related_name="datasets"
    )
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(max_length=10000)
    licence = models.CharField(max_length=20, choices=DataLicence.choices, default=DataLicence.CC_BY_4)
    provenance = models.TextField(
        blank=True, max_length=5000, help_text=_("Who collected the data, how and when; sources it was derived from.")
    )
    access_level = models.CharField(max_length=16, choices=AccessLevel.choices, default=AccessLevel.OPEN)
    personal_data = models.CharField(max_length=16, choices=PersonalData.choices, default=PersonalData.NONE)
    personal_data_note = models.TextField(_("data-protection measures"), blank=True, max_length=3000)
    disaggregations = models.JSONField(default=list, blank=True, help_text=_("Keys of Disaggregation."))
    min_cell_count = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Counts below this are suppressed in public tables; never lower than the site minimum."),
    )
    # [{"name", "type": string|integer|number|date|boolean, "description", "is_count": bool}]
    schema = models.JSONField(default=list, blank=True)
    # [{"column", "reason"}] — columns that look like direct identifiers; non-empty forbids open access.
    identifier_columns = models.JSONField(default=list, blank=True, editable=False)
    file = models.FileField(upload_to=dataset_upload_to, storage=get_private_storage, max_length=300, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    source_encoding = models.CharField(max_length=32, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    # The number of its current file's version (``DatasetVersion``).
    version_number = models.PositiveIntegerField(_("version"), default=1, editable=False)
    doi = models.CharField(_("DOI"), max_length=200, blank=True, validators=[validate_doi])
    themes = models.ManyToManyField("hub.Theme", blank=True, related_name="datasets")
    sdg_targets = models.ManyToManyField("hub.SDGTarget", blank=True, related_name="datasets")
    groups = models.ManyToManyField("hub.GroupAtRisk", blank=True, related_name="datasets")
    countries = models.ManyToManyField("hub.Country", blank=True, related_name="datasets")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        "profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    edit_version = EditVersionField()

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dataset_detail", args=[self.slug])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.access_level == self.AccessLevel.OPEN


class DataAccessRequest(models.Model):
    """A request to download an on-request dataset, decided by the partnership."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="access_requests")
    requester = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="data_access_requests")
    organisation = models.CharField(max_length=300, blank=True)
    purpose = models.TextField(max_length=3000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey("profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        # One open (pending or approved) request per person and dataset; after a refusal they may ask again.
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "requester"],
                condition=~models.Q(status="refused"),
                name="one_open_access_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.dataset} ({self.status})"


class DatasetDownload(models.Model):
    """Every download of a non-open dataset: who, when, which format (the access log)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    access_request = models.ForeignKey(
        DataAccessRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="downloads"
    )
    format = models.CharField(max_length=8)
    downloaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.dataset} {self.format} {self.downloaded_at:%Y-%m-%d}"
