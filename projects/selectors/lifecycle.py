"""Reads of a partnership's life: the public part (status history, delivered reports, deliverables and their
progress share, former members, the timeline) in a constant number of queries, the management pages' reads
(404 for whoever is neither a member nor an official of the city), and the overdue reports of the dashboards."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.selectors import official_organisation_ids
from projects.models import (
    CityResponse,
    Dataset,
    Deliverable,
    MembershipChange,
    Milestone,
    Partnership,
    PartnershipMember,
    PartnershipReport,
    PolicyUptake,
    Result,
    StatusChange,
)
from projects.services.lifecycle import can_view_life


@dataclass(frozen=True)
class TimelineEntry:
    """One dated event of the public timeline; ``kind`` names its icon and badge."""

    date: dt.date
    kind: str
    label: str
    title: str
    url: str = ""
    detail: str = ""
    upcoming: bool = False
    late: bool = False


@dataclass
class PublicLife:
    """What the public page and the API show of a partnership's life."""

    status_changes: list[StatusChange]
    reports_delivered: list[PartnershipReport]
    deliverables: list[Deliverable]
    former_members: list[MembershipChange]
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def status_reason(self) -> str:
        return self.status_changes[-1].reason if self.status_changes else ""

    @property
    def progress(self) -> dict:
        """Delivered share of the public deliverables that were not dropped (None without any)."""
        counted = [d for d in self.deliverables if d.status != Deliverable.Status.DROPPED]
        delivered = sum(1 for d in counted if d.status == Deliverable.Status.DELIVERED)
        share = round(100 * delivered / len(counted)) if counted else None
        return {"delivered": delivered, "total": len(counted), "percent": share}


# What anyone may know of a report: which one, and when it was delivered; never its content or the city's comments.
REPORT_PUBLIC_FIELDS = ("pk", "partnership_id", "kind", "title", "due_date", "submitted_at", "status")


def reports_delivered_public() -> QuerySet[PartnershipReport]:
    """The one public rule of reports (the partnership page, the API, the exports): the accepted reports of public
    partnerships, with only ``REPORT_PUBLIC_FIELDS`` read. Due, submitted and returned reports are not public."""
    return PartnershipReport.objects.filter(status=PartnershipReport.Status.ACCEPTED, partnership__is_public=True).only(
        *REPORT_PUBLIC_FIELDS
    )


def deliverables_public(*, today: dt.date | None = None) -> QuerySet[Deliverable]:
    """The one public rule of deliverables (the partnership page, the API, the exports): those marked public, of
    public partnerships, with only their public results and datasets (``public_results``, ``public_datasets``).
    Members-only deliverables are shown on the manage page alone."""
    today = today or timezone.localdate()
    return Deliverable.objects.filter(is_public=True, partnership__is_public=True).prefetch_related(
        Prefetch("results", queryset=Result.objects.public(today=today), to_attr="public_results"),
        Prefetch("datasets", queryset=Dataset.objects.public(), to_attr="public_datasets"),
    )


def public_deliverables(partnership: Partnership, *, today: dt.date) -> list[Deliverable]:
    """Public deliverables with only their public results and datasets (three queries)."""
    return list(deliverables_public(today=today).filter(partnership=partnership))


def former_members(partnership: Partnership) -> list[MembershipChange]:
    """People who left, newest first, once each (a person who came back is a member again, not a former one)."""
    current_users = set(partnership.members.filter(user__isnull=False).values_list("user_id", flat=True))
    seen, former = set(), []
    for change in partnership.membership_changes.filter(kind=MembershipChange.Kind.LEFT).select_related(
        "organisation", "country"
    ):
        key = change.user_id or ("name", change.name)
        if key in seen or (change.user_id and change.user_id in current_users):
            continue
        seen.add(key)
        former.append(change)
    return former


def partnership_life_public(
    partnership: Partnership,
    *,
    results: list[Result],
    milestones: list[Milestone],
    today: dt.date | None = None,
) -> PublicLife:
    """The public life of a partnership; ``results`` and ``milestones`` are the public ones the page already read.

    A constant number of queries whatever the number of events: one per kind of event.
    """
    today = today or timezone.localdate()
    status_changes = list(partnership.status_changes.order_by("changed_at", "pk"))
    reports = list(reports_delivered_public().filter(partnership=partnership).order_by("submitted_at", "pk"))
    deliverables = public_deliverables(partnership, today=today)
    result_ids = [r.pk for r in results]
    responses = list(
        CityResponse.objects.filter(result_id__in=result_ids, responded_at__isnull=False)
        .exclude(stance=CityResponse.Stance.PENDING)
        .select_related("result")
    )
    uptakes = list(PolicyUptake.objects.filter(result_id__in=result_ids).select_related("result"))
    life = PublicLife(status_changes, reports, deliverables, former_members(partnership))
    life.timeline = _timeline(partnership, life, results, milestones, responses, uptakes, today)
    return life


