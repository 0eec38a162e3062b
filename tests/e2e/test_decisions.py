"""Decisions that cannot be taken by accident, in English, Spanish and French: before the deadline the official sees
no award, closes the call early (told how many drafts it cuts off), then awards; a researcher never reaches the
ranking. Screenshots of each step are kept as CI artefacts."""

import os
import re
from pathlib import Path

from django.core import mail
from django.utils import translation
from django.utils.translation import ngettext

from wagtail.users.models import UserProfile

import pytest
from playwright.sync_api import Page, expect

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import Proposal, ResearchCall
from profiles.factories import ResearcherProfileFactory, UserFactory
from projects.factories import PartnershipFactory
from projects.models import CaseStudyPage, Partnership
from tests.calls.award_helpers import complete_review
from tests.e2e.helpers import sign_in

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS_DIR") or Path(__file__).resolve().parents[2] / "test-artifacts")
WIDTHS = (1280, 390)


def screenshots(page: Page, name: str) -> None:
    """Keep the page as a person sees it, at desktop and phone width, under E2E_ARTIFACTS_DIR/decisions/."""
    folder = ARTIFACTS / "decisions"
    folder.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def in_language(language: str, text: str, plural: str | None = None, count: int = 0) -> str:
    """The words the page shows in ``language`` (English until the string is translated)."""
    with translation.override(language):
        return ngettext(text, plural, count) % {"counter": count} if plural else translation.gettext(text)


def person(email: str, **names):
    return ResearcherProfileFactory(user=UserFactory(email=email, verified_email=True, **names)).user


def publish(editor: Page, language: str) -> None:
    """Wagtail's footer: open the other actions and press Publish, in the editor's language."""
    editor.get_by_role("button", name=in_language(language, "More actions")).click()
    editor.get_by_role("button", name=re.compile("^" + re.escape(in_language(language, "Publish")))).click()


def write(editor: Page, field: str, text: str) -> None:
    """Replace a rich-text field's content as a person does: select all of it and type."""
    box = editor.locator(f'[data-contentpath="{field}"] [contenteditable="true"]')
    box.click()
    box.press("ControlOrMeta+a")
    box.press_sequentially(text)
    # The editor keeps its content in a hidden input, updated a moment after typing: publish once it holds the text.
    expect(editor.locator(f'input[name="{field}"]')).to_have_value(re.compile(re.escape(text)))


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_official_closes_a_call_early_then_awards(new_page, open_call, city, password, language):
    _organisation, official = city
    prefix = "" if language == "en" else f"/{language}"
    winner = ProposalFactory(call=open_call, lead=person("winner.lead@example.org"), title="Older tenants' rights")
    submit_for_tests(winner)
    complete_review(winner, official=official, score=4)
    draft_lead = person("draft.lead@example.org")
    ProposalFactory(call=open_call, lead=draft_lead, title="Heat in social housing")
    ranking_url = f"{prefix}/calls/{open_call.pk}/ranking/"

    page = new_page()
    sign_in(page, official.email, password)
    page.goto(ranking_url)
    expect(page.locator("html")).to_have_attribute("lang", language)
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(open_call.title)
    # Before the deadline: no award among the decisions, and the way to close the call early instead.
    expect(page.locator("select[name=action] option[value=award]")).to_have_count(0)
    close_early = main.get_by_role("link", name=in_language(language, "Close the call early"))
    expect(close_early).to_be_visible()
    screenshots(page, f"{language}-1-ranking-before-deadline")

    close_early.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(prefix)}/calls/{open_call.pk}/close-early/$"))
    cut_off_text = in_language(
        language,
        "%(counter)s draft not yet submitted will be cut off: its team can no longer submit it, and we will email "
        "them.",
        "%(counter)s drafts not yet submitted will be cut off: their teams can no longer submit them, and we will "
        "email each team.",
        1,
    )
    expect(main).to_contain_text(cut_off_text)
    screenshots(page, f"{language}-2-close-early-confirmation")
    assert ResearchCall.objects.get(pk=open_call.pk).accepts_submissions()  # looking changes nothing

    main.get_by_role("button", name=in_language(language, "Close the call now")).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(ranking_url)}$"))
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("#award-closed")).to_have_count(0)
    screenshots(page, f"{language}-3-call-closed")
    assert not ResearchCall.objects.get(pk=open_call.pk).accepts_submissions()
    assert [m.to for m in mail.outbox if draft_lead.email in m.to] == [[draft_lead.email]]

    # Now the award is offered; the official awards the reviewed proposal.
    page.locator(f"#decide-{winner.pk}").check()
    page.locator("#id_action").select_option("award")
    page.locator("textarea[name=message]").fill("Congratulations.")
    page.locator(f"#decide-{winner.pk}").locator("xpath=ancestor::form").locator("button[type=submit]").click()
    expect(page.locator(".message--success")).to_contain_text(winner.title)
    screenshots(page, f"{language}-4-awarded")
    assert Proposal.objects.get(pk=winner.pk).status == Proposal.Status.AWARDED
    assert Partnership.objects.filter(proposal=winner).exists()


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_a_researcher_cannot_reach_the_ranking_or_close_the_call(new_page, open_call, researcher, password, language):
    prefix = "" if language == "en" else f"/{language}"
    page = new_page()
    sign_in(page, researcher.email, password)
    for path in ("ranking", "close-early"):
        response = page.goto(f"{prefix}/calls/{open_call.pk}/{path}/")
        assert response.status == 404, path
    screenshots(page, f"{language}-5-researcher-refused")
    assert ResearchCall.objects.get(pk=open_call.pk).accepts_submissions()


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_a_case_study_is_not_published_with_the_placeholder_text(new_page, coordinator, city, password, language):
    organisation, _official = city
    prefix = "" if language == "en" else f"/{language}"
    partnership = PartnershipFactory(title="Housing rights monitor", slug="housing-rights-monitor", city=organisation)
    profile = UserProfile.get_for_user(coordinator)
    profile.preferred_language = language
    profile.save()

    editor = new_page()
    sign_in(editor, coordinator.email, password)
    editor.goto(f"{prefix}/partnerships/{partnership.slug}/")
    editor.get_by_role("button", name=in_language(language, "Turn into a case study")).click()
    expect(editor).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    page = CaseStudyPage.objects.get(partnership=partnership)
    assert page.placeholder_fields() == ["context", "what_changed"]  # written in the coordinator's language

    # Publishing is refused with the fields still to write; the draft stays.
    publish(editor, language)
    messages = editor.locator(".messages")
    expect(messages).to_contain_text(in_language(language, "Context"))
    expect(messages).to_contain_text(in_language(language, "What changed"))
    screenshots(editor, f"{language}-6-case-study-refused")
    assert not CaseStudyPage.objects.get(pk=page.pk).live

    # Written, it is published.
    write(editor, "context", "Graz asked who is left out of social housing.")
    write(editor, "what_changed", "The city rewrote its housing allocation rules.")
    publish(editor, language)
    expect(editor.locator(".messages")).not_to_contain_text(in_language(language, "What changed"))
    screenshots(editor, f"{language}-7-case-study-published")
    page = CaseStudyPage.objects.get(pk=page.pk)
    assert page.live and "housing allocation rules" in page.what_changed
