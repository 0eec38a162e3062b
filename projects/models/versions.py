"""Published versions of results and datasets: what a citation points to (issue 19 §2).

A result's version is a frozen copy of what the research team published (``snapshot``); a dataset's
version is one uploaded file with its schema. Numbers count from 1 per record and are unique per
record in the database, so two publications at once cannot take the same number. Nobody edits or
deletes a version (scientific freedom); a coordinator's takedown of the record covers all of them.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from calls.storage import get_private_storage


class ResultVersion(models.Model):
    """One published state of a result: number, date, what changed, and the content as published."""

    result = models.ForeignKey("projects.Result", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    note = models.TextField(_("what changed"), max_length=2000, blank=True)
    # {"kind", "title", "abstract", "language", "language_name", "licence", "doi", "url", "publication_date",
    #  "authors": [{"name", "affiliation", "orcid"}], "themes", "sdg_targets", "methods", "groups", "files"}
    snapshot = models.JSONField(default=dict)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["result", "-number"]
        constraints = [models.UniqueConstraint(fields=["result", "number"], name="result_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    def get_absolute_url(self) -> str:
        return reverse("result_version", args=[self.result.slug, self.number])


def dataset_version_upload_to(instance: "DatasetVersion", filename: str) -> str:
    return f"datasets/{uuid.uuid4().hex}.csv"


class DatasetVersion(models.Model):
    """One file of a dataset, with the schema inferred from it and its difference from the version before.

    An upload waits unconfirmed (``number`` empty) while the team reads the schema difference; confirming
    gives it the next number and makes it the dataset's current file. Older files stay downloadable under
    the dataset's access rules.
    """

    dataset = models.ForeignKey("projects.Dataset", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(_("what changed"), max_length=2000, blank=True)
    file = models.FileField(upload_to=dataset_version_upload_to, storage=get_private_storage, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    source_encoding = models.CharField(max_length=32, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    schema = models.JSONField(default=list, blank=True)
    identifier_columns = models.JSONField(default=list, blank=True)
    # {"added": [name], "removed": [name], "changed": [{"name", "from", "to"}]} against the version before.
    schema_diff = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dataset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="dataset_version_number_unique"),
            # At most one upload waiting for confirmation per dataset.
            models.UniqueConstraint(fields=["dataset"], condition=Q(number__isnull=True), name="one_pending_version"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} (v{self.number or '?'})"

    @property
    def is_pending(self) -> bool:
        return self.number is None
