"""The home page and standard editorial pages."""

from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from hub.activity import overview
from hub.blocks import BodyBlock
from hub.public_address import PublicAddressMixin
from hub.registry import home_latest, home_stats
from hub.translation import page_fields


class HomePage(PublicAddressMixin, Page):
    """The site's front page: what Bridges is, live numbers and the latest items."""

    translatable_fields = page_fields("intro", "body")

    intro = models.TextField(blank=True, help_text=_("One or two sentences that explain the platform in plain words."))
    body = StreamField(BodyBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Read by the template inside {% aggregate_cache %} fragments: computed only when not cached.
        context["activity"] = SimpleLazyObject(overview)
        context["stats"] = SimpleLazyObject(home_stats)
        context["latest"] = SimpleLazyObject(home_latest)
        return context


class StandardPage(PublicAddressMixin, Page):
    """An editorial page such as About, Privacy or the 14 recommendations."""

    translatable_fields = page_fields("intro", "body")

    intro = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    subpage_types = ["hub.StandardPage"]
