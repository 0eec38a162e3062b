"""The record of every email the site sent, by idempotency key: what makes a re-run task send nothing twice."""

from django.db import models


class SentEmail(models.Model):
    """One email handed to the mail server, under the key its task was enqueued with (``hub.tasks.send_email``)."""

    key = models.CharField(max_length=64, unique=True)
    recipients = models.TextField()
    subject = models.CharField(max_length=998)  # the longest line RFC 5322 allows
    sent_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "sent email"

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipients}"