def _timeline(partnership, life, results, milestones, responses, uptakes, today) -> list[TimelineEntry]:
    entries = []
    if partnership.started_at:
        if partnership.call_id:
            entries.append(
                TimelineEntry(
                    partnership.started_at, "award", _("Awarded"), partnership.call.title if partnership.call else ""
                )
            )
        else:
            entries.append(TimelineEntry(partnership.started_at, "award", _("Started"), partnership.title))
    for change in life.status_changes:
        entries.append(
            TimelineEntry(
                change.effective_on,
                "status",
                _("Status"),
                change.get_to_status_display(),
                detail=change.reason,
            )
        )
    for milestone in milestones:
        date = milestone.completed_at or milestone.due_date
        entries.append(
            TimelineEntry(
                date,
                "milestone",
                _("Milestone"),
                milestone.title,
                detail=milestone.get_status_display(),
                upcoming=date > today,
                late=getattr(milestone, "is_late", False),
            )
        )
    for report in life.reports_delivered:
        entries.append(
            TimelineEntry(timezone.localdate(report.submitted_at), "report", _("Report delivered"), report.title)
        )
    for deliverable in life.deliverables:
        if deliverable.status == Deliverable.Status.DELIVERED and deliverable.delivered_on:
            entries.append(
                TimelineEntry(deliverable.delivered_on, "deliverable", _("Deliverable delivered"), deliverable.title)
            )
    for result in results:
        date = result.public_since or result.publication_date
        if date:
            entries.append(TimelineEntry(date, "result", _("Result"), result.title, url=result.get_absolute_url()))
    for response in responses:
        entries.append(
            TimelineEntry(
                timezone.localdate(response.responded_at),
                "response",
                _("City response"),
                response.result.title,
                url=response.result.get_absolute_url(),
                detail=response.get_stance_display(),
            )
        )
    for uptake in uptakes:
        entries.append(
            TimelineEntry(
                uptake.date,
                "decision",
                _("Decision informed"),
                uptake.title,
                url=uptake.result.get_absolute_url(),
                detail=uptake.get_kind_display(),
            )
        )
    order = ["award", "milestone", "deliverable", "report", "result", "response", "decision", "status"]
    return sorted(entries, key=lambda e: (e.date, order.index(e.kind)))


# Management pages ----------------------------------------------------------------------------------------------


def life_for(user, slug: str) -> Partnership:
    """The partnership for its management pages: current members and the city's officials; 404 for everyone else."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    partnership = Partnership.objects.select_related("city", "call", "proposal").filter(slug=slug).first()
    if partnership is None or not can_view_life(user, partnership)[0]:
        raise Http404
    return partnership


def life_members(partnership: Partnership) -> list[PartnershipMember]:
    return list(partnership.members.select_related("organisation", "country", "user"))


def life_changes(partnership: Partnership) -> list[MembershipChange]:
    return list(partnership.membership_changes.select_related("changed_by"))


def life_reports(partnership: Partnership) -> list[PartnershipReport]:
    return list(partnership.reports.order_by("due_date", "pk"))


def life_report(partnership: Partnership, pk: int) -> PartnershipReport:
    report = partnership.reports.prefetch_related("attachments").filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def life_deliverables(partnership: Partnership) -> list[Deliverable]:
    return list(partnership.deliverables.prefetch_related("results", "datasets"))


def life_agreements(partnership: Partnership):
    return list(partnership.agreements.select_related("document"))


# Dashboards ----------------------------------------------------------------------------------------------------


def _open_reports() -> QuerySet[PartnershipReport]:
    return PartnershipReport.objects.select_related("partnership").order_by("due_date", "pk")


def reports_for_team(user, *, today: dt.date) -> list[PartnershipReport]:
    """Open reports (due within a month, overdue or returned) of the partnerships the user researches in."""
    return list(
        _open_reports().filter(
            partnership__members__user=user,
            partnership__members__side=PartnershipMember.Side.RESEARCH,
            status__in=PartnershipReport.OPEN,
            due_date__lte=today + dt.timedelta(days=31),
        )[:50]
    )


def reports_for_city(user, *, today: dt.date) -> list[PartnershipReport]:
    """Reports of the user's cities that wait for review, or are overdue."""
    return list(
        _open_reports()
        .filter(partnership__city_id__in=official_organisation_ids(user))
        .filter(
            Q(status=PartnershipReport.Status.SUBMITTED) | Q(status__in=PartnershipReport.OPEN, due_date__lt=today)
        )[:50]
    )


def report_url(report: PartnershipReport) -> str:
    return reverse("life_report", args=[report.partnership.slug, report.pk])
