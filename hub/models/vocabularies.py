"""Shared vocabularies: human-rights instruments and themes, SDGs, methods, groups,
countries and languages. Loaded by data migrations, edited as Wagtail snippets.

Names and titles are translatable in the admin: ``translations`` holds them per language,
``{"es": {"name": "…"}, "fr": {"name": "…"}}`` (SDGs: ``title`` and ``short``, in the seven languages
of the UN texts), with one form field per content language in the snippet's edit form.
"""

from django import forms
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable
from wagtail.search import index

from hub.vocabulary_data import sdg_sort_key
from hub.vocabulary_names import country_name, language_name

# The labels of the per-language fields of the edit forms: whole phrases, so that each translates well.
TRANSLATION_FIELD_LABELS = {
    ("name", "es"): _("Name in Spanish"),
    ("name", "fr"): _("Name in French"),
    ("title", "es"): _("Title in Spanish"),
    ("title", "fr"): _("Title in French"),
    ("short", "es"): _("Short title in Spanish"),
    ("short", "fr"): _("Short title in French"),
}


def translation_languages() -> list[str]:
    """The content languages other than the default one: those an editor translates names into."""
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES if code != settings.LANGUAGE_CODE]


def translations_form(*field_names: str) -> type[WagtailAdminModelForm]:
    """An admin form with one field per content language for each of ``field_names``, kept in ``translations``.

    Languages without a form field (the SDGs' German, Arabic, … texts) are kept as they are; an emptied
    field removes that language's text, so the name falls back to the catalogue, then to the base name.
    """
    declared = {
        f"{name}_{language}": forms.CharField(
            label=TRANSLATION_FIELD_LABELS.get((name, language), f"{name} ({language})"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}) if name == "title" else forms.TextInput,
        )
        for name in field_names
        for language in translation_languages()
    }

    def __init__(self, *args, **kwargs):
        WagtailAdminModelForm.__init__(self, *args, **kwargs)
        stored = self.instance.translations or {}
        for name in field_names:
            for language in translation_languages():
                key = f"{name}_{language}"
                if key in self.fields and not self.is_bound:
                    self.initial[key] = (stored.get(language) or {}).get(name, "")

    def save(self, commit=True):
        merged = {language: dict(values) for language, values in (self.instance.translations or {}).items()}
        for name in field_names:
            for language in translation_languages():
                key = f"{name}_{language}"
                if key not in self.cleaned_data:
                    continue
                value = self.cleaned_data[key].strip()
                if value:
                    merged.setdefault(language, {})[name] = value
                else:
                    merged.get(language, {}).pop(name, None)
        self.instance.translations = {language: values for language, values in merged.items() if values}
        return WagtailAdminModelForm.save(self, commit=commit)

    return type("TranslationsForm", (WagtailAdminModelForm,), {**declared, "__init__": __init__, "save": save})


def translation_panels(*field_names: str) -> list[FieldPanel]:
    return [FieldPanel(f"{name}_{language}") for name in field_names for language in translation_languages()]


def _language(language: str | None) -> str:
    return (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]


class TranslatedTitleMixin(models.Model):
    """Keeps the title in every loaded language and answers in the active one."""

    translations = models.JSONField(
        default=dict, blank=True, help_text=_("Titles in other languages, keyed by language code.")
    )

    class Meta:
        abstract = True

    def title_in(self, language: str | None = None, field: str = "title") -> str:
        value = (self.translations or {}).get(_language(language), {}).get(field)
        return value or getattr(self, field)

    @property
    def localized_title(self) -> str:
        return self.title_in()


class TranslatedNameMixin(models.Model):
    """Shows ``name`` in the active language: as translated in the admin (``translations``), else from the
    catalogues (hub/vocabulary_names.py, the names loaded at first), else as written (English), never empty."""

    translations = models.JSONField(
        default=dict, blank=True, help_text=_("Names in other languages, keyed by language code.")
    )

    class Meta:
        abstract = True

    def name_in(self, language: str | None = None) -> str:
        language = _language(language)
        # A queryset that left ``translations`` out (``.only("name", …)``) gets the catalogue's name, not one query each.
        stored = {} if "translations" in self.get_deferred_fields() else (self.translations or {})
        value = stored.get(language, {}).get("name")
        if value or not self.name:
            return value or self.name
        if language == _language(None):
            return gettext(self.name)
        with translation.override(language):
            return gettext(self.name)

    @property
    def localized_name(self) -> str:
        return self.name_in()


class Instrument(TranslatedNameMixin):
    """A core international human-rights instrument (UDHR and the nine treaties)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=255)
    adopted = models.DateField(null=True, blank=True)
    body = models.CharField(max_length=120, blank=True, help_text=_("Treaty body that monitors it, e.g. CESCR."))

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        *translation_panels("name"),
        FieldPanel("adopted"),
        FieldPanel("body"),
    ]
    base_form_class = translations_form("name")

    class Meta:
        ordering = ["adopted", "code"]

    def __str__(self) -> str:
        return f"{self.localized_name} ({self.code})"


class Theme(TranslatedNameMixin, index.Indexed, ClusterableModel):
    """A human-rights theme, with the articles it rests on and the SDG targets it links to."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True)
    sdg_targets = ParentalManyToManyField("hub.SDGTarget", blank=True, related_name="themes")

    panels = [
        FieldPanel("name"),
        *translation_panels("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        InlinePanel("articles", label=_("Articles it rests on")),
        FieldPanel("sdg_targets"),
    ]
    base_form_class = translations_form("name")
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

    panels = [
        FieldPanel("number"),
        FieldPanel("short"),
        *translation_panels("short"),
        FieldPanel("title"),
        *translation_panels("title"),
    ]
    base_form_class = translations_form("short", "title")

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

    panels = [FieldPanel("goal"), FieldPanel("code"), FieldPanel("title"), *translation_panels("title")]
    base_form_class = translations_form("title")

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

    panels = [FieldPanel("target"), FieldPanel("code"), FieldPanel("title"), *translation_panels("title")]
    base_form_class = translations_form("title")

    class Meta:
        ordering = ["sort_key"]
        verbose_name = _("SDG indicator")

    def __str__(self) -> str:
        return f"{self.code} {self.title_in()[:80]}"

    def save(self, *args, **kwargs):
        self.sort_key = sdg_sort_key(self.code)
        super().save(*args, **kwargs)


class Method(TranslatedNameMixin, index.Indexed):
    """A research method (vocabulary term; the methods library pages describe them in depth)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=255, unique=True)
    summary = models.TextField(blank=True)

    panels = [FieldPanel("name"), *translation_panels("name"), FieldPanel("slug"), FieldPanel("summary")]
    base_form_class = translations_form("name")
    search_fields = [index.SearchField("name"), index.SearchField("summary")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.localized_name


class GroupAtRisk(TranslatedNameMixin):
    """A group at risk of being left behind (women and girls, migrants, Roma, …)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True)

    panels = [FieldPanel("name"), *translation_panels("name"), FieldPanel("slug"), FieldPanel("description")]
    base_form_class = translations_form("name")

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
        return language_name(self.code, self.name)
