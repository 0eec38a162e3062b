"""Injection: hostile markup in user text renders escaped, email subjects stay one line, list parameters never 500.

Hostile file names on uploads are covered in test_uploads.py (names are generated); CSV formula injection in
the exports is covered by tests/exports/test_csv_exports.py::test_formulas_are_neutralised and
tests/calls/test_export.py.
"""

# Fixtures are imported from other test modules; pytest injects them by name.
# ruff: noqa: F401, F811

import datetime as dt

from django.core import mail
from django.utils import timezone
from django.utils.html import escape

import pytest

from calls.factories import submit_for_tests
from calls.models import Proposal, ReviewAssignment, SavedSearch
from calls.services import proposals as proposal_services
from hub.models import Country
from profiles.factories import OrganisationFactory, UserFactory
from profiles.models import Organisation, Publication, ResearcherProfile, User
from projects.models import (
    CityResponse,
    Milestone,
    PolicyUptake,
    Result,
    ResultAuthor,
    WorkspaceNote,
)
from projects.services import datasets as dataset_services
from tests.security.fixtures_attacks import (  # noqa: F401  (fixtures, injected by name)
    HOSTILE,
    IMG,
    JS_URL,
    SCRIPT,
    csv_upload,
    draft_proposal,
    draft_result,
    official,
    outsider,
    partnership,
    published_result,
    review,
)

pytestmark = pytest.mark.django_db


def assert_escaped(body: str, where: str) -> None:
    """The hostile markup is shown as text: its escaped form is there, the live tags are not."""
    assert SCRIPT not in body, f"raw <script> on {where}"
    assert "<script>alert" not in body, f"raw <script> on {where}"
    assert "<img src=x" not in body and "onerror=alert(1)>" not in body.replace("&gt;", ""), f"raw <img> on {where}"
    assert escape(SCRIPT) in body, f"escaped text missing on {where}"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# Every user-writable text field, on every page that shows it ------------------------------------------


def test_profile_bio_headline_and_publications_are_escaped(client, researcher):
    profile = ResearcherProfile.objects.get(user=researcher)
    ResearcherProfile.objects.filter(pk=profile.pk).update(bio=HOSTILE, headline=f"Head {SCRIPT}", is_public=True)
    Publication.objects.create(profile=profile, title=HOSTILE, year=2024, url="https://example.org/p")
    User.objects.filter(pk=researcher.pk).update(first_name=f"Ana {SCRIPT}")

    for url in [f"/researchers/{profile.pk}/", "/researchers/"]:
        assert_escaped(page(client, url), url)


def test_organisation_fields_are_escaped(client, coordinator):
    organisation = OrganisationFactory(name=f"Org {SCRIPT}", city=f"Town {IMG}", description=HOSTILE)
    Organisation.objects.filter(pk=organisation.pk).update(verified=True)

    for url in [f"/organisations/{organisation.slug}/", "/organisations/"]:
        assert_escaped(page(client, url), url)


@pytest.mark.parametrize("field", ["website", "hr_city_declaration_url"])
def test_javascript_urls_are_refused_in_organisation_links(client, field):
    user = UserFactory(email="founder@example.org", account_type=User.AccountType.ORGANISATION)
    client.force_login(user)
    data = {
        "name": "City of Salzburg",
        "kind": Organisation.Kind.LOCAL_GOVERNMENT,
        "country": str(Country.objects.get(code="AT").pk),
        "city": "Salzburg",
        "time_zone": "Europe/Vienna",
        field: JS_URL,
    }
    response = client.post("/organisations/new/", data)
    assert response.status_code in (200, 400)
    assert not Organisation.objects.filter(name="City of Salzburg").exists()


def test_proposal_texts_are_escaped_for_the_team_the_city_and_reviewers(client, draft_proposal, researcher, city):
    texts = {f: f"{f} {HOSTILE}" for f in ("summary", "methodology", "participation_plan", "data_management_plan")}
    Proposal.objects.filter(pk=draft_proposal.pk).update(title=f"Title {SCRIPT}", ethics=HOSTILE, **texts)
    client.force_login(researcher)
    for url in [f"/proposals/{draft_proposal.pk}/", f"/proposals/{draft_proposal.pk}/edit/", "/proposals/"]:
        assert_escaped(page(client, url), url)
    submit_for_tests(Proposal.objects.get(pk=draft_proposal.pk))
    client.force_login(city[1])
    call_id = draft_proposal.call_id
    for url in [f"/proposals/{draft_proposal.pk}/", f"/calls/{call_id}/manage/", f"/calls/{call_id}/ranking/"]:
        assert_escaped(page(client, url), url)


