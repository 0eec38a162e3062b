"""The Wagtail admin as a city editor: reports, dashboard, chooser steps and suggestions show only their city.

Graz and Linz each have a published call and a draft call that is locked and waiting in the city's moderation. As
Graz's official, every report Wagtail registers (with its results fragment and spreadsheet export) must name neither
Linz's draft nor the people who edit Linz's pages, and count only Graz's pages; the page chooser's last step, the
publish confirmation of a page in moderation, the task chooser and the tag suggestions must not answer about Linz.
Each check also asserts Graz's own twin is there, so a broken or empty page does not pass; coordinators and
superusers still see both cities.
"""

import io
import re
from types import SimpleNamespace

from django.core.files.images import ImageFile
from django.urls import reverse
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.models import Collection

import pytest
from PIL import Image as PILImage

from calls.factories import make_call
from calls.models import ResearchCall
from profiles.factories import MembershipFactory, UserFactory
from profiles.mfa import totp_activate
from profiles.models import CityPage, Membership, User
from profiles.services import sync_editor_groups

pytestmark = pytest.mark.django_db

GRAZ_DRAFT, LINZ_DRAFT = "zqgrazdraftxv", "zqlinzdraftxv"
GRAZ_LIVE, LINZ_LIVE = "zqgrazlivexv", "zqlinzlivexv"
GRAZ_EDITOR, LINZ_EDITOR = "zqgrazeditorxv", "zqlinzeditorxv"
GRAZ_TAG, LINZ_TAG = "zqgraztagxv", "zqlinztagxv"

REPORTS = {
    "locked_pages": GRAZ_DRAFT,
    "workflow": GRAZ_DRAFT,
    "workflow_tasks": GRAZ_DRAFT,
    "site_history": GRAZ_DRAFT,
    "aging_pages": GRAZ_LIVE,
    "page_types_usage": GRAZ_DRAFT,
}
EXPORTABLE = ["locked_pages", "workflow", "workflow_tasks", "site_history", "aging_pages"]


def _report_urls():
    """Each report's page, its results fragment and, where it has one, its CSV export; with what Graz must see."""
    for name, own in REPORTS.items():
        yield reverse(f"wagtailadmin_reports:{name}"), own
        yield reverse(f"wagtailadmin_reports:{name}_results"), own
        if name in EXPORTABLE:
            yield reverse(f"wagtailadmin_reports:{name}") + "?export=csv", own


REPORT_URLS = list(_report_urls())


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def _named(user: User, marker: str) -> User:
    User.objects.filter(pk=user.pk).update(first_name="Zora", last_name=marker)
    return User.objects.get(pk=user.pk)


def _city_with_drafts(make_city, name: str, *, live: str, draft: str, editor: str):
    organisation, official = make_city(name)
    official = _named(official, editor)
    page = CityPage.objects.get(organisation=organisation)
    make_call(city_page=page, title=f"Housing {live}")
    call = make_call(city_page=page, title=f"Draft {draft}", publish=False)
    call.get_workflow().start(call, official)
    ResearchCall.objects.filter(pk=call.pk).update(locked=True, locked_by=official, locked_at=timezone.now())
    return organisation, official, page, ResearchCall.objects.get(pk=call.pk)


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (20, 20), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def _tagged_image(organisation, tag: str):
    collection = Collection.objects.filter(group_permissions__group=organisation.editor_group).distinct().get()
    image = get_image_model()(title=f"Town hall {tag}", collection=collection)
    image.file.save(f"{tag}.png", ImageFile(io.BytesIO(_png()), name=f"{tag}.png"), save=False)
    image.save()
    image.tags.add(tag)
    return image


@pytest.fixture
def world(make_city):
    graz, graz_official, graz_page, graz_draft = _city_with_drafts(
        make_city, "Graz", live=GRAZ_LIVE, draft=GRAZ_DRAFT, editor=GRAZ_EDITOR
    )
    linz, linz_official, linz_page, linz_draft = _city_with_drafts(
        make_city, "Linz", live=LINZ_LIVE, draft=LINZ_DRAFT, editor=LINZ_EDITOR
    )
    _tagged_image(graz, GRAZ_TAG)
    _tagged_image(linz, LINZ_TAG)
    return SimpleNamespace(
        graz=graz,
        linz=linz,
        graz_official=graz_official,
        linz_official=linz_official,
        graz_page=graz_page,
        linz_page=linz_page,
        graz_draft=graz_draft,
        linz_draft=linz_draft,
    )


