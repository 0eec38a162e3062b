"""The impact ledger: the dated implementation trail of a policy-uptake record, kept by the city's officials.

Each entry says what happened on a date, with its evidence (a link and/or a file that passed the workspace's
upload checks), and the status and progress share the record had after it. Entries are public whenever the
record is (its result is public); the file is served by a view that applies that rule.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from calls.storage import get_private_storage
from projects.models.results import ImplementationStatus, PolicyUptake


def evidence_upload_to(instance: "ImplementationEntry", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"uptake/{instance.uptake_id}/{uuid.uuid4().hex}.{extension}"


class ImplementationEntry(models.Model):
    """One dated step of a decision's implementation, with its evidence."""

    uptake = models.ForeignKey(PolicyUptake, on_delete=models.CASCADE, related_name="entries")
    date = models.DateField(_("date"))
    text = models.TextField(_("what happened"), max_length=5000)
    link = models.URLField(_("evidence link"), blank=True, max_length=500)
    file = models.FileField(
        _("evidence file"), upload_to=evidence_upload_to, storage=get_private_storage, max_length=300, blank=True
    )
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    # The record's status and progress once this entry was added (the trail reads as a history).
    status = models.CharField(max_length=16, choices=ImplementationStatus.choices)
    progress = models.PositiveSmallIntegerField(default=0)
    recorded_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["uptake", "date"], name="implementation_entry_idx")]

    def __str__(self) -> str:
        return f"{self.uptake}: {self.date:%Y-%m-%d}"
