"""Demo life of partnerships (issue 19 §1): one partnership completed with its accepted reports, deliverables
linked to its results, its signed agreement and a member who left; the others with reports due (one overdue).

Idempotent: once a report was accepted, nothing more is added. Everything typed here says it is demo content.
"""

import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from profiles.models import Membership
from projects.models import (
    Deliverable,
    MembershipChange,
    Partnership,
    PartnershipMember,
    PartnershipReport,
    Result,
)
from projects.services import lifecycle as services

DEMO = "Demo content."
REPORTS = [
    (
        "Progress report 1",
        "Ethics approval obtained; 42 households interviewed in three districts; the advisory group of tenants met "
        "twice.",
        "Interviews in the northern district moved to the second quarter (fieldworker illness).",
        "Households facing eviction are hard to reach; we work with the tenants' association to contact them.",
        "Finish the interviews; first coding of the transcripts.",
    ),
    (
        "Progress report 2",
        "All 96 interviews done and coded; a first data set of support received after an eviction notice.",
        "None.",
        "Small numbers per district: we publish district counts with small cells suppressed.",
        "Write the policy brief with the city's housing office; validate the findings with participants.",
    ),
    (
        "Final report",
        "Policy brief and data set published; findings validated with 30 participants in two community meetings.",
        "The planned survey was replaced by a second round of interviews, agreed with the city.",
        "Follow-up depends on the city's new eviction-prevention service.",
        "The city monitors the indicators yearly; the team remains available for the evaluation.",
    ),
]


def seed(*, rng: random.Random, stdout) -> None:
    partnerships = list(Partnership.objects.filter(city__isnull=False, started_at__isnull=False).order_by("pk"))
    if not partnerships or PartnershipReport.objects.filter(status=PartnershipReport.Status.ACCEPTED).exists():
        return
    today = timezone.localdate()
    completed = max(
        partnerships, key=lambda p: (Result.objects.public(today=today).filter(partnership=p).count(), -p.pk)
    )
    done = _complete(completed, today)
    scheduled = 0
    for n, partnership in enumerate(p for p in partnerships if p.pk != completed.pk):
        scheduled += _schedule(partnership, today, overdue=n == 0)
    stdout.write(f"Demo partnership life: {done} completed partnership, {scheduled} reports scheduled.")


def _official(partnership: Partnership):
    membership = (
        Membership.objects.filter(organisation=partnership.city, status=Membership.Status.APPROVED)
        .select_related("user")
        .order_by("-role", "pk")
        .first()
    )
    return membership.user if membership else None


def _researcher(partnership: Partnership):
    member = (
        partnership.members.filter(side=PartnershipMember.Side.RESEARCH, user__isnull=False)
        .select_related("user")
        .order_by("-is_lead", "pk")
        .first()
    )
    return member.user if member else None


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _complete(partnership: Partnership, today: dt.date) -> int:
    official, researcher = _official(partnership), _researcher(partnership)
    if official is None or researcher is None:
        return 0
    partnership.reports.all().delete()  # the final report the award scheduled: this one is written in full
    start = partnership.started_at
    span = max((today - start).days - 10, 30)
    for n, (title, done, changes, risks, steps) in enumerate(REPORTS):
        due = start + dt.timedelta(days=span * (n + 1) // len(REPORTS))
        submitted = min(due - dt.timedelta(days=2), today - dt.timedelta(days=6))
        PartnershipReport.objects.create(
            partnership=partnership,
            kind=PartnershipReport.Kind.FINAL if n == len(REPORTS) - 1 else PartnershipReport.Kind.PROGRESS,
            title=title,
            due_date=due,
            status=PartnershipReport.Status.ACCEPTED,
            work_done=f"{done} {DEMO}",
            plan_changes=changes,
            risks=risks,
            next_steps=steps,
            review_comment="Thank you: accepted." if n else "Accepted after adding the risks section.",
            times_returned=0 if n else 1,
            submitted_at=_at(submitted),
            submitted_by=researcher,
            reviewed_at=_at(submitted + dt.timedelta(days=1)),
            reviewed_by=official,
            reminded_at=_at(due - dt.timedelta(days=7)),
            created_by=official,
        )
    results = list(Result.objects.filter(partnership=partnership).order_by("pk"))
    for n, (title, share) in enumerate([("Interview study", 0.4), ("Policy brief", 0.8), ("Open data set", 0.9)]):
        deliverable = Deliverable.objects.create(
            partnership=partnership,
            title=f"{title} (demo)",
            description=DEMO,
            due_date=start + dt.timedelta(days=int(span * share)),
            status=Deliverable.Status.DELIVERED,
            delivered_on=min(start + dt.timedelta(days=int(span * share)), today - dt.timedelta(days=7)),
            created_by=researcher,
        )
        if n < len(results):
            deliverable.results.set([results[n]])
    if not partnership.agreements.exists():
        services.agreement_add(
            partnership=partnership,
            by=official,
            kind="agreement",
            title="Research agreement (demo)",
            signed_on=start,
            upload=SimpleUploadedFile(
                "research-agreement.txt",
                f"Research agreement between the city and the research team. {DEMO}\n".encode(),
                content_type="text/plain",
            ),
        )
    MembershipChange.objects.create(
        partnership=partnership,
        kind=MembershipChange.Kind.LEFT,
        name="Jonas Weber (demo)",
        side=PartnershipMember.Side.RESEARCH,
        affiliation="Research assistant, University (demo)",
        role_before="Research assistant",
        changed_by=official,
        changed_at=_at(start + dt.timedelta(days=span // 2)),
    )
    services.partnership_set_status(
        partnership=partnership,
        by=official,
        status=Partnership.Status.COMPLETED,
        expected=partnership.status,
        reason="All deliverables delivered and the final report accepted.",
        effective_on=min(today, max(start, today - dt.timedelta(days=5))),
    )
    return 1


def _schedule(partnership: Partnership, today: dt.date, *, overdue: bool) -> int:
    official = _official(partnership)
    if official is None:
        return 0
    first = today - dt.timedelta(days=3) if overdue else today + dt.timedelta(days=20)
    services.report_schedule(
        partnership=partnership, by=official, kind="progress", due_date=max(first, partnership.started_at)
    )
    if partnership.reports.filter(kind="final").exists():
        return 1
    services.report_schedule(
        partnership=partnership, by=official, kind="final", due_date=today + dt.timedelta(days=200)
    )
    return 2
