"""Human-rights indicators (OHCHR framework) and their observations per city and period."""

import re
from decimal import Decimal

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

    @property
    def unit_base(self) -> Decimal | None:
        """What a share is multiplied by in this unit (100 for “%”, 1,000 for “per 1,000”); None for counts."""
        return unit_base(self.unit)


# “per 10,000 households”, “per 100 000”, “per 1k”, “per thousand”: the number is the base of the rate.
_PER_NUMBER = re.compile(r"\bper\s*(\d[\d\s.,\u00a0\u202f']*)\s*(k|thousand|million)?\b", re.IGNORECASE)
_PER_WORD = {"hundred": 100, "thousand": 1000, "mille": 1000, "million": 1_000_000}
_PERCENT = re.compile(
    r"%|\bper\s*cent|\bpercent|\bpercentage|\bpct\b|\bprozent|\bpourcentage|\bporcentaje|\bpor\s*ciento"
    r"|\bpercentuale|\bshares?\b|\bproportion\b|\brates?\b|\bquota\b|\banteil",
    re.IGNORECASE,
)
_RATIO = re.compile(r"\bratios?\b|\bfraction\b|\bper\s+(capita|person|inhabitant|resident|head)\b", re.IGNORECASE)


def unit_base(unit: str) -> Decimal | None:
    """The base of a percentage or rate unit, read from its text; None when values are not shares of something.

    Imports need it to refuse counts in a “% of households” indicator, or to turn count ÷ denominator into the unit.
    """
    text = (unit or "").strip()
    if not text:
        return None
    if "‰" in text or re.search(r"\bper\s*mil(le|l)\b", text, re.IGNORECASE):
        return Decimal(1000)
    per = _PER_NUMBER.search(text)
    if per:
        digits = re.sub(r"[^\d]", "", per[1])
        if digits and int(digits) > 0:
            multiplier = {"k": 1000, "thousand": 1000, "million": 1_000_000}.get((per[2] or "").lower(), 1)
            return Decimal(int(digits) * multiplier)
    word = re.search(r"\bper\s+(hundred|thousand|mille|million)\b", text, re.IGNORECASE)
    if word:
        return Decimal(_PER_WORD[word[1].lower()])
    if _RATIO.search(text):
        return Decimal(1)
    if _PERCENT.search(text):
        return Decimal(100)
    return None


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
    # Null for values entered by hand. Deleting a dataset deletes its values: they must never turn into
    # source-less (public, unsuppressed) values.
    source_dataset = models.ForeignKey(
        "projects.Dataset", null=True, blank=True, on_delete=models.CASCADE, related_name="observations"
    )
    partnership = models.ForeignKey(
        "projects.Partnership", null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    # Set when the value is a count imported from a dataset: the dataset's effective small-cell threshold, so
    # that public outputs suppress it whatever the indicator says.
    suppression_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["indicator", "city", "period_start", "disaggregation_key", "source_dataset_id"]
        constraints = [
            # Two sources for the same cell are both kept; a source updates only its own values.
            models.UniqueConstraint(
                fields=["indicator", "city", "period", "disaggregation_key", "source_dataset"],
                name="observation_unique_per_source",
            ),
            models.UniqueConstraint(
                fields=["indicator", "city", "period", "disaggregation_key"],
                condition=models.Q(source_dataset__isnull=True),
                name="observation_unique_manual",
            ),
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
