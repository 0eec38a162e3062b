"""Two editors on one Wagtail page (issue 15 §2): Wagtail's concurrent-editing notices and page locking.

Through the real admin with Django's test client: both editors open the same ResearchCall; the editing-session
ping (what the open editor sends every WAGTAIL_EDITING_SESSION_PING_INTERVAL) tells each about the other and,
once one saved, tells the other that a newer revision exists; a page locked by one editor cannot be saved by
the other (the admin refuses with its message) while its owner goes on editing.
"""

import re

from django.conf import settings
from django.test import Client

from wagtail.admin.utils import get_user_display_name
from wagtail.models import Page, Revision

import pytest

from calls.models import ResearchCall
from profiles.factories import MembershipFactory, UserFactory
from profiles.models import Membership
from profiles.services import sync_editor_groups
from tests.calls.test_call_admin import call_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def editors(city, open_call):
    """The city's administrator and a member of its editors, each signed in to the admin in their own browser."""
    organisation, official = city
    member = UserFactory(email="member.graz@example.org", first_name="Mara", last_name="Editor")
    MembershipFactory(
        user=member, organisation=organisation, role=Membership.Role.MEMBER, status=Membership.Status.APPROVED
    )
    sync_editor_groups(user=member)
    first, second = Client(), Client()
    first.force_login(official)
    second.force_login(member)
    return (first, official), (second, member)


class Editor:
    """One open page editor: what its editing-session form holds, and its pings."""

    def __init__(self, client: Client, page: Page):
        self.client = client
        response = client.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code == 200
        self.html = response.content.decode()
        form = re.search(r'<form\s+method="post"\s+class="w-editing-sessions".*?</form>', self.html, re.S)
        assert form, "the page editor has Wagtail's editing-sessions module"
        self.session_form = form.group(0)
        self.ping_url = re.search(r'data-w-swap-src-value="([^"]+)"', self.session_form).group(1)
        self.interval = int(re.search(r'data-w-session-interval-value="(\d+)"', self.session_form).group(1))
        self.revision_id = re.search(r'name="revision_id" value="(\d+)"', self.session_form).group(1)
        self.revision_created_at = re.search(r'name="revision_created_at" value="([^"]+)"', self.session_form).group(1)

    def ping(self, *, editing: bool = True) -> dict:
        data = {"revision_id": self.revision_id, "revision_created_at": self.revision_created_at}
        if editing:
            data["is_editing"] = "1"
        response = self.client.post(self.ping_url, data)
        assert response.status_code == 200, response.content[:500]
        answer = response.json()
        self.ping_url = answer["ping_url"]
        return answer


def names(answer: dict) -> list[str]:
    return [session["user"] for session in answer["other_sessions"]]


def test_concurrent_editing_notices_and_locks_for_others_only_are_configured():
    assert settings.WAGTAIL_EDITING_SESSION_PING_INTERVAL == 10_000
    assert settings.WAGTAILADMIN_GLOBAL_EDIT_LOCK is False


def test_the_second_editor_is_told_about_the_first_and_the_first_about_the_second(editors, open_call):
    (first_client, official), (second_client, member) = editors
    first = Editor(first_client, open_call)
    second = Editor(second_client, open_call)
    assert first.interval == second.interval == settings.WAGTAIL_EDITING_SESSION_PING_INTERVAL

    first.ping()
    told_second = second.ping()
    told_first = first.ping()

    assert names(told_second) == [get_user_display_name(official)]
    assert told_second["other_sessions"][0]["is_editing"] is True
    assert names(told_first) == [get_user_display_name(member)]
    assert get_user_display_name(official) in told_second["html"]  # the avatar list the editor shows


