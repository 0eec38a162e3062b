"""Schemas and serialisation helpers shared by the API routers of every app."""

from django.http import HttpRequest
from django.urls import NoReverseMatch

from ninja import Schema

from hub.public_address import absolute_url


class ParameterError(Schema):
    parameter: str
    message: str


class Detail(Schema):
    """Every error: a human-readable ``detail``; an invalid value adds ``errors``, an unknown parameter ``allowed``."""

    detail: str
    errors: list[ParameterError] | None = None
    allowed: list[str] | None = None


class Term(Schema):
    """A vocabulary entry (theme, method, group in focus) by its stable slug."""

    slug: str
    name: str


class SDGTargetRef(Schema):
    code: str
    goal: int


class CountryRef(Schema):
    code: str
    name: str


class OrganisationRef(Schema):
    id: int
    name: str
    slug: str


ERRORS = {400: Detail, 404: Detail, 414: Detail, 429: Detail}


def absolute(request: HttpRequest, path: str | None) -> str | None:
    """An address in a response: on the public address (SITE_BASE_URL), whatever Host the request named."""
    return absolute_url(path)


def object_url(request: HttpRequest, obj) -> str | None:
    """The absolute public URL of a model object, or None while its area has no public page."""
    try:
        return absolute(request, obj.get_absolute_url())
    except NoReverseMatch:
        return None


def page_url(request: HttpRequest, page) -> str | None:
    """The absolute URL of a Wagtail page (Wagtail caches the site roots per request)."""
    return page.get_full_url(request=request)


def terms(items) -> list[dict]:
    return [{"slug": item.slug, "name": item.name} for item in items]


def sdg_targets(items) -> list[dict]:
    return [{"code": t.code, "goal": t.goal.number} for t in items]


def countries(items) -> list[dict]:
    return [{"code": c.code, "name": c.name} for c in items]


def organisation_ref(organisation) -> dict | None:
    if organisation is None:
        return None
    return {"id": organisation.pk, "name": organisation.name, "slug": organisation.slug}


def sdg_prefetch(lookup: str = "sdg_targets"):
    """Prefetch SDG targets with their goal (one query per page, whatever the number of items)."""
    from django.db.models import Prefetch

    from hub.models import SDGTarget

    return Prefetch(lookup, queryset=SDGTarget.objects.select_related("goal"))