@pytest.fixture
def superuser(db):
    user = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    totp_activate(user=user, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return User.objects.get(pk=user.pk)


FOREIGN = (LINZ_DRAFT, LINZ_EDITOR, "City of Linz")  # Linz's draft, its editor's name, its workflow and task


# --- reports ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "own"), REPORT_URLS)
def test_city_editor_reports_show_only_their_own_city(client, world, url, own):
    client.force_login(world.graz_official)

    response = client.get(url)

    assert response.status_code == 200, (url, response.status_code)
    body = _body(response)
    assert own in body, url
    assert [marker for marker in FOREIGN if marker in body] == [], url


def _page_type_counts(client) -> dict[str, tuple[int, str | None]]:
    response = client.get(reverse("wagtailadmin_reports:page_types_usage"))
    assert response.status_code == 200
    return {
        item.model: (item.count, item.last_edited_page and item.last_edited_page.title)
        for item in response.context["object_list"]
    }


def test_page_types_usage_counts_and_names_only_the_editors_pages(client, world):
    client.force_login(world.graz_official)

    counts = _page_type_counts(client)

    assert counts["researchcall"] == (2, f"Draft {GRAZ_DRAFT}")
    assert counts["citypage"][0] == 1
    assert counts["homepage"][0] == 0  # a page the editor cannot work on is not theirs to count


def test_page_types_usage_shows_coordinators_and_superusers_every_city(client, world, coordinator, superuser):
    for user in (coordinator, superuser):
        client.force_login(user)
        counts = _page_type_counts(client)
        assert counts["researchcall"][0] == 4, user
        assert counts["citypage"][0] == 2, user


def test_coordinator_and_superuser_reports_show_both_cities(client, world, coordinator, superuser):
    lists = ["locked_pages", "workflow", "workflow_tasks", "site_history", "aging_pages"]  # coordinators may not unlock
    for user, names in [(coordinator, lists[1:]), (superuser, lists)]:
        client.force_login(user)
        for name in names:
            body = _body(client.get(reverse(f"wagtailadmin_reports:{name}")))
            for marker in {"aging_pages": (GRAZ_LIVE, LINZ_LIVE)}.get(name, (GRAZ_DRAFT, LINZ_DRAFT)):
                assert marker in body, (user, name, marker)
        body = _body(client.get(reverse("wagtailadmin_reports:workflow")))
        assert GRAZ_EDITOR in body and LINZ_EDITOR in body, user  # both requesters are offered as a filter


def test_report_filters_name_only_people_of_the_editors_city(client, world):
    """The "Locked by", "Requested by" and "User" filters offer the people of the report's own rows."""
    client.force_login(world.graz_official)
    for name in ("locked_pages", "workflow", "site_history"):
        body = _body(client.get(reverse(f"wagtailadmin_reports:{name}")))
        assert GRAZ_EDITOR in body, name
        assert LINZ_EDITOR not in body, name


# --- the dashboard ------------------------------------------------------------------------------


def _dashboard_page_count(client) -> int:
    body = _body(client.get(reverse("wagtailadmin_home")))
    match = re.search(r"(\d+)\s+Pages?\s*<span", body)
    assert match, "the dashboard shows no page count"
    return int(match.group(1))


def test_dashboard_counts_only_the_pages_of_an_editors_cities(client, world, make_city):
    """An editor of Graz and Linz has the cities index as explorable root; a third city's pages are not theirs."""
    _city_with_drafts(make_city, "Wels", live="zqwelslivexv", draft="zqwelsdraftxv", editor="zqwelseditorxv")
    both = UserFactory(email="both@example.org", account_type=User.AccountType.ORGANISATION)
    for organisation in (world.graz, world.linz):
        MembershipFactory(
            user=both, organisation=organisation, role=Membership.Role.MEMBER, status=Membership.Status.APPROVED
        )
    sync_editor_groups(user=both)
    client.force_login(User.objects.get(pk=both.pk))

    assert _dashboard_page_count(client) == 2 * 3  # each city page with its published and its draft call


def test_dashboard_counts_the_city_editors_own_pages(client, world):
    client.force_login(world.graz_official)
    assert _dashboard_page_count(client) == 3


# --- chooser steps, moderation, tasks and tags ---------------------------------------------------


def test_page_chooser_never_names_another_citys_draft_by_id(client, world):
    client.force_login(world.graz_official)
    url = reverse("wagtailadmin_choose_page_chosen_multiple")

    response = client.get(f"{url}?id={world.linz_draft.pk}&id={world.graz_draft.pk}")

    assert response.status_code == 200
    assert LINZ_DRAFT not in _body(response)
    assert GRAZ_DRAFT in _body(response)


def test_publish_confirmation_of_another_citys_page_is_refused(client, world):
    """It names the workflow and task a page is in: another city's page in moderation is not the editor's to know."""
    client.force_login(world.graz_official)

    foreign = client.get(reverse("wagtailadmin_pages:confirm_workflow_cancellation", args=[world.linz_draft.pk]))
    own = client.get(reverse("wagtailadmin_pages:confirm_workflow_cancellation", args=[world.graz_draft.pk]))

    assert foreign.status_code in (302, 403, 404)
    assert "Linz" not in _body(foreign)
    assert own.status_code == 200 and "City of Graz" in _body(own)


def test_task_chooser_is_only_for_workflow_editors(client, world, superuser):
    urls = [
        reverse("wagtailadmin_workflows:task_chooser"),
        reverse("wagtailadmin_workflows:task_chooser_results"),
        reverse("wagtailadmin_workflows:task_chooser_create"),
        reverse("wagtailadmin_workflows:task_chosen", args=[world.linz_draft.current_workflow_task.pk]),
    ]
    client.force_login(world.graz_official)
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403), (url, response.status_code)
        assert "Linz" not in _body(response), url

    client.force_login(superuser)
    response = client.get(urls[0])
    assert response.status_code == 200 and "City of Linz" in _body(response)


@pytest.mark.parametrize("path", ["/admin/tag-autocomplete/", "/admin/tag-autocomplete/taggit/tag/"])
def test_tag_suggestions_come_only_from_the_editors_own_media(client, world, superuser, path):
    client.force_login(world.graz_official)
    assert client.get(f"{path}?term=zq").json() == [GRAZ_TAG]

    client.force_login(superuser)
    assert client.get(f"{path}?term=zq").json() == [GRAZ_TAG, LINZ_TAG]
