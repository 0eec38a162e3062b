"""What demo content this database holds: lets a second ``make run`` skip seeding when nothing changed."""

from django.db import models


class DemoContent(models.Model):
    """One row: the fingerprint of the demo code and migrations the demo content was last seeded with."""

    fingerprint = models.CharField(max_length=64)
    seeded_at = models.DateTimeField()

    class Meta:
        verbose_name = "demo content"
        verbose_name_plural = "demo content"

    def __str__(self) -> str:
        return f"demo content seeded at {self.seeded_at:%Y-%m-%d %H:%M}"
