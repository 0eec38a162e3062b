"""Issue 18 §1: a city builds its call's conditional form in the Wagtail editor; a researcher answers and submits."""

import re

from playwright.sync_api import Page, expect

from calls.factories import make_call
from calls.models import Proposal, ResearchCall
from profiles.factories import ResearcherProfileFactory
from profiles.models import CityPage
from tests.e2e.helpers import sign_in

# The Wagtail editor is the heaviest page of the flow; on a loaded machine it needs longer than the usual 10 s.
SLOW_MS = 60_000


def patient(page: Page) -> Page:
    page.set_default_timeout(SLOW_MS)
    page.set_default_navigation_timeout(SLOW_MS)
    return page


def add_block(editor: Page, kind: str) -> None:
    """Append a question block of ``kind`` (its label in the block menu) to the application form."""
    stream = editor.locator('[data-contentpath="application_form"]')
    stream.get_by_role("button", name="Insert a block").last.click()
    editor.get_by_role("option", name=kind, exact=True).click()


def test_city_builds_a_conditional_form_and_a_researcher_answers_it(new_page, city, password):
    organisation, official = city
    call = make_call(city_page=CityPage.objects.get(organisation=organisation), title="Older tenants and housing")

    # The city's official adds two questions, the second shown only for "yes", and publishes the call.
    editor = patient(new_page())
    sign_in(editor, official.email, password)
    editor.goto(f"/admin/pages/{call.pk}/edit/")
    add_block(editor, "Choice")
    editor.locator("#application_form-0-value-key").fill("partner")
    editor.locator("#application_form-0-value-label").fill("Do you work with a community partner?")
    editor.locator("#application_form-0-value-choices").fill("yes\nno")
    add_block(editor, "Long text")
    editor.locator("#application_form-1-value-key").fill("partner_role")
    editor.locator("#application_form-1-value-label").fill("What does the partner do?")
    editor.locator("#application_form-1-value-show_when_key").fill("partner")
    editor.locator("#application_form-1-value-show_when_value").fill("yes")
    editor.locator("#application_form-1-value-max_words").fill("20")
    editor.get_by_role("button", name="More actions").click()
    editor.get_by_role("button", name=re.compile(r"^Publish")).click()
    expect(editor.get_by_role("status").filter(has_text="has been published").first).to_be_visible(timeout=SLOW_MS)
    call = ResearchCall.objects.get(pk=call.pk)
    assert [block.value["key"] for block in call.application_form] == ["partner", "partner_role"]

    # A researcher starts a proposal: the conditional question appears and disappears with the answer.
    lead = ResearcherProfileFactory(user__email="lena.lead@example.org").user
    page = patient(new_page())
    sign_in(page, lead.email, password)
    page.goto(f"/proposals/start/{call.pk}/")
    page.get_by_label("Working title").fill("Older tenants speak")
    page.get_by_role("button", name="Create draft").click()
    expect(page).to_have_url(re.compile(r"/proposals/\d+/edit/$"), timeout=SLOW_MS)
    question = page.get_by_label("What does the partner do?")
    expect(question).to_be_hidden()
    page.get_by_role("radio", name="yes").check()
    expect(question).to_be_visible()
    page.get_by_role("radio", name="no").check()
    expect(question).to_be_hidden()
    page.get_by_role("radio", name="yes").check()
    question.fill("The tenants' association recruits participants and co-hosts the workshops.")
    page.get_by_label("Summary").fill("We map housing conditions of older tenants with them.")
    page.get_by_label("Methodology").fill("Participatory action research with tenant associations.")
    page.get_by_label("Participation plan").fill("Tenants co-design the survey and interpret the results.")
    page.get_by_label("Data management and protection plan").fill("Pseudonymised, stored in the EU.")
    page.get_by_label(re.compile(r"^Budget \(")).fill("30000")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible(timeout=SLOW_MS)
    proposal = Proposal.objects.get(call=call, lead=lead)
    assert proposal.answers["partner"] == "yes"

    page.goto(f"/proposals/{proposal.pk}/")
    page.get_by_role("button", name="Submit proposal").click()
    expect(page.get_by_text(re.compile(r"Submitted as version 1"))).to_be_visible(timeout=SLOW_MS)
    answers = page.locator(".proposal-answers")
    expect(answers).to_contain_text("What does the partner do?")
    expect(answers).to_contain_text("co-hosts the workshops")
    version = proposal.versions.get()
    assert [a["key"] for a in version.content["answers"]] == ["partner", "partner_role"]

    # The version page offers the PDF.
    page.goto(f"/proposals/{proposal.pk}/versions/1/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download version 1 as PDF").click()
    assert download.value.suggested_filename == f"proposal-{proposal.pk}-v1.pdf"
