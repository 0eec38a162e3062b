"""Case studies (``/case-studies/``): coordinators tell how a partnership changed things (recommendation 13)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

STORY_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link", "blockquote"]


class Region(models.TextChoices):
    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    OCEANIA = "oceania", _("Oceania")


class CaseStudyIndexPage(Page):
    """``/case-studies/``: curated stories, filterable by theme, SDG, method and region."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["hub.HomePage"]
    subpage_types = ["projects.CaseStudyPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from projects.selectors.case_studies import case_studies_listing

        context = super().get_context(request, *args, **kwargs)
        context.update(case_studies_listing(request.GET))
        return context


class CaseStudyPage(Page):
    """A partnership's story: context, method, what changed, lessons, with links to its results and data."""

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

    def get_context(self, request, *args, **kwargs):
        from projects.selectors.case_studies import case_study_facets_of, case_study_links

        context = super().get_context(request, *args, **kwargs)
        context.update(case_study_links(self))
        context.update(case_study_facets_of(self))
        return context
