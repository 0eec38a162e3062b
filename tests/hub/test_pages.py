"""The public pages every Bridges site has: home, standard pages, sitemap, robots.txt and 404."""

import re

from django.conf import settings

import pytest

from hub.site_setup import RECOMMENDATIONS
from profiles.factories import OrganisationFactory, ResearcherProfileFactory
from profiles.services import organisation_verify

pytestmark = pytest.mark.django_db


def stat(response, key: str) -> int:
    return next(s["value"] for s in response.context["stats"] if s["key"] == key)


def test_home_page_shows_live_numbers_that_follow_the_data(client, make_city, coordinator):
    before = client.get("/")
    assert before.status_code == 200
    assert b"Bridges today" in before.content
    cities, researchers, organisations = (stat(before, k) for k in ("cities", "researchers", "organisations"))

    make_city("Graz")
    ResearcherProfileFactory(user__email="new.researcher@example.org")
    ResearcherProfileFactory(user__email="hidden.researcher@example.org", is_public=False)
    organisation_verify(organisation=OrganisationFactory(name="University of Linz"), by=coordinator)
    OrganisationFactory(name="Not yet verified")

    after = client.get("/")
    assert stat(after, "cities") == cities + 1
    assert stat(after, "researchers") == researchers + 1
    assert stat(after, "organisations") == organisations + 2  # the city and the university
    assert b"City of Graz" in after.content  # newest cities


@pytest.mark.parametrize(
    "url, title",
    [
        ("/about/", "About Bridges"),
        ("/recommendations/", "The 14 recommendations"),
        ("/privacy/", "Privacy"),
        ("/terms/", "Terms of use"),
    ],
)
def test_standard_pages_exist(client, url, title):
    response = client.get(url)

    assert response.status_code == 200
    assert title.encode() in response.content


def test_recommendations_page_lists_all_14_recommendations(client):
    response = client.get("/recommendations/")

    assert len(RECOMMENDATIONS) == 14
    body = response.content.decode()
    for title, _how in RECOMMENDATIONS:
        assert title in body, title
    assert len(re.findall(r"<li><b>", body)) == 14


def test_sitemap_lists_city_pages_and_standard_pages(client, make_city):
    make_city("Graz")
    make_city("Linz", verify=False)

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    body = response.content.decode()
    assert "/cities/city-of-graz/</loc>" in body
    assert "city-of-linz" not in body
    for slug in ("about", "recommendations", "privacy", "terms"):
        assert f"/{slug}/</loc>" in body


def test_robots_txt_keeps_crawlers_out_of_private_areas_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for private in ("/admin/", "/accounts/", "/dashboard/"):
        assert f"Disallow: {private}" in text
    # On the public address (SITE_BASE_URL), whatever Host the request named.
    assert f"Sitemap: {settings.SITE_BASE_URL}/sitemap.xml" in text


@pytest.mark.parametrize(
    "url", ["/no-such-page/", "/cities/atlantis/", "/organisations/atlantis/", "/researchers/999999/"]
)
def test_unknown_address_gets_a_helpful_404_page(client, url):
    response = client.get(url)

    assert response.status_code == 404
    body = response.content.decode()
    assert "We could not find that page" in body
    assert 'href="/"' in body
    assert 'href="/cities/"' in body
    assert "noindex" in body


def test_unpublished_city_page_is_not_public(client, city):
    organisation, _ = city
    page = organisation.city_page
    page.unpublish()

    assert client.get("/cities/city-of-graz/").status_code == 404


def test_hidden_researcher_profile_gets_404(client):
    profile = ResearcherProfileFactory(is_public=False)

    assert client.get(f"/researchers/{profile.pk}/").status_code == 404
    listing = client.get("/researchers/")
    assert profile.get_absolute_url().encode() not in listing.content


def test_unverified_organisation_is_not_listed_publicly(client):
    hidden = OrganisationFactory(name="Unverified Collective")

    assert b"Unverified Collective" not in client.get("/organisations/").content
    assert client.get(f"/organisations/{hidden.slug}/").status_code == 404
