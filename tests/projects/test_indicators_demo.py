"""The indicators demo: realistic, marked as demo, deterministic and idempotent."""

import io
import random

import pytest

from projects.demo import indicators as demo
from projects.models import Indicator, Observation

pytestmark = pytest.mark.django_db


def test_demo_indicators_are_marked_idempotent_and_disaggregated(make_city):
    graz, _ = make_city("Graz")
    make_city("Vienna")
    demo.seed(rng=random.Random(1), stdout=io.StringIO())
    first = {(o.indicator_id, o.city_id, o.period, o.disaggregation_key): o.value for o in Observation.objects.all()}
    demo.seed(rng=random.Random(1), stdout=io.StringIO())
    again = {(o.indicator_id, o.city_id, o.period, o.disaggregation_key): o.value for o in Observation.objects.all()}
    assert first == again
    assert Indicator.objects.count() >= 6
    assert all("Demo figures" in i.definition for i in Indicator.objects.all())
    assert Observation.objects.filter(city=graz).values("indicator").distinct().count() == 7
    assert Observation.objects.filter(disaggregation_key="sex=female").exists()
    assert Observation.objects.filter(disaggregation_key__startswith="age_group=").exists()
    housing = Indicator.objects.get(slug="households-overburdened-by-housing-costs")
    assert housing.sdg_indicator.code == "11.1.1" and housing.type == "outcome"
    years = sorted(set(Observation.objects.filter(indicator=housing, city=graz).values_list("period", flat=True)))
    assert years[0] == "2017" and years[-1] == "2025"
