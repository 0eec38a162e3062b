"""Demo partnerships: milestones (one late), partners from an NHRI or civil society, notes, two registered ones."""

import io
import random

from django.utils import timezone

from profiles import demo as profiles_demo
from projects.demo import partnerships as demo
from projects.models import Milestone, Partnership, PartnershipMember, WorkspaceNote


def counts():
    return [m.objects.count() for m in (Partnership, PartnershipMember, Milestone, WorkspaceNote)]


def test_demo_enriches_every_partnership_registers_four_and_is_idempotent(db, partnership):
    profiles_demo.seed(rng=random.Random(1), stdout=io.StringIO())
    demo.seed(rng=random.Random(1), stdout=io.StringIO())
    first = counts()
    demo.seed(rng=random.Random(1), stdout=io.StringIO())
    assert counts() == first

    registered = Partnership.objects.filter(origin=Partnership.Origin.REGISTERED, call__isnull=True).exclude(
        pk=partnership.pk
    )
    assert registered.count() == 4
    assert all(demo.DEMO in p.summary for p in registered)
    barcelona = registered.get(city__name="Barcelona City Council")
    assert barcelona.members.filter(side="research", user__isnull=False).exists()
    assert barcelona.members.filter(side="city", user__isnull=False).exists()
    assert barcelona.members.get(side="partner").organisation.kind == "nhri"
    assert barcelona.themes.filter(slug="adequate-housing").exists()

    today = timezone.localdate()
    for p in Partnership.objects.all():
        milestones = list(p.milestones.all())
        assert 3 <= len(milestones) <= 5
        assert any(m.status == Milestone.Status.DONE for m in milestones)
        late = [m for m in milestones if m.due_date < today and m.status not in ("done", "dropped")]
        assert len(late) == 1
        assert p.members.filter(side=PartnershipMember.Side.PARTNER).exists()
        assert p.notes.count() == 2
