"""No silent lost update on a proposal draft (issue 15 §2): a save of a stale draft form is refused side by side.

The lead and a co-applicant open the same draft; whoever saves second gets a 409 with both versions, keeps what
they typed, and merges field by field (the timeline as a whole). It happens one request after the other, with
no timing; the thread race (PostgreSQL only) checks that of many saves of one version exactly one wins.
"""

# The shared proposal fixtures are imported from test_proposal_services; pytest injects them by name.
# ruff: noqa: F401, F811

import html
import re

from django.test import Client

import pytest

from calls.forms_proposals import draft_initial
from calls.models import Milestone, Proposal
from calls.services import proposals as services
from tests.calls.test_proposal_services import FILLED, colleague, draft, filled, join, lead
from tests.concurrency.races import needs_postgresql, race, race_db

pytestmark = pytest.mark.django_db

LEAD_SUMMARY = "The lead's sharper summary: older tenants in Graz."
CO_METHODOLOGY = "The co-applicant's methodology: peer interviews by tenant researchers."


@pytest.fixture
def team(filled, lead, colleague):
    """A filled draft with the lead and an accepted co-applicant, each signed in in their own browser."""
    join(filled, lead, colleague)
    lead_client, co_client = Client(), Client()
    lead_client.force_login(lead)
    co_client.force_login(colleague)
    return Proposal.objects.get(pk=filled.pk), lead_client, co_client


def open_form(client: Client, proposal: Proposal) -> dict:
    """GET the editor and return what its form would post unchanged (as a browser would)."""
    response = client.get(f"/proposals/{proposal.pk}/edit/")
    assert response.status_code == 200
    page = response.content.decode()
    version = re.search(r'name="edit_version" value="(\d+)"', page)
    assert version, "the draft form carries its version"
    proposal = Proposal.objects.get(pk=proposal.pk)
    data = {key: "" if value is None else value for key, value in draft_initial(proposal).items()}
    data["budget"] = str(proposal.budget) if proposal.budget is not None else ""
    milestones = list(proposal.milestones.all())
    data.update(
        {
            "edit_version": version.group(1),
            "milestones-TOTAL_FORMS": str(len(milestones) + 1),
            "milestones-INITIAL_FORMS": "0",
        }
    )
    for i, milestone in enumerate(milestones):
        data.update(
            {
                f"milestones-{i}-title": milestone.title,
                f"milestones-{i}-month": str(milestone.month),
                f"milestones-{i}-description": milestone.description,
            }
        )
    return data


def save(client: Client, proposal: Proposal, data: dict):
    return client.post(f"/proposals/{proposal.pk}/edit/", data)


def cell(page: str, side: str, field: str) -> str:
    """The text of one side of the conflict table for one field ("mine" or "saved")."""
    match = re.search(rf'data-conflict-{side}="{field}"[^>]*>(.*?)</td>', page, re.S)
    assert match, f"no {side} cell for {field}"
    return html.unescape(match.group(1).replace("<br>", "\n")).strip()


def test_second_save_of_the_same_draft_is_refused_side_by_side_and_the_first_save_stays(team):
    proposal, lead_client, co_client = team
    lead_form, co_form = open_form(lead_client, proposal), open_form(co_client, proposal)

    first = save(lead_client, proposal, {**lead_form, "summary": LEAD_SUMMARY})
    second = save(co_client, proposal, {**co_form, "methodology": CO_METHODOLOGY})

    assert first.status_code == 302 and first["Location"] == f"/proposals/{proposal.pk}/edit/"
    assert second.status_code == 409
    page = second.content.decode()
    assert "Someone else saved this after you opened it. Nothing of yours was saved" in page
    assert "Your version and the saved version" in page
    # Both versions of each field that differs, side by side.
    assert cell(page, "saved", "summary") == LEAD_SUMMARY
    assert cell(page, "mine", "summary") == FILLED["summary"]
    assert cell(page, "mine", "methodology") == CO_METHODOLOGY
    assert cell(page, "saved", "methodology") == FILLED["methodology"]
    assert 'data-conflict-mine="title"' not in page  # fields nobody changed are not listed
    # The co-applicant's typed text is still in the form, and the form now names the saved version.
    assert f">\n{html.escape(CO_METHODOLOGY)}</textarea>" in page
    assert re.search(r'name="edit_version" value="3"', page)
    stored = Proposal.objects.get(pk=proposal.pk)
    assert stored.summary == LEAD_SUMMARY and stored.methodology == FILLED["methodology"]
    assert stored.edit_version == 3


