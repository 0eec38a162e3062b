"""The methods library (``/methods/``): a Wagtail page per research method, with guidance and tools."""

from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from hub.public_address import PublicAddressMixin
from hub.translation import in_reader_language, page_fields

GUIDANCE_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link"]


class MethodStepBlock(blocks.StructBlock):
    """One step of applying a method."""

    title = blocks.CharBlock(max_length=200)
    description = blocks.RichTextBlock(features=["bold", "italic", "ul", "ol", "link"])

    class Meta:
        icon = "list-ol"
        template = "blocks/method_step_block.html"
        description = "A step of the method: what to do and how."
        preview_value = {"title": "Map who is affected", "description": "<p>List groups and meet them first.</p>"}


class MethodsIndexPage(PublicAddressMixin, Page):
    """``/methods/``: every method of the library, with what used it."""

    translatable_fields = page_fields("intro")

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["hub.HomePage"]
    subpage_types = ["projects.MethodPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from projects.selectors.methods import method_pages_with_usage  # cycle: the selectors import these models

        context = super().get_context(request, *args, **kwargs)
        context["methods"] = in_reader_language(
            Paginator(method_pages_with_usage(), 30).get_page(request.GET.get("page"))
        )
        return context


class MethodPage(PublicAddressMixin, Page):
    """A method: what it is, when to use it, steps, ethics and participation guidance, templates and tools."""

    translatable_fields = page_fields("summary", "what_it_is", "when_to_use", "steps", "ethics")
    exclude_fields_in_copy = ["method"]  # a translation is not the vocabulary entry's page: its original is
    original_only_fields = ("method",)

    method = models.OneToOneField(
        "hub.Method",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="page",
        help_text=_("The vocabulary entry calls, proposals, partnerships and results are tagged with."),
    )
    summary = models.TextField(max_length=600)
    what_it_is = RichTextField(features=GUIDANCE_FEATURES)
    when_to_use = RichTextField(features=GUIDANCE_FEATURES, blank=True)
    steps = StreamField([("step", MethodStepBlock())], blank=True)
    ethics = RichTextField(_("ethics and participation"), features=GUIDANCE_FEATURES, blank=True)
    proposed_by = models.ForeignKey(
        "projects.Partnership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_methods",
        help_text=_("The partnership that proposed this method, credited on the page."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("method"),
        FieldPanel("summary"),
        FieldPanel("what_it_is"),
        FieldPanel("when_to_use"),
        FieldPanel("steps"),
        FieldPanel("ethics"),
        MultiFieldPanel([InlinePanel("tools", label=_("Template or tool"))], heading=_("Templates and tools")),
        FieldPanel("proposed_by"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("what_it_is"),
        index.SearchField("when_to_use"),
        index.SearchField("ethics"),
    ]
    parent_page_types = ["projects.MethodsIndexPage"]
    subpage_types: list[str] = []

    def get_context(self, request, *args, **kwargs):
        from projects.selectors.methods import method_tools, method_usage  # cycle: the selectors import these models

        context = super().get_context(request, *args, **kwargs)
        context["tools"] = method_tools(self)
        context["usage"] = method_usage(self)
        return context


class MethodTool(Orderable):
    """A downloadable template or tool of a method (a Wagtail document) or a link to one."""

    class Kind(models.TextChoices):
        TEMPLATE = "template", _("Template")
        TOOL = "tool", _("Tool")
        GUIDE = "guide", _("Guide")

    page = ParentalKey(MethodPage, on_delete=models.CASCADE, related_name="tools")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TEMPLATE)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=1000)
    document = models.ForeignKey(
        "wagtaildocs.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    url = models.URLField(blank=True, max_length=500)

    panels = [
        FieldPanel("kind"),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("document"),
        FieldPanel("url"),
    ]

    def __str__(self) -> str:
        return self.title
