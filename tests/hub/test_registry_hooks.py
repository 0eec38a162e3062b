"""Hub pages ask the apps above through Wagtail hooks (hub/hooks.py); after-commit work runs once per commit."""

from django.db import transaction

from wagtail import hooks

import pytest

from calls.factories import make_call
from hub import bulk
from hub.registry import CitySection, DashboardSection, Stat
from profiles.models import CityPage

pytestmark = pytest.mark.django_db


def test_a_hook_answer_shows_on_the_home_page_in_its_order(client, city):
    with hooks.register_temporarily("home_stats", lambda: Stat("walks", "guided walks", 7, url="/walks/"), order=1):
        html = client.get("/").content.decode()
    stats = html[html.index('class="stat__label"') :]
    assert '<a href="/walks/">Guided walks</a>' in stats
    assert stats.index("Guided walks") < stats.index("Open calls")  # order 1 comes before calls' 10


def test_a_section_that_answers_none_is_not_shown(client, city):
    page = CityPage.objects.get(organisation=city[0])
    make_call(city_page=page, title="Heat and health")
    hidden = lambda city_page: None  # noqa: E731
    with hooks.register_temporarily("city_page_sections", hidden):
        html = client.get(page.url).content.decode()
    assert "Heat and health" in html  # the calls section still answers


def test_dashboard_panels_come_from_the_hooks_in_order(client, researcher):
    panel = DashboardSection("walks", "calls/alerts/dashboard_section.html", {"saved_search_count": 37, "limit": 40})
    with hooks.register_temporarily("dashboard_sections", lambda user: panel, order=1):
        client.force_login(researcher)
        html = client.get("/dashboard/").content.decode()
    # Order 1: before every app's panel, including the real alerts panel (order 30) that uses the same template.
    assert html.index("You have 37 saved searches") < html.index("Save a search on the calls page")


def test_a_city_section_hook_receives_the_city_page(client, city):
    page = CityPage.objects.get(organisation=city[0])
    seen = []

    def section(city_page):
        seen.append(city_page.pk)
        return CitySection("walks", "Walks", "profiles/city_section_researchers.html", {"researchers": []})

    with hooks.register_temporarily("city_page_sections", section):
        assert client.get(page.url).status_code == 200
    assert seen == [page.pk]


def test_after_commit_work_runs_once_for_many_writes(django_capture_on_commit_callbacks):
    done = []
    once = bulk._OncePerCommit(lambda: done.append("stale"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        once.request()
        once.request()
    assert len(callbacks) == 2  # one per write: none trusts an "already registered" flag
    assert done == ["stale"]


def test_a_rolled_back_write_does_not_stop_the_next_commit_from_running_the_work(django_capture_on_commit_callbacks):
    done = []
    once = bulk._OncePerCommit(lambda: done.append("stale"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                once.request()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and done == []  # the rolled-back write's callback is gone with it
    with django_capture_on_commit_callbacks(execute=True):
        once.request()
    assert done == ["stale"]
