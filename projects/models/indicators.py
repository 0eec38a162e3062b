"""Human-rights indicators (OHCHR framework) and their observations per city and period."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Indicator(models.Model):
    """A structural, process or outcome indicator for a human-rights theme, mapped to an SDG indicator."""

    class Type(models.TextChoices):
        STRUCTURAL = "structural", _("Structural")
        PROCESS = "process", _("Process")
        OUTCOME = "outcome", _("Outcome")

    class Obligation(models.TextChoices):
        RESPECT = "respect", _("Respect")
        PROTECT = "protect", _("Protect")
        FULFIL = "fulfil", _("Fulfil")

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    type = models.CharField(max_length=16, choices=Type.choices)
    obligation = models.CharField(max_length=16, choices=Obligation.choices)
    theme = models.ForeignKey("hub.Theme", on_delete=models.PROTECT, related_name="indicators")
    sdg_indicator = models.ForeignKey(
        "hub.SDGIndicator", null=True, blank=True, on_delete=models.SET_NULL, related_name="hr_indicators"
    )
    groups = models.ManyToManyField("hub.GroupAtRisk", blank=True, related_name="indicators")
    unit = models.CharField(max_length=80, help_text=_("e.g. “% of households”, “persons”, “days”."))
    value_is_count = models.BooleanField(
        default=False, help_text=_("Values count people: small counts are suppressed in public.")
    )
    definition = models.TextField(max_length=5000)
    disaggregations = models.JSONField(default=list, blank=True, help_text=_("Keys of Disaggregation."))
    partnerships = models.ManyToManyField("projects.Partnership", blank=True, related_name="indicators")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["theme__name", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("indicator_detail", args=[self.slug])


class Observation(models.Model):
    """One value of an indicator for a city and period, optionally for one disaggregation (e.g. sex=female)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    city = models.ForeignKey("profiles.Organisation", on_delete=models.CASCADE, related_name="observations")
    period = models.CharField(max_length=16, help_text=_("“2023”, “2023-Q2” or “2023-05”."))
    period_start = models.DateField(help_text=_("The first day of the period, for ordering and charts."))
    value = models.DecimalField(max_digits=18, decimal_places=4)
    # {"sex": "female", "age_group": "65+"}; {} is the total.
    disaggregation = models.JSONField(default=dict, blank=True)
    # Canonical "age_group=65+;sex=female" ("" for the total): unique and cheap to filter.
    disaggregation_key = models.CharField(max_length=300, blank=True, default="", editable=False)
    source_dataset = models.ForeignKey(
        "projects.Dataset", null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    partnership = models.ForeignKey(
        "projects.Partnership", null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "city", "period_start", "disaggregation_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "city", "period", "disaggregation_key"], name="observation_unique"
            )
        ]
        indexes = [models.Index(fields=["city", "indicator", "period_start"], name="observation_city_idx")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.city} {self.period}: {self.value}"

    def save(self, *args, **kwargs):
        self.disaggregation_key = disaggregation_key(self.disaggregation)
        super().save(*args, **kwargs)


def disaggregation_key(values: dict) -> str:
    """The canonical text of a disaggregation dict: keys sorted, ``;``-joined (bulk_create callers use it too)."""
    return ";".join(f"{k}={values[k]}" for k in sorted(values or {}))
