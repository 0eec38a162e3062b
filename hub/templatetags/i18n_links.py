"""Language-aware links for hard-coded paths, and the language switcher's options.

English (the default language) has no prefix: ``/calls/``; the others do:
``/es/calls/``, ``/fr/calls/``.
"""

from django import template
from django.conf import settings
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.translation import get_language, get_language_info

from hub.public_address import absolute_url

register = template.Library()

_PREFIXED = {code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE}


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


@register.simple_tag
def lang_path(path: str) -> str:
    """``/calls/`` in the active language: ``/calls/``, ``/es/calls/`` or ``/fr/calls/``."""
    language = _language()
    if language in _PREFIXED and path.startswith("/"):
        return f"/{language}{path}"
    return path


@register.filter
def unprefixed(path: str) -> str:
    """The path without its language prefix, to compare with ``/calls/`` and the like."""
    first, _sep, rest = path.lstrip("/").partition("/")
    if first in _PREFIXED:
        return "/" + rest
    return path


# Paths outside ``i18n_patterns`` in hub/urls.py: the same address in every language.
UNPREFIXED_ROOTS = ("/admin/", "/documents/", "/api/", "/sitemap.xml", "/robots.txt", "/vocabularies/skos/", "/i18n/")


def path_in(path: str, code: str) -> str:
    """``path`` in the language ``code``: what Django's ``translate_url`` answers for this site's URLconf (no
    translated patterns, English unprefixed, Wagtail's pages matching every other path), without resolving and
    reversing the path through every URL pattern (about 10 ms a language on every page)."""
    bare = unprefixed(path)
    if bare.startswith(UNPREFIXED_ROOTS) or bare.startswith(settings.MEDIA_URL):
        return path
    return f"/{code}{bare}" if code in _PREFIXED else bare


def _translated_paths(request) -> dict[str, str]:
    """The request's path (without its query string) in each language, by code: computed once per request, for
    the switcher and the alternates both."""
    paths = request.__dict__.get("_translated_paths")
    if paths is None:
        path = escape_uri_path(request.path)
        paths = request._translated_paths = {code: path_in(path, code) for code, _name in settings.LANGUAGES}
    return paths


@register.simple_tag(takes_context=True)
def language_choices(context) -> list[dict]:
    """Each language with its name in that language and the current page's address (query string kept) in it."""
    request = context.get("request")
    if request is None:
        paths, query = {code: path_in("/", code) for code, _name in settings.LANGUAGES}, ""
    else:
        paths, query = _translated_paths(request), iri_to_uri(request.META.get("QUERY_STRING", ""))
    current = _language()
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"].capitalize(),
            "url": f"{paths[code]}?{query}" if query else paths[code],
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]


@register.inclusion_tag("includes/language_alternates.html", takes_context=True)
def language_alternates(context) -> dict:
    """``rel="canonical"`` and one ``rel="alternate" hreflang`` per language (plus ``x-default``), on the
    public address. Query strings are left out: a filtered list is the same page for search engines."""
    request = context.get("request")
    if request is None:
        return {"alternates": [], "canonical": ""}
    paths = _translated_paths(request)
    alternates = [{"code": code, "url": absolute_url(paths[code])} for code, _name in settings.LANGUAGES]
    default = next(a["url"] for a in alternates if a["code"] == settings.LANGUAGE_CODE)
    current = next((a["url"] for a in alternates if a["code"] == _language()), absolute_url(request.path))
    return {"alternates": [*alternates, {"code": "x-default", "url": default}], "canonical": current}
