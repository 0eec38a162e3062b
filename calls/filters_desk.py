"""The city's desk: the proposal list's FilterSet, its annotations (computed in the database) and its facet counts.

The FilterSet is a ``hub.facets.FacetFilterSet`` (the faceted-list component of the public lists): each facet counts
with every other filter in force (``qs_without``). Every filter on a related table is a ``pk__in`` subquery, never a join, so that the counts and means of a row never
multiply with its team or its reviews. Unknown values of any filter or of the sort are form errors: the view shows
them as messages and lists with the other filters (``qs`` applies only the valid ones).
"""

from dataclasses import dataclass

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

import django_filters

from calls import review_numbers
from calls.models import (
    Proposal,
    ProposalVersion,
    ResearchCall,
    ReviewAssignment,
    TeamMember,
)
from calls.scoring import MAX_SCORE
from calls.selectors import DEADLINE_FIELDS, calls_managed_by, proposals_seen_by_city, sealed_deadlines_ahead
from calls.services.panel import flags_visible_to
from hub import aggregates
from hub.facets import FacetFilterSet
from hub.models import Country, GroupAtRisk, Method, Theme

PAGE_SIZES = (25, 50, 100)
# Parameters that change how the list is shown, not which proposals it counts.
NOT_COUNTED = ("sort", "per_page", "cols", "page", "desk")
DEFAULT_PAGE_SIZE = 25

# Columns the official chooses; "title" is always shown.
COLUMNS = [
    ("call", _("Call")),
    ("lead", _("Lead")),
    ("countries", _("Team countries")),
    ("career", _("Career stages")),
    ("status", _("Status")),
    ("version", _("Version")),
    ("submitted", _("Submitted")),
    ("reviews", _("Reviews done / assigned")),
    ("score", _("Mean score")),
    ("spread", _("Spread")),
    ("eligibility", _("Eligibility warnings")),
    # Panel (issue 18 §4–5).
    ("screening", _("Screening")),
    ("recommendations", _("Recommendations")),
    ("flags", _("Flags")),
]
DEFAULT_COLUMNS = ["lead", "countries", "status", "version", "submitted", "reviews", "score"]

