"""A network coordinator turns a partnership into a draft case study; nobody else can."""

from django.template.loader import render_to_string
from django.test import RequestFactory

import pytest

from hub.models import Country, Method, SDGTarget, Theme
from projects.models import (
    CaseStudyIndexPage,
    CaseStudyPage,
    Dataset,
    MethodsIndexPage,
    PartnershipMember,
    Region,
    Result,
)
from projects.services.case_studies import region_of

pytestmark = pytest.mark.django_db


def url(partnership) -> str:
    return f"/partnerships/{partnership.slug}/case-study/"


@pytest.fixture
def rich_partnership(partnership):
    partnership.summary = "Graz and the university measured housing rights."
    partnership.save()
    partnership.themes.add(Theme.objects.order_by("pk").first())
    partnership.sdg_targets.add(SDGTarget.objects.order_by("pk").first())
    partnership.methods.add(Method.objects.get(slug="participatory-action-research"))
    PartnershipMember.objects.filter(partnership=partnership, side="research").update(
        country=Country.objects.get(code="ES")
    )
    Result.objects.create(
        partnership=partnership, title="Public report", slug="public-report", abstract="x", status="published"
    )
    Result.objects.create(partnership=partnership, title="Draft report", slug="draft-report", abstract="x")
    Dataset.objects.create(partnership=partnership, title="Rents", slug="rents", description="x", status="published")
    return partnership


def test_region_of_country():
    assert (region_of("AT"), region_of("co"), region_of("KE"), region_of(None)) == ("europe", "americas", "africa", "")


def test_coordinator_gets_a_prefilled_draft_and_lands_in_the_editor(client, coordinator, rich_partnership, city):
    client.force_login(coordinator)
    response = client.post(url(rich_partnership))

    page = CaseStudyPage.objects.get(partnership=rich_partnership)
    assert response.status_code == 302 and response["Location"] == f"/admin/pages/{page.pk}/edit/"
    assert not page.live and page.owner == coordinator
    assert page.title == rich_partnership.title
    assert page.summary == "Graz and the university measured housing rights."
    assert page.region == Region.EUROPE  # Graz is in Austria
    assert set(page.themes.all()) == set(rich_partnership.themes.all())
    assert set(page.sdg_targets.all()) == set(rich_partnership.sdg_targets.all())
    assert set(page.methods.all()) == set(rich_partnership.methods.all())
    assert {c.code for c in page.countries.all()} == {"ES", city[0].country.code}
    assert [r.title for r in page.results.all()] == ["Public report"]
    assert [d.title for d in page.datasets.all()] == ["Rents"]
    assert "Participatory action research" in page.method_text
    editor = client.get(response["Location"])
    assert editor.status_code == 200


def test_second_request_opens_the_existing_case_study(client, coordinator, partnership):
    client.force_login(coordinator)
    client.post(url(partnership))
    response = client.post(url(partnership), follow=True)
    assert CaseStudyPage.objects.filter(partnership=partnership).count() == 1
    assert "already has a case study" in response.content.decode()


@pytest.mark.parametrize("who", ["researcher", "official", "outsider"])
def test_non_coordinators_get_404_and_nothing_is_created(client, partnership, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.post(url(partnership)).status_code == 404
    assert not CaseStudyPage.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, partnership):
    response = client.post(url(partnership))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not CaseStudyPage.objects.exists()


def test_get_is_not_allowed(client, coordinator, partnership):
    client.force_login(coordinator)
    assert client.get(url(partnership)).status_code == 405


def test_action_include_shows_only_to_coordinators(coordinator, researcher, partnership):
    request = RequestFactory().get("/")
    for user, shown in ((coordinator, True), (researcher, False)):
        request.user = user
        html = render_to_string(
            "projects/case_studies/partnership_action.html", {"partnership": partnership}, request=request
        )
        assert ("Turn into a case study" in html) is shown


def test_coordinators_may_add_and_publish_case_studies_and_methods(coordinator):
    for index in (CaseStudyIndexPage.objects.get(), MethodsIndexPage.objects.get()):
        permissions = index.permissions_for_user(coordinator)
        assert permissions.can_add_subpage() and permissions.can_publish_subpage()
