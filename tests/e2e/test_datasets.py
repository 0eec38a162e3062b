"""Flow 4 (data): a research member uploads a semicolon Latin-1 CSV, checks the inferred schema and publishes it
open; a public reader previews it with small cells suppressed and downloads the CSV; an upload with an email
column is refused for open access, naming the column."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from projects.factories import PartnershipFactory, add_member
from projects.models import Dataset, PartnershipMember
from tests.e2e.helpers import sign_in

DATA = Path(__file__).resolve().parents[1] / "projects" / "data"


def graz_partnership(city, researcher):
    organisation, official = city
    partnership = PartnershipFactory(
        title="Housing rights monitor Graz", slug="housing-rights-monitor-graz", city=organisation
    )
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH, role="Lead researcher")
    add_member(partnership, official, side=PartnershipMember.Side.CITY, role="City official")
    return partnership


def fill_upload_form(page: Page, *, file: Path, title: str) -> None:
    main = page.get_by_role("main")
    main.get_by_label(re.compile(r"^CSV file")).set_input_files(str(file))
    main.get_by_label(re.compile(r"^Title")).fill(title)
    main.get_by_label(re.compile(r"^Description")).fill("Court-ordered evictions per district and household type.")
    main.get_by_label("Open: anyone can download").check()
    main.get_by_label("Aggregated counts only").check()


def test_research_member_publishes_an_open_dataset_and_a_reader_downloads_it(new_page, city, researcher, password):
    partnership = graz_partnership(city, researcher)
    page = new_page()
    sign_in(page, researcher.email, password)
    page.goto(f"/partnerships/{partnership.slug}/datasets/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a dataset")
    fill_upload_form(page, file=DATA / "evictions_latin1_semicolon.csv", title="Evictions by district, Graz 2023")
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_text("is uploaded as a draft: 3 rows")).to_be_visible()
    schema = page.get_by_role("table")
    expect(schema.get_by_role("rowheader", name="Räumungen")).to_be_visible()
    expect(page.get_by_label("Räumungen holds counts")).to_be_checked()
    expect(page.get_by_label("Bezirk holds counts")).not_to_be_checked()
    expect(page.get_by_label("Type of Jahr")).to_have_value("integer")
    page.get_by_label("Description of Räumungen").fill("Evictions carried out")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    page.get_by_role("button", name="Publish dataset").click()
    expect(page.get_by_text("is published.")).to_be_visible()
    dataset = Dataset.objects.get()
    assert dataset.status == Dataset.Status.PUBLISHED

    reader = new_page()
    reader.goto("/data/datasets/")
    reader.get_by_role("link", name="Evictions by district, Graz 2023").click()
    preview = reader.get_by_role("table", name=re.compile(r"The first 3 rows of 3"))
    expect(preview.get_by_role("row", name=re.compile("Innere Stadt"))).to_contain_text("[c]")
    expect(preview.get_by_role("row", name=re.compile("Gösting"))).to_contain_text("12")
    expect(reader.get_by_text("are shown as “[c]”")).to_be_visible()
    with reader.expect_download() as download_info:
        reader.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "evictions-by-district-graz-2023.csv"
    content = Path(download.path()).read_text(encoding="utf-8")
    assert content.splitlines()[:3] == [
        "Bezirk,Haushaltstyp,Räumungen,Jahr",
        "Innere Stadt,Alleinerziehende,[c],2023",
        "Gösting,Familie,12,2023",
    ]


def test_upload_with_an_email_column_is_refused_for_open_access(new_page, city, researcher, password):
    partnership = graz_partnership(city, researcher)
    page = new_page()
    sign_in(page, researcher.email, password)
    page.goto(f"/partnerships/{partnership.slug}/datasets/new/")
    fill_upload_form(page, file=DATA / "with_email.csv", title="Tenant survey answers")
    page.get_by_role("button", name="Upload and check").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("cannot be open")
    expect(summary).to_contain_text("“email”")
    expect(summary).to_contain_text("email addresses")
    expect(page.get_by_role("main").get_by_label(re.compile(r"^Title"))).to_have_value("Tenant survey answers")
    assert Dataset.objects.count() == 0
