"""Shared vocabularies: human-rights instruments and themes, SDGs, methods, groups,
countries and languages. Loaded by data migrations, edited as Wagtail snippets."""

from django.db import models
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable
from wagtail.search import index

from hub.vocabulary_data import sdg_sort_key


class TranslatedTitleMixin(models.Model):
    """Keeps the title in every loaded language and answers in the active one."""

    translations = models.JSONField(
        default=dict, blank=True, help_text=_("Titles in other languages, keyed by language code.")
    )

    class Meta:
        abstract = True

    def title_in(self, language: str | None = None, field: str = "title") -> str:
        language = (language or get_language() or "en").split("-")[0]
        value = (self.translations or {}).get(language, {}).get(field)
        return value or getattr(self, field)

    @property
    def localized_title(self) -> str:
        return self.title_in()


class TranslatedNameMixin:
    """Shows ``name`` in the active language from the catalogues (see hub/vocabulary_names.py).

    A name without a translation shows as written (English), never empty.
    """

    @property
    def localized_name(self) -> str:
        return gettext(self.name) if self.name else self.name


class Instrument(models.Model):
    """A core international human-rights instrument (UDHR and the nine treaties)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=255)
    adopted = models.DateField(null=True, blank=True)
    body = models.CharField(max_length=120, blank=True, help_text=_("Treaty body that monitors it, e.g. CESCR."))

    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("adopted"), FieldPanel("body")]

    class Meta:
        ordering = ["adopted", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Theme(TranslatedNameMixin, index.Indexed, ClusterableModel):
    """A human-rights theme, with the articles it rests on and the SDG targets it links to."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True)
    sdg_targets = ParentalManyToManyField("hub.SDGTarget", blank=True, related_name="themes")

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        InlinePanel("articles", label=_("Articles it rests on")),
        FieldPanel("sdg_targets"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("description"), index.FilterField("slug")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.localized_name

    def get_absolute_url(self) -> str:
        return reverse("vocab:theme", args=[self.slug])


class ThemeArticle(Orderable):
    """One article of an instrument that a theme rests on, e.g. ICESCR 11."""

    theme = ParentalKey(Theme, on_delete=models.CASCADE, related_name="articles")
    instrument = models.ForeignKey(
        Instrument, null=True, blank=True, on_delete=models.SET_NULL, related_name="theme_articles"
    )
    reference = models.CharField(max_length=120, help_text=_("As cited, e.g. “ICESCR 11” or “CEDAW 14(2)(h)”."))

    panels = [FieldPanel("instrument"), FieldPanel("reference")]

    def __str__(self) -> str:
        return self.reference


class SDGGoal(TranslatedTitleMixin):
    """One of the 17 Sustainable Development Goals."""

    number = models.PositiveSmallIntegerField(unique=True)
    short = models.CharField(max_length=120)
    title = models.CharField(max_length=255)

    panels = [FieldPanel("number"), FieldPanel("short"), FieldPanel("title"), FieldPanel("translations")]

    class Meta:
        ordering = ["number"]
        verbose_name = _("SDG goal")

    def __str__(self) -> str:
        return f"SDG {self.number}: {self.title_in(field='short')}"

    def get_absolute_url(self) -> str:
        return reverse("vocab:sdg", args=[self.number])

    @property
    def code(self) -> str:
        return str(self.number)

    @property
    def localized_short(self) -> str:
        return self.title_in(field="short")


class SDGTarget(TranslatedTitleMixin):
    """An SDG target with its official number, e.g. 11.1."""

    goal = models.ForeignKey(SDGGoal, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(max_length=8, unique=True)
    title = models.TextField()
    sort_key = models.CharField(max_length=16, db_index=True, editable=False)

    panels = [FieldPanel("goal"), FieldPanel("code"), FieldPanel("title"), FieldPanel("translations")]

    class Meta:
        ordering = ["sort_key"]
        verbose_name = _("SDG target")

    def __str__(self) -> str:
        return f"{self.code} {self.title_in()[:80]}"

    def save(self, *args, **kwargs):
        self.sort_key = sdg_sort_key(self.code)
        super().save(*args, **kwargs)


class SDGIndicator(TranslatedTitleMixin):
    """A global SDG indicator, e.g. 11.1.1."""

    target = models.ForeignKey(SDGTarget, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=12, unique=True)
    title = models.TextField()
    sort_key = models.CharField(max_length=24, db_index=True, editable=False)

    panels = [FieldPanel("target"), FieldPanel("code"), FieldPanel("title"), FieldPanel("translations")]

    class Meta:
        ordering = ["sort_key"]
        verbose_name = _("SDG indicator")

    def __str__(self) -> str:
        return f"{self.code} {self.title_in()[:80]}"

    def save(self, *args, **kwargs):
        self.sort_key = sdg_sort_key(self.code)
        super().save(*args, **kwargs)


class Method(TranslatedNameMixin, index.Indexed, models.Model):
    """A research method (vocabulary term; the methods library pages describe them in depth)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=255, unique=True)
    summary = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("summary")]
    search_fields = [index.SearchField("name"), index.SearchField("summary")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.localized_name


class GroupAtRisk(TranslatedNameMixin, models.Model):
    """A group at risk of being left behind (women and girls, migrants, Roma, …)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("group at risk of being left behind")
        verbose_name_plural = _("groups at risk of being left behind")

    def __str__(self) -> str:
        return self.localized_name


class Country(models.Model):
    """A country or territory of ISO 3166-1."""

    code = models.CharField(max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2"))
    code3 = models.CharField(max_length=3, blank=True, help_text=_("ISO 3166-1 alpha-3"))
    name = models.CharField(max_length=120)

    panels = [FieldPanel("code"), FieldPanel("code3"), FieldPanel("name")]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        from hub.vocabulary_names import country_name

        return country_name(self.code, self.name)


class Language(models.Model):
    """A language of ISO 639-1."""

    code = models.CharField(max_length=3, unique=True, help_text=_("ISO 639-1"))
    name = models.CharField(max_length=120)

    panels = [FieldPanel("code"), FieldPanel("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        from hub.vocabulary_names import language_name

        return language_name(self.code, self.name)
