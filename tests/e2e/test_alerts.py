"""A researcher saves a filtered search of calls, gets the weekly digest and unsubscribes from it signed out."""

import re
from urllib.parse import urlparse

from django.core import mail

from playwright.sync_api import expect

from calls.alerts import send_alerts
from calls.factories import make_call
from calls.models import SavedSearch
from hub.models import Theme
from profiles.models import CityPage
from tests.e2e.helpers import sign_in, sign_out


def tagged_call(city_page: CityPage, title: str, theme: Theme):
    call = make_call(city_page=city_page, title=title)
    call.themes.set([theme])
    call.save()
    return call


def test_researcher_saves_a_search_gets_the_digest_and_unsubscribes_signed_out(page, researcher, password, city):
    housing = Theme.objects.get(slug="adequate-housing")
    city_page = CityPage.objects.get(organisation=city[0])
    tagged_call(city_page, "Housing of older tenants", housing)

    sign_in(page, researcher.email, password)
    page.goto("/calls/")
    page.get_by_label("Human-rights theme").select_option("adequate-housing")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"theme=adequate-housing"))

    box = page.get_by_role("region", name="Save this search")
    box.get_by_label("Name of this alert").fill("Housing research")
    box.get_by_role("radio", name="Weekly digest").check()
    box.get_by_role("button", name="Save this search").click()

    expect(page).to_have_url(re.compile(r"/dashboard/alerts/$"))
    expect(page.get_by_role("status")).to_contain_text("Saved “Housing research”")
    saved = page.get_by_role("region", name="Saved searches")
    expect(saved.get_by_role("heading", name="Housing research")).to_be_visible()
    expect(saved.get_by_label(re.compile(r"^Emails"))).to_have_value("weekly")

    # A new matching call, then the weekly cron run (in this process: its mail lands in the same outbox).
    search = SavedSearch.objects.get(user=researcher)
    SavedSearch.objects.filter(pk=search.pk).update(created_at=search.created_at.replace(year=2020))
    tagged_call(city_page, "Evictions and the right to housing", housing)
    assert send_alerts(frequency="weekly").items == 2
    [message] = [m for m in mail.outbox if researcher.email in m.to]
    assert "Evictions and the right to housing" in message.body
    link = re.search(r"https?://\S+/alerts/unsubscribe/\S+/", message.body).group(0)

    sign_out(page)
    page.goto(urlparse(link).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe from alerts")
    expect(page.get_by_role("main")).to_contain_text("Housing research")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    assert not SavedSearch.objects.filter(pk=search.pk).exists()

    sign_in(page, researcher.email, password)
    page.goto("/dashboard/alerts/")
    expect(page.get_by_role("main")).to_contain_text("You have no saved searches yet")
