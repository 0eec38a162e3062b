"""Usage figures per result and dataset: views and downloads per month, with no personal data."""

from django.contrib.contenttypes.models import ContentType
from django.db import models


class UsageMonth(models.Model):
    """Counters for one object and one month (the first day of the month)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    month = models.DateField()
    views = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["content_type", "object_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "month"], name="usage_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.month:%Y-%m}"
