"""Invalidation by dependency (hub/page_cache.py): a public change is on every page that shows it at the next
request; a private write leaves every public page cached.

Each test warms the public pages (a miss, then a hit), changes one thing as its users would, and reads every
page again: a page that showed the thing shows the new state (and was recomputed), a page that did not show
it stays a hit when nothing it read changed.
"""

import datetime as dt

from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from wagtail.models import Site

import pytest

from calls.factories import ProposalFactory, make_call
from calls.models import Proposal, SavedSearch
from hub import aggregates, page_cache
from hub.models import SiteSettings, Theme
from profiles.factories import ResearcherProfileFactory
from profiles.models import CityPage, User
from projects import usage
from projects.factories import PartnershipFactory
from projects.models import Result, UsageMonth
from projects.services.takedowns import take_down

pytestmark = pytest.mark.django_db

LISTS = ["/", "/calls/", "/researchers/", "/partnerships/", "/results/"]


@pytest.fixture(autouse=True)
def _caches_on(settings):
    SiteSettings.for_site(Site.objects.get(is_default_site=True))  # created on first view otherwise
    cache.clear()
    settings.PAGE_CACHE_SECONDS = 300
    settings.AGGREGATE_CACHE_SECONDS = 300


@pytest.fixture
def world(city):
    organisation, official = city
    city_page = CityPage.objects.get(organisation=organisation)
    call = make_call(city_page=city_page, title="Quetzal housing call", summary="What older tenants need.")
    profile = ResearcherProfileFactory(
        user__email="ana.quetzal@example.org", user__first_name="Ana", user__last_name="Quetzal", headline="Quokka"
    )
    partnership = PartnershipFactory(title="Quetzal partnership", slug="quetzal", city=organisation)
    result = Result.objects.create(
        partnership=partnership,
        title="Quetzal findings",
        slug="quetzal-findings",
        abstract="What tenants told us.",
        status=Result.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=3),
    )
    return {
        "official": official,
        "city_page": city_page,
        "call": call,
        "profile": profile,
        "partnership": partnership,
        "result": result,
        "paths": [*LISTS, call.url, city_page.url, profile.get_absolute_url(), partnership.get_absolute_url()],
    }


def warm(client, paths):
    for path in paths:
        assert client.get(path).status_code == 200, path
        response = client.get(path)
        assert response["X-Cache"] == "HIT", path


def read(client, paths) -> dict[str, tuple[str, str]]:
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        pages[path] = (response.get("X-Cache", ""), response.content.decode())
    return pages


def showing(client, paths, text) -> list[str]:
    return [path for path in paths if text in client.get(path).content.decode()]


def test_publishing_an_edit_of_a_call_shows_it_everywhere_and_spares_the_pages_that_do_not_show_calls(client, world):
    call, paths = world["call"], world["paths"]
    warm(client, paths)
    shown_on = showing(client, paths, "Quetzal housing call")
    assert {call.url, "/calls/", world["city_page"].url} <= set(shown_on)

    call.title = "Quetzal water call"
    call.save_revision().publish()

    pages = read(client, paths)
    for path in shown_on:
        cached, html = pages[path]
        assert "Quetzal water call" in html and "Quetzal housing call" not in html, path
        assert cached == "MISS", path
    # The researcher directory and a researcher's page read nothing a call publication writes.
    for path in ("/researchers/", world["profile"].get_absolute_url()):
        assert pages[path][0] == "HIT", path


def test_unpublishing_and_deleting_a_call_remove_it_from_every_page(client, world):
    call, paths = world["call"], world["paths"]
    warm(client, paths)
    shown_on = [p for p in showing(client, paths, "Quetzal housing call") if p != call.url]
    assert shown_on

    call.unpublish()
    assert showing(client, paths, "Quetzal housing call") == []
    assert client.get(call.url).status_code == 404

    warm(client, [p for p in paths if p != call.url])
    call.delete()
    assert showing(client, [p for p in paths if p != call.url], "Quetzal housing call") == []


def test_editing_a_city_page_shows_the_new_name_on_its_page_and_its_calls(client, world):
    city_page, call = world["city_page"], world["call"]
    warm(client, world["paths"])
    city_page.title = "Quetzaltenango"
    city_page.save_revision().publish()
    assert "Quetzaltenango" in client.get(city_page.url).content.decode()
    assert client.get(call.url).status_code == 200


def test_editing_a_researcher_profile_shows_on_the_directory_and_the_profile_only(client, world):
    profile, paths = world["profile"], world["paths"]
    warm(client, paths)
    profile.headline = "Quinoa and housing rights"
    profile.save()

    pages = read(client, paths)
    for path in ("/researchers/", profile.get_absolute_url()):
        assert "Quinoa and housing rights" in pages[path][1], path
    assert pages["/calls/"][0] == "HIT"
    assert pages[world["call"].url][0] == "HIT"


