"""django-filter FilterSets for profile listings."""

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

import django_filters

from hub.facets import FacetFilterSet, Rows, SearchFilter, WholeNumberFilter
from hub.models import Country
from profiles import visibility
from profiles.models import Organisation, ProfileLanguage, ResearcherProfile

AVAILABLE_CHOICES = [("yes", _("Open to new partnerships")), ("no", _("Not available at the moment"))]


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or city"))
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices, empty_label=_("Any kind"))
    country = django_filters.ModelChoiceFilter(
        queryset=Country.objects.filter(organisations__verified=True).distinct(),
        to_field_name="code",
        empty_label=_("Any country"),
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "country"]

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        return queryset.filter(Q(name__icontains=value) | Q(city__icontains=value)) if value else queryset


class ResearcherFilter(FacetFilterSet):
    """Facets of the researcher directory. Filters on personal fields only match profiles that show
    that field to the viewer (``profiles.visibility``); unknown values match nothing, malformed ones
    are reported in ``errors`` and ignored."""

    q = SearchFilter(fields=("user__first_name", "user__last_name", "headline"), label=_("Name or headline"))
    theme = django_filters.CharFilter(method="filter_theme", label=_("Human-rights theme"))
    method = django_filters.CharFilter(method="filter_method", label=_("Method"))
    sdg = WholeNumberFilter(method="filter_sdg", label=_("SDG"))
    group = django_filters.CharFilter(method="filter_group", label=_("Group in focus"))
    country = django_filters.CharFilter(method="filter_country", label=_("Works in"))
    language = django_filters.CharFilter(method="filter_language", label=_("Language"))
    career_stage = django_filters.ChoiceFilter(
        method="filter_career_stage", choices=ResearcherProfile.CareerStage.choices, label=_("Career stage")
    )
    available = django_filters.ChoiceFilter(
        method="filter_available", choices=AVAILABLE_CHOICES, label=_("Open to new partnerships")
    )

    class Meta:
        model = ResearcherProfile
        fields: list[str] = []

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer

    def _matching(self, queryset, **lookup):
        # A subquery, so that facets counted on the result never reuse this filter's join.
        return queryset.filter(pk__in=ResearcherProfile.objects.filter(**lookup).values("pk"))

    def filter_theme(self, queryset, name, value):
        return self._matching(queryset, themes__slug=value.strip())

    def filter_method(self, queryset, name, value):
        return self._matching(queryset, methods__slug=value.strip())

    def filter_sdg(self, queryset, name, value):
        return self._matching(queryset, sdg_targets__goal__number=value)

    def filter_group(self, queryset, name, value):
        return self._matching(queryset, groups__slug=value.strip())

    def filter_country(self, queryset, name, value):
        queryset = visibility.restrict(queryset, "countries", self.viewer)
        return self._matching(queryset, countries__code=value.strip().upper())

    def filter_language(self, queryset, name, value):
        queryset = visibility.restrict(queryset, "languages", self.viewer)
        return self._matching(queryset, profile_languages__language__code=value.strip().lower())

    def filter_career_stage(self, queryset, name, value):
        return visibility.restrict(queryset, "career_stage", self.viewer).filter(career_stage=value)

    def filter_available(self, queryset, name, value):
        return visibility.restrict(queryset, "availability", self.viewer).filter(is_available=value == "yes")


RESEARCHER_FACETS = ("theme", "method", "sdg", "group", "country", "language", "career_stage", "available")

# The many-to-many facets, counted from their link tables: (link model, its profile field, value, label,
# the personal field whose visibility applies or None). A profile links to a vocabulary entry at most once,
# so a plain COUNT is the number of profiles, except for SDGs: several targets of one goal count once.
_LINKED_FACETS = {
    "theme": (ResearcherProfile.themes.through, "researcherprofile", F("theme__slug"), "theme__name", None),
    "method": (ResearcherProfile.methods.through, "researcherprofile", F("method__slug"), "method__name", None),
    "sdg": (
        ResearcherProfile.sdg_targets.through,
        "researcherprofile",
        Cast("sdgtarget__goal__number", CharField()),
        "sdgtarget__goal__short",
        None,
    ),
    "group": (ResearcherProfile.groups.through, "researcherprofile", F("groupatrisk__slug"), "groupatrisk__name", None),
    "country": (
        ResearcherProfile.countries.through,
        "researcherprofile",
        F("country__code"),
        "country__name",
        "countries",
    ),
    "language": (ProfileLanguage, "profile", F("language__code"), "language__name", "languages"),
}


def _facet_rows(name: str, profiles: QuerySet, viewer) -> QuerySet:
    """One facet's (facet, value, label, count) rows for ``profiles`` as a grouped query, ready to be UNIONed.

    A many-to-many facet groups the rows of its link table whose profile is among ``profiles`` (a semi-join
    on the profile ids): the work grows with the links, not with profiles × links as a join from the
    profiles with COUNT(DISTINCT) would."""
    text = CharField()
    if name in _LINKED_FACETS:
        link, profile_field, value, label, personal = _LINKED_FACETS[name]
        if personal:
            profiles = visibility.restrict(profiles, personal, viewer)
        count = Count(f"{profile_field}_id", distinct=True) if name == "sdg" else Count("pk")
        rows = link.objects.filter(**{f"{profile_field}_id__in": profiles.values("pk")})
        rows = rows.values(facet_value=value, facet_label=F(label))
    else:
        if name == "career_stage":
            value, personal = F("career_stage"), "career_stage"
        else:
            value = Case(When(is_available=True, then=Value("yes")), default=Value("no"), output_field=text)
            personal = "availability"
        count = Count("pk")
        rows = visibility.restrict(profiles, personal, viewer).values(facet_value=value, facet_label=Value(""))
    return (
        rows.annotate(facet=Value(name, output_field=text), n=count)
        .values_list("facet", "facet_value", "facet_label", "n")
        .order_by()
    )


def researcher_filter_key(params) -> tuple:
    """What the directory's matches and facets depend on in ``params``: each given filter's raw value (not the page).

    Raw rather than cleaned values, because an unknown or malformed value is shown back in its facet."""
    return tuple((name, params.get(name)) for name in ResearcherFilter.base_filters if name in params)


def researcher_facet_rows(filterset: ResearcherFilter, names: list[str]) -> dict[str, Rows]:
    """Each facet's rows over the researchers matching every other active filter, in one query (a UNION)."""
    viewer = filterset.viewer
    queries = [_facet_rows(name, filterset.qs_without(name), viewer) for name in names]
    found: dict[str, Rows] = {name: [] for name in names}
    for facet, value, label, count in queries[0].union(*queries[1:], all=True):
        found[facet].append((str(value), label, count))
    stage_labels = dict(ResearcherProfile.CareerStage.choices)
    available_labels = dict(AVAILABLE_CHOICES)
    stage_order = list(stage_labels)
    for name, rows in found.items():
        if name == "career_stage":
            rows[:] = [(value, str(stage_labels.get(value, value)), n) for value, _label, n in rows]
            rows.sort(key=lambda row: stage_order.index(row[0]) if row[0] in stage_order else len(stage_order))
        elif name == "available":
            rows[:] = [(value, str(available_labels[value]), n) for value, _label, n in rows]
        elif name == "sdg":
            rows[:] = sorted(((value, f"{value}. {label}", n) for value, label, n in rows), key=lambda r: int(r[0]))
        else:
            rows.sort(key=lambda row: row[1].lower())
    return found
