"""Matching in the browser: calls for a researcher, researchers who fit a call, partners for a team."""

import datetime as dt
import re

from django.core import mail

from playwright.sync_api import Page, expect

from calls.factories import make_call
from calls.models import MatchInvitation
from hub.models import Country, Method, Theme
from profiles.factories import ResearcherProfileFactory, UserFactory
from profiles.models import CityPage, ResearcherProfile
from tests.e2e.helpers import sign_in


def fit_call(organisation, title: str, *, themes=(), methods=(), closes_in_days=30, **fields):
    call = make_call(
        city_page=CityPage.objects.get(organisation=organisation),
        title=title,
        closes_in=dt.timedelta(days=closes_in_days),
        publish=False,
        **fields,
    )
    call.themes.set(themes)
    call.methods.set(methods)
    call.save_revision().publish()
    return call


def profile(email: str, first: str, last: str, *, themes=(), methods=(), countries=()) -> ResearcherProfile:
    made = ResearcherProfileFactory(user=UserFactory(email=email, first_name=first, last_name=last))
    made.themes.set(themes)
    made.methods.set(methods)
    made.countries.set(countries)
    return made


def calls_for_you(page: Page):
    return page.get_by_role("region", name="Calls for you").get_by_role("list", name="Calls, best fit first")


def test_researcher_adds_a_theme_and_the_calls_for_them_change(new_page, city, researcher, password):
    organisation, _official = city
    housing, water = Theme.objects.order_by("pk")[0], Theme.objects.order_by("pk")[2]
    fit_call(organisation, "Housing of older tenants", themes=[housing])
    fit_call(organisation, "Water access in informal settlements", themes=[water], closes_in_days=10)

    page = new_page()
    sign_in(page, researcher.email, password)
    page.goto("/dashboard/")
    listed = calls_for_you(page).get_by_role("listitem")
    expect(listed.first).to_contain_text("Water access")  # nothing to match on yet: soonest deadline first
    expect(page.get_by_role("link", name=re.compile("Add your human-rights themes"))).to_be_visible()

    page.goto("/dashboard/profile/")
    page.get_by_label(housing.name, exact=True).check()
    page.get_by_role("button", name="Save profile").click()
    page.goto("/dashboard/")

    expect(listed.first).to_contain_text("Housing of older tenants")
    expect(listed.first).to_contain_text(f"Both: {housing.name}")


def test_official_invites_a_researcher_who_fits_and_another_city_cannot_see_them(new_page, city, make_city, password):
    organisation, official = city
    housing = Theme.objects.order_by("pk")[0]
    survey = Method.objects.order_by("pk")[1]
    call = fit_call(organisation, "Housing of older tenants", themes=[housing], methods=[survey])
    fits = profile("ana.lopez@example.org", "Ana", "López", themes=[housing], methods=[survey])
    hidden = profile("hidden.one@example.org", "Hidden", "Person", themes=[housing], methods=[survey])
    hidden.is_public = False
    hidden.save()

    page = new_page()
    sign_in(page, official.email, password)
    page.goto(call.get_url())
    page.get_by_role("link", name="Researchers who fit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Researchers who fit")
    results = page.get_by_role("list", name="Researchers, best fit first")
    row = results.get_by_role("listitem").filter(has_text="Ana López")
    expect(row).to_contain_text(f"Uses {survey.name}")
    expect(page.get_by_text("Hidden Person")).to_have_count(0)

    row.get_by_role("button", name=re.compile("Invite to apply")).click()
    expect(page.get_by_text("Ana López is invited to apply")).to_be_visible()
    expect(results.get_by_role("listitem").filter(has_text="Ana López")).to_contain_text("Invited on")
    assert MatchInvitation.objects.filter(call=call, profile=fits).count() == 1
    assert [m.to for m in mail.outbox if call.title in m.subject] == [["ana.lopez@example.org"]]

    _linz, linz_official = make_city("Linz")
    other = new_page()
    sign_in(other, linz_official.email, password)
    response = other.goto(f"/calls/{call.pk}/researchers/")
    assert response.status == 404


def test_partner_search_shows_a_complementary_researcher(new_page, researcher, password):
    housing = Theme.objects.order_by("pk")[0]
    par, survey = Method.objects.order_by("pk")[0], Method.objects.order_by("pk")[1]
    me = researcher.researcher_profile
    me.themes.set([housing])
    me.methods.set([par])
    me.countries.set([Country.objects.get(code="AT")])
    profile(
        "kofi.mensah@example.org",
        "Kofi",
        "Mensah",
        themes=[housing],
        methods=[survey],
        countries=[Country.objects.get(code="GH")],
    )

    page = new_page()
    sign_in(page, researcher.email, password)
    page.goto("/researchers/partners/")

    row = page.get_by_role("list", name="Possible partners").get_by_role("listitem").first
    expect(row).to_contain_text("Kofi Mensah")
    expect(row).to_contain_text(f"Brings {survey.name}")
    expect(row).to_contain_text("Works in Ghana")