def test_review_comments_are_escaped(client, review):
    assignment, reviewer = review
    ReviewAssignment.objects.filter(pk=assignment.pk).update(comments=HOSTILE)
    Proposal.objects.filter(pk=assignment.proposal_id).update(summary=HOSTILE)
    client.force_login(reviewer)
    assert_escaped(page(client, f"/reviews/{assignment.pk}/"), "review page")


def test_result_title_abstract_and_authors_are_escaped(client, published_result):
    Result.objects.filter(pk=published_result.pk).update(title=f"Result {SCRIPT}", abstract=HOSTILE)
    ResultAuthor.objects.filter(result=published_result).update(name=f"Author {SCRIPT}", affiliation=IMG)
    for url in [published_result.get_absolute_url(), "/results/"]:
        assert_escaped(page(client, url), url)


def test_dataset_description_column_names_and_cells_are_escaped_in_the_preview(client, partnership, researcher):
    content = f'"{SCRIPT}",count\n"{IMG}",12\n"{SCRIPT}",7\n'.encode()
    dataset = dataset_services.dataset_upload(
        partnership=partnership,
        by=researcher,
        upload=csv_upload(content),
        data={
            "title": f"Data {SCRIPT}",
            "description": HOSTILE,
            "licence": "CC0-1.0",
            "access_level": "open",
            "personal_data": "none",
            "disaggregations": [],
        },
    )
    dataset = dataset_services.dataset_publish(dataset=dataset, by=researcher)
    body = page(client, dataset.get_absolute_url())
    assert_escaped(body, "dataset page")
    assert '<script type="application/ld+json">' in body  # the JSON-LD is there, with its markup encoded
    assert_escaped(page(client, "/data/datasets/"), "dataset list")
    client.force_login(researcher)
    assert_escaped(page(client, f"/data/datasets/{dataset.slug}/edit/"), "dataset edit")


def test_workspace_notes_and_milestone_titles_are_escaped(client, partnership, researcher):
    WorkspaceNote.objects.create(partnership=partnership, author=researcher, body=HOSTILE)
    Milestone.objects.create(
        partnership=partnership, title=f"Milestone {SCRIPT}", description=IMG, due_date=timezone.localdate()
    )
    assert_escaped(page(client, partnership.get_absolute_url()), "partnership page")
    client.force_login(researcher)
    assert_escaped(page(client, partnership.get_workspace_url()), "workspace")


def test_city_response_and_uptake_are_escaped_and_links_are_http_only(client, published_result, official, city):
    CityResponse.objects.create(
        result=published_result, city=city[0], stance="accepted", reasons=HOSTILE, reply=HOSTILE, responded_by=official
    )
    PolicyUptake.objects.create(
        result=published_result,
        city=city[0],
        kind="plan",
        title=f"Plan {SCRIPT}",
        date=timezone.localdate(),
        body=IMG,
        link="https://example.org/plan",
        description=HOSTILE,
        recorded_by=official,
    )
    for url in [published_result.get_absolute_url(), "/results/uptake/"]:
        assert_escaped(page(client, url), url)

    client.force_login(official)
    response = client.post(
        f"/results/{published_result.slug}/uptake/new/",
        {"kind": "plan", "title": "Sneaky", "date": timezone.localdate().isoformat(), "link": JS_URL},
    )
    assert response.status_code in (200, 400)
    assert not PolicyUptake.objects.filter(title="Sneaky").exists()
    assert 'href="javascript:' not in page(client, "/results/uptake/")


# Email headers --------------------------------------------------------------------------------------


def _assert_one_line_subjects(messages):
    assert messages, "no email was sent"
    for message in messages:
        assert "\r" not in message.subject and "\n" not in message.subject, message.subject
        assert not message.bcc and all("evil" not in address for address in message.recipients())
        headers = message.message()
        assert headers["Bcc"] is None and "evil" not in (headers["To"] or "")


def _submit_with_mail(proposal, researcher, capture):
    from tests.calls.test_proposal_services import FILLED
    from tests.security.fixtures_attacks import pdf_upload

    title = proposal.title
    proposal = proposal_services.proposal_save_draft(
        proposal=proposal, by=researcher, data={**FILLED, "title": "x"}, edit_version=proposal.edit_version
    )
    Proposal.objects.filter(pk=proposal.pk).update(title=title)
    proposal = Proposal.objects.get(pk=proposal.pk)
    proposal_services.attachment_add(proposal=proposal, by=researcher, upload=pdf_upload())
    mail.outbox.clear()
    with capture(execute=True):
        proposal_services.proposal_submit(proposal=proposal, by=researcher)


