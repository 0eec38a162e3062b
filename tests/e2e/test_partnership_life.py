"""The life of a partnership (issue 19 §1) in a browser: the city sets a report date, the team submits the report,
the city returns it with a comment, the team resubmits, the city accepts it and marks the partnership completed;
the public page shows the timeline and the delivered report, never its content."""

import datetime as dt
import re

from django.utils import timezone

from playwright.sync_api import expect

from projects.factories import PartnershipFactory, add_member
from projects.models import Partnership, PartnershipMember, PartnershipReport
from tests.e2e.helpers import sign_in, sign_out


def test_report_returned_resubmitted_accepted_then_completed_and_public(new_page, researcher, city, password):
    organisation, official = city
    partnership = PartnershipFactory(
        title="Housing rights monitor Graz",
        slug="housing-rights-monitor-graz",
        city=organisation,
        started_at=timezone.localdate() - dt.timedelta(days=100),
    )
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH, role="Lead researcher", is_lead=True)
    add_member(partnership, official, side=PartnershipMember.Side.CITY, role="City official")
    due = timezone.localdate() + dt.timedelta(days=14)

    # The city schedules a progress report.
    page = new_page()
    sign_in(page, official.email, password)
    page.goto(partnership.get_absolute_url())
    page.get_by_role("link", name="Reports, members and status").click()
    reports = page.get_by_role("region", name="Reports")
    reports.get_by_text("Schedule a report").click()
    reports.get_by_label("Kind").select_option("progress")
    reports.get_by_label("Due date").fill(due.isoformat())
    reports.get_by_role("button", name="Schedule the report").click()
    expect(page.locator(".messages")).to_contain_text("“Progress report 1” is scheduled")
    sign_out(page)

    # The team writes it: a missing answer is refused with the text kept, then it is submitted.
    sign_in(page, researcher.email, password)
    page.goto(f"/partnerships/{partnership.slug}/manage/")
    page.get_by_role("region", name="Reports").get_by_role("link", name="Progress report 1").click()
    page.get_by_label("Risks").fill("Tenants may fear talking to us.")
    page.get_by_role("button", name="Submit to the city").click()
    expect(page.get_by_role("alert")).to_contain_text("Say what was done")
    expect(page.get_by_label("Risks")).to_have_value("Tenants may fear talking to us.")
    page.get_by_label("What was done").fill("Forty interviews with tenants in Lend and Gries.")
    page.get_by_role("button", name="Submit to the city").click()
    expect(page.locator(".messages")).to_contain_text("The report is submitted to the city.")
    sign_out(page)

    # The city returns it with a comment.
    sign_in(page, official.email, password)
    page.goto("/dashboard/")
    page.get_by_role("region", name="Partnership reports").get_by_role("link", name="Progress report 1").click()
    page.get_by_role("button", name="Return to the team").click()
    expect(page.get_by_role("alert")).to_contain_text("Say what the team should change")
    page.get_by_label("Comments to the team").fill("Please add the next steps.")
    page.get_by_role("button", name="Return to the team").click()
    expect(page.locator(".messages")).to_contain_text("returned to the team")
    sign_out(page)

    # The team reads the comment and resubmits.
    sign_in(page, researcher.email, password)
    page.goto("/dashboard/")
    section = page.get_by_role("region", name="Partnership reports")
    expect(section).to_contain_text("returned with comments")
    section.get_by_role("link", name="Progress report 1").click()
    expect(page.get_by_role("main")).to_contain_text("Please add the next steps.")
    expect(page.get_by_label("What was done")).to_have_value("Forty interviews with tenants in Lend and Gries.")
    page.get_by_label("Next steps").fill("Code the interviews; draft the policy brief.")
    page.get_by_role("button", name="Submit to the city").click()
    expect(page.locator(".messages")).to_contain_text("The report is submitted to the city.")
    sign_out(page)

    # The city accepts it and marks the partnership completed.
    sign_in(page, official.email, password)
    page.goto(f"/partnerships/{partnership.slug}/manage/")
    page.get_by_role("region", name="Reports").get_by_role("link", name="Progress report 1").click()
    page.get_by_role("button", name="Accept the report").click()
    expect(page.locator(".messages")).to_contain_text("The report is accepted.")
    assert PartnershipReport.objects.get().status == "accepted"
    page.goto(f"/partnerships/{partnership.slug}/manage/")
    status = page.get_by_role("region", name="Status")
    status.get_by_label("Completed").check()
    status.get_by_label("Public reason").fill("The research questions are answered.")
    status.get_by_role("button", name="Save the status").click()
    expect(page.locator(".messages")).to_contain_text("The partnership is now Completed.")
    assert Partnership.objects.get(pk=partnership.pk).status == "completed"
    sign_out(page)

    # The public sees the status, the timeline and the delivered report, not what it says.
    page.goto(partnership.get_absolute_url())
    main = page.get_by_role("main")
    expect(main).to_contain_text("Partnership · Completed")
    delivered = page.get_by_role("region", name="Reports delivered")
    expect(delivered).to_contain_text("Progress report 1")
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("Report delivered")
    expect(timeline).to_contain_text(re.compile(r"Status\s+Completed"))
    expect(main).not_to_contain_text("Forty interviews")
    expect(page.get_by_role("link", name="Reports, members and status")).to_have_count(0)
