"""Flow 4 and recommendations 5–6 in the browser: indicator charts, the city's data gaps, commissioning a gap."""

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone

from playwright.sync_api import expect

from calls.models import ResearchCall
from hub.models import Theme
from profiles.models import CityPage
from projects.models import Indicator, Observation
from tests.e2e.helpers import sign_in


def _housing_data(graz):
    indicator = Indicator.objects.create(
        title="Households overburdened by housing costs",
        slug="households-overburdened-by-housing-costs",
        type=Indicator.Type.OUTCOME,
        obligation=Indicator.Obligation.FULFIL,
        theme=Theme.objects.get(slug="adequate-housing"),
        unit="% of households",
        definition="Share of households spending more than 40% of their income on housing.",
    )
    year = timezone.localdate().year
    for offset, value in ((4, "19.5"), (2, "18.0"), (1, "16.2")):
        Observation.objects.create(
            indicator=indicator,
            city=graz,
            period=str(year - offset),
            period_start=dt.date(year - offset, 1, 1),
            value=Decimal(value),
        )
    return indicator


def test_reader_sees_charts_and_gaps_and_an_official_commissions_research(new_page, city, password):
    graz, official = city
    indicator = _housing_data(graz)
    city_page = CityPage.objects.get(organisation=graz)

    reader = new_page()
    reader.goto(indicator.get_absolute_url())
    chart = reader.get_by_role("img", name=re.compile("over time, by city"))
    expect(chart).to_be_visible()
    figure = reader.locator("figure").filter(has=reader.locator("#chart-series-title"))
    figure.get_by_text("Show the data as a table").click()
    table = figure.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.get_by_role("rowheader", name="City of Graz")).to_be_visible()
    expect(table).to_contain_text("16.2")

    reader.goto(city_page.url)
    expect(reader.get_by_role("heading", name="Human-rights indicators")).to_be_visible()
    expect(reader.get_by_role("link", name=indicator.title)).to_be_visible()
    expect(reader.get_by_role("heading", name="Data gaps")).to_be_visible()
    gaps = reader.get_by_role("table").filter(has_text="Right to health")
    expect(gaps.get_by_role("row", name=re.compile("Right to health")).get_by_text("No data")).to_be_visible()
    expect(reader.get_by_role("button", name=re.compile("Commission research"))).to_have_count(0)

    official_page = new_page()
    sign_in(official_page, official.email, password)
    official_page.goto(city_page.url)
    row = official_page.get_by_role("row", name=re.compile("Right to health"))
    row.get_by_role("button", name=re.compile("Commission research for this gap")).click()

    expect(official_page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
    call = ResearchCall.objects.get(title="Research on the right to health — data gap")
    title_field = official_page.get_by_role("textbox", name=re.compile("^Title"))
    expect(title_field.first).to_have_value(call.title)
    assert list(call.themes.values_list("slug", flat=True)) == ["health"]
    assert not call.live
