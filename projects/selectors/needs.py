"""Reads of research needs with their visibility rule: hidden needs and comments show nowhere but in their notice.

The list, the city page, search, the API, the CSV exports and the alerts all start from ``needs_public()``; the
moderation queue (``reports_open``) is for network coordinators only, and its view checks that before reading.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

import django_filters

from calls.models import ConsultationComment
from hub.facets import FacetedList, FacetFilterSet, SearchFilter
from hub.models import GroupAtRisk, Theme
from projects.models import ModerationReport, NeedComment, NeedEndorsement, NeedTopic, ResearchNeed, Takedown

PAGE_SIZE = 20
SORTS = (("newest", _("Newest first")), ("endorsed", _("Most endorsed")))


def needs_public() -> QuerySet[ResearchNeed]:
    """Needs that are not hidden, with their city and the author's organisation, newest first."""
    return ResearchNeed.objects.public().select_related("city", "organisation")


def _count(model, **filters) -> Coalesce:
    rows = model.objects.filter(need=OuterRef("pk"), **filters).order_by().values("need").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)


def with_counts(queryset: QuerySet[ResearchNeed]) -> QuerySet[ResearchNeed]:
    """Each need with ``endorsement_count``, ``comment_count`` (visible comments) and ``topic_count``, by subquery."""
    return queryset.annotate(
        endorsement_count=_count(NeedEndorsement),
        comment_count=_count(NeedComment, hidden_at__isnull=True),
        topic_count=_count(NeedTopic),
    )


class NeedFilter(FacetFilterSet):
    """Facets of /needs/; unknown values are ignored rather than refused."""

    q = SearchFilter(fields=("title", "situation", "missing_evidence"), label=_("Search the needs"))
    city = django_filters.CharFilter(field_name="city__slug", label=_("City"))
    theme = django_filters.CharFilter(field_name="themes__slug", label=_("Human-rights theme"), distinct=True)
    group = django_filters.CharFilter(field_name="groups__slug", label=_("Group at risk"), distinct=True)
    status = django_filters.ChoiceFilter(choices=ResearchNeed.Status.choices, label=_("The city's answer"))
    sort = django_filters.ChoiceFilter(method="filter_sort", choices=SORTS, label=_("Sort by"), empty_label=None)

    class Meta:
        model = ResearchNeed
        fields: list[str] = []

    def filter_sort(self, queryset, name, value):
        return queryset  # ordering is applied last, in ``ordered_qs``

    @property
    def ordered_qs(self) -> QuerySet[ResearchNeed]:
        if self.sort_value() == "endorsed":
            return with_counts(self.qs).order_by("-endorsement_count", "-created_at", "-pk")
        return self.qs.order_by("-created_at", "-pk")


def need_list_rows(queryset: QuerySet[ResearchNeed]) -> QuerySet[ResearchNeed]:
    """What each card shows: counts, themes and groups, in a constant number of queries."""
    return with_counts(queryset).prefetch_related(
        Prefetch("themes", queryset=Theme.objects.only("pk", "name", "slug", "translations")),
        Prefetch("groups", queryset=GroupAtRisk.objects.only("pk", "name", "slug", "translations")),
    )


NEEDS = FacetedList(
    key="research_needs",
    filterset=NeedFilter,
    base=needs_public,
    facets=("city", "theme", "group", "status"),
    chips=("q", "status", "group", "theme", "city"),  # most narrowing first
    page_size=PAGE_SIZE,
    order=lambda filterset: filterset.ordered_qs,
    sort=SORTS,
    rows=need_list_rows,
)


def city_needs(organisation_id: int, *, limit: int = 5) -> dict:
    """The city page's section: counts per answer and the most endorsed open needs (three queries)."""
    queryset = needs_public().filter(city_id=organisation_id)
    counts = {row["status"]: row["n"] for row in queryset.order_by().values("status").annotate(n=Count("pk"))}
    rows = list(need_list_rows(queryset).order_by("-endorsement_count", "-created_at", "-pk")[: limit + 1])
    return {
        "total": sum(counts.values()),
        "statuses": [
            {"status": s.value, "label": s.label, "count": counts[s.value]}
            for s in ResearchNeed.Status
            if counts.get(s.value)
        ],
        "needs": rows[:limit],
        "more": len(rows) > limit,
    }


