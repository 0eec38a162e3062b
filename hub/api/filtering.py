"""Apply an app's django-filter FilterSet to API parameters, so that API filters are the site's facets."""

from django.db.models import QuerySet

from ninja import Schema
from ninja.errors import HttpError

from hub.api.pagination import HarvestParams

NOT_FILTERS = frozenset(HarvestParams.model_fields)


def filter_data(params: Schema) -> dict[str, str]:
    """The facet values of ``params`` as the strings a FilterSet's form expects."""
    return {key: str(value) for key, value in params.dict(exclude_none=True).items() if key not in NOT_FILTERS}


def filtered(filterset) -> QuerySet:
    """The FilterSet's queryset; a value its form refuses is a 400 (a FilterSet would silently ignore it)."""
    if not filterset.is_valid():
        name, messages = next(iter(filterset.errors.items()))
        raise HttpError(400, f"Invalid value for {name}: {' '.join(str(m) for m in messages)}")
    return filterset.qs
