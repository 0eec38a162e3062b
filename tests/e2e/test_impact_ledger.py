"""The impact ledger (issue 19 §3): a city official names the indicator a decision intends to move and adds a step
of its implementation with evidence; the public decision page shows the trail and the chart with the decision date."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from playwright.sync_api import expect

from hub.models import Theme
from projects.factories import PartnershipFactory
from projects.models import Indicator, Observation, Result
from projects.services import uptake as uptake_services
from tests.e2e.helpers import sign_in

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_an_official_keeps_the_trail_and_the_public_follows_it(new_page, make_city, password):
    graz, official = make_city("Graz")
    partnership = PartnershipFactory(title="Housing rights monitor Graz", slug="housing-rights-graz", city=graz)
    result = Result.objects.create(
        partnership=partnership,
        title="Older tenants and eviction in Graz",
        slug="older-tenants-eviction-graz",
        abstract="What older tenants told us about evictions.",
        status=Result.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=1200),
    )
    decided = timezone.localdate() - dt.timedelta(days=730)
    uptake = uptake_services.uptake_create(
        result=result, by=official, kind="plan", title="Municipal Housing Plan, measure 4.2", date=decided
    )
    indicator = Indicator.objects.create(
        title="Households overburdened by housing costs",
        slug="households-overburdened-by-housing-costs",
        type=Indicator.Type.OUTCOME,
        obligation=Indicator.Obligation.FULFIL,
        theme=Theme.objects.get(slug="adequate-housing"),
        unit="% of households",
        definition="Share of households spending more than 40% of their income on housing.",
    )
    for year, value in ((decided.year - 2, "18.5"), (decided.year - 1, "17.9"), (timezone.localdate().year, "15.2")):
        Observation.objects.create(
            indicator=indicator, city=graz, period=str(year), period_start=dt.date(year, 1, 1), value=Decimal(value)
        )

    page = new_page()
    sign_in(page, official.email, password)
    page.goto("/results/uptake/")
    page.get_by_role("link", name="Municipal Housing Plan, measure 4.2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Municipal Housing Plan, measure 4.2")

    # The indicator it intends to move, the department, the status.
    page.get_by_role("link", name="Edit status, department and indicators").click()
    page.get_by_label("Implementation status").select_option(label="In progress")
    page.get_by_label("Progress share (%)").fill("20")
    page.get_by_label("Responsible department").fill("Department of Housing")
    page.get_by_label("Households overburdened by housing costs").check()
    page.get_by_role("button", name="Save the implementation").click()
    expect(page.get_by_text("The implementation of this decision is updated.")).to_be_visible()

    # A step with evidence: a bad link is answered in the page and the typed text is kept.
    page.get_by_role("link", name="Add a step to the implementation trail").click()
    page.get_by_label("Date", exact=True).fill((decided + dt.timedelta(days=60)).isoformat())
    page.get_by_label("What happened").fill("Tender for 120 housing units launched.")
    page.get_by_label("Evidence link").fill("javascript:alert(1)")
    page.get_by_label("Progress share (%)").fill("35")
    page.get_by_role("button", name="Add the step").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("http:// or https://")
    expect(page.get_by_label("What happened")).to_have_value("Tender for 120 housing units launched.")
    page.get_by_label("Evidence link").fill("https://graz.example.org/tender")
    page.get_by_label("Evidence file").set_input_files(
        {"name": "tender-notice.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Add the step").click()
    expect(page.get_by_text("The step is added to the implementation trail.")).to_be_visible()

    # The public decision page: the trail, the evidence, the chart with the decision date and its table.
    reader = new_page()
    reader.goto(uptake.get_absolute_url())
    trail = reader.locator(".ledger-trail")
    expect(trail).to_contain_text("Tender for 120 housing units launched.")
    expect(trail.get_by_role("link", name="tender-notice.pdf")).to_be_visible()
    expect(reader.get_by_role("main")).to_contain_text("35% implemented")
    expect(reader.get_by_role("main")).to_contain_text("Department of Housing")
    expect(reader.get_by_role("link", name="Housing rights monitor Graz")).to_be_visible()
    chart = reader.get_by_role("img", name="Households overburdened by housing costs in City of Graz")
    expect(chart).to_be_visible()
    expect(reader.locator(".chart__marker")).to_contain_text(f"Decision of {decided:%d %b %Y}")
    reader.get_by_text("Show the data as a table").click()
    expect(reader.get_by_role("row", name=str(decided.year - 1))).to_contain_text("Before the decision")
    expect(reader.get_by_role("row", name=str(timezone.localdate().year))).to_contain_text("After the decision")
    expect(reader.get_by_role("link", name="Add a step to the implementation trail")).to_have_count(0)
    evidence = reader.request.get(trail.get_by_role("link", name="tender-notice.pdf").get_attribute("href"))
    assert evidence.status == 200 and evidence.body().startswith(b"%PDF-")
