"""Flows 4 and 5 of DESIGN.md end to end, each person in their own browser.

Flow 4: the research team publishes a result and an open dataset, imports indicator observations from it, the city
page charts them, and the city records its response and the decision the result informed.
Flow 5: a network coordinator turns the partnership into a case study; a reader in another country finds it by facet
and by search, downloads the data as CSV and finds the same records in the open data API.
"""

import csv
import datetime as dt
import io
import re
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from playwright.sync_api import Page, expect

from hub.models import Theme
from profiles.factories import ResearcherProfileFactory
from profiles.models import CityPage
from projects.factories import PartnershipFactory, add_member
from projects.models import CaseStudyPage, Dataset, Indicator, Observation, PartnershipMember, PolicyUptake, Result
from projects.services import datasets as dataset_services
from projects.services import results as result_services
from tests.dates import city_today
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.helpers import sign_in
from tests.e2e.test_decisions import write

RENT_BURDEN_CSV = "year,overburdened_share\n2021,19.5\n2022,18.0\n2023,16.2\n"
HOUSEHOLDS_CSV = "district,households,year\nInnere Stadt,120,2023\nGösting,85,2023\nLend,64,2023\n"


def graz_partnership(city, researcher, *, title: str, slug: str, summary: str = ""):
    """The city of Graz and a research lead in a public partnership; the city's official is on the city side."""
    organisation, official = city
    partnership = PartnershipFactory(
        title=title, slug=slug, city=organisation, summary=summary or "Tenants and the city measure housing rights."
    )
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH, role="Lead researcher")
    add_member(partnership, official, side=PartnershipMember.Side.CITY, organisation=organisation)
    return partnership


def upload_open_dataset(page: Page, partnership, *, file: Path, title: str) -> None:
    """The research member uploads a CSV as open aggregated data, checks the schema and publishes it."""
    page.goto(f"/partnerships/{partnership.slug}/datasets/new/")
    main = page.get_by_role("main")
    main.get_by_label(re.compile(r"^CSV file")).set_input_files(str(file))
    main.get_by_label(re.compile(r"^Title")).fill(title)
    main.get_by_label(re.compile(r"^Description")).fill("Share of households overburdened by housing costs, per year.")
    main.get_by_label("Open: anyone can download").check()
    main.get_by_label("Aggregated counts only").check()
    main.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("is uploaded as a draft: 3 rows")).to_be_visible()
    expect(page.get_by_role("table").get_by_role("rowheader", name="overburdened_share")).to_be_visible()
    expect(page.get_by_label("Type of year")).to_have_value("integer")
    expect(page.get_by_label("overburdened_share holds counts")).not_to_be_checked()
    page.get_by_label("Description of overburdened_share").fill("Households spending over 40% of income on housing")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    page.get_by_role("button", name="Publish dataset").click()
    expect(page.get_by_text("is published.")).to_be_visible()


