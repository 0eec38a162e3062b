"""The site's one public address: every absolute URL Bridges gives out is built from ``SITE_BASE_URL``.

Emails, feeds, calendars, the API, CSV exports, DCAT, the sitemap and Wagtail's own ``full_url`` use
these helpers, never the Host a request names (which a client chooses, and which is a node's address
behind the proxy) nor Wagtail's Site record (which cannot say "https on port 8443").
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404

from hub import translation

__all__ = ["base_url", "absolute_url", "site_host", "PublicAddressMixin"]


def base_url() -> str:
    """``SITE_BASE_URL`` without its trailing slash, e.g. ``https://bridges.example.org``."""
    return settings.SITE_BASE_URL.rstrip("/")


def absolute_url(path: str | None) -> str | None:
    """``path`` on the public address; an address that is already absolute is returned as it is."""
    if not path:
        return None
    if "://" in path.split("?", 1)[0]:
        return path
    return base_url() + ("" if path.startswith("/") else "/") + path


def site_host() -> str:
    """The public host (and port, when not the scheme's own): for identifiers such as ICS UIDs."""
    return urlsplit(base_url()).netloc or "bridges"


class PublicAddressMixin:
    """For Wagtail pages: ``full_url`` (sitemap, API, CSV, emails) on ``SITE_BASE_URL``, and one address per
    language whether or not the page is translated yet (hub/translation.py).

    Bridges serves one site; Wagtail's Site record still routes requests, but the address it would
    give (``http://localhost``) is never the public one.
    """

    # One-to-one links that only the original holds (a city page's organisation, a method page's vocabulary
    # entry): emptied on translations and on the aliases wagtail-localize makes of a translation's parents.
    original_only_fields: tuple[str, ...] = ()

    def save(self, *args, **kwargs):
        if self.original_only_fields and self.locale_id and not translation.is_original(self):
            for name in self.original_only_fields:
                setattr(self, name, None)
        return super().save(*args, **kwargs)

    def get_url_parts(self, request=None):
        from hub.templatetags.i18n_links import path_in  # cycle: the template tags import this module

        parts = super().get_url_parts(request=request)
        if parts is None:
            return None
        site_id, _root_url, page_path = parts
        if page_path is not None and translation.is_original(self):
            # Wagtail gives an English page its English address; under /es/ it is /es/ plus that address, which
            # serves the Spanish translation once there is one.
            page_path = path_in(page_path, translation.active_language())
        return site_id, base_url(), page_path

    @property
    def localized_draft(self):
        """Wagtail's (which routes every request from the site root's ``localized``), with the locale ids known to
        the process: no query for a page already in the reader's language."""
        target = translation.locale_id(translation.active_language())
        if target is None or target == self.locale_id:
            return self
        return self.get_translation_or_none(target) or self

    def route(self, request, path_components):
        """A path that this language's tree does not have (yet) goes on in the original's tree: an untranslated
        page is served in English, under the reader's language prefix."""
        try:
            return super().route(request, path_components)
        except Http404:
            original = translation.original_of(self)
            if original is None:
                raise
            return original.route(request, path_components)

    def serve(self, request, *args, **kwargs):
        """A translation is served as its original with the translation's words: the same facts (dates, status,
        links, proposals, charts) in every language."""
        original = translation.original_of(self)
        if original is None:
            return super().serve(request, *args, **kwargs)
        if not original.live:
            raise Http404
        return translation.words_of(original, self).serve(request, *args, **kwargs)
