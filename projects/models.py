"""Partnerships between cities and researchers (filled out by the partnerships issue)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Partnership(models.Model):
    """A collaboration created by awarding a proposal, or registered for an existing one."""

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(blank=True, max_length=3000)
    call = models.ForeignKey(
        "calls.ResearchCall", null=True, blank=True, on_delete=models.SET_NULL, related_name="partnerships"
    )
    proposal = models.OneToOneField(
        "calls.Proposal", null=True, blank=True, on_delete=models.SET_NULL, related_name="partnership"
    )
    city = models.ForeignKey(
        "profiles.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="partnerships"
    )
    methods = models.ManyToManyField("hub.Method", blank=True, related_name="partnerships")
    themes = models.ManyToManyField("hub.Theme", blank=True, related_name="partnerships")
    is_public = models.BooleanField(default=True)
    started_at = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("partnership_detail", args=[self.slug])


class PartnershipMember(models.Model):
    """A person in a partnership, from the research team or the city."""

    class Side(models.TextChoices):
        RESEARCH = "research", _("Research team")
        CITY = "city", _("City")
        PARTNER = "partner", _("Partner organisation")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        "profiles.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="partnerships"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100, blank=True)
    side = models.CharField(max_length=16, choices=Side.choices, default=Side.RESEARCH)
    organisation = models.ForeignKey(
        "profiles.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    affiliation = models.CharField(max_length=300, blank=True)
    country = models.ForeignKey("hub.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["partnership", "side", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "user"], condition=models.Q(user__isnull=False), name="partnership_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_side_display()})"