def test_after_the_first_saves_the_second_is_told_a_newer_revision_exists(editors, open_call):
    (first_client, official), (second_client, _member) = editors
    first = Editor(first_client, open_call)
    second = Editor(second_client, open_call)
    first.ping()
    second.ping()

    saved = first_client.post(
        f"/admin/pages/{open_call.pk}/edit/",
        call_form(title=open_call.title, slug=open_call.slug, summary="A summary the first editor wrote."),
    )

    assert saved.status_code == 302, saved.content.decode()[:3000]
    newest = Revision.page_revisions.filter(object_id=str(open_call.pk)).order_by("-created_at", "-pk").first()
    assert newest.user == official and str(newest.pk) != second.revision_id
    told = second.ping()
    newer = [session for session in told["other_sessions"] if session["revision_id"]]
    assert newer and newer[0]["revision_id"] == newest.pk and newer[0]["user"] == get_user_display_name(official)
    # The second editor's notice names the newer version (Wagtail's own wording in its editing-sessions list).
    assert "saved a new version" in told["html"]
    # The first editor, who made it, is not warned about their own revision.
    assert not [s for s in Editor(first_client, open_call).ping()["other_sessions"] if s["revision_id"]]


def test_a_page_locked_by_one_editor_cannot_be_saved_by_the_other(editors, open_call):
    (first_client, official), (second_client, member) = editors
    second = Editor(second_client, open_call)  # opened before the lock, as in a real afternoon

    locked = first_client.post(f"/admin/pages/{open_call.pk}/lock/")

    assert locked.status_code == 302
    page = ResearchCall.objects.get(pk=open_call.pk)
    assert page.locked and page.locked_by == official
    revisions = Revision.page_revisions.filter(object_id=str(open_call.pk)).count()
    refused = second_client.post(
        f"/admin/pages/{open_call.pk}/edit/",
        call_form(title=open_call.title, slug=open_call.slug, summary="The second editor's summary."),
        follow=True,
    )
    assert "The page could not be saved as it is locked." in refused.content.decode()
    assert Revision.page_revisions.filter(object_id=str(open_call.pk)).count() == revisions
    assert ResearchCall.objects.get(pk=open_call.pk).get_latest_revision().user != member
    # Opening the editor again, the second editor reads who holds the lock.
    again = second_client.get(f"/admin/pages/{open_call.pk}/edit/").content.decode()
    assert "was locked" in again and get_user_display_name(official) in again
    assert second.ping()["other_sessions"] is not None  # pings go on; only saving is refused

    # The owner of the lock goes on editing (WAGTAILADMIN_GLOBAL_EDIT_LOCK = False).
    own = first_client.post(
        f"/admin/pages/{open_call.pk}/edit/",
        call_form(title=open_call.title, slug=open_call.slug, summary="The owner's summary."),
    )
    assert own.status_code == 302
    assert ResearchCall.objects.get(pk=open_call.pk).get_latest_revision().as_object().summary == "The owner's summary."

    # Unlocked, the second editor can save.
    assert first_client.post(f"/admin/pages/{open_call.pk}/unlock/").status_code == 302
    after = second_client.post(
        f"/admin/pages/{open_call.pk}/edit/",
        call_form(title=open_call.title, slug=open_call.slug, summary="The second editor's summary."),
    )
    assert after.status_code == 302
    assert ResearchCall.objects.get(pk=open_call.pk).get_latest_revision().user == member


def test_an_autosave_of_a_locked_page_is_refused_too(editors, open_call):
    (first_client, _official), (second_client, _member) = editors
    first_client.post(f"/admin/pages/{open_call.pk}/lock/")

    response = second_client.post(
        f"/admin/pages/{open_call.pk}/edit/",
        call_form(title=open_call.title, slug=open_call.slug, summary="Autosaved text."),
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["error_code"] == "locked"
    assert ResearchCall.objects.get(pk=open_call.pk).get_latest_revision().as_object().summary != "Autosaved text."


def test_city_editors_may_lock_their_pages(editors, open_call):
    (_first_client, _official), (second_client, member) = editors
    assert open_call.permissions_for_user(member).can_lock()
    page = second_client.get(f"/admin/pages/{open_call.pk}/edit/").content.decode()
    assert "lock it to prevent others from editing" in page and f"/admin/pages/{open_call.pk}/lock/" in page


def test_someone_who_cannot_edit_the_page_learns_nothing_from_the_ping(editors, open_call, make_city):
    (first_client, _official), _second = editors
    first = Editor(first_client, open_call)
    _linz, stranger = make_city("Linz")
    client = Client()
    client.force_login(stranger)

    response = client.post(first.ping_url, {"is_editing": "1"})

    assert response.status_code == 404
