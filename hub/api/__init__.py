"""The read-only open data API at /api/v1/: one NinjaAPI; each app contributes a router in ``<app>/api.py``.

Hub must not import higher apps, so routers are discovered (``autodiscover``) when the URLs are first built.
What every endpoint shares lives here once: JSON errors (``errors``), refusal of unknown parameters and of
over-long URLs, parameter types (``params``), anonymous throttling (``throttling``), list filters generated from
the pages' FilterSets (``filtering``), output schemas (``schemas``), ninja's ``@paginate`` with the list envelope
(``pagination``), CORS for GET, the schema's shared errors (``openapi``) and API docs served from local files
(``docs``). Only ninja's documented interfaces are used: ``urls``, ``add_decorator``, ``get_openapi_schema``.
"""

import functools
import importlib
import importlib.util

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, re_path

from ninja import NinjaAPI
from pydantic import BaseModel

from hub.api import docs, errors, openapi
from hub.api.schemas import Detail
from hub.api.throttling import SettingsAnonRateThrottle
from hub.public_address import absolute_url

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
}


def reject_unknown_parameters(view):
    """Answer 400 for a query parameter the operation does not declare (a typo must not silently widen a result).

    An operation decorator (ninja's ``add_decorator``, "operation" mode): it receives the validated parameters, and
    the endpoints declare their query parameters as Schemas (filters, ``PageParams``), so the names the operation
    accepts are the fields of the Schemas it receives; path parameters arrive as plain values.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        allowed = {
            field.alias or name
            for value in kwargs.values()
            if isinstance(value, BaseModel)
            for name, field in type(value).model_fields.items()
        }
        unknown = sorted(set(request.GET) - allowed)
        if unknown:
            detail = (
                f"Unknown parameter: {unknown[0]}" if len(unknown) == 1 else f"Unknown parameters: {', '.join(unknown)}"
            )
            return api.create_response(request, {"detail": detail, "allowed": sorted(allowed)}, status=400)
        return view(request, *args, **kwargs)

    return wrapper


def _json_view(view):
    """Wrap a URL's view: an over-long URL is a JSON 414, a 405 becomes JSON, and every answer allows
    cross-origin reads (open data)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        elif len(request.get_full_path()) > errors.MAX_URL_LENGTH:
            detail = f"The URL is longer than {errors.MAX_URL_LENGTH:,} characters: use fewer or shorter parameters."
            response = api.create_response(request, {"detail": detail}, status=414)
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
                allow = response.get("Allow", "GET")
                response = api.create_response(
                    request, {"detail": f"Method {request.method} not allowed: the API is read-only."}, status=405
                )
                response["Allow"] = allow
        for header, value in CORS_HEADERS.items():
            response[header] = value
        return response

    return wrapper


class BridgesAPI(NinjaAPI):
    """NinjaAPI whose URLs discover the apps' routers, answer unknown paths with JSON and send CORS headers."""

    _discovered = False

    def autodiscover(self) -> None:
        """Mount ``router`` of every installed app's ``api`` module (calls.api, profiles.api, projects.api, …)."""
        if self._discovered:
            return
        self._discovered = True
        for config in apps.get_app_configs():
            module_name = f"{config.name}.api"
            if config.name == "hub" or importlib.util.find_spec(module_name) is None:
                continue
            module = importlib.import_module(module_name)
            router = getattr(module, "router", None)
            if router is not None:
                self.add_router("", router)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja's schema with what every operation shares (``hub.api.openapi``)."""
        self.autodiscover()
        return openapi.complete(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))

    @property
    def urls(self):
        """Ninja's URL configuration, once the apps' routers are mounted, plus the docs' assets and a JSON 404."""
        self.autodiscover()
        patterns, app_name, namespace = super().urls
        patterns = [
            *patterns,
            path("docs/assets/<str:name>", docs.asset, name="docs-asset"),
            re_path(r"^(?P<unknown>[\s\S]+)$", self._unknown_path, name="unknown"),
        ]
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_view(pattern.callback)
        return patterns, app_name, namespace

    def _unknown_path(self, request: HttpRequest, unknown: str) -> HttpResponse:
        return self.create_response(
            request,
            {"detail": f"No API endpoint at /{unknown}. See the list of endpoints at the API root."},
            status=404,
        )


api = BridgesAPI(
    title="Bridges open data API",
    version="1",
    urls_namespace="api",
    description=(
        "Read-only JSON for every public object of Bridges: calls, cities, organisations, researchers' public "
        "fields, partnerships, results, datasets (rows of open datasets), indicators with observations, methods, "
        "case studies and policy uptake. Lists are paginated (`page`, `page_size` ≤ 100), ordered by id, and "
        "most accept `updated_since` for harvesting. Unknown parameters are refused with a 400. "
        "Anonymous clients are rate limited (429). Small counts are suppressed (`null` with `suppressed: true`)."
    ),
    docs=docs.LocalSwagger(),
    throttle=[SettingsAnonRateThrottle()],
)
errors.install(api)
api.add_decorator(reject_unknown_parameters, mode="operation")


@functools.cache
def _endpoints() -> list[dict]:
    schema = api.get_openapi_schema(path_params={})
    return [
        {"path": url, "summary": operation.get("summary", ""), "tags": operation.get("tags", [])}
        for url, methods in schema["paths"].items()
        for operation in methods.values()
    ]


@api.get("/", response=dict, summary="List the endpoints", tags=["API"])
def root(request: HttpRequest):
    """Every endpoint of the API with its summary, plus the schema and docs links."""
    endpoints = _endpoints()
    base = absolute_url(request.path)
    return {
        "title": api.title,
        "version": api.version,
        "description": api.description,
        "openapi": base.rstrip("/") + api.openapi_url,
        "docs": base.rstrip("/") + api.docs_url,
        "endpoints": endpoints,
    }


__all__ = ["Detail", "api"]
