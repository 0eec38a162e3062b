"""Public views of the hub: vocabularies, robots.txt and error pages."""

import sys

from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from hub.models import Country, GroupAtRisk, Instrument, Language, Method, SDGGoal, SDGTarget, Theme, ThemeArticle
from hub.public_address import absolute_url
from hub.resilience import CONNECTION_ERRORS, database_unavailable, drop_broken_connections


def vocabulary_index(request):
    return render(
        request,
        "hub/vocabulary_index.html",
        {
            "counts": {
                "themes": Theme.objects.count(),
                "sdgs": SDGGoal.objects.count(),
                "targets": SDGTarget.objects.count(),
                "methods": Method.objects.count(),
                "groups": GroupAtRisk.objects.count(),
                "countries": Country.objects.count(),
                "languages": Language.objects.count(),
                "instruments": Instrument.objects.count(),
            }
        },
    )


def theme_list(request):
    themes = Theme.objects.prefetch_related(
        Prefetch("articles", queryset=ThemeArticle.objects.select_related("instrument").order_by("sort_order")),
        Prefetch("sdg_targets", queryset=SDGTarget.objects.order_by("sort_key")),
    )
    return render(request, "hub/theme_list.html", {"themes": themes, "instruments": Instrument.objects.all()})


def theme_detail(request, slug):
    theme = get_object_or_404(
        Theme.objects.prefetch_related(
            Prefetch("articles", queryset=ThemeArticle.objects.select_related("instrument").order_by("sort_order")),
            Prefetch("sdg_targets", queryset=SDGTarget.objects.select_related("goal").order_by("sort_key")),
        ),
        slug=slug,
    )
    return render(request, "hub/theme_detail.html", {"theme": theme})


def sdg_list(request):
    return render(request, "hub/sdg_list.html", {"goals": SDGGoal.objects.all()})


def sdg_detail(request, number):
    goal = get_object_or_404(
        SDGGoal.objects.prefetch_related(
            Prefetch("targets", queryset=SDGTarget.objects.prefetch_related("indicators", "themes"))
        ),
        number=number,
    )
    return render(request, "hub/sdg_detail.html", {"goal": goal})


def method_list(request):
    return render(request, "hub/method_list.html", {"methods": Method.objects.all()})


def group_list(request):
    return render(request, "hub/group_list.html", {"groups": GroupAtRisk.objects.all()})


def country_list(request):
    return render(request, "hub/country_list.html", {"countries": Country.objects.all()})


def language_list(request):
    return render(request, "hub/language_list.html", {"languages": Language.objects.all()})


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /dashboard/",
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 page, or — when the error being handled is a lost database connection raised where
    ``DatabaseUnavailableMiddleware`` cannot catch it (in a middleware such as sessions or
    authentication) — the same retryable 503 as a view gets, the broken connection closed."""
    error = sys.exc_info()[1]
    if isinstance(error, CONNECTION_ERRORS):
        drop_broken_connections()
        return database_unavailable(request)
    # No context processors: the database may be what failed.
    return HttpResponseServerError(loader.render_to_string("500.html"))
