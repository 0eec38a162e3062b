"""Scientific freedom (recommendation 10): once researchers publish a result, the commissioning city cannot
edit, unpublish, delete or take it down, whichever door it tries: the front end, the Wagtail admin or an API.

The read-only open data API is built by another area; results are not writable through it.
"""

from django.urls import NoReverseMatch, reverse

import pytest

from profiles.factories import MembershipFactory, UserFactory
from profiles.models import Membership, User
from projects.factories import add_member
from projects.models import PartnershipMember, Result, Takedown
from projects.services import results as services
from tests.projects.test_results_services import make_result, pdf_upload


@pytest.fixture
def published(partnership, researcher):
    result = make_result(partnership, researcher, publish=True)
    services.result_file_add(result=result, by=researcher, upload=pdf_upload())
    return Result.objects.get(pk=result.pk)


@pytest.fixture
def city_people(city, partnership):
    """The partnership's city-side official (a Wagtail editor of the city), another admin of the city, a city member."""
    organisation, official = city
    other_admin = UserFactory(email="admin2.graz@example.org", account_type=User.AccountType.ORGANISATION)
    MembershipFactory(
        user=other_admin, organisation=organisation, role=Membership.Role.ADMIN, status=Membership.Status.APPROVED
    )
    from profiles.services import sync_editor_groups

    sync_editor_groups(user=other_admin)
    staff = UserFactory(email="staff.graz@example.org", account_type=User.AccountType.ORGANISATION)
    add_member(partnership, staff, side=PartnershipMember.Side.CITY, organisation=organisation)
    return {"official": official, "other_admin": User.objects.get(pk=other_admin.pk), "city_member": staff}


def snapshot(result: Result) -> tuple:
    result = Result.objects.get(pk=result.pk)
    return (result.title, result.abstract, result.status, result.embargo_until, result.files.count(), result.slug)


ACTIONS = [
    ("get", "edit/", None),
    ("post", "edit/", {"title": "The city's version", "abstract": "Nothing to see.", "kind": "report"}),
    ("post", "publish/", {"embargo_until": ""}),
    ("post", "unpublish/", {}),
    ("get", "delete/", None),
    ("post", "delete/", {}),
    ("get", "take-down/", None),
    ("post", "take-down/", {"reason": "The city does not agree with the findings of this report."}),
    ("post", "files/add/", "upload"),
    ("post", "files/{file}/remove/", {}),
]


@pytest.mark.parametrize("who", ["official", "other_admin", "city_member"])
@pytest.mark.parametrize(("method", "suffix", "data"), ACTIONS)
def test_city_cannot_change_a_published_result(client, published, city_people, who, method, suffix, data):
    user = city_people[who]
    client.force_login(user)
    before = snapshot(published)
    file_id = published.files.get().pk
    url = f"/results/{published.slug}/{suffix.format(file=file_id)}"
    if data == "upload":
        data = {"file": pdf_upload("city.pdf"), "title": "City version"}
    response = client.get(url) if method == "get" else client.post(url, data or {})
    assert response.status_code in (403, 404, 405)
    assert snapshot(published) == before
    assert not Takedown.objects.exists()


def test_refusal_page_says_why(client, published, official):
    client.force_login(official)
    response = client.get(f"/results/{published.slug}/edit/")
    assert response.status_code == 403
    assert "commissioning city can publish a response beside it" in response.content.decode()


def test_city_official_sees_no_edit_controls_on_the_result_page(client, published, official):
    client.force_login(official)
    content = client.get(published.get_absolute_url()).content.decode()
    assert f"/results/{published.slug}/edit/" not in content and "Take down" not in content


def test_city_official_cannot_create_results_for_the_partnership(client, partnership, official):
    client.force_login(official)
    assert client.get(f"/partnerships/{partnership.slug}/results/new/").status_code == 403


@pytest.mark.parametrize("view", ["list", "add", "edit", "delete"])
def test_wagtail_admin_has_no_view_that_edits_results(view):
    with pytest.raises(NoReverseMatch):
        reverse(f"wagtailsnippets_projects_result:{view}", args=[1] if view in ("edit", "delete") else [])


def test_city_editor_in_the_wagtail_admin_finds_no_result_editor(client, published, official):
    client.force_login(official)
    assert client.get("/admin/").status_code == 200  # the official is a Wagtail editor of the city
    for path in (
        "/admin/snippets/projects/result/",
        f"/admin/snippets/projects/result/edit/{published.pk}/",
        f"/admin/snippets/projects/result/delete/{published.pk}/",
    ):
        assert client.get(path).status_code == 404
    assert snapshot(published)[2] == Result.Status.PUBLISHED


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("ref", ["id", "slug"])
def test_city_official_cannot_change_a_published_result_through_the_api(client, published, official, method, ref):
    client.force_login(official)
    before = snapshot(published)
    url = f"/api/v1/results/{published.pk if ref == 'id' else published.slug}"
    response = getattr(client, method)(
        url, data='{"title": "The city\'s version", "status": "draft"}', content_type="application/json"
    )
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert snapshot(published) == before
    assert client.get(url).json()["title"] == published.title
