"""API docs (Swagger UI) served from the copy bundled in django-ninja: nothing is fetched from a CDN at run time.

Swagger UI is Apache-2.0 licensed (https://github.com/swagger-api/swagger-ui); the files are django-ninja's.
"""

import json
import mimetypes
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

import ninja
from ninja.openapi.docs import Swagger

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png"})


class LocalSwagger(Swagger):
    """Ninja's Swagger UI page, with its CSS and JS from ``docs/assets/`` of the API itself."""

    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        namespace = api.urls_namespace
        context = {
            "api": api,
            "swagger_settings": json.dumps(self.settings),
            "openapi_url": self.settings["url"],
            "assets": {
                name.replace("-", "_").replace(".", "_"): reverse(f"{namespace}:docs-asset", args=[name])
                for name in ASSETS
            },
        }
        return render(request, "hub/api/docs.html", context)


def asset(request: HttpRequest, name: str) -> FileResponse:
    """One of the few bundled Swagger UI files (a fixed list: no path from the request reaches the disk)."""
    if name not in ASSETS:
        raise Http404("No such asset.")
    content_type, _encoding = mimetypes.guess_type(name)
    response = FileResponse(open(ASSET_DIR / name, "rb"), content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = "public, max-age=86400"
    return response
