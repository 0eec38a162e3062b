"""A partnership's research team proposes a method or a tool; network coordinators approve it through a workflow."""

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from wagtail.documents import get_document_model

import pytest

from projects.models import MethodPage
from projects.services.methods import method_propose
from tests.projects.test_methods_library import make_method_page

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def url(partnership) -> str:
    return f"/partnerships/{partnership.slug}/methods/propose/"


def method_data(**overrides) -> dict:
    data = {
        "kind": "method",
        "title": "Photovoice",
        "summary": "Residents document their living conditions with photographs.",
        "what_it_is": "Participants take photos.\n\nThey discuss them together.",
        "when_to_use": "When words are not enough.",
        "ethics": "Consent of everyone in the pictures.",
    }
    return {**data, **overrides}


def approve(page: MethodPage, coordinator) -> None:
    page = MethodPage.objects.get(pk=page.pk)
    task_state = page.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, coordinator, "approve")


def test_anonymous_is_sent_to_sign_in(client, partnership):
    response = client.get(url(partnership))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["outsider", "official"])
def test_non_research_members_get_404_and_nothing_is_created(client, partnership, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(partnership)).status_code == 404
    assert client.post(url(partnership), method_data()).status_code == 404
    assert not MethodPage.objects.filter(title="Photovoice").exists()


def test_research_member_proposes_a_method_that_waits_for_coordinators(
    client, partnership, researcher, django_capture_on_commit_callbacks
):
    client.force_login(researcher)
    assert client.get(url(partnership)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(partnership), method_data(), follow=True)

    assert "sent to the network coordinators" in response.content.decode()
    page = MethodPage.objects.get(title="Photovoice")
    assert not page.live
    assert page.proposed_by == partnership and page.owner == researcher
    assert page.workflow_in_progress
    assert page.current_workflow_task.name == "Approval by network coordinators"
    assert "<p>Participants take photos.</p><p>They discuss them together.</p>" == page.what_it_is
    assert client.get("/methods/photovoice/").status_code == 404
    receipt = next(m for m in mail.outbox if researcher.email in m.to)
    assert "waiting for review" in receipt.subject
    assert receipt.alternatives and "Photovoice" in receipt.alternatives[0][0]


def test_coordinator_approval_publishes_the_method(client, partnership, researcher, coordinator):
    page = method_propose(
        partnership=partnership, by=researcher, title="Photovoice", summary="Photos.", what_it_is="Photos."
    )
    approve(page, coordinator)

    page.refresh_from_db()
    assert page.live
    response = client.get("/methods/photovoice/")
    assert response.status_code == 200
    assert partnership.title in response.content.decode()  # credited


def test_coordinator_sees_the_proposal_awaiting_review_in_the_admin(client, partnership, researcher, coordinator):
    method_propose(partnership=partnership, by=researcher, title="Photovoice", summary="Photos.", what_it_is="x")
    client.force_login(coordinator)
    response = client.get("/admin/")
    assert "Photovoice" in response.content.decode()


def test_missing_text_keeps_what_was_typed_and_stores_nothing(client, partnership, researcher):
    client.force_login(researcher)
    response = client.post(url(partnership), method_data(what_it_is="", summary="A summary I typed"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Explain what the method is." in html
    assert "A summary I typed" in html and 'value="Photovoice"' in html
    assert not MethodPage.objects.filter(title="Photovoice").exists()


def test_hostile_markup_is_stored_as_text(client, partnership, researcher):
    client.force_login(researcher)
    client.post(url(partnership), method_data(what_it_is="<script>alert(1)</script>"))
    page = MethodPage.objects.get(title="Photovoice")
    assert "<script>" not in page.what_it_is and "&lt;script&gt;" in page.what_it_is


def test_oversized_text_is_refused_with_a_message(client, partnership, researcher):
    client.force_login(researcher)
    response = client.post(url(partnership), method_data(summary="x" * 601))
    assert response.status_code == 400
    assert "at most 600 characters" in response.content.decode()


def test_a_method_that_exists_cannot_be_proposed_twice(client, partnership, researcher):
    make_method_page("Photovoice")
    client.force_login(researcher)
    response = client.post(url(partnership), method_data())
    assert response.status_code == 400
    assert "exists already" in response.content.decode()
    assert MethodPage.objects.filter(title="Photovoice").count() == 1


def test_tool_link_is_a_new_revision_the_live_page_keeps_until_approval(client, partnership, researcher, coordinator):
    page = make_method_page("Focus groups")
    client.force_login(researcher)
    response = client.post(
        url(partnership),
        {
            "kind": "tool",
            "title": "Moderator guide",
            "method_page": page.pk,
            "description": "Questions for a two-hour group.",
            "url": "https://example.org/guide",
        },
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live and page.workflow_in_progress
    assert "Moderator guide" not in client.get(page.url).content.decode()

    approve(page, coordinator)
    assert "Moderator guide" in client.get(page.url).content.decode()


def test_tool_file_is_stored_as_a_document_in_the_method_tools_collection(client, partnership, researcher, coordinator):
    page = make_method_page("Focus groups")
    client.force_login(researcher)
    upload = SimpleUploadedFile("guide.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url(partnership), {"kind": "tool", "title": "Consent form", "method_page": page.pk, "file": upload}
    )
    assert response.status_code == 302
    document = get_document_model().objects.get(title="Consent form")
    assert document.collection.name == "Method tools"
    approve(page, coordinator)
    assert document.url in client.get(page.url).content.decode()


def test_csv_tool_is_accepted(client, partnership, researcher):
    page = make_method_page("Survey")
    client.force_login(researcher)
    upload = SimpleUploadedFile("codebook.csv", b"question,code\nAge,Q1\nIncome,Q2\n", content_type="text/csv")
    response = client.post(
        url(partnership), {"kind": "tool", "title": "Codebook", "method_page": page.pk, "file": upload}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("guide.pdf", b"MZ\x90\x00 this is a program", "is not a PDF, Word"),
        ("notes.csv", b"\x00\x01\x02binary", "is not a PDF, Word"),
        ("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "may be at most 10"),
    ],
)
def test_bad_tool_files_are_refused_and_the_text_is_kept(client, partnership, researcher, name, content, message):
    page = make_method_page("Focus groups")
    client.force_login(researcher)
    upload = SimpleUploadedFile(name, content)
    response = client.post(
        url(partnership),
        {"kind": "tool", "title": "My tool", "description": "Typed text", "method_page": page.pk, "file": upload},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and "Typed text" in html and "choose it again" in html
    assert not get_document_model().objects.filter(title="My tool").exists()
    page.refresh_from_db()
    assert not page.workflow_in_progress


def test_tool_needs_a_method_and_a_link_or_file(client, partnership, researcher):
    client.force_login(researcher)
    response = client.post(url(partnership), {"kind": "tool", "title": "My tool"})
    html = response.content.decode()
    assert "Choose the method the tool is for." in html
    assert "Give a link to the tool or upload its file." in html


def test_second_proposal_for_a_method_under_review_is_refused(client, partnership, researcher):
    page = make_method_page("Focus groups")
    client.force_login(researcher)
    data = {"kind": "tool", "title": "Guide", "method_page": page.pk, "url": "https://example.org/a"}
    assert client.post(url(partnership), data).status_code == 302
    response = client.post(url(partnership), {**data, "title": "Another", "url": "https://example.org/b"})
    assert response.status_code == 400
    assert "already has changes waiting for review" in response.content.decode()
