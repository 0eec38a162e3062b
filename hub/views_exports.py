"""The CSV export of a public list page (its current filters kept) and the bulk download of every public list."""

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hub import bulk
from hub.csv import stream_csv
from hub.exports import export_url_name, get_export

# Parameters of a list page that choose which part is shown, not which objects: the export ignores them
# (``sort`` is kept: the export comes out in the page's order).
NOT_FILTERS = ("page", "format")


def export_path(list_route: str, key: str) -> URLPattern:
    """The URL of a list page's CSV export: ``<list_route>export.csv``, named after the export's key."""
    return path(f"{list_route}export.csv", export_csv, {"key": key}, name=export_url_name(key))


@require_GET
def export_csv(request, key: str):
    """Every public object the list page shows with these filters (all pages), in the page's order, streamed."""
    export = get_export(key)
    params = request.GET.copy()
    for name in NOT_FILTERS:
        params.pop(name, None)
    filename = f"bridges-{export.key}-{timezone.localdate():%Y-%m-%d}.csv"
    # The zip is built in the default language (vocabulary labels) for the site's address.
    whole_list = not params and get_language() == settings.LANGUAGE_CODE
    member = bulk.fresh_member(export.key) if whole_list else None
    if member is not None:
        # The whole list, unchanged since the bulk zip was built: its file is this export, read not recomputed.
        response = StreamingHttpResponse(_chunks(member), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Export-Source"] = "bulk"
    else:
        response = stream_csv(filename, export.header, export.lines(request, params))
    response["X-Robots-Tag"] = "noindex"
    return response


def _chunks(member, size: int = 64 * 1024):
    with member:
        while chunk := member.read(size):
            yield chunk


@require_GET
def bulk_download(request):
    """The last zip built by ``hub.bulk.build_now``. Before the first build, a 503 asking to come back while a worker
    builds it: a visitor's request never builds the whole site itself."""
    try:
        handle = bulk.zip_path().open("rb")
    except FileNotFoundError:
        bulk.build_in_background()
        response = HttpResponse(
            _("The bulk download is being prepared. Please try again in a few minutes."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(bulk.RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    response = FileResponse(handle, as_attachment=True, filename=bulk.FILENAME, content_type="application/zip")
    response["Cache-Control"] = "public, max-age=300"
    return response
