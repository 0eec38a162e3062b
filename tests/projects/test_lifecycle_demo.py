"""Demo life of partnerships: a completed partnership with its accepted reports, deliverables, agreement and a
former member; reports due elsewhere (one overdue); idempotent."""

import datetime as dt
import io
import random

from django.utils import timezone

from projects.demo import lifecycle as demo
from projects.demo import results as results_demo
from projects.factories import PartnershipFactory, add_member
from projects.models import Agreement, Deliverable, MembershipChange, Partnership, PartnershipReport


def test_demo_completes_one_partnership_with_its_reports_and_is_idempotent(partnership, researcher, city):
    Partnership.objects.filter(pk=partnership.pk).update(started_at=timezone.localdate() - dt.timedelta(days=200))
    other = PartnershipFactory(city=city[0], started_at=timezone.localdate() - dt.timedelta(days=30))
    add_member(other, researcher)
    results_demo.seed(rng=random.Random(1), stdout=io.StringIO())
    for _ in range(2):
        demo.seed(rng=random.Random(1), stdout=io.StringIO())
    partnership.refresh_from_db()
    assert partnership.status == "completed" and partnership.status_changes.get().reason
    reports = list(partnership.reports.order_by("due_date"))
    assert [r.status for r in reports] == ["accepted"] * 3 and reports[-1].kind == "final"
    assert all(demo.DEMO in r.work_done for r in reports)
    assert Deliverable.objects.filter(partnership=partnership, status="delivered").count() == 3
    assert Agreement.objects.filter(partnership=partnership).count() == 1
    assert MembershipChange.objects.filter(partnership=partnership, kind="left").count() == 1
    assert PartnershipReport.objects.filter(partnership=other).count() == 2
    assert other.reports.get(kind="progress").is_overdue(timezone.localdate())
