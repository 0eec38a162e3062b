"""Public pages of partnerships."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from projects.selectors import partnerships as selectors


def partnership_list(request):
    page = Paginator(selectors.partnership_list_public(), 20).get_page(request.GET.get("page"))
    return render(request, "projects/partnership_list.html", {"page": page})


def partnership_detail(request, slug: str):
    partnership = get_object_or_404(selectors.partnership_detail_public(), slug=slug)
    members = list(partnership.members.all())
    return render(
        request,
        "projects/partnership_detail.html",
        {
            "partnership": partnership,
            "research_members": [m for m in members if m.side == m.Side.RESEARCH],
            "city_members": [m for m in members if m.side == m.Side.CITY],
            "partner_members": [m for m in members if m.side == m.Side.PARTNER],
        },
    )