def test_choosing_the_saved_summary_and_keeping_my_methodology_merges_both(team):
    proposal, lead_client, co_client = team
    lead_form, co_form = open_form(lead_client, proposal), open_form(co_client, proposal)
    save(lead_client, proposal, {**lead_form, "summary": LEAD_SUMMARY})
    conflict = save(co_client, proposal, {**co_form, "methodology": CO_METHODOLOGY})
    version = re.search(r'name="edit_version" value="(\d+)"', conflict.content.decode()).group(1)

    merged = save(
        co_client,
        proposal,
        {
            **co_form,
            "methodology": CO_METHODOLOGY,
            "edit_version": version,
            "merge-summary": "saved",
            "merge-methodology": "mine",
        },
    )

    assert merged.status_code == 302
    stored = Proposal.objects.get(pk=proposal.pk)
    assert stored.summary == LEAD_SUMMARY and stored.methodology == CO_METHODOLOGY
    page = co_client.get(f"/proposals/{proposal.pk}/edit/").content.decode()
    assert "Draft saved." in page and html.escape(LEAD_SUMMARY) in page and html.escape(CO_METHODOLOGY) in page


def test_it_happens_with_one_person_in_two_tabs_one_save_after_the_other(filled, lead):
    client = Client()
    client.force_login(lead)
    first_tab, second_tab = open_form(client, filled), open_form(client, filled)

    assert save(client, filled, {**first_tab, "ethics": "Approved by the board."}).status_code == 302
    stale = save(client, filled, {**second_tab, "title": "A new title"})

    assert stale.status_code == 409
    stored = Proposal.objects.get(pk=filled.pk)
    assert stored.ethics == "Approved by the board." and stored.title == FILLED["title"]
    assert "A new title" in stale.content.decode()


def test_a_save_after_the_conflict_without_a_choice_keeps_my_text(team):
    proposal, lead_client, co_client = team
    lead_form, co_form = open_form(lead_client, proposal), open_form(co_client, proposal)
    save(lead_client, proposal, {**lead_form, "summary": LEAD_SUMMARY})
    conflict = save(co_client, proposal, {**co_form, "summary": "My own summary."})
    version = re.search(r'name="edit_version" value="(\d+)"', conflict.content.decode()).group(1)

    again = save(co_client, proposal, {**co_form, "summary": "My own summary.", "edit_version": version})

    assert again.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).summary == "My own summary."


def test_the_timeline_is_one_row_of_the_conflict_and_can_be_taken_as_saved(team):
    proposal, lead_client, co_client = team
    lead_form, co_form = open_form(lead_client, proposal), open_form(co_client, proposal)
    lead_timeline = {
        "milestones-TOTAL_FORMS": "2",
        "milestones-0-title": "Survey of tenants",
        "milestones-0-month": "3",
        "milestones-0-description": "With the tenant associations.",
        "milestones-1-title": "Report to the city council",
        "milestones-1-month": "11",
    }
    assert save(lead_client, proposal, {**lead_form, **lead_timeline}).status_code == 302
    co_timeline = {"milestones-TOTAL_FORMS": "1", "milestones-0-title": "Focus groups", "milestones-0-month": "5"}

    conflict = save(co_client, proposal, {**co_form, **co_timeline, "summary": "The co-applicant's summary."})

    assert conflict.status_code == 409
    page = conflict.content.decode()
    assert cell(page, "saved", "timeline") == (
        "Month 3: Survey of tenants — With the tenant associations.\nMonth 11: Report to the city council"
    )
    assert cell(page, "mine", "timeline") == "Month 5: Focus groups"
    assert 'name="merge-timeline"' in page
    assert 'value="Focus groups"' in page  # the typed milestone stays in the formset
    assert list(Milestone.objects.filter(proposal=proposal).values_list("title", flat=True)) == [
        "Survey of tenants",
        "Report to the city council",
    ]
    version = re.search(r'name="edit_version" value="(\d+)"', page).group(1)

    merged = save(
        co_client,
        proposal,
        {**co_form, **co_timeline, "summary": "The co-applicant's summary.", "edit_version": version}
        | {"merge-timeline": "saved"},
    )

    assert merged.status_code == 302
    stored = Proposal.objects.get(pk=proposal.pk)
    assert stored.summary == "The co-applicant's summary."
    assert list(stored.milestones.values_list("title", "month", "description")) == [
        ("Survey of tenants", 3, "With the tenant associations."),
        ("Report to the city council", 11, ""),
    ]


