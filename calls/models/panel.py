"""The panel (issue 18 §4–5): the chair's meta-review of a proposal, the call's chairs, and staff flags."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.page_cache import WriteNotingQuerySet
from hub.versioning import EditVersionField


class Recommendation(models.TextChoices):
    """What a reviewer, or the panel through its chair, recommends the city to do with a proposal."""

    FUND = "fund", _("Fund")
    FUND_WITH_CHANGES = "fund_with_changes", _("Fund with changes")
    DO_NOT_FUND = "do_not_fund", _("Do not fund")


class PanelChair(models.Model):
    """A reviewer of a call whom the city made chair of its panel (the city's officials are chairs already)."""

    call = models.ForeignKey("calls.ResearchCall", on_delete=models.CASCADE, related_name="panel_chairs")
    user = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="chaired_calls")
    appointed_by = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call", "created_at"]
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="panel_chair_unique")]

    def __str__(self) -> str:
        return f"{self.user} chairs {self.call}"


class MetaReview(models.Model):
    """The chair's summary of a proposal's reviews and the panel's recommendation; one per proposal."""

    proposal = models.OneToOneField("calls.Proposal", on_delete=models.CASCADE, related_name="meta_review")
    author = models.ForeignKey("profiles.User", null=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.TextField(_("summary of the reviews"), max_length=10000)
    recommendation = models.CharField(_("the panel's recommendation"), max_length=20, choices=Recommendation.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    edit_version = EditVersionField()

    class Meta:
        ordering = ["proposal"]

    def __str__(self) -> str:
        return f"Meta-review of {self.proposal}"


class ProposalFlag(models.Model):
    """A label and a note an official or reviewer puts on a proposal: private, or shared with the city's officials."""

    proposal = models.ForeignKey("calls.Proposal", on_delete=models.CASCADE, related_name="flags")
    owner = models.ForeignKey("profiles.User", on_delete=models.CASCADE, related_name="proposal_flags")
    label = models.CharField(_("label"), max_length=60)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    shared = models.BooleanField(
        _("shared with the city"), default=False, help_text=_("The city's officials see it; otherwise only you do.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Its updates stamp the table, so that the desk's cached counts never lag a bulk action (hub.page_cache).
    objects = WriteNotingQuerySet.as_manager()

    class Meta:
        ordering = ["proposal", "created_at"]
        constraints = [models.UniqueConstraint(fields=["proposal", "owner", "label"], name="proposal_flag_unique")]
        indexes = [models.Index(fields=["owner", "label"])]

    def __str__(self) -> str:
        return self.label