# Sort keys: column → ordering expression (ascending); "-key" sorts descending.
SORTS = {
    "title": F("title"),
    "call": F("call__title"),
    "lead": F("lead__last_name"),
    "status": F("status"),
    "version": F("latest_number"),
    "submitted": F("submitted_at"),
    "reviews": F("reviews_done"),
    "score": F("weighted"),
    "spread": F("spread"),
}
SORT_CHOICES = [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class Reviews:
    UNASSIGNED = "unassigned"
    UNREVIEWED = "unreviewed"
    INCOMPLETE = "incomplete"
    COMPLETE = "complete"
    CHOICES = [
        (UNASSIGNED, _("No reviewer assigned")),
        (UNREVIEWED, _("No review submitted yet")),
        (INCOMPLETE, _("Reviews outstanding")),
        (COMPLETE, _("All reviews in")),
    ]


def review_q(value: str) -> Q:
    """The condition on the annotated counts for one "reviews" choice."""
    return {
        Reviews.UNASSIGNED: Q(reviews_assigned=0),
        Reviews.UNREVIEWED: Q(reviews_done=0),
        Reviews.INCOMPLETE: Q(reviews_done__lt=F("reviews_assigned")),
        Reviews.COMPLETE: Q(reviews_done__gt=0, reviews_done__gte=F("reviews_assigned")),
    }[value]


def desk_queryset(user, call: ResearchCall | None = None) -> QuerySet[Proposal]:
    """The submitted proposals the user may see as the city of ``call`` (or of any of their cities' calls), with
    the columns' numbers annotated in the database. Sealed proposals before the deadline are not in it."""
    queryset = proposals_seen_by_city(user).filter(call__in=calls_managed_by(user).values("pk"))
    if call is not None:
        queryset = queryset.filter(call=call)
    # Aliases, not annotations: computed only where a filter or the sort names them (the page's rows get them
    # from ``with_row_numbers``), so counts and facets over 10,000 proposals never evaluate them per row.
    return queryset.alias(
        latest_number=Subquery(
            ProposalVersion.objects.filter(proposal=OuterRef("pk"), is_withdrawn=False)
            .order_by()
            .values("proposal_id")
            .annotate(n=Max("number"))
            .values("n")[:1]
        ),
        lead_early_career=Exists(
            TeamMember.objects.filter(proposal=OuterRef("pk"), role=TeamMember.Role.LEAD, early_career=True)
        ),
    ).annotate(
        # Stored on the proposal (calls.review_numbers): sorting and filtering on them is a plain column.
        **{name: F(field) for name, field in review_numbers.FIELDS.items()},
    )


def page_of(filterset: "ProposalDeskFilter", number, rows=None, *, count: int | None = None) -> Page:
    """One page of the filtered, sorted list. The sort and the slice run on the ids alone (narrow rows: a top-N
    sort of 10,000 ids instead of 10,000 wide rows), then the page's proposals are loaded by id, through ``rows``
    (what the page shows: joins, prefetches), with their row numbers (``with_row_numbers``). ``count``: the number
    of proposals matching, when known (``desk_counts``)."""
    paginator = Paginator(filterset.ordered().values_list("pk", flat=True), filterset.page_size)
    if count is not None:
        paginator.count = count  # a cached property: the COUNT query is not run again
    page = paginator.get_page(number)
    ids = list(page.object_list)
    queryset = filterset.queryset.filter(pk__in=ids).order_by()
    loaded = {p.pk: p for p in (rows(queryset) if rows is not None else queryset)}
    page.object_list = with_row_numbers([loaded[pk] for pk in ids if pk in loaded])
    return page


def with_row_numbers(proposals: list[Proposal]) -> list[Proposal]:
    """Set ``latest_number`` (the latest submitted version) and ``lead_early_career`` on the proposals of one page
    or one batch: two queries, whatever their number."""
    ids = [p.pk for p in proposals]
    latest = dict(
        ProposalVersion.objects.filter(proposal_id__in=ids, is_withdrawn=False)
        .order_by()
        .values("proposal_id")
        .annotate(n=Max("number"))
        .values_list("proposal_id", "n")
    )
    early = set(
        TeamMember.objects.filter(proposal_id__in=ids, role=TeamMember.Role.LEAD, early_career=True).values_list(
            "proposal_id", flat=True
        )
    )
    for p in proposals:
        p.latest_number = latest.get(p.pk)
        p.lead_early_career = p.pk in early
    return proposals


def _team_ids() -> QuerySet:
    return TeamMember.objects.filter(Q(role=TeamMember.Role.LEAD) | Q(status=TeamMember.Status.ACCEPTED))


class ProposalDeskFilter(FacetFilterSet):
    """Search, facets and sort of the desk's proposal list (also its CSV and its bulk actions' "all N matching")."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search titles, summaries and team names"))
    call = django_filters.TypedChoiceFilter(choices=[], coerce=int, method="filter_call", label=_("Call"))
    status = django_filters.MultipleChoiceFilter(
        choices=[(s.value, s.label) for s in Proposal.Status if s in Proposal.SUBMITTED_STATES],
        label=_("Status"),
        distinct=False,
    )
    reviewer = django_filters.CharFilter(method="filter_reviewer", label=_("Reviewer (email address)"))
    reviews = django_filters.ChoiceFilter(choices=Reviews.CHOICES, method="filter_reviews", label=_("Reviews"))
    score_min = django_filters.NumberFilter(
        method="filter_score_min",
        label=_("Mean score at least"),
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_SCORE, "step": "0.1"}),
    )
    score_max = django_filters.NumberFilter(
        method="filter_score_max",
        label=_("Mean score at most"),
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_SCORE, "step": "0.1"}),
    )
    theme = django_filters.ChoiceFilter(choices=[], method="filter_theme", label=_("Human-rights theme"))
    method = django_filters.ChoiceFilter(choices=[], method="filter_method", label=_("Method"))
    group = django_filters.ChoiceFilter(choices=[], method="filter_group", label=_("Group in focus"))
    country = django_filters.ChoiceFilter(choices=[], method="filter_country", label=_("Team country"))
    early_career = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_early_career", label=_("Early-career lead")
    )
    sealed = django_filters.ChoiceFilter(choices=YES_NO, method="filter_sealed", label=_("Sealed call"))
    blind = django_filters.ChoiceFilter(choices=YES_NO, method="filter_blind", label=_("Blind review"))
    # Panel (issue 18 §5): screening before review, and the flags the user sees (their own and the city's shared).
    screening = django_filters.ChoiceFilter(
        choices=Proposal.Screening.choices, method="filter_screening", label=_("Screening")
    )
    flag = django_filters.CharFilter(method="filter_flag", label=_("Flag"))
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, method="filter_noop", label=_("Sort by"))
    per_page = django_filters.TypedChoiceFilter(
        choices=[(str(n), str(n)) for n in PAGE_SIZES], coerce=int, method="filter_noop", label=_("Per page")
    )
    cols = django_filters.MultipleChoiceFilter(
        choices=COLUMNS, method="filter_noop", label=_("Columns"), distinct=False
    )

    class Meta:
        model = Proposal
        fields: list[str] = []

    def __init__(
        self, data=None, queryset=None, *, user, call: ResearchCall | None = None, choices: dict | None = None, **kwargs
    ):
        super().__init__(data, queryset if queryset is not None else desk_queryset(user, call), **kwargs)
        self.user = user
        self.desk_call = call
        if call is not None:
            del self.filters["call"]
        # The choices of the vocabulary filters, read once per request (the facet counts reuse them).
        self.choices = choices if choices is not None else self._read_choices()
        for name, values in self.choices.items():
            if name in self.filters:
                self.filters[name].extra["choices"] = values

    def _read_choices(self) -> dict:
        choices = {
            "theme": list(Theme.objects.order_by("name").values_list("slug", "name")),
            "method": list(Method.objects.order_by("name").values_list("slug", "name")),
            "group": list(GroupAtRisk.objects.order_by("name").values_list("slug", "name")),
            "country": [],
        }
        # The country filter goes by id (no join to the countries for each team member of thousands of proposals).
        self._country_ids = {}
        for code, name, pk in Country.objects.order_by("name").values_list("code", "name", "pk"):
            choices["country"].append((code, name))
            self._country_ids[code] = pk
        if self.desk_call is None:
            calls = calls_managed_by(self.user).order_by("-first_published_at", "title")
            rows = list(calls.values_list("pk", "title", *DEADLINE_FIELDS))
            choices["call"] = [(pk, title) for pk, title, *_deadlines in rows]
            self._deadlines = [(pk, *deadlines) for pk, _title, *deadlines in rows]
        return choices

    # -- filters ----------------------------------------------------------------------------------------------------

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        team = _team_ids().filter(name__icontains=value).values("proposal_id")
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value) | Q(pk__in=team))

    def filter_call(self, queryset, name, value):
        return queryset.filter(call_id=value) if value not in (None, "") else queryset

    def filter_reviewer(self, queryset, name, value):
        value = value.strip()[:254]
        if not value:
            return queryset
        assigned = ReviewAssignment.objects.filter(
            Q(email__icontains=value) | Q(reviewer__email__icontains=value), status__in=ReviewAssignment.ACTIVE
        )
        return queryset.filter(pk__in=assigned.values("proposal_id"))

    def filter_reviews(self, queryset, name, value):
        return queryset.filter(review_q(value)) if value else queryset

    def filter_score_min(self, queryset, name, value):
        return queryset.filter(weighted__gte=float(value))

    def filter_score_max(self, queryset, name, value):
        return queryset.filter(weighted__lte=float(value))

    def filter_theme(self, queryset, name, value):
        return queryset.filter(call__in=ResearchCall.objects.filter(themes__slug=value).values("pk"))

    def filter_method(self, queryset, name, value):
        return queryset.filter(pk__in=Proposal.methods.through.objects.filter(method__slug=value).values("proposal_id"))

    def filter_group(self, queryset, name, value):
        return queryset.filter(call__in=ResearchCall.objects.filter(groups__slug=value).values("pk"))

    def filter_country(self, queryset, name, value):
        country = getattr(self, "_country_ids", {}).get(value) or Country.objects.filter(code=value).values("pk")
        return queryset.filter(pk__in=_team_ids().filter(country_id=country).values("proposal_id"))

    def filter_early_career(self, queryset, name, value):
        return queryset.filter(lead_early_career=value == "yes")

    def filter_screening(self, queryset, name, value):
        return queryset.filter(screening=value) if value else queryset

    def filter_flag(self, queryset, name, value):
        value = " ".join(value.split())[:60]
        if not value:
            return queryset
        return queryset.filter(pk__in=flags_visible_to(self.user).filter(label__iexact=value).values("proposal_id"))

    def filter_sealed(self, queryset, name, value):
        return queryset.filter(call__sealed=value == "yes")

    def filter_blind(self, queryset, name, value):
        return queryset.filter(call__blind_review=value == "yes")

    # -- what the counts depend on ---------------------------------------------------------------------------------

    def cache_parts(self) -> tuple:
        """Everything the total and the facet counts depend on besides the rows they read (``hub.aggregates``):
        the viewer (their cities, their flags), the call, the filters (not the sort, the page or the columns), and
        which sealed calls' deadlines are still ahead (their proposals join the list when one passes)."""
        data = self.data if self.is_bound else QueryDict()
        filters = tuple(
            sorted((name, tuple(sorted(set(data.getlist(name))))) for name in data if name not in NOT_COUNTED)
        )
        call = self.desk_call
        if call is not None:
            deadlines = [(call.pk, *(getattr(call, name) for name in DEADLINE_FIELDS))]
        else:  # read with the call filter's choices
            deadlines = getattr(self, "_deadlines", None)
            if deadlines is None:
                deadlines = list(calls_managed_by(self.user).values_list("pk", *DEADLINE_FIELDS))
        sealed = sealed_deadlines_ahead(deadlines, timezone.now())
        return (aggregates.viewer_key(self.user), call.pk if call else None, filters, sealed)

    # -- validation, sort, columns ----------------------------------------------------------------------------------

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_desk_checked", False):
            form._desk_checked = True
            form.full_clean()
            low, high = form.cleaned_data.get("score_min"), form.cleaned_data.get("score_max")
            for key, value in (("score_min", low), ("score_max", high)):
                if value is not None and not (0 <= value <= MAX_SCORE):
                    form.add_error(key, _("Scores go from 0 to %(max)s.") % {"max": MAX_SCORE})
        return form

    def problems(self) -> list[str]:
        """One message per unknown or invalid value (the list is shown without that filter)."""
        if not self.is_bound:
            return []
        found = []
        for name, errors in self.form.errors.items():
            label = self.filters[name].label if name in self.filters else name
            for error in errors:
                found.append(
                    pgettext_lazy("desk filter error", "%(filter)s: %(error)s") % {"filter": label, "error": error}
                )
        return found

    def _cleaned(self, name: str, default=None):
        if not self.is_bound:
            return default
        value = self.form.cleaned_data.get(name)
        return default if value in (None, "", []) else value

    @property
    def sort_key(self) -> str:
        return self._cleaned("sort", "submitted")

    @property
    def page_size(self) -> int:
        return self._cleaned("per_page", DEFAULT_PAGE_SIZE)

    @property
    def columns(self) -> list[str]:
        chosen = self._cleaned("cols", None)
        columns = list(chosen) if chosen else list(DEFAULT_COLUMNS)
        if self.desk_call is None and "call" not in columns:
            columns.insert(0, "call")
        return [key for key, _label in COLUMNS if key in columns]

    def ordered(self, queryset: QuerySet | None = None) -> QuerySet[Proposal]:
        queryset = self.qs if queryset is None else queryset
        key = self.sort_key
        expression = SORTS[key.lstrip("-")]
        if key.startswith("-"):
            order = expression.desc(nulls_last=True)
        else:
            order = expression.asc(nulls_last=True)
        return queryset.order_by(order, "pk")


def desk_counts(filterset: ProposalDeskFilter) -> tuple[int, dict[str, list["FacetCount"]]]:
    """How many proposals match, and the facet counts: from the aggregate cache while nothing they read has changed
    (a save, a review, a bulk action stamps the tables they read: ``hub.page_cache``), so that paging, sorting and
    choosing columns count nothing again."""
    return aggregates.cached(
        "calls.desk_counts", filterset.cache_parts(), lambda: (filterset.qs.count(), facet_counts(filterset))
    )


@dataclass
class FacetCount:
    value: str
    label: str
    count: int
    active: bool


def facet_counts(filterset: ProposalDeskFilter) -> dict[str, list[FacetCount]]:
    """Per facet, how many proposals each choice would show with every other filter in force: one query for the
    facets whose own filter is not in force, one for each that is, and one for the countries."""
    data = filterset.data.copy() if filterset.is_bound else {}

    def without(name: str) -> QuerySet[Proposal]:
        return filterset.qs_without(name).order_by()

    def active(name: str) -> set[str]:
        return set(data.getlist(name)) if hasattr(data, "getlist") else set()

    early_lead = TeamMember.objects.filter(role=TeamMember.Role.LEAD, early_career=True).values("proposal_id")
    statuses = [value for value, _label in filterset.filters["status"].extra["choices"]]
    conditions = {
        "status": {value: Q(status=value) for value in statuses},
        "reviews": {value: review_q(value) for value, _label in Reviews.CHOICES},
        "early_career": {"yes": Q(pk__in=early_lead), "no": ~Q(pk__in=early_lead)},
    }
    # A facet whose own filter is not in force counts over the list itself: those share one query.
    numbers: dict[str, dict[str, int]] = {}
    shared = [name for name in conditions if not active(name)]
    if shared:
        row = filterset.qs.order_by().aggregate(
            **{f"{name}__{value}": Count("pk", filter=q) for name in shared for value, q in conditions[name].items()}
        )
        for name in shared:
            numbers[name] = {value: row[f"{name}__{value}"] for value in conditions[name]}
    for name in conditions:
        if name not in numbers:
            numbers[name] = without(name).aggregate(**{v: Count("pk", filter=q) for v, q in conditions[name].items()})

    counts: dict[str, list[FacetCount]] = {
        "status": [
            FacetCount(value, str(label), numbers["status"][value], value in active("status"))
            for value, label in filterset.filters["status"].extra["choices"]
            if numbers["status"][value]
        ],
        "reviews": [
            FacetCount(value, str(label), numbers["reviews"][value], value in active("reviews"))
            for value, label in Reviews.CHOICES
        ],
        "early_career": [
            FacetCount(value, str(label), numbers["early_career"][value], value in active("early_career"))
            for value, label in YES_NO
        ],
    }
    # How many listed proposals have a team member of each country: one grouped query over the team rows of the
    # proposals the list shows without its own country filter (a count per country inside one aggregate would run
    # one subquery per country and proposal: seconds at 10,000 proposals).
    by_country = (
        _team_ids()
        .filter(proposal__in=without("country").values("pk"), country__isnull=False)
        .order_by()
        .values_list("country__code", "country__name")
        .annotate(n=Count("proposal_id", distinct=True))
    )
    counts["country"] = sorted(
        (FacetCount(code, str(name), n, code in active("country")) for code, name, n in by_country if n),
        key=lambda f: (-f.count, f.label),
    )[:300]
    return counts
