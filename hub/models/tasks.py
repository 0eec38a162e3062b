"""Tasks that could not reach the queue: kept in the database until Redis answers again (``hub.task_queue``)."""

from django.db import models


class UnsentTask(models.Model):
    """A task enqueued while Redis was unreachable, pushed to RQ by the next pass of ``task_scheduler``.

    The change that enqueued it is committed either way; the task runs at least once (a push whose row could not be
    deleted is pushed again, which the tasks allow: emails are sent once per key, indexing is idempotent)."""

    id = models.CharField(primary_key=True, max_length=64)  # the task result's id: kept once however often retried
    module_path = models.CharField(max_length=255)
    queue_name = models.CharField(max_length=100)
    priority = models.IntegerField()
    run_after = models.DateTimeField(null=True, blank=True)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "unsent task"

    def __str__(self) -> str:
        return f"{self.module_path} ({self.id})"
