"""The CSV export of a public list page (its current filters kept) and the bulk download of every public list."""

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from hub import bulk
from hub.csv import stream_csv
from hub.exports import get_export

# Parameters of a list page that choose what is shown, not which objects: the export ignores them.
NOT_FILTERS = ("page", "format", "sort")


@require_GET
def export_csv(request, key: str):
    """Every public object the list page shows with these filters (all pages), streamed, ordered by id."""
    export = get_export(key)
    params = request.GET.copy()
    for name in NOT_FILTERS:
        params.pop(name, None)
    filename = f"bridges-{export.key}-{timezone.localdate():%Y-%m-%d}.csv"
    response = stream_csv(filename, export.header, export.lines(request, params))
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def bulk_download(request):
    """The zip built by ``hub.bulk.build``; built once here if no build has run yet (a fresh site)."""
    path = bulk.zip_path()
    if not path.exists():
        try:
            bulk.build_now()
        except Exception:
            response = HttpResponse(
                "The bulk download is being prepared. Please try again in a few minutes.",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "300"
            return response
    response = FileResponse(path.open("rb"), as_attachment=True, filename=bulk.FILENAME, content_type="application/zip")
    response["Cache-Control"] = "public, max-age=300"
    return response
