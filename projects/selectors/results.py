"""Reads of results with their visibility rule, the /results/ facets, usage and the transparency log.

The one rule: published results past any embargo are public; a partnership's research team also
sees its drafts and embargoed results; a taken-down result shows only its takedown notice.
"""

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import django_filters

from hub.facets import FacetedList, FacetFilterSet, SearchFilter, WholeNumberFilter
from hub.models import SDGTarget
from profiles.visibility import profiles_visible_to, verified_addresses
from projects import usage
from projects.models import Licence, Partnership, PartnershipMember, Result, ResultAuthor, Takedown

PAGE_SIZE = 20


class Sort:
    NEWEST = "newest"
    TITLE = "title"
    CHOICES = [(NEWEST, _("Newest first")), (TITLE, _("Title, A to Z"))]


def public_q(today: dt.date, prefix: str = "") -> Q:
    """The database condition of ``Result.objects.public()``, usable through a relation."""
    return Q(**{f"{prefix}status": Result.Status.PUBLISHED}) & (
        Q(**{f"{prefix}embargo_until__isnull": True}) | Q(**{f"{prefix}embargo_until__lte": today})
    )


def research_partnership_ids(user) -> QuerySet:
    """Partnerships where the user is on the research side (a subquery)."""
    return PartnershipMember.objects.filter(user=user, side=PartnershipMember.Side.RESEARCH).values("partnership_id")


def results_visible_to(user, *, today: dt.date | None = None) -> QuerySet[Result]:
    """Results the user may open: public ones, and every non-taken-down one of their research partnerships."""
    today = today or timezone.localdate()
    condition = public_q(today)
    if getattr(user, "is_authenticated", False) and user.is_active:
        condition |= Q(partnership_id__in=research_partnership_ids(user))
    return Result.objects.exclude(status=Result.Status.TAKEN_DOWN).filter(condition)


def results_public(*, today: dt.date | None = None) -> QuerySet[Result]:
    return Result.objects.public(today=today)


def is_public(result: Result, *, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return result.status == Result.Status.PUBLISHED and (result.embargo_until is None or result.embargo_until <= today)


def _authors_prefetch() -> Prefetch:
    return Prefetch("authors", queryset=ResultAuthor.objects.select_related("profile"))


def result_page_queryset(user, *, today: dt.date | None = None) -> QuerySet[Result]:
    """What a result page shows, in a constant number of queries."""

    return (
        results_visible_to(user, today=today)
        .select_related("partnership", "partnership__city", "partnership__call", "language")
        .prefetch_related(
            _authors_prefetch(),
            "files",
            "themes",
            "methods",
            "groups",
            Prefetch("sdg_targets", queryset=SDGTarget.objects.select_related("goal")),
        )
    )


def result_by_slug_any(slug: str) -> Result | None:
    """The result with this slug whatever its status: a taken-down one shows its notice, not a 404."""
    return Result.objects.filter(slug=slug).only("pk", "slug", "title", "status").first()


def visible_author_profiles(authors: list[ResultAuthor], viewer) -> set[int]:
    """The ids of linked author profiles the viewer may open (one query)."""
    ids = [a.profile_id for a in authors if a.profile_id]
    if not ids:
        return set()
    return set(profiles_visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))


def authorship_invitations_for(user) -> list[ResultAuthor]:
    """Invitations to confirm an authorship sent to any of the user's verified addresses, not answered yet."""
    addresses = verified_addresses(user)
    if not addresses:
        return []
    return list(
        ResultAuthor.objects.filter(invited_email__in=addresses, answered_at__isnull=True, token__isnull=False)
        .exclude(result__status=Result.Status.TAKEN_DOWN)
        .select_related("result__partnership")
        .order_by("-invited_at")
    )


def result_usage(result: Result, *, with_months: bool) -> usage.Usage:
    """Views and downloads of the result (totals for everyone; the months for partnership members)."""
    return usage.summary(result, with_months=with_months)


# --- /results/ ------------------------------------------------------------------------------------


