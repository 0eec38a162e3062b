"""The anonymous page cache (hub/page_cache.py): hits for anonymous visitors, invalidated by what pages read."""

import datetime as dt

from django.test import Client
from django.utils import timezone

import pytest

from profiles.models import CityPage
from projects.factories import PartnershipFactory
from projects.models import Result

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    from wagtail.models import Site

    from hub.models import SiteSettings

    # The first page view creates the site settings row, which (being a change) invalidates; do it now.
    SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def city_page(city):
    return CityPage.objects.get(organisation=city[0])


@pytest.fixture
def call(city_page):
    from calls.factories import make_call

    return make_call(city_page=city_page, title="Housing conditions of older tenants")


@pytest.fixture
def result(city):
    partnership = PartnershipFactory(title="Housing monitor", slug="housing-monitor", city=city[0])
    return Result.objects.create(
        partnership=partnership,
        title="Older tenants in Graz",
        slug="older-tenants",
        abstract="What older tenants told us.",
        status=Result.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=3),
    )


def get(client, path, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200, path
    return response


def test_a_public_page_is_a_miss_then_a_hit_with_the_same_content(client):
    first = get(client, "/calls/")
    second = get(client, "/calls/")
    assert first["X-Cache"] == "MISS"
    assert second["X-Cache"] == "HIT"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Set-Cookie" not in second


def test_head_is_answered_from_the_cache_without_a_body(client):
    get(client, "/calls/")
    response = client.head("/calls/")
    assert response.status_code == 200
    assert response["X-Cache"] == "HIT"
    assert response.content == b""


def test_off_when_the_setting_is_zero(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    get(client, "/calls/")
    assert "X-Cache" not in get(client, "/calls/")


def test_public_pages_carry_no_csrf_token_so_they_are_cached(client, call, city_page):
    for path in ["/", "/calls/", call.url, city_page.url, "/researchers/", "/results/", "/cities/"]:
        first = get(client, path)
        assert b"csrfmiddlewaretoken" not in first.content, path
        assert get(client, path)["X-Cache"] == "HIT", path


def test_publishing_a_new_revision_of_a_call_shows_the_new_title_at_once(client, call):
    assert "Housing conditions of older tenants" in get(client, call.url).content.decode()
    assert get(client, call.url)["X-Cache"] == "HIT"
    assert get(client, "/calls/")["X-Cache"] == "MISS"
    assert get(client, "/calls/")["X-Cache"] == "HIT"

    call.title = "Water access in informal settlements"
    call.save_revision().publish()

    for path in [call.url, "/calls/"]:
        response = get(client, path)
        assert response["X-Cache"] == "MISS", path
        assert "Water access in informal settlements" in response.content.decode(), path


def test_unpublishing_a_call_removes_it_from_the_cached_list(client, call):
    assert "Housing conditions of older tenants" in get(client, "/calls/").content.decode()
    call.unpublish()
    assert "Housing conditions of older tenants" not in get(client, "/calls/").content.decode()
    assert client.get(call.url).status_code == 404


def test_editing_a_city_page_shows_the_new_text(client, city_page):
    get(client, city_page.url)
    assert get(client, city_page.url)["X-Cache"] == "HIT"
    city_page.title = "Graz, Human Rights City since 2001"
    city_page.save_revision().publish()
    assert "Graz, Human Rights City since 2001" in get(client, city_page.url).content.decode()


def test_editing_a_result_shows_the_new_title_in_the_cached_list(client, result):
    assert "Older tenants in Graz" in get(client, "/results/").content.decode()
    assert get(client, "/results/")["X-Cache"] == "HIT"
    result.title = "Older tenants in Graz, revised"
    result.save()
    response = get(client, "/results/")
    assert response["X-Cache"] == "MISS"
    assert "Older tenants in Graz, revised" in response.content.decode()


def test_a_page_whose_view_writes_is_not_stored_so_every_view_is_counted(client, result):
    """A result's page counts its views (an UPDATE per GET): a hit would skip the count."""
    from projects.models import UsageMonth

    for _ in range(3):
        response = get(client, f"/results/{result.slug}/")
        assert response["X-Cache"] == "BYPASS"
    assert UsageMonth.objects.get(object_id=result.pk).views == 3


def test_a_change_is_stamped_again_when_its_transaction_commits(result, django_capture_on_commit_callbacks):
    """A page computed between the change and its commit read the old rows: the commit makes it stale too."""
    from hub import page_cache

    with django_capture_on_commit_callbacks() as callbacks:
        result.title = "First"
        result.save()
        result.title = "Second"
        result.save()
        computed_meanwhile = page_cache.clock()
        page_cache.ensure_stamped(computed_meanwhile, {"projects_result"})  # as when a page is stored
    assert page_cache.is_fresh(computed_meanwhile, {"projects_result"})
    for callback in callbacks:
        callback()
    assert not page_cache.is_fresh(computed_meanwhile, {"projects_result"})
    assert page_cache.is_fresh(page_cache.clock(), {"projects_result"})


def test_signed_in_people_never_get_nor_fill_the_cache(client, researcher, call):
    anonymous = Client()
    client.force_login(researcher)
    for _ in range(2):
        response = get(client, "/calls/")
        assert "X-Cache" not in response
        assert "Sign out" in response.content.decode()
        assert "private" in response["Cache-Control"]
    # Nothing a signed-in person saw was stored: the first anonymous visit is still a miss.
    first = get(anonymous, "/calls/")
    assert first["X-Cache"] == "MISS"
    assert "Sign out" not in first.content.decode()
    # And a cached anonymous page is not served to them either.
    assert get(anonymous, "/calls/")["X-Cache"] == "HIT"
    response = get(client, "/calls/")
    assert "X-Cache" not in response
    assert "Sign out" in response.content.decode()


def test_post_is_never_answered_from_the_cache(client):
    get(client, "/calls/")
    assert get(client, "/calls/")["X-Cache"] == "HIT"
    response = client.post("/calls/", {})
    assert response.get("X-Cache") is None


def test_pages_with_a_csrf_token_are_not_cached(client):
    # The sign-in page has a form: it carries a token and sets the CSRF cookie.
    for _ in range(2):
        response = client.get("/accounts/login/")
        assert response.status_code == 200
        assert "csrfmiddlewaretoken" in response.content.decode()
        assert response.get("X-Cache") is None
    # The signup page of a city or any public page with a POST form is left alone even outside /accounts/.
    from django.http import HttpResponse
    from django.middleware.csrf import get_token
    from django.test import RequestFactory

    from hub.page_cache import AnonymousPageCacheMiddleware

    def view_with_form(request):
        return HttpResponse(f'<form method="post"><input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    middleware = AnonymousPageCacheMiddleware(view_with_form)
    for _ in range(2):
        response = middleware(RequestFactory().get("/somewhere/"))
        assert response["X-Cache"] == "BYPASS"


def test_responses_that_set_a_cookie_or_are_private_or_not_200_are_not_cached(rf):
    from django.http import HttpResponse

    from hub.page_cache import AnonymousPageCacheMiddleware

    def with_cookie(request):
        response = HttpResponse("<p>hi</p>")
        response.set_cookie("seen", "1")
        return response

    def private(request):
        response = HttpResponse("<p>mine</p>")
        response["Cache-Control"] = "private"
        return response

    def no_store(request):
        response = HttpResponse("<p>mine</p>")
        response["Cache-Control"] = "no-store"
        return response

    def not_found(request):
        return HttpResponse("<p>gone</p>", status=404)

    def plain_text(request):
        return HttpResponse("ok", content_type="text/plain")

    for view in [with_cookie, private, no_store, not_found, plain_text]:
        middleware = AnonymousPageCacheMiddleware(view)
        assert middleware(rf.get("/x/"))["X-Cache"] == "BYPASS", view.__name__
        assert middleware(rf.get("/x/"))["X-Cache"] == "BYPASS", view.__name__


def test_pending_messages_bypass_the_cache(client):
    get(client, "/calls/")
    client.cookies["messages"] = "anything"
    assert client.get("/calls/").get("X-Cache") is None


def test_language_variants_are_cached_separately(client):
    english = get(client, "/calls/")
    spanish = get(client, "/es/calls/")
    assert spanish["X-Cache"] == "MISS"
    assert get(client, "/es/calls/")["X-Cache"] == "HIT"
    assert get(client, "/es/calls/").content == spanish.content != english.content
    assert 'lang="es"' in get(client, "/es/calls/").content.decode()[:200]


def test_query_strings_are_cached_separately(client, call):
    get(client, "/calls/")
    assert get(client, "/calls/?status=closed")["X-Cache"] == "MISS"
    assert get(client, "/calls/?status=closed")["X-Cache"] == "HIT"
    assert get(client, "/calls/?status=open")["X-Cache"] == "MISS"


def test_the_admin_and_the_api_are_never_cached(client):
    assert client.get("/api/v1/calls/").get("X-Cache") is None
    assert client.get("/admin/login/").get("X-Cache") is None
