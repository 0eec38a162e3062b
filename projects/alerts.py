"""The partnerships alert source: new public partnerships in chosen themes, methods or countries."""

import datetime as dt
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from calls.alerts import AlertItem, AlertSource, Param, Suggestion
from hub.models import Country, Method, Theme
from profiles.models import ResearcherProfile, User
from projects.models import Partnership
from projects.selectors.partnerships import partnerships_public


class PartnershipsSource(AlertSource):
    """Public partnerships, new when created after the saved search; any of the chosen themes or methods."""

    key = "partnerships"
    LOOKUPS = {"theme": "themes__slug__in", "method": "methods__slug__in", "country": "city__country__code__in"}

    @property
    def label(self) -> str:
        return _("Partnerships")

    @property
    def params(self) -> tuple[Param, ...]:
        return (
            Param("theme", _("Human-rights theme"), Theme, multiple=True),
            Param("method", _("Method"), Method, multiple=True),
            Param("country", _("Country"), Country, key_field="code", multiple=True),
        )

    def new_items(self, params: dict[str, list[str]], *, since: dt.datetime) -> QuerySet:
        queryset = partnerships_public().filter(created_at__gt=since)
        for name, values in params.items():
            queryset = queryset.filter(pk__in=Partnership.objects.filter(**{self.LOOKUPS[name]: values}).values("pk"))
        return queryset.order_by("created_at", "pk")

    def item(self, obj) -> AlertItem:
        meta = ""
        if obj.city:
            meta = obj.city.name + (f" · {obj.city.country.name}" if obj.city.country else "")
        return AlertItem(title=obj.title, url=obj.get_absolute_url(), meta=meta, summary=obj.summary)

    def suggestion(self, user: User) -> Suggestion | None:
        profile = ResearcherProfile.objects.filter(user=user).first()
        themes = list(profile.themes.values_list("slug", flat=True)) if profile else []
        if not themes:
            return None
        query = self.normalise(QueryDict(urlencode([("theme", t) for t in themes])))
        return Suggestion(self, _("New partnerships in my themes"), query, self.describe(query))
