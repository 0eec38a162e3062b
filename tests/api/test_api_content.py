"""What harvesters and apps read: the facets of the site as filters, pagination, ids and slugs, updated_since."""

import datetime as dt

from django.utils import timezone

import pytest

from profiles.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_call_filters_are_the_facets_of_the_calls_listing(get_json, open_call):
    from hub.models import Theme

    theme, other = Theme.objects.all()[:2]
    open_call.themes.set([theme])
    open_call.save_revision().publish()
    assert get_json("/api/v1/calls/", theme=theme.slug)[1]["count"] == 1
    assert get_json("/api/v1/calls/", theme=other.slug)[1]["count"] == 0
    assert get_json("/api/v1/calls/", status="open")[1]["count"] == 1
    assert get_json("/api/v1/calls/", status="closed")[1]["count"] == 0
    call = get_json(f"/api/v1/calls/{open_call.pk}")[1]
    assert call["themes"] == [{"slug": theme.slug, "name": theme.name}]
    assert call["organisation"]["name"] == "City of Graz"


def test_pages_have_a_stable_order_and_links(get_json, build):
    results = [build.result() for _ in range(3)]
    first = get_json("/api/v1/results/", page_size="2")[1]
    assert (first["count"], first["pages"], first["page"]) == (3, 2, 1)
    assert [r["id"] for r in first["results"]] == [results[0].pk, results[1].pk]
    assert first["previous"] is None
    assert "page=2" in first["next"] and "page_size=2" in first["next"]
    second = get_json("/api/v1/results/", page="2", page_size="2")[1]
    assert [r["id"] for r in second["results"]] == [results[2].pk]
    beyond = get_json("/api/v1/results/", page="9")[1]
    assert beyond["results"] == [] and beyond["count"] == 3


def test_updated_since_returns_what_changed_since(get_json, build):
    from projects.models import Result

    old, new = build.result(), build.result()
    Result.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=30))
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    body = get_json("/api/v1/results/", updated_since=since)[1]
    assert [r["id"] for r in body["results"]] == [new.pk]
    naive = (timezone.now() - dt.timedelta(days=60)).replace(tzinfo=None).isoformat()
    assert get_json("/api/v1/results/", updated_since=naive)[1]["count"] == 2


def test_details_by_id_or_slug(get_json, build, partnership):
    assert get_json(f"/api/v1/partnerships/{partnership.slug}")[1]["id"] == partnership.pk
    body = get_json(f"/api/v1/partnerships/{partnership.pk}")[1]
    assert {m["side"] for m in body["members"]} == {"research", "city"}
    indicator = build.indicator()
    assert get_json(f"/api/v1/indicators/{indicator.slug}")[1]["observations_url"].endswith(
        f"/api/v1/indicators/{indicator.pk}/observations"
    )


def test_only_verified_organisations_and_their_filters(get_json, city, university):
    OrganisationFactory(name="Unverified Institute")
    body = get_json("/api/v1/organisations/")[1]
    assert {o["name"] for o in body["results"]} == {"City of Graz", "University of Graz"}
    governments = get_json("/api/v1/organisations/", kind="local_government")[1]
    assert [o["name"] for o in governments["results"]] == ["City of Graz"]
    assert get_json(f"/api/v1/organisations/{city[0].slug}")[1]["kind"] == "local_government"


def test_a_country_code_of_no_organisation_matches_nothing_and_a_malformed_one_is_a_400(get_json, city):
    status, body = get_json("/api/v1/organisations/", country="zz")
    assert (status, body["count"]) == (200, 0)
    status, body = get_json("/api/v1/organisations/", country="00")
    assert status == 400
    assert body["detail"].startswith("Invalid value for country")


def test_cities_are_the_live_city_pages(get_json, city):
    body = get_json("/api/v1/cities/")[1]
    assert [c["organisation"]["name"] for c in body["results"]] == ["City of Graz"]
    page_id = body["results"][0]["id"]
    assert get_json(f"/api/v1/cities/{page_id}")[1]["city"] == "Graz"


def test_methods_and_case_studies_carry_their_text(get_json, build):
    method = build.method()
    story = build.case_study()
    body = get_json(f"/api/v1/methods/{method.pk}")[1]
    assert body["what_it_is"] == "<p>A cycle of action and reflection.</p>"
    assert get_json(f"/api/v1/case-studies/{story.pk}")[1]["partnership"]["slug"] == build.partnership.slug
