"""/sitemap.xml: every public Wagtail page and public list page, in each language, on SITE_BASE_URL.

Each ``<url>`` carries ``xhtml:link`` alternates for the three languages and ``x-default`` (Django's
i18n sitemaps); addresses are built from ``SITE_BASE_URL``, never from the request's Host or from
Wagtail's Site record.
"""

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from wagtail.models import Page

from hub.public_address import base_url
from hub.translation import originals

# The public list pages a reader (or a search engine) starts from.
LIST_PAGES = [
    "researcher_list",
    "organisation_list",
    "partnership_list",
    "result_list",
    "uptake_list",
    "dataset_list",
    "indicator_list",
    "data_index",
    "transparency",
    "vocab:index",
    "vocab:themes",
    "vocab:sdgs",
    "vocab:methods",
    "vocab:groups",
    "vocab:countries",
    "vocab:languages",
]


class PublicSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol=None):
        return urlsplit(base_url()).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(base_url()).netloc + urlsplit(base_url()).path.rstrip("/")


class PageSitemap(PublicSitemap):
    """Live pages that anyone may see (no view restriction), below the site root."""

    changefreq = "weekly"

    def items(self):
        # Originals only: a translation is the original's address in its language, already an alternate of it.
        return list(originals(Page.objects.live().public().filter(depth__gte=2)).order_by("path").specific())

    def location(self, page):
        # Relative, in the active language (i18n_patterns prefixes it): Django adds the public address.
        return page.get_url(request=None)

    def lastmod(self, page):
        return page.last_published_at


class ListSitemap(PublicSitemap):
    changefreq = "daily"

    def items(self):
        return LIST_PAGES

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "lists": ListSitemap}