def test_flow_4_results_data_indicators_and_the_city_decision(new_page, tmp_path, city, researcher, password):
    organisation, official = city
    partnership = graz_partnership(
        city, researcher, title="Housing cost monitor Graz", slug="housing-cost-monitor-graz"
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
    outsider = ResearcherProfileFactory(user__email="outsider.researcher@example.org").user
    data_file = tmp_path / "rent-burden-graz.csv"
    data_file.write_text(RENT_BURDEN_CSV, encoding="utf-8")

    # The research team publishes a result ...
    team = new_page()
    sign_in(team, researcher.email, password)
    team.goto(f"/partnerships/{partnership.slug}/results/new/")
    main = team.get_by_role("main")
    main.get_by_label("Type").select_option("report")
    main.get_by_label("Title", exact=True).fill("Rent burden of Graz households, 2021 to 2023")
    main.get_by_label("Abstract").fill(
        "The share of households overburdened by housing costs fell from 19.5% to 16.2%."
    )
    main.get_by_label("Publication date").fill("2026-03-01")
    main.get_by_label("DOI").fill("10.5555/bridges-e2e.flow4")
    researcher.researcher_profile.orcid = "0000-0002-1825-0097"
    researcher.researcher_profile.save(update_fields=["orcid"])
    main.get_by_role("group", name="Author 1").get_by_label("ORCID iD or email address").fill("0000-0002-1825-0097")
    main.get_by_role("button", name="Save draft").click()
    expect(team).to_have_url(re.compile(r"/results/rent-burden-of-graz-households-2021-to-2023/edit/$"))
    team.goto("/results/rent-burden-of-graz-households-2021-to-2023/")
    team.get_by_role("button", name="Publish").click()
    expect(team.get_by_role("status")).to_contain_text("Published: the result is public now.")
    result = Result.objects.get(partnership=partnership)
    assert result.status == Result.Status.PUBLISHED

    # ... uploads and publishes the open dataset behind it ...
    upload_open_dataset(team, partnership, file=data_file, title="Rent burden in Graz 2021–2023")
    dataset = Dataset.objects.get(partnership=partnership)
    assert dataset.status == Dataset.Status.PUBLISHED

    # ... and maps its columns to the indicator: a preview first, then the import.
    team.goto(f"/partnerships/{partnership.slug}/indicators/import/")
    team.get_by_label("Dataset", exact=True).select_option(label=dataset.title)
    team.get_by_role("button", name="Continue").click()
    mapping = team.get_by_role("form", name=re.compile("Map the columns"))
    mapping.get_by_label("Indicator", exact=True).select_option(label=indicator.title)
    mapping.get_by_label("Period column").select_option("year")
    mapping.get_by_label("Value column").select_option("overburdened_share")
    mapping.get_by_label("All rows are about one city").check()
    mapping.get_by_role("combobox", name=re.compile(r"^The city")).select_option(label=organisation.name)
    mapping.get_by_role("button", name="Preview").click()
    expect(team.get_by_role("status").filter(has_text="Importing would give")).to_contain_text("3 values created")
    assert not Observation.objects.exists()
    team.get_by_role("form", name=re.compile("Map the columns")).get_by_role("button", name="Import").click()
    expect(team.get_by_text(f"Imported into “{indicator.title}”: 3 created, 0 updated, 0 skipped.")).to_be_visible()
    stored = sorted((period, float(value)) for period, value in Observation.objects.values_list("period", "value"))
    assert stored == [("2021", 19.5), ("2022", 18.0), ("2023", 16.2)]
    assert set(Observation.objects.values_list("city_id", "source_dataset_id")) == {(organisation.pk, dataset.pk)}

    # A reader sees the indicator with its trend chart on the city page, and the full chart on the indicator page.
    reader = new_page()
    reader.goto(CityPage.objects.get(organisation=organisation).url)
    expect(reader.get_by_role("heading", name="Human-rights indicators")).to_be_visible()
    card = reader.get_by_role("listitem").filter(has=reader.get_by_role("link", name=indicator.title))
    expect(card).to_contain_text("16.2")
    expect(card).to_contain_text("in 2023")
    sparkline = card.get_by_role("img", name="Trend over 3 periods, 2021 to 2023")
    expect(sparkline).to_be_visible()
    expect(sparkline.locator("polyline")).to_have_count(1)
    card.get_by_role("link", name=indicator.title).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(indicator.title)
    expect(reader.get_by_role("img", name=re.compile("over time, by city"))).to_be_visible()

    # The city official cannot edit the team's result: the city answers beside it.
    city_side = new_page()
    sign_in(city_side, official.email, password)
    response = city_side.goto(f"{result.get_absolute_url()}edit/")
    assert response.status == 403
    expect(city_side.get_by_role("heading", level=1)).to_have_text("You cannot do this")

    # The city responds and records the decision the result informed.
    city_side.goto(result.get_absolute_url())
    city_side.get_by_role("link", name="Respond to this result").click()
    city_side.get_by_label("Partly accepted").check()
    city_side.get_by_label("The city's reasons").fill("Housing allowance: yes. Rent regulation is a federal matter.")
    city_side.get_by_label("Public reply").fill("Thank you for the evidence; we will keep measuring with you.")
    city_side.get_by_role("button", name="Publish the response").click()
    expect(city_side.get_by_text("The city's response is published beside the result.")).to_be_visible()
    city_side.get_by_role("link", name="Record a decision it informed").click()
    city_side.get_by_label("Kind", exact=True).select_option(label="Plan or strategy")
    city_side.get_by_label("Title", exact=True).fill("Graz housing allowance reform 2026")
    city_side.get_by_label("Date of the decision").fill(city_today().isoformat())
    city_side.get_by_label("Deciding body").fill("City council")
    city_side.get_by_label("Link").fill("https://graz.example.org/housing-allowance")
    city_side.get_by_role("button", name="Record the decision").click()
    expect(city_side.get_by_text("The decision is recorded and shown with the result.")).to_be_visible()
    assert PolicyUptake.objects.filter(result=result).count() == 1

    # A reader sees the response and the decision beside the result, and on /results/uptake/.
    reader.goto(result.get_absolute_url())
    panel = reader.locator(".uptake-panel")
    expect(panel).to_contain_text("Partly accepted")
    expect(panel).to_contain_text("Rent regulation is a federal matter.")
    expect(panel.get_by_role("link", name="Graz housing allowance reform 2026", exact=True)).to_be_visible()
    reader.goto("/results/uptake/")
    expect(reader.get_by_role("heading", level=1)).to_have_text("Policy uptake")
    expect(reader.get_by_text("1 decision found")).to_be_visible()
    expect(reader.get_by_role("link", name=result.title)).to_be_visible()
    expect(reader.get_by_role("main")).to_contain_text("Graz housing allowance reform 2026")

    # A researcher outside the partnership does not even learn that its workspace exists.
    stranger = new_page()
    sign_in(stranger, outsider.email, password)
    assert stranger.goto(f"/partnerships/{partnership.slug}/workspace/").status == 404
    assert team.goto(f"/partnerships/{partnership.slug}/workspace/").status == 200


@pytest.fixture
def reader_abroad(browser, live_server):
    """A reader in Spain: a browser context with another locale and time zone."""
    context = browser.new_context(
        base_url=live_server.url, locale="es-ES", timezone_id="Europe/Madrid", accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_flow_5_case_study_found_abroad_with_its_data_in_csv_and_the_api(
    new_page, reader_abroad, city, researcher, coordinator, password
):
    partnership = graz_partnership(
        city,
        researcher,
        title="Wohnbaukompass Graz",
        slug="wohnbaukompass-graz",
        summary="Tenants and the city of Graz count households in need of affordable homes.",
    )
    housing = Theme.objects.get(slug="adequate-housing")
    partnership.themes.add(housing)
    result = result_services.result_create(
        partnership=partnership,
        by=researcher,
        data={
            "kind": Result.Kind.REPORT,
            "title": "Households in need of affordable homes in Graz",
            "abstract": "We counted households on the waiting list for municipal housing in three districts.",
            "licence": "CC-BY-4.0",
            "doi": "10.5555/bridges-e2e.flow5",
            "url": "",
            "publication_date": dt.date(2026, 2, 1),
            "language": None,
        },
        authors=[{"profile": researcher.researcher_profile, "name": researcher.display_name, "affiliation": ""}],
    )
    result_services.result_publish(result=result, by=researcher)
    dataset = dataset_services.dataset_upload(
        partnership=partnership,
        by=researcher,
        upload=SimpleUploadedFile("households.csv", HOUSEHOLDS_CSV.encode(), content_type="text/csv"),
        data={
            "title": "Wohnbaukompass households by district",
            "description": "Households waiting for municipal housing, per district of Graz.",
            "licence": "CC-BY-4.0",
            "access_level": Dataset.AccessLevel.OPEN,
            "personal_data": Dataset.PersonalData.AGGREGATED,
            "personal_data_note": "",
            "themes": [housing],
        },
    )
    dataset = dataset_services.dataset_publish(dataset=dataset, by=researcher)

    # The coordinator turns the partnership into a case study and publishes it from the Wagtail editor.
    editor = new_page()
    sign_in(editor, coordinator.email, password)
    editor.goto(f"/partnerships/{partnership.slug}/")
    editor.get_by_role("button", name="Turn into a case study").click()
    expect(editor).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(editor.get_by_text(re.compile("is ready as a draft"))).to_be_visible()
    # What only the coordinator can write replaces the generated placeholders before publishing.
    write(editor, "context", "Graz wanted to know who is left out of social housing.")
    write(editor, "what_changed", "The city rewrote its housing allocation rules.")
    editor.get_by_role("button", name="More actions").click()
    editor.get_by_role("button", name=re.compile(r"^Publish")).click()
    expect(editor.get_by_role("status").filter(has_text="has been published").first).to_be_visible()
    case_study = CaseStudyPage.objects.get(partnership=partnership)
    assert case_study.live
    assert list(case_study.datasets.all()) == [dataset]

    # A reader in Spain finds it on /case-studies/ by its theme ... (Django activates Spanish for her, and the
    # strings that Django's and Wagtail's own catalogues translate, such as the filter buttons or "Download CSV",
    # come out in Spanish: those buttons are found by where they are, not by their words.)
    reader = reader_abroad
    reader.goto("/case-studies/")
    case_filters = reader.get_by_role("form", name="Filter case studies")
    case_filters.get_by_label("Human-rights theme").select_option(label="Right to adequate housing (1)")
    case_filters.get_by_role("button").click()
    expect(reader).to_have_url(re.compile(r"theme=adequate-housing"))
    expect(reader.get_by_role("main").get_by_text("1 case study found")).to_be_visible()
    expect(reader.get_by_role("link", name=partnership.title)).to_be_visible()

    # ... and by searching for a word of it, narrowed to case studies.
    reader.goto("/search/")
    reader.get_by_label("Search for").fill("wohnbaukompass")
    reader.get_by_label("Search for").press("Enter")
    results = reader.get_by_role("region", name="Results")
    expect(results.get_by_role("link", name="Wohnbaukompass households by district")).to_be_visible()
    filters = reader.get_by_role("complementary", name="Narrow the results")
    filters.get_by_role("checkbox", name=re.compile(r"^Case studies")).check()
    filters.get_by_role("button").click()
    expect(reader).to_have_url(re.compile(r"type=case_study"))
    expect(results.get_by_role("status")).to_have_text(re.compile(r"^1 result"))
    expect(results.get_by_role("link", name="Wohnbaukompass households by district")).to_have_count(0)
    results.get_by_role("link", name=partnership.title).click()
    expect(reader).to_have_url(re.compile(rf"/case-studies/{case_study.slug}/$"))
    expect(reader.get_by_role("heading", level=1)).to_have_text(partnership.title)

    # The case study leads to the dataset, which downloads as CSV.
    reader.get_by_role("main").get_by_role("link", name=dataset.title).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(dataset.title)
    with reader.expect_download() as download_info:
        reader.get_by_role("list", name="Downloads").get_by_role("link", name=re.compile(r"CSV$")).click()
    download = download_info.value
    assert download.suggested_filename == f"{dataset.slug}.csv"
    downloaded = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert downloaded[:2] == [["district", "households", "year"], ["Innere Stadt", "120", "2023"]]

    # The open data API lists the same dataset, and its rows are the same records.
    api = reader.request.get(f"/api/v1/datasets/?partnership={partnership.slug}")
    assert api.ok, api.text()
    listed = api.json()
    assert listed["count"] == 1
    item = listed["results"][0]
    assert (item["id"], item["title"], item["is_open"], item["row_count"]) == (dataset.pk, dataset.title, True, 3)
    assert item["rows_url"].endswith(f"/api/v1/datasets/{dataset.pk}/rows")
    rows = reader.request.get(item["rows_url"])
    assert rows.ok, rows.text()
    body = rows.json()
    assert body["columns"] == downloaded[0]
    assert body["count"] == len(downloaded) - 1
    for api_row, csv_row in zip(body["results"], downloaded[1:], strict=True):
        assert [str(api_row[name]) for name in body["columns"]] == csv_row
    studies = reader.request.get(f"/api/v1/case-studies/{case_study.pk}").json()
    assert studies["dataset_ids"] == [dataset.pk]
    assert studies["result_ids"] == [result.pk]
