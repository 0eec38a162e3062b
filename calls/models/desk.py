"""The city's desk: an official's saved views of the proposal list, and the log of their bulk actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeskView(models.Model):
    """A named filter, sort and set of columns of the proposal list, saved by one official ("my unreviewed")."""

    owner = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="desk_views")
    # Empty: the list across all of the owner's cities' calls.
    call = models.ForeignKey(
        "calls.ResearchCall", null=True, blank=True, on_delete=models.CASCADE, related_name="desk_views"
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(
        max_length=2000, blank=True, help_text=_("The list's filters and sort, as a query string.")
    )
    columns = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["owner", "name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="desk_view_unique_name")]

    def __str__(self) -> str:
        return self.name


class DeskBulkRun(models.Model):
    """One bulk action an official confirmed on the desk: what, on how many, and what came of each proposal."""

    class Action(models.TextChoices):
        ASSIGN = "assign", _("Assign a reviewer")
        STATUS = "status", _("Mark as under review")
        SHORTLIST = "shortlist", _("Shortlist")
        DECLINE = "decline", _("Decline with a message")
        INVITE = "invite", _("Invite to submit a full proposal")
        AWARD = "award", _("Award")
        REQUEST_INFO = "request_info", _("Request more information")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Nothing was changed")

    by = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="desk_bulk_runs")
    call = models.ForeignKey(
        "calls.ResearchCall", null=True, blank=True, on_delete=models.CASCADE, related_name="desk_bulk_runs"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    params = models.JSONField(default=dict, blank=True)
    proposal_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    # [{"id": ..., "title": ..., "reason": ...}] of the proposals left alone, and the error that stopped an
    # all-or-nothing action.
    skipped = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} × {self.total}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))