def test_editing_and_taking_down_a_result_shows_on_every_page_that_lists_it(client, world, coordinator):
    result, paths = world["result"], world["paths"]
    warm(client, paths)
    shown_on = showing(client, paths, "Quetzal findings")
    assert "/results/" in shown_on

    result.title = "Quetzal findings, revised"
    result.save()
    for path in shown_on:
        assert "Quetzal findings, revised" in client.get(path).content.decode(), path

    warm(client, paths)
    take_down(obj=result, reason="The data identified a person; taken down on request.", by=coordinator)
    assert showing(client, paths, "Quetzal findings") == []


def test_a_partnership_made_private_leaves_the_lists(client, world):
    partnership, paths = world["partnership"], world["paths"]
    warm(client, paths)
    assert "/partnerships/" in showing(client, paths, "Quetzal partnership")
    partnership.is_public = False
    partnership.save()
    assert "Quetzal partnership" not in client.get("/partnerships/").content.decode()


def test_renaming_a_theme_recomputes_the_pages_that_read_themes(client, world):
    theme = Theme.objects.order_by("pk").first()
    world["call"].themes.add(theme)
    warm(client, ["/calls/", world["call"].url])
    theme.name = "Quokka rights"
    theme.save()
    assert client.get("/calls/")["X-Cache"] == "MISS"
    assert client.get(world["call"].url)["X-Cache"] == "MISS"


def test_a_spanish_visitor_gets_the_change_too(client, world):
    call = world["call"]
    warm(client, ["/es/calls/", "/calls/"])
    call.title = "Convocatoria quetzal"
    call.save_revision().publish()
    assert "Convocatoria quetzal" in client.get("/es/calls/").content.decode()
    assert "Convocatoria quetzal" in client.get("/calls/").content.decode()


def test_private_writes_leave_every_public_page_cached(client, world, researcher, password):
    """Signing in, saving a proposal draft, a saved search, a review, a usage count: no public page changes."""
    paths = world["paths"]
    warm(client, paths)

    signed_in = Client()
    assert signed_in.login(email=researcher.email, password=password)  # writes last_login
    User.objects.filter(pk=researcher.pk).update(last_login=timezone.now())
    draft = ProposalFactory(call=world["call"], lead=researcher, title="A private draft")
    draft.summary = "Changed twice by the team."
    draft.save()
    assert signed_in.get("/dashboard/").status_code == 200
    SavedSearch.objects.create(user=researcher, source="calls", name="Housing", query="q=housing")
    usage.record_view(world["result"])  # the first view of the month creates its counter row
    usage.record_view(world["result"])
    assert UsageMonth.objects.get(object_id=world["result"].pk).views == 2

    pages = read(client, paths)
    assert {path: cached for path, (cached, _html) in pages.items()} == dict.fromkeys(paths, "HIT")
    assert all("A private draft" not in html for _cached, html in pages.values())


def test_a_page_computed_while_a_change_commits_is_not_kept(client, world):
    """A page whose computation started before a change's stamp is stale at once, even if stored after it."""
    started = page_cache.clock()
    page_cache.note_write({"calls_researchcall"})
    assert not page_cache.is_fresh(started, {"calls_researchcall"})
    assert page_cache.is_fresh(page_cache.clock(), {"calls_researchcall"})


def test_a_lost_stamp_counts_as_a_change(client, world):
    warm(client, ["/calls/"])
    cache.delete_many([key for key in [page_cache.TAG_PREFIX + "calls_researchcall"]])
    assert client.get("/calls/")["X-Cache"] == "MISS"
    assert client.get("/calls/")["X-Cache"] == "HIT"


def test_invalidate_everything_empties_pages_and_aggregates(client, world, django_capture_on_commit_callbacks):
    warm(client, ["/calls/", "/"])
    with django_capture_on_commit_callbacks(execute=True):
        pass
    page_cache.forget_pending()  # the fixtures' writes, as if committed
    computed = []
    aggregates.cached("sample", (), lambda: computed.append(1))
    page_cache.invalidate_everything()
    assert client.get("/calls/")["X-Cache"] == "MISS"
    aggregates.cached("sample", (), lambda: computed.append(1))
    assert len(computed) == 2


def test_an_aggregate_depends_only_on_what_it_read(world, django_capture_on_commit_callbacks):
    page_cache.forget_pending()  # the fixtures' writes, as if committed
    computed = []

    def count_calls():
        computed.append(1)
        return Proposal.objects.count() + len(list(Theme.objects.values_list("pk", flat=True)[:1]))

    aggregates.cached("themes-and-proposals", (), count_calls)
    aggregates.cached("themes-and-proposals", (), count_calls)
    assert len(computed) == 1
    with django_capture_on_commit_callbacks(execute=True):  # as if each change were committed
        world["partnership"].summary = "Unrelated change"
        world["partnership"].save()
    aggregates.cached("themes-and-proposals", (), count_calls)
    assert len(computed) == 1  # it read no partnership
    with django_capture_on_commit_callbacks(execute=True):
        Theme.objects.create(slug="quokka", name="Quokka")
    aggregates.cached("themes-and-proposals", (), count_calls)
    assert len(computed) == 2
