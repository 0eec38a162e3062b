"""A researcher publishes an edit of a published result as version 2; a reader opens version 1, sees the banner
pointing to the latest, and downloads its BibTeX citation."""

import re

from playwright.sync_api import expect

from projects.factories import PartnershipFactory, add_member
from projects.models import PartnershipMember, Result
from tests.e2e.helpers import sign_in
from tests.projects.test_results_services import make_result


def test_a_published_edit_is_version_2_and_the_reader_cites_version_1(new_page, researcher, city, password):
    organisation, _official = city
    partnership = PartnershipFactory(
        title="Housing rights monitor Graz", slug="housing-rights-monitor-graz", city=organisation
    )
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH, role="Lead researcher")
    result = make_result(partnership, researcher, publish=True, title='Rents of "older" tenants {Graz}')
    assert result.version_number == 1

    team = new_page()
    sign_in(team, researcher.email, password)
    team.goto(f"/results/{result.slug}/")
    team.get_by_role("link", name="Publish a new version or add a file").click()
    main = team.get_by_role("main")
    main.get_by_label("Title", exact=True).fill("Rents of older tenants in Graz, corrected")
    # Without saying what changed, the form keeps the typed title and asks for the note.
    main.get_by_role("button", name="Publish as version 2").click()
    expect(main.get_by_label("Title", exact=True)).to_have_value("Rents of older tenants in Graz, corrected")
    expect(main).to_contain_text("Say what changed in this version")
    main.get_by_label("What changed").fill("Corrected the rents in table 2.")
    main.get_by_role("button", name="Publish as version 2").click()
    expect(team.get_by_role("status")).to_contain_text("Published as version 2")
    expect(team.get_by_role("heading", level=1)).to_have_text("Rents of older tenants in Graz, corrected")
    assert Result.objects.get(pk=result.pk).version_number == 2

    reader = new_page()
    reader.goto(f"/results/{result.slug}/")
    versions = reader.get_by_role("region", name="Versions")
    expect(versions).to_contain_text("Corrected the rents in table 2.")
    versions.get_by_role("link", name="Version 1").click()
    expect(reader).to_have_url(re.compile(rf"/results/{result.slug}/v/1/$"))
    expect(reader.get_by_role("note")).to_contain_text("You are reading version 1")
    expect(reader.get_by_role("heading", level=1)).to_have_text('Rents of "older" tenants {Graz}')
    cite = reader.get_by_role("region", name="Cite")
    expect(cite).to_contain_text("(Version 1)")
    with reader.expect_download() as info:
        cite.get_by_role("link", name="BibTeX").click()
    download = info.value
    assert download.suggested_filename == f"{result.slug}-v1.bib"
    text = open(download.path(), encoding="utf-8").read()
    assert text.startswith("@techreport{") and "version = {1}" in text
    assert r"title = {{Rents of {\textquotedbl}older{\textquotedbl} tenants \{Graz\}}}" in text
    reader.get_by_role("link", name="Read the latest version").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Rents of older tenants in Graz, corrected")
