"""Schemas and serialisation helpers shared by the API routers of every app."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import NoReverseMatch

from wagtail.rich_text import expand_db_html

from ninja import Schema
from pydantic import ConfigDict

from hub.models import SDGTarget
from hub.public_address import absolute_url


def _as_answered(schema: dict, cls) -> None:
    """The JSON schema of an answer: every field is always present, and a model field that cannot be null is never
    null (ninja's ``ModelSchema`` declares blank and defaulted fields optional, as an input would have them)."""
    properties = schema.get("properties", {})
    meta = getattr(cls, "Meta", None)
    for name in getattr(meta, "fields", None) or ():
        try:
            field = meta.model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        prop = properties.get(name)
        if prop is None or field.null:
            continue
        kept = [option for option in prop.get("anyOf", []) if option.get("type") != "null"]
        if len(kept) == 1:
            del prop["anyOf"]
            prop.update({**kept[0], **prop})
        prop.pop("default", None)
    schema["required"] = list(properties)


# ``model_config`` of every output ``ModelSchema`` (answers, not inputs).
OUTPUT = ConfigDict(json_schema_extra=_as_answered)


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

    @staticmethod
    def resolve_goal(target) -> int:
        return target.goal.number


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


def serializer(schema: type[Schema]) -> Callable[[HttpRequest, Any], dict]:
    """``serialize(request, obj)``: one object as ``schema`` gives it in the API, for the CSV exports."""

    def serialize(request: HttpRequest, obj) -> dict:
        return schema.model_validate(obj, context={"request": request}).model_dump()

    serialize.__doc__ = f"One object as the open data API's {schema.__name__} gives it."
    return serialize


def none_if_blank(value: str) -> str | None:
    return value or None


def blank_as_none(attribute: str) -> staticmethod:
    """A ``resolve_<field>``: the object's ``attribute``, or None when it is blank."""
    return staticmethod(lambda obj: getattr(obj, attribute) or None)


def rich_text(attribute: str) -> staticmethod:
    """A ``resolve_<field>``: the object's rich text ``attribute`` as HTML with its links and embeds expanded."""
    return staticmethod(lambda obj: expand_db_html(getattr(obj, attribute)))


def sdg_prefetch(lookup: str = "sdg_targets"):
    """Prefetch SDG targets with their goal (one query per page, whatever the number of items)."""
    return Prefetch(lookup, queryset=SDGTarget.objects.select_related("goal"))