def test_a_timeline_that_is_the_same_is_not_listed(team):
    proposal, lead_client, co_client = team
    lead_form, co_form = open_form(lead_client, proposal), open_form(co_client, proposal)
    save(lead_client, proposal, {**lead_form, "summary": LEAD_SUMMARY})

    conflict = save(co_client, proposal, {**co_form, "methodology": CO_METHODOLOGY})

    assert conflict.status_code == 409
    assert 'data-conflict-mine="timeline"' not in conflict.content.decode()


def test_a_form_opened_before_the_submission_saves_nothing_and_keeps_the_typed_text(team, lead):
    proposal, lead_client, co_client = team
    co_form = open_form(co_client, proposal)
    services.proposal_submit(proposal=proposal, by=lead)

    late = save(co_client, proposal, {**co_form, "methodology": CO_METHODOLOGY})

    assert late.status_code == 409
    page = late.content.decode()
    assert "This proposal is submitted and can no longer be changed." in page
    assert html.escape(CO_METHODOLOGY) in page
    assert Proposal.objects.get(pk=proposal.pk).methodology == FILLED["methodology"]


def test_a_form_opened_before_a_withdrawal_and_resubmission_is_stale(team, lead):
    """Submit and withdraw move the draft to a new version: a form opened before them cannot overwrite it."""
    proposal, lead_client, co_client = team
    co_form = open_form(co_client, proposal)
    services.proposal_submit(proposal=proposal, by=lead)
    services.proposal_withdraw(proposal=proposal, by=lead)
    lead_form = open_form(lead_client, proposal)
    assert int(lead_form["edit_version"]) == int(co_form["edit_version"]) + 2
    assert save(lead_client, proposal, {**lead_form, "summary": LEAD_SUMMARY}).status_code == 302

    late = save(co_client, proposal, {**co_form, "methodology": CO_METHODOLOGY})

    assert late.status_code == 409
    assert Proposal.objects.get(pk=proposal.pk).summary == LEAD_SUMMARY


@pytest.mark.parametrize("version", [None, "", "abc", "0", "-3", "99999999999"])
def test_a_missing_or_garbage_version_is_a_clear_400_and_nothing_is_saved(filled, lead, version):
    client = Client()
    client.force_login(lead)
    data = {**open_form(client, filled), "summary": "Should not be saved."}
    if version is None:
        del data["edit_version"]
    else:
        data["edit_version"] = version

    response = save(client, filled, data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "This form is missing its version; reload the page and try again." in page
    assert "Should not be saved." in page  # the typed text stays
    stored = Proposal.objects.get(pk=filled.pk)
    assert stored.summary == FILLED["summary"] and stored.edit_version == filled.edit_version


def test_the_service_refuses_a_stale_version_and_saves_nothing(filled, lead):
    from hub.versioning import StaleEdit

    services.proposal_save_draft(
        proposal=filled, by=lead, data={**FILLED, "ethics": "First."}, edit_version=filled.edit_version
    )
    with pytest.raises(StaleEdit) as stale:
        services.proposal_save_draft(
            proposal=filled,
            by=lead,
            data={**FILLED, "ethics": "Second."},
            milestones=[{"title": "Lost", "month": 2, "description": ""}],
            edit_version=filled.edit_version,
        )
    assert stale.value.current.ethics == "First."
    stored = Proposal.objects.get(pk=filled.pk)
    assert stored.ethics == "First." and not stored.milestones.exists()


RACERS = 8


@needs_postgresql
@race_db
def test_simultaneous_saves_of_one_version_exactly_one_wins_the_others_409(open_call, lead):
    proposal = services.proposal_start(call=open_call, by=lead, title="Older tenants")
    clients = []
    for _ in range(RACERS):
        client = Client()
        client.force_login(lead)
        clients.append(client)
    form = open_form(clients[0], proposal)

    responses = race(clients, lambda i, client: save(client, proposal, {**form, "summary": f"Summary {i}"}))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302] + [409] * (RACERS - 1), statuses
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    stored = Proposal.objects.get(pk=proposal.pk)
    assert stored.summary == f"Summary {winner}" and stored.edit_version == int(form["edit_version"]) + 1
