"""Use as template: another city starts a draft from a published call; both calls credit each other."""

from django.core.exceptions import PermissionDenied

import pytest

from calls.models import ResearchCall
from calls.services.calls import call_use_as_template
from hub.models import Method, Theme
from profiles.models import CityPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def vienna(make_city):
    organisation, official = make_city("Vienna")
    return CityPage.objects.get(organisation=organisation), official


@pytest.fixture
def source(open_call):
    open_call.themes.set(Theme.objects.order_by("pk")[:2])
    open_call.methods.set(Method.objects.order_by("pk")[:1])
    open_call.ethics = "Ethics board approval required."
    open_call.save()
    open_call.save_revision().publish()
    return ResearchCall.objects.get(pk=open_call.pk)


def test_official_of_another_city_gets_a_draft_copy_in_their_city(client, source, vienna):
    vienna_page, official = vienna
    client.force_login(official)

    response = client.post(f"/admin/calls/{source.pk}/use-as-template/", {"city_page": vienna_page.pk})

    copy = ResearchCall.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{copy.pk}/edit/"
    assert not copy.live
    assert copy.get_parent().pk == vienna_page.pk
    assert copy.organisation == vienna_page.organisation
    assert copy.template_source == source
    assert copy.title == source.title and copy.summary == source.summary
    assert copy.ethics == "Ethics board approval required."
    assert set(copy.themes.all()) == set(source.themes.all())
    assert set(copy.methods.all()) == set(source.methods.all())
    assert [(c.name, c.weight) for c in copy.criteria.all()] == [(c.name, c.weight) for c in source.criteria.all()]
    assert copy.status == ResearchCall.Status.UPCOMING
    assert copy.opens_at > source.opens_at
    assert copy.get_latest_revision() is not None


def test_copy_is_editable_by_its_new_city(client, source, vienna):
    vienna_page, official = vienna
    copy = call_use_as_template(source=source, city_page=vienna_page, by=official)
    client.force_login(official)

    assert client.get(f"/admin/pages/{copy.pk}/edit/").status_code == 200


def test_both_calls_credit_each_other_once_the_copy_is_published(client, source, vienna):
    vienna_page, official = vienna
    copy = call_use_as_template(source=source, city_page=vienna_page, by=official)
    copy.title = "Housing of older tenants in Vienna"
    copy.save_revision().publish()
    copy = ResearchCall.objects.get(pk=copy.pk)

    copy_page = client.get(copy.url).content.decode()
    source_page = client.get(source.url).content.decode()

    assert "Reused from" in copy_page and source.url in copy_page and "City of Graz" in copy_page
    assert "Reused by 1 call" in source_page and copy.title in source_page


def test_unpublished_copy_is_not_credited_publicly(client, source, vienna):
    call_use_as_template(source=source, city_page=vienna[0], by=vienna[1])

    assert "Reused by" not in client.get(source.url).content.decode()


def test_own_city_may_reuse_its_call(source, city):
    organisation, official = city
    copy = call_use_as_template(source=source, city_page=CityPage.objects.get(organisation=organisation), by=official)

    assert copy.template_source == source


@pytest.mark.parametrize("who", ["researcher", "other_city_for_vienna"])
def test_only_the_target_city_officials_may_start_a_copy(source, vienna, researcher, make_city, who):
    user = researcher if who == "researcher" else make_city("Seoul")[1]

    with pytest.raises(PermissionDenied):
        call_use_as_template(source=source, city_page=vienna[0], by=user)
    assert ResearchCall.objects.count() == 1


def test_researcher_gets_no_template_page(client, source, researcher):
    client.force_login(researcher)

    response = client.get(f"/admin/calls/{source.pk}/use-as-template/")

    assert response.status_code in (302, 403)
    assert ResearchCall.objects.count() == 1


def test_officials_of_other_cities_see_the_template_link_on_the_public_page(client, source, vienna, city):
    client.force_login(vienna[1])
    assert "Use this call as a template" in client.get(source.url).content.decode()
    client.force_login(city[1])
    assert "Use this call as a template" not in client.get(source.url).content.decode()


def test_use_as_template_is_in_the_audit_log(source, vienna):
    from wagtail.models import PageLogEntry

    copy = call_use_as_template(source=source, city_page=vienna[0], by=vienna[1])

    actions = set(PageLogEntry.objects.filter(page=copy).values_list("action", flat=True))
    assert {"wagtail.create", "calls.use_as_template"} <= actions


def test_coordinator_who_is_also_an_official_sees_use_as_template_in_the_admin(client, source, vienna, coordinator):
    from profiles.factories import MembershipFactory
    from profiles.models import Membership

    MembershipFactory(
        user=coordinator,
        organisation=vienna[0].organisation,
        role=Membership.Role.ADMIN,
        status=Membership.Status.APPROVED,
    )
    client.force_login(coordinator)

    edit = client.get(f"/admin/pages/{source.pk}/edit/").content.decode()

    assert f"/admin/calls/{source.pk}/use-as-template/" in edit
