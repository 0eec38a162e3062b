"""The research-needs alert source: new needs (never hidden ones) for chosen cities, themes or groups."""

import datetime as dt
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from calls.alerts import AlertItem, AlertSource, Param, Suggestion
from hub.models import GroupAtRisk, Theme
from profiles.models import Organisation, ResearcherProfile, User
from projects.models import ResearchNeed
from projects.selectors.needs import needs_public


class NeedsSource(AlertSource):
    """Research needs posted after the saved search; any of the chosen cities, themes or groups."""

    key = "needs"
    LOOKUPS = {"city": "city__slug__in", "theme": "themes__slug__in", "group": "groups__slug__in"}

    @property
    def label(self) -> str:
        return _("Research needs")

    @property
    def params(self) -> tuple[Param, ...]:
        return (
            Param("city", _("City"), Organisation, multiple=True),
            Param("theme", _("Human-rights theme"), Theme, multiple=True),
            Param("group", _("Group at risk"), GroupAtRisk, multiple=True),
        )

    def new_items(self, params: dict[str, list[str]], *, since: dt.datetime) -> QuerySet:
        queryset = needs_public().filter(created_at__gt=since)
        for name, values in params.items():
            queryset = queryset.filter(pk__in=ResearchNeed.objects.filter(**{self.LOOKUPS[name]: values}).values("pk"))
        return queryset.order_by("created_at", "pk")

    def item(self, obj) -> AlertItem:
        meta = obj.city.name + (f" · {obj.organisation.name}" if obj.organisation_id else "")
        return AlertItem(title=obj.title, url=obj.get_absolute_url(), meta=meta, summary=obj.situation[:500])

    def browse_url(self, query: str) -> str:
        return f"{reverse('need_list')}?{query}" if query else reverse("need_list")

    def suggestion(self, user: User) -> Suggestion | None:
        profile = ResearcherProfile.objects.filter(user=user).first()
        themes = list(profile.themes.values_list("slug", flat=True)) if profile else []
        if not themes:
            return None
        query = self.normalise(QueryDict(urlencode([("theme", t) for t in themes])))
        return Suggestion(self, _("New research needs in my themes"), query, self.describe(query))
