"""The API's filters generated from the lists' django-filter FilterSets, so that an API filter is a page's facet.

``filter_schema(SomeFilter, …)`` turns each filter the FilterSet declares into a typed query parameter of a ninja
``FilterSchema`` (documented in the OpenAPI schema, validated with a 400 before any query) whose ``filter()`` hands
the values to the FilterSet itself: the page and the API run the same filtering code.
"""

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from django.db.models import QuerySet
from django.utils import timezone

import django_filters
from ninja import Field, FilterSchema
from ninja.errors import HttpError
from pydantic import StringConstraints

from hub.api.params import Amount, CountryCode, IsoDate, IsoDateTime

# The page's search box and the API accept the same length of text (a longer one is a 400, not silently cut).
Q_MAX_LENGTH = 200
SLUG_MAX_LENGTH = 80
REF_MAX_LENGTH = 200


def _text(max_length: int) -> Any:
    return Annotated[str, StringConstraints(max_length=max_length)]


# Parameters with the same meaning in every list: their type and description (others: by the filter's class).
KNOWN: dict[str, tuple[Any, str]] = {
    "theme": (_text(SLUG_MAX_LENGTH), "Human-rights theme slug."),
    "method": (_text(SLUG_MAX_LENGTH), "Method slug."),
    "group": (_text(SLUG_MAX_LENGTH), "Group-in-focus slug."),
    "sdg": (Annotated[int, Field(ge=1, le=17)], "SDG number."),
    "year": (Annotated[int, Field(ge=1, le=9999)], "Year."),
    "country": (CountryCode, "ISO 3166-1 alpha-2 country code."),
    "language": (_text(3), "Language (ISO 639-1)."),
    "city": (_text(REF_MAX_LENGTH), "Slug of the city's organisation."),
    "partnership": (_text(REF_MAX_LENGTH), "Slug of the partnership."),
    "result": (_text(REF_MAX_LENGTH), "Slug of the result."),
}

UPDATED_SINCE = (
    "ISO 8601 date-time (e.g. 2026-01-31T00:00:00Z): only items changed at or after it. "
    "Without a time zone, UTC is assumed."
)


def since(value: dt.datetime | None) -> dt.datetime | None:
    """The moment in UTC (naive datetimes are UTC); one beyond the calendar's ends is its first or last moment."""
    if value is None:
        return None
    if not timezone.is_aware(value):
        value = value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00 is before year 1 in UTC
        return (dt.datetime.min if value.year == dt.MINYEAR else dt.datetime.max).replace(tzinfo=dt.UTC)


def _choices(filter_: django_filters.Filter) -> list[str]:
    choices = filter_.extra.get("choices", [])
    return [str(value) for value, _label in (choices() if callable(choices) else choices)]


def _parameter(name: str, filter_: django_filters.Filter) -> tuple[Any, str]:
    """The type and description of the query parameter of one declared filter."""
    label = f"{filter_.label}." if filter_.label else ""
    if name == "q":  # ``hub.facets.SearchFilter`` carries the pages' limit
        max_length = getattr(filter_, "max_length", None) or filter_.extra.get("max_length", Q_MAX_LENGTH)
        return _text(max_length), label or "Words to search for."
    if name in KNOWN:
        return KNOWN[name]
    if isinstance(filter_, django_filters.ChoiceFilter):
        return Literal[tuple(_choices(filter_))], label
    if isinstance(filter_, django_filters.NumberFilter):
        return Amount, label
    if isinstance(filter_, django_filters.DateFilter):
        return IsoDate, label
    if isinstance(filter_, django_filters.BooleanFilter):
        return bool, label
    return _text(filter_.extra.get("max_length", REF_MAX_LENGTH)), label


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def filtered(filterset: django_filters.FilterSet) -> QuerySet:
    """The FilterSet's queryset. A value its form refuses is a 400 (a page would silently ignore it), except an
    unknown object of a model choice (a country no organisation has), which matches nothing as elsewhere."""
    if filterset.is_valid():
        return filterset.qs
    errors = filterset.form.errors.as_data()
    if all(error.code == "invalid_choice" for messages in errors.values() for error in messages):
        return filterset.queryset.none()
    name, messages = next(iter(filterset.errors.items()))
    raise HttpError(400, f"Invalid value for {name}: {' '.join(str(m) for m in messages)}")


class FilterSetSchema(FilterSchema):
    """Query parameters generated from a FilterSet (``filter_schema``); ``filter`` delegates to the FilterSet."""

    filterset_class: ClassVar[type[django_filters.FilterSet]]
    renamed: ClassVar[dict[str, str]] = {}  # API parameter → the FilterSet's filter, where the names differ
    updated_field: ClassVar[str | None] = None

    def filter(self, queryset: QuerySet, **filterset_kwargs: Any) -> QuerySet:
        values = self.model_dump(exclude_none=True)
        updated_since = since(values.pop("updated_since", None))
        data = {self.renamed.get(name, name): _form_value(value) for name, value in values.items()}
        queryset = filtered(self.filterset_class(data, queryset=queryset, **filterset_kwargs))
        if updated_since is not None:
            queryset = queryset.filter(**{f"{self.updated_field}__gte": updated_since})
        return queryset


def filter_schema(
    filterset_class: type[django_filters.FilterSet],
    *,
    name: str,
    exclude: tuple[str, ...] = (),
    renamed: dict[str, str] | None = None,
    extra: dict[str, django_filters.Filter] | None = None,
    updated: str | None = None,
) -> type[FilterSetSchema]:
    """A ``FilterSchema`` with a query parameter for each filter of ``filterset_class`` but ``exclude`` (ordering,
    say), ``renamed`` {API name: filter name}, plus ``extra`` filters the API keeps for compatibility and, with
    ``updated`` (a datetime field), ``updated_since``."""
    if extra:
        filterset_class = type(filterset_class)(f"{filterset_class.__name__}ForAPI", (filterset_class,), extra)
    renamed = renamed or {}
    api_names = {filter_name: api_name for api_name, filter_name in renamed.items()}
    annotations: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for filter_name, filter_ in filterset_class.base_filters.items():
        if filter_name in exclude:
            continue
        parameter = api_names.get(filter_name, filter_name)
        kind, description = _parameter(parameter, filter_)
        annotations[parameter] = kind | None
        defaults[parameter] = Field(None, description=description)
    if updated:
        annotations["updated_since"] = IsoDateTime | None
        defaults["updated_since"] = Field(None, description=UPDATED_SINCE)
    namespace = {
        "__annotations__": annotations,
        "__doc__": f"Filters of {filterset_class.__name__}.",
        "__module__": __name__,
        "filterset_class": filterset_class,
        "renamed": renamed,
        "updated_field": updated,
        **defaults,
    }
    return type(name, (FilterSetSchema,), namespace)
