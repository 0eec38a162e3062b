"""Demo research needs: three needs marked as demo, one answered, one turned into a call; idempotent."""

import io
import random

import pytest

from profiles import demo as profiles_demo
from projects.demo import needs as demo
from projects.models import NeedTopic, ResearchNeed


@pytest.mark.django_db
def test_demo_needs_are_marked_answered_turned_into_a_call_and_idempotent():
    profiles_demo.seed(rng=random.Random(1), stdout=io.StringIO())
    for _ in range(2):
        demo.seed(rng=random.Random(1), stdout=io.StringIO())
    needs = list(ResearchNeed.objects.all())
    assert len(needs) == 3
    assert all(demo.DEMO in n.situation for n in needs)
    assert ResearchNeed.objects.filter(status=ResearchNeed.Status.COVERED).count() == 1
    turned = ResearchNeed.objects.get(call__isnull=False)
    assert turned.status == ResearchNeed.Status.ACCEPTED and not turned.call.live
    assert all(n.endorsements.exists() for n in needs)
    assert NeedTopic.objects.count() == 1
