"""The public transparency log of takedowns, and the notice a taken-down object's URL shows."""

from django.core.paginator import Paginator
from django.shortcuts import render

from projects.selectors.results import takedowns_public

PAGE_SIZE = 25


def transparency(request):
    page = Paginator(takedowns_public(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/transparency.html", {"page": page})


def takedown_notice_response(request, *, takedown, object_kind: str):
    """HTTP 410 with the takedown's date, reason and who decided; used for results and datasets alike."""
    return render(
        request, "projects/takedown_notice.html", {"takedown": takedown, "object_kind": object_kind}, status=410
    )
