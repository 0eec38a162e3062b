"""django-filter FilterSets for profile listings."""

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

import django_filters

from hub.forms import Facet, FacetOption
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


class ResearcherFilter(django_filters.FilterSet):
    """Facets of the researcher directory. Filters on personal fields only match profiles that show
    that field to the viewer (``profiles.visibility``); unknown values match nothing, malformed ones
    are reported in ``errors`` and ignored."""

    q = django_filters.CharFilter(method="filter_q", label=_("Name or headline"))
    theme = django_filters.CharFilter(method="filter_theme", label=_("Human-rights theme"))
    method = django_filters.CharFilter(method="filter_method", label=_("Method"))
    sdg = django_filters.NumberFilter(method="filter_sdg", label=_("SDG"))
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

    def filter_q(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(user__first_name__icontains=value) | Q(user__last_name__icontains=value) | Q(headline__icontains=value)
        )

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


def _without(params, name: str) -> dict:
    return {key: params.get(key) for key in params if key not in (name, "page")}


def researcher_facets(params, base: QuerySet, viewer) -> list[Facet]:
    """Each facet's values with how many researchers match them and every other active filter (one query)."""
    queries = [
        _facet_rows(name, ResearcherFilter(_without(params, name), queryset=base, viewer=viewer).qs, viewer)
        for name in RESEARCHER_FACETS
    ]
    rows: dict[str, list[tuple[str, str, int]]] = {name: [] for name in RESEARCHER_FACETS}
    for facet, value, label, count in queries[0].union(*queries[1:], all=True):
        rows[facet].append((str(value), label, count))
    stage_labels = dict(ResearcherProfile.CareerStage.choices)
    available_labels = dict(AVAILABLE_CHOICES)
    facets = []
    for name in RESEARCHER_FACETS:
        current = str(params.get(name) or "").strip()
        options = []
        for value, label, count in rows[name]:
            if name == "career_stage":
                label = str(stage_labels.get(value, value))
            elif name == "available":
                label = str(available_labels[value])
            elif name == "sdg":
                label = f"{value}. {label}"
            options.append(FacetOption(value, label, count, value.lower() == current.lower()))
        if name == "sdg":
            options.sort(key=lambda o: int(o.value))
        elif name == "career_stage":
            order = list(stage_labels)
            options.sort(key=lambda o: order.index(o.value) if o.value in order else len(order))
        elif name != "available":
            options.sort(key=lambda o: o.label.lower())
        if current and not any(o.selected for o in options):
            options.append(FacetOption(current, current[:60], 0, True))
        facets.append(Facet(name, str(ResearcherFilter.base_filters[name].label), options))
    return facets