class ResultFilter(FacetFilterSet):
    """Facets of the public results listing; unknown values are ignored rather than refused."""

    q = SearchFilter(fields=("title", "abstract"), label=_("Search titles and abstracts"))
    kind = django_filters.ChoiceFilter(choices=Result.Kind.choices, label=_("Type"))
    theme = django_filters.CharFilter(field_name="themes__slug", label=_("Human-rights theme"), distinct=True)
    sdg = WholeNumberFilter(field_name="sdg_targets__goal__number", label=_("SDG"), distinct=True)
    method = django_filters.CharFilter(field_name="methods__slug", label=_("Method"), distinct=True)
    language = django_filters.CharFilter(field_name="language__code", label=_("Language"))
    year = WholeNumberFilter(field_name="publication_date__year", max_value=9999, label=_("Year"))
    city = django_filters.CharFilter(field_name="partnership__city__slug", label=_("City"))
    licence = django_filters.ChoiceFilter(choices=Licence.choices, label=_("Licence"))
    sort = django_filters.ChoiceFilter(method="filter_sort", choices=Sort.CHOICES, label=_("Sort by"), empty_label=None)

    class Meta:
        model = Result
        fields: list[str] = []

    def filter_sort(self, queryset, name, value):
        return queryset  # ordering is applied last, in ``ordered_qs``

    @property
    def ordered_qs(self) -> QuerySet[Result]:
        if self.sort_value() == Sort.TITLE:
            return self.qs.order_by("title", "pk")
        return self.qs.order_by("-publication_date", "-published_at", "-pk")


def result_list_rows(queryset: QuerySet[Result]) -> QuerySet[Result]:
    """A page of the list with what each card shows, in a constant number of queries."""
    return queryset.select_related("partnership__city", "language").prefetch_related(_authors_prefetch(), "themes")


RESULTS = FacetedList(
    key="results",
    filterset=ResultFilter,
    base=results_public,
    facets=("kind", "theme", "sdg", "method", "language", "year", "city", "licence"),
    # The empty state suggests removing the first: the least narrowing facets, then the search.
    chips=("licence", "city", "year", "language", "method", "sdg", "theme", "kind", "q"),
    order=lambda filterset: filterset.ordered_qs,
    rows=result_list_rows,
    sort=tuple(Sort.CHOICES),
)
FACETS = RESULTS.facet_names


results_filtered = RESULTS.filtered


def latest_public(limit: int) -> list[Result]:
    return list(results_public().order_by("-published_at", "-pk")[:limit])


def city_results(organisation_id: int, *, limit: int) -> tuple[list[Result], bool]:
    """The city's public results (its partnerships'), newest first, and whether there are more."""
    rows = list(
        results_public()
        .filter(partnership__city_id=organisation_id)
        .select_related("partnership__city")
        .order_by("-publication_date", "-published_at", "-pk")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


def results_of_partnership_for_member(user, partnership) -> QuerySet[Result]:
    """All of a partnership's results a member may see (drafts for the research team)."""
    return results_visible_to(user).filter(partnership=partnership)


# --- /transparency/ -------------------------------------------------------------------------------


def takedowns_public() -> QuerySet[Takedown]:
    """Every takedown, newest first, with the kind of content it concerned."""
    return Takedown.objects.select_related("content_type").order_by("-decided_at", "-pk")


def research_results_of(user, *, limit: int = 20) -> tuple[list, bool]:
    """The partnerships where the user is on the research side, each with its results (drafts included).

    Three queries whatever the numbers; ``([], False)`` for users in no research team.
    """

    if not getattr(user, "is_authenticated", False):
        return [], False
    partnerships = list(
        Partnership.objects.filter(pk__in=research_partnership_ids(user))
        .order_by("-created_at")
        .prefetch_related(
            Prefetch(
                "results",
                queryset=Result.objects.exclude(status=Result.Status.TAKEN_DOWN).order_by("-updated_at"),
            )
        )[: limit + 1]
    )
    return partnerships[:limit], len(partnerships) > limit
