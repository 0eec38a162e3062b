"""Flow 2: a researcher builds a cross-border team, submits before the deadline, and cannot after it."""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlparse

from django.core import mail
from django.utils import timezone

from playwright.sync_api import Page, expect

from calls.factories import make_call
from calls.models import Proposal, ResearchCall, TeamMember
from calls.services import proposals as services
from hub.models import Country
from profiles.factories import OrganisationFactory, ResearcherProfileFactory
from profiles.models import CityPage
from tests.e2e.helpers import sign_in


def researcher(email: str, university: str, country: str):
    affiliation = OrganisationFactory(name=university, country=Country.objects.get(code=country))
    return ResearcherProfileFactory(user__email=email, affiliation=affiliation).user


def path_of(call: ResearchCall) -> str:
    return urlparse(call.get_url()).path


def invitation_path(email: str) -> str:
    # The immediate tasks backend sends in the live server's thread, into the same locmem outbox.
    for message in reversed(mail.outbox):
        if email in message.to:
            return re.search(r"/proposals/invitations/[0-9a-f-]+/", message.body).group(0)
    return f"/proposals/invitations/{TeamMember.objects.get(email=email).token}/"


def open_start_page(page: Page, call: ResearchCall) -> None:
    page.goto(path_of(call))
    start = page.get_by_role("link", name=re.compile(r"start a proposal", re.I))
    if start.count():
        start.first.click()
    else:  # the call page's button belongs to another area; the URL is stable either way
        page.goto(f"/proposals/start/{call.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Start a proposal")


def test_researcher_builds_a_cross_border_team_and_submits(new_page, city, password, tmp_path):
    organisation, _official = city
    call = make_call(
        city_page=CityPage.objects.get(organisation=organisation),
        title="Older tenants and housing",
        cross_border=ResearchCall.CrossBorder.REQUIRED,
    )
    lead = researcher("lena.lead@example.org", "University of Graz", "AT")
    colleague = researcher("carlos.co@example.org", "Universidad de Antioquia", "CO")

    page = new_page()
    sign_in(page, lead.email, password)
    open_start_page(page, call)
    expect(page.get_by_role("main")).to_contain_text("Cross-border team required")
    page.get_by_label(re.compile(r"^Working title")).fill("Ageing in place in Graz")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit “Ageing in place in Graz”")

    page.get_by_label(re.compile(r"^Summary")).fill("We study how older tenants keep their homes.")
    page.get_by_label(re.compile(r"^Methodology")).fill("Participatory action research with tenant groups.")
    page.get_by_label(re.compile(r"^Participation plan")).fill("Tenants co-design the survey.")
    page.get_by_label(re.compile(r"^Data management and protection plan")).fill("Pseudonymised data kept in the EU.")
    page.get_by_label(re.compile(r"^Budget")).fill("35000")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()

    page.get_by_role("navigation", name="Proposal").get_by_role("link", name="Team").click()
    page.get_by_label(re.compile(r"^Email address")).fill(colleague.email)
    page.get_by_label(re.compile(r"^Name")).fill("Carlos Co")
    page.get_by_label(re.compile(r"^Country")).select_option(label="Colombia")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Carlos Co is invited by email.")).to_be_visible()
    cross_border = page.locator('[data-check="cross_border"] .badge')
    expect(cross_border).to_have_text("Not met")

    co_page = new_page()
    sign_in(co_page, colleague.email, password)
    co_page.goto(invitation_path(colleague.email))
    co_page.get_by_role("button", name="Accept and join the team").click()
    expect(co_page.get_by_text("You joined the team of “Ageing in place in Graz”.")).to_be_visible()

    page.reload()
    expect(cross_border).to_have_text("Met")

    pdf = tmp_path / "workplan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    page.get_by_role("navigation", name="Proposal").get_by_role("link", name="Edit draft").click()
    page.get_by_label(re.compile(r"^Add a PDF")).set_input_files(str(pdf))
    page.get_by_role("button", name="Upload PDF").click()
    expect(page.get_by_text("“workplan.pdf” is attached.")).to_be_visible()

    page.get_by_role("navigation", name="Proposal").get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Submit proposal").click()
    expect(page.get_by_text("Submitted as version 1")).to_be_visible()
    header = page.locator(".page-header")
    expect(header).to_contain_text("Submitted")
    expect(header).to_contain_text("Version 1")
    proposal = Proposal.objects.get(call=call, lead=lead)
    assert proposal.status == Proposal.Status.SUBMITTED
    assert [m["country"] for m in proposal.versions.get().content["team"]] == ["AT", "CO"]

    # Another researcher cannot open it.
    stranger = new_page()
    sign_in(stranger, researcher("someone.else@example.org", "TU Wien", "AT").email, password)
    response = stranger.goto(f"/proposals/{proposal.pk}/")
    assert response.status == 404
    expect(stranger.get_by_role("heading", level=1)).to_have_text("We could not find that page")


def test_submission_is_refused_once_the_deadline_passed(new_page, city, password):
    organisation, _official = city
    call = make_call(city_page=CityPage.objects.get(organisation=organisation), title="Closing soon")
    lead = researcher("late.lead@example.org", "University of Graz", "AT")
    proposal = services.proposal_start(call=call, by=lead, title="Almost in time")
    services.proposal_save_draft(
        proposal=proposal,
        by=lead,
        edit_version=proposal.edit_version,
        data={
            "title": "Almost in time",
            "summary": "Summary.",
            "methodology": "Methods.",
            "participation_plan": "Residents take part.",
            "data_management_plan": "Kept safe.",
            "budget": Decimal("20000"),
        },
    )

    page = new_page()
    sign_in(page, lead.email, password)
    page.goto(f"/proposals/{proposal.pk}/")
    expect(page.get_by_role("button", name="Submit proposal")).to_be_visible()
    # The deadline passes while the page is open.
    ResearchCall.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    page.get_by_role("button", name="Submit proposal").click()
    expect(page.get_by_text(re.compile(r"The deadline was .* \(Europe/Vienna\)")).first).to_be_visible()
    expect(page.locator(".page-header")).to_contain_text("Draft")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DRAFT and not proposal.versions.exists()
