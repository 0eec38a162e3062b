"""The baseline every page is compared with: Django's full middleware stack, no template, no query."""

from django.http import HttpResponse


def trivial(request):
    """A few bytes of text, so the bench shows what the stack costs before any page does work."""
    return HttpResponse(b"ok", content_type="text/plain")


def new_generation(request):
    """Start a new content generation, as any save does: the next request of each page is cold (its cached
    aggregates and fragments are rendered again). Only in the bench's URLconf."""
    from hub import page_cache

    page_cache.bump()
    return HttpResponse(b"ok", content_type="text/plain")