def test_proposal_title_cannot_inject_email_headers(open_call, researcher, django_capture_on_commit_callbacks):
    proposal = proposal_services.proposal_start(call=open_call, by=researcher, title="Older tenants")
    Proposal.objects.filter(pk=proposal.pk).update(title="Older tenants\r\nBcc: x@evil.example\r\n")

    _submit_with_mail(Proposal.objects.get(pk=proposal.pk), researcher, django_capture_on_commit_callbacks)

    _assert_one_line_subjects(mail.outbox)


def test_call_title_cannot_inject_email_headers(open_call, researcher, django_capture_on_commit_callbacks):
    from calls.models import ResearchCall

    ResearchCall.objects.filter(pk=open_call.pk).update(title="Housing\r\nBcc: x@evil.example")
    proposal = proposal_services.proposal_start(
        call=ResearchCall.objects.get(pk=open_call.pk), by=researcher, title="Older tenants"
    )

    _submit_with_mail(proposal, researcher, django_capture_on_commit_callbacks)

    _assert_one_line_subjects(mail.outbox)


def test_alert_name_cannot_inject_email_headers(city, researcher, django_capture_on_commit_callbacks):
    from calls.alerts import send_alerts
    from calls.factories import make_call
    from hub.models import Theme
    from profiles.models import CityPage

    SavedSearch.objects.create(
        user=researcher,
        source="calls",
        name="Housing\r\nBcc: x@evil.example",
        query="theme=adequate-housing",
        frequency="daily",
        created_at=timezone.now() - dt.timedelta(minutes=1),
    )
    call = make_call(city_page=CityPage.objects.get(organisation=city[0]), title="Housing of older tenants")
    call.themes.set([Theme.objects.get(slug="adequate-housing")])
    call.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_alerts(frequency="daily")

    _assert_one_line_subjects(mail.outbox)


# Hostile list parameters ----------------------------------------------------------------------------

LIST_PAGES = [
    "/calls/",
    "/researchers/",
    "/partnerships/",
    "/results/",
    "/data/datasets/",
    "/data/indicators/",
    "/methods/",
    "/case-studies/",
    "/cities/",
    "/search/",
    "/results/uptake/",
    "/organisations/",
    "/api/v1/calls/",
    "/api/v1/researchers/",
    "/api/v1/results/",
    "/api/v1/datasets/",
]
LONG = "x" * 10_000
HOSTILE_PARAMS = [
    {"page": "-1"},
    {"page": "99999999999999999999"},
    {"page": "abc"},
    {"page": "1e9"},
    {"sort": "password"},
    {"sort": "__class__"},
    {"ordering": "-password"},
    {"ordering": "lead__password"},
    {"theme": "' OR 1=1 --"},
    {"country": "' OR 1=1 --", "sdg": "abc", "method": "%00"},
    {"q": LONG},
    {"theme": LONG, "sort": LONG, "page": LONG},
    {"limit": "-5", "offset": "-1"},
    {"limit": "99999999999999999999", "offset": "99999999999999999999"},
    {"q": "\x00<script>alert(1)</script>"},
]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_hostile_sort_facet_and_page_parameters_never_crash(client, url, open_call, published_result):
    for params in HOSTILE_PARAMS:
        response = client.get(url, params)
        # 414: the API refuses addresses over 4,000 characters, as its OpenAPI schema documents.
        allowed = (200, 400, 404, 414) if url.startswith("/api/") else (200, 400, 404)
        assert response.status_code in allowed, (url, params, response.status_code)
        body = response.content.decode(errors="replace")
        assert "<script>alert(1)</script>" not in body, (url, params)
        assert len(body) < 2_000_000, (url, params)


# StreamField blocks (city, standard and case-study pages) -------------------------------------------


def test_streamfield_text_blocks_render_escaped_and_links_refuse_javascript():
    from django.core.exceptions import ValidationError

    from hub.blocks import BodyBlock

    block = BodyBlock()
    value = block.to_python(
        [
            {"type": "heading", "value": {"text": f"Heading {SCRIPT}", "level": "h2"}},
            {"type": "quote", "value": {"quote": HOSTILE, "source": IMG}},
        ]
    )
    assert_escaped(str(block.render(value)), "stream blocks")

    link = block.child_blocks["call_to_action"]
    with pytest.raises(ValidationError):
        link.clean(link.to_python({"text": "Go", "page": None, "url": JS_URL, "label": "Go"}))
