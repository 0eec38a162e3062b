"""Case studies (``/case-studies/``): coordinators tell how a partnership changed things (recommendation 13)."""

import html
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from hub.public_address import PublicAddressMixin
from hub.translation import page_fields

STORY_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link", "blockquote"]
# What a generated case study says where the coordinator still has to write (projects.services.case_studies).
PLACEHOLDER = _("To be written by the coordinator: %(what)s")
# The fields a generated case study fills, with the labels the editor shows (verbose names are not translated).
PLACEHOLDER_FIELDS = {
    "summary": _("Summary"),
    "context": _("Context"),
    "method_text": _("Method"),
    "what_changed": _("What changed"),
    "lessons": _("Lessons"),
}


def _plain(text: str) -> str:
    """Rich text as words: no tags or entities, one kind of space, one case."""
    return re.sub(r"\s+", " ", html.unescape(strip_tags(text or "")).replace("\u202f", " ")).strip().casefold()


def placeholder_openings() -> set[str]:
    """The placeholder's opening words in every language of the site: the draft was generated in one of them."""
    openings = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            openings.add(_plain(str(PLACEHOLDER).split("%(what)s")[0]))
    return {opening for opening in openings if opening}


class Region(models.TextChoices):
    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    OCEANIA = "oceania", _("Oceania")


class CaseStudyIndexPage(PublicAddressMixin, Page):
    """``/case-studies/``: curated stories, filterable by theme, SDG, method and region."""

    translatable_fields = page_fields("intro")

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["hub.HomePage"]
    subpage_types = ["projects.CaseStudyPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from projects.selectors.case_studies import case_studies_listing  # cycle: the selectors import these models

        context = super().get_context(request, *args, **kwargs)
        context.update(case_studies_listing(request.GET))
        return context


class CaseStudyPage(PublicAddressMixin, Page):
    """A partnership's story: context, method, what changed, lessons, with links to its results and data."""

    translatable_fields = page_fields("summary", "context", "method_text", "what_changed", "lessons")

    partnership = models.ForeignKey(
        "projects.Partnership", null=True, blank=True, on_delete=models.SET_NULL, related_name="case_studies"
    )
    summary = models.TextField(max_length=600)
    image = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    context = RichTextField(features=STORY_FEATURES)
    method_text = RichTextField(_("method"), features=STORY_FEATURES, blank=True)
    what_changed = RichTextField(features=STORY_FEATURES)
    lessons = RichTextField(features=STORY_FEATURES, blank=True)
    results = ParentalManyToManyField("projects.Result", blank=True, related_name="case_studies")
    datasets = ParentalManyToManyField("projects.Dataset", blank=True, related_name="case_studies")
    themes = ParentalManyToManyField("hub.Theme", blank=True, related_name="case_studies")
    sdg_targets = ParentalManyToManyField("hub.SDGTarget", blank=True, related_name="case_studies")
    methods = ParentalManyToManyField("hub.Method", blank=True, related_name="case_studies")
    countries = ParentalManyToManyField("hub.Country", blank=True, related_name="case_studies")
    region = models.CharField(max_length=16, choices=Region.choices, blank=True)
    featured = models.BooleanField(default=False, help_text=_("Show on the home page."))

    content_panels = Page.content_panels + [
        FieldPanel("partnership"),
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("context"),
        FieldPanel("method_text"),
        FieldPanel("what_changed"),
        FieldPanel("lessons"),
        MultiFieldPanel([FieldPanel("results"), FieldPanel("datasets")], heading=_("Results and data")),
        MultiFieldPanel(
            [
                FieldPanel("themes"),
                FieldPanel("sdg_targets"),
                FieldPanel("methods"),
                FieldPanel("countries"),
                FieldPanel("region"),
            ],
            heading=_("Facets"),
        ),
        FieldPanel("featured"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("context"),
        index.SearchField("what_changed"),
        index.SearchField("lessons"),
        index.FilterField("region"),
        index.FilterField("featured"),
    ]
    parent_page_types = ["projects.CaseStudyIndexPage"]
    subpage_types: list[str] = []

    def placeholder_fields(self) -> list[str]:
        """The fields that still hold the generated placeholder text, by name."""
        openings = placeholder_openings()
        return [
            name
            for name in PLACEHOLDER_FIELDS
            if any(opening in _plain(getattr(self, name, "")) for opening in openings)
        ]

    def placeholder_problem(self) -> str:
        """Why this case study cannot be published yet ("" when it can): the fields still to be written."""
        fields = self.placeholder_fields()
        if not fields:
            return ""
        return _(
            "Not published: these fields still hold the generated placeholder text (“To be written by the "
            "coordinator…”): %(fields)s. Write them, then publish. Your draft is saved."
        ) % {"fields": ", ".join(str(PLACEHOLDER_FIELDS[name]) for name in fields)}

    def clean(self):
        super().clean()
        # A draft may keep the placeholder; a live page may not (the editor's publish is refused earlier, by the
        # before_publish_page hook in projects.wagtail_hooks, with the same words).
        if self.live:
            fields = self.placeholder_fields()
            if fields:
                raise ValidationError(
                    {
                        name: _("Replace the generated placeholder text with your own before publishing.")
                        for name in fields
                    }
                )

    def get_context(self, request, *args, **kwargs):
        from projects.selectors.case_studies import (  # cycle: the selectors import these models
            case_study_facets_of,
            case_study_links,
        )

        context = super().get_context(request, *args, **kwargs)
        context.update(case_study_links(self))
        context.update(case_study_facets_of(self))
        return context
