"""The baseline every page is compared with: Django's full middleware stack, no template, no query."""

from django.http import HttpResponse


def trivial(request):
    """A few bytes of text, so the bench shows what the stack costs before any page does work."""
    return HttpResponse(b"ok", content_type="text/plain")
