"""The bench's own endpoints (bench URLconf only): the baseline every page is compared with, and a new generation.

Neither may be kept by the anonymous page cache: the trivial view answers ``Cache-Control: no-store`` and the
new generation is POST-only.
"""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hub import page_cache


def trivial(request):
    """Django's full middleware stack, no template, no query: what the stack costs before any page does work.

    The header is set as is: ``never_cache`` formats dates and parses headers, about a sixth of the baseline's
    own time in the profile."""
    response = HttpResponse(b"ok", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # the bench posts without a form; the view exists only in the bench's URLconf, on loopback
@require_POST
@never_cache
def new_generation(request):
    """Invalidate every cached page, fragment and aggregate, so the next request of each page is cold."""
    page_cache.invalidate_everything()
    return HttpResponse(b"ok", content_type="text/plain")