def need_for_page(pk: int) -> ResearchNeed | None:
    """A need, hidden or not (a hidden one shows its notice), with what its page reads."""
    return (
        with_counts(ResearchNeed.objects.all())
        .select_related("city", "city__city_page", "organisation", "call")
        .prefetch_related("themes", "groups", "sdg_targets")
        .filter(pk=pk)
        .first()
    )


@dataclass
class NeedPage:
    """What a need's page shows beside the need: its comments (hidden ones as notices), topics and the user's state."""

    comments: list[NeedComment]
    topics: list[NeedTopic]
    takedowns: dict[int, Takedown]  # of hidden comments, by comment id
    endorsed: bool
    my_topic: NeedTopic | None


def need_page(need: ResearchNeed, user) -> NeedPage:
    """Comments with their takedowns, topics and whether the user endorsed (four queries, whatever the counts)."""
    comments = list(NeedComment.objects.filter(need=need).order_by("created_at", "pk"))
    hidden = [c.pk for c in comments if c.hidden_at is not None]
    takedowns = {}
    if hidden:
        for takedown in Takedown.objects.filter(
            content_type=ContentType.objects.get_for_model(NeedComment), object_id__in=hidden
        ).order_by("decided_at", "pk"):
            takedowns[takedown.object_id] = takedown
    for comment in comments:
        comment.takedown = takedowns.get(comment.pk)
    topics = list(NeedTopic.objects.filter(need=need))
    signed_in = getattr(user, "is_authenticated", False)
    endorsed = signed_in and NeedEndorsement.objects.filter(need=need, user=user).exists()
    mine = next((t for t in topics if signed_in and t.user_id == user.pk), None)
    return NeedPage(comments, topics, takedowns, bool(endorsed), mine)


def comment_public(pk: int) -> NeedComment | None:
    """A visible comment on a visible need."""
    return (
        NeedComment.objects.filter(pk=pk, hidden_at__isnull=True, need__hidden_at__isnull=True)
        .select_related("need")
        .first()
    )


def consultation_comment_public(pk: int) -> ConsultationComment | None:
    return (
        ConsultationComment.objects.filter(pk=pk, status=ConsultationComment.Status.PUBLISHED)
        .select_related("call")
        .first()
    )


@dataclass
class QueueItem:
    """One reported piece of content with every open report of it."""

    content_type: ContentType
    object_id: int
    obj: object | None
    reports: list[ModerationReport]

    @property
    def kind(self) -> str:
        return self.content_type.model


def reports_open() -> list[QueueItem]:
    """The coordinators' queue: open reports grouped by content, oldest first (a query per kind of content)."""
    reports = list(
        ModerationReport.objects.filter(status=ModerationReport.Status.OPEN)
        .select_related("content_type", "reporter")
        .order_by("created_at", "pk")
    )
    wanted: dict[int, set[int]] = {}
    for report in reports:
        wanted.setdefault(report.content_type_id, set()).add(report.object_id)
    objects: dict[tuple[int, int], object] = {}
    for type_id, ids in wanted.items():
        content_type = ContentType.objects.get_for_id(type_id)
        model = content_type.model_class()
        queryset = model.objects.filter(pk__in=ids)
        if model is NeedComment:
            queryset = queryset.select_related("need")
        elif model is ConsultationComment:
            queryset = queryset.select_related("call")
        for obj in queryset:
            objects[(type_id, obj.pk)] = obj
    items: dict[tuple[int, int], QueueItem] = {}
    for report in reports:
        key = (report.content_type_id, report.object_id)
        if key not in items:
            items[key] = QueueItem(report.content_type, report.object_id, objects.get(key), [])
        items[key].reports.append(report)
    return list(items.values())


def open_report_count() -> int:
    return ModerationReport.objects.filter(status=ModerationReport.Status.OPEN).count()


def user_reported(user, obj) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return ModerationReport.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, reporter=user
    ).exists()
