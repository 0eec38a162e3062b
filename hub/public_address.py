"""The site's one public address: every absolute URL Bridges gives out is built from ``SITE_BASE_URL``.

Emails, feeds, calendars, the API, CSV exports, DCAT, the sitemap and Wagtail's own ``full_url`` use
these helpers, never the Host a request names (which a client chooses, and which is a node's address
behind the proxy) nor Wagtail's Site record (which cannot say "https on port 8443").
"""

from urllib.parse import urlsplit

from django.conf import settings

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
    """For Wagtail pages: ``full_url`` (sitemap, API, CSV, emails) on ``SITE_BASE_URL``.

    Bridges serves one site; Wagtail's Site record still routes requests, but the address it would
    give (``http://localhost``) is never the public one.
    """

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request=request)
        if parts is None:
            return None
        site_id, _root_url, page_path = parts
        return site_id, base_url(), page_path
