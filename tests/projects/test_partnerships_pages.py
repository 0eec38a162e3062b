"""The /partnerships/ list with facets, and a partnership's public page with its outcomes and timeline."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from hub.models import Country, Method, SDGTarget, Theme
from profiles.factories import OrganisationFactory
from profiles.models import Organisation
from projects.factories import PartnershipFactory, add_member
from projects.models import Dataset, Indicator, Milestone, Partnership, PartnershipMember, Result

TODAY = timezone.localdate()


def make_result(partnership, title, *, status=Result.Status.PUBLISHED, n=0):
    return Result.objects.create(
        partnership=partnership,
        title=title,
        slug=f"{partnership.slug}-result-{n}-{status}",
        abstract="What we found.",
        status=status,
        published_at=timezone.now() if status == Result.Status.PUBLISHED else None,
        publication_date=TODAY,
    )


def make_dataset(partnership, title, *, status=Dataset.Status.PUBLISHED, n=0):
    return Dataset.objects.create(
        partnership=partnership,
        title=title,
        slug=f"{partnership.slug}-data-{n}-{status}",
        description="Counts per district.",
        status=status,
        published_at=timezone.now() if status == Dataset.Status.PUBLISHED else None,
    )


def make_indicator(title, slug):
    return Indicator.objects.create(
        title=title,
        slug=slug,
        type=Indicator.Type.OUTCOME,
        obligation=Indicator.Obligation.FULFIL,
        theme=Theme.objects.order_by("pk").first(),
        unit="% of households",
        definition="Share of households.",
    )


@pytest.fixture
def registered_pair(make_city):
    """Two public partnerships in different cities, countries, themes, methods and statuses."""
    vienna, _official = make_city("Vienna")
    linz, _other = make_city("Linz")
    themes = list(Theme.objects.order_by("name")[:2])
    methods = list(Method.objects.order_by("name")[:2])
    sdg_11 = SDGTarget.objects.filter(goal__number=11).first()
    sdg_5 = SDGTarget.objects.filter(goal__number=5).first()
    spain, austria = Country.objects.get(code="ES"), Country.objects.get(code="AT")
    housing = PartnershipFactory(title="Housing evictions monitor", slug="housing-evictions", city=vienna)
    housing.themes.set([themes[0]])
    housing.methods.set([methods[0]])
    housing.sdg_targets.set([sdg_11])
    PartnershipMember.objects.create(partnership=housing, name="Ana Ruiz", country=spain)
    access = PartnershipFactory(
        title="Accessible public transport",
        slug="accessible-transport",
        city=linz,
        status=Partnership.Status.COMPLETED,
    )
    access.themes.set([themes[1]])
    access.methods.set([methods[1]])
    access.sdg_targets.set([sdg_5])
    PartnershipMember.objects.create(partnership=access, name="Jonas Berger", country=austria)
    return housing, access, themes, methods


def test_list_shows_facets_with_counts(client, registered_pair):
    housing, access, themes, methods = registered_pair
    content = client.get("/partnerships/").content.decode()
    assert "2 partnerships" in content
    for label in ("Human-rights theme", "SDG", "Method", "Country of a member", "City", "Status"):
        assert label in content
    assert f"{themes[0].name} (1)" in content and "Spain (1)" in content and "Completed (1)" in content


@pytest.mark.parametrize(
    "query, shown",
    [
        ("country=ES", "Housing evictions monitor"),
        ("sdg=5", "Accessible public transport"),
        ("status=completed", "Accessible public transport"),
        ("city=city-of-vienna", "Housing evictions monitor"),
        ("q=evictions", "Housing evictions monitor"),
    ],
)
def test_each_facet_narrows_the_list(client, registered_pair, query, shown):
    content = client.get(f"/partnerships/?{query}").content.decode()
    hidden = {"Housing evictions monitor", "Accessible public transport"} - {shown}
    assert shown in content and hidden.pop() not in content
    assert "1 partnership" in content and "(remove this filter)" in content


def test_theme_and_method_facets_filter_by_slug(client, registered_pair):
    housing, access, themes, methods = registered_pair
    content = client.get(f"/partnerships/?theme={themes[1].slug}&method={methods[1].slug}").content.decode()
    assert "Accessible public transport" in content and "Housing evictions monitor" not in content


def test_no_match_suggests_removing_the_narrowest_filter(client, registered_pair):
    content = client.get("/partnerships/?country=ES&status=completed").content.decode()
    assert "No partnerships match these filters" in content
    assert "Remove the “Status” filter" in content


def test_hostile_filter_values_are_ignored_or_shown_escaped(client, registered_pair):
    response = client.get("/partnerships/", {"status": "<script>x</script>", "q": "<b>bold</b>", "sdg": "abc"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "<script>x</script>" not in content and "<b>bold</b>" not in content
    assert "Some filters were not understood" in content


def test_list_pages_at_twenty(client, city):
    for _n in range(21):
        PartnershipFactory(city=city[0])
    first = client.get("/partnerships/").content.decode()
    assert "21 partnerships" in first and 'rel="next"' in first
    assert client.get("/partnerships/?page=2").status_code == 200


def test_coordinators_see_the_register_button_others_do_not(client, coordinator, researcher):
    client.force_login(researcher)
    assert "Register a partnership" not in client.get("/partnerships/").content.decode()
    client.force_login(coordinator)
    assert "Register a partnership" in client.get("/partnerships/").content.decode()


def test_list_query_count_does_not_grow_with_partnerships(client, registered_pair, django_assert_max_num_queries):
    client.get("/partnerships/")
    with CaptureQueriesContext(connection) as few:
        client.get("/partnerships/")
    housing, access, themes, methods = registered_pair
    country = Country.objects.get(code="PT")
    for n in range(9):
        extra = PartnershipFactory(city=housing.city)
        extra.themes.set(themes)
        extra.methods.set(methods)
        PartnershipMember.objects.create(partnership=extra, name=f"Member {n}", country=country)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "11 partnerships" in client.get("/partnerships/").content.decode()


# The public page


def test_page_shows_team_by_side_with_organisation_kind_and_country(client, partnership, university):
    nhri = OrganisationFactory(name="Austrian Ombudsman Board", kind=Organisation.Kind.NHRI)
    PartnershipMember.objects.create(
        partnership=partnership,
        name="Eva Steiner",
        side=PartnershipMember.Side.PARTNER,
        organisation=nhri,
        country=Country.objects.get(code="AT"),
    )
    content = client.get(partnership.get_absolute_url()).content.decode()
    assert "Research team" in content and "Partner organisations" in content
    assert "Eva Steiner" in content and "Austrian Ombudsman Board" in content
    assert "National human rights institution" in content and "Austria" in content


def test_page_lists_only_public_results_and_datasets(client, partnership):
    make_result(partnership, "Evictions report 2025")
    make_result(partnership, "Unfinished draft", status=Result.Status.DRAFT)
    embargoed = make_result(partnership, "Embargoed brief", n=2)
    Result.objects.filter(pk=embargoed.pk).update(embargo_until=TODAY + dt.timedelta(days=5))
    make_dataset(partnership, "Evictions per district")
    make_dataset(partnership, "Draft data", status=Dataset.Status.DRAFT)
    content = client.get(partnership.get_absolute_url()).content.decode()
    assert "Evictions report 2025" in content and "Report" in content
    assert "Evictions per district" in content and "Open: anyone can download" in content
    assert "Unfinished draft" not in content and "Embargoed brief" not in content and "Draft data" not in content
    assert "Results will appear here" not in content


def test_page_lists_indicators_linked_or_observed(client, partnership):
    from projects.models import Observation

    linked = make_indicator("Eviction rate", "eviction-rate")
    linked.partnerships.add(partnership)
    observed = make_indicator("Overcrowding", "overcrowding")
    Observation.objects.create(
        indicator=observed,
        city=partnership.city,
        period="2024",
        period_start=dt.date(2024, 1, 1),
        value=3,
        partnership=partnership,
    )
    make_indicator("Unrelated", "unrelated")
    content = client.get(partnership.get_absolute_url()).content.decode()
    assert "Eviction rate" in content and "Overcrowding" in content and "Unrelated" not in content


def test_timeline_shows_public_milestones_in_order_and_marks_late_ones(client, partnership):
    Milestone.objects.create(partnership=partnership, title="Final report", due_date=TODAY + dt.timedelta(days=90))
    Milestone.objects.create(partnership=partnership, title="Survey fieldwork", due_date=TODAY - dt.timedelta(days=10))
    Milestone.objects.create(
        partnership=partnership,
        title="Kick-off",
        due_date=TODAY - dt.timedelta(days=60),
        status=Milestone.Status.DONE,
    )
    Milestone.objects.create(partnership=partnership, title="Internal budget review", due_date=TODAY, is_public=False)
    content = client.get(partnership.get_absolute_url()).content.decode()
    assert content.index("Kick-off") < content.index("Survey fieldwork") < content.index("Final report")
    assert "Internal budget review" not in content
    timeline = content[content.index('id="timeline-title"') :]
    assert timeline.count(">late<") == 1


def test_methods_link_to_the_vocabulary_without_a_live_page(client, partnership):
    method = Method.objects.order_by("name").first()
    partnership.methods.add(method)
    content = client.get(partnership.get_absolute_url()).content.decode()
    assert f"/vocabularies/methods/#{method.slug}" in content


def test_workspace_link_only_for_members(client, partnership, researcher, outsider):
    assert "Open the workspace" not in client.get(partnership.get_absolute_url()).content.decode()
    client.force_login(outsider)
    assert "Open the workspace" not in client.get(partnership.get_absolute_url()).content.decode()
    client.force_login(researcher)
    assert partnership.get_workspace_url() in client.get(partnership.get_absolute_url()).content.decode()


def test_page_query_count_does_not_grow_with_outcomes(client, partnership, django_assert_max_num_queries):
    partnership.methods.set(Method.objects.order_by("name")[:1])
    make_result(partnership, "First result")
    make_dataset(partnership, "First dataset")
    Milestone.objects.create(partnership=partnership, title="Kick-off", due_date=TODAY)
    url = partnership.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    partnership.methods.set(Method.objects.order_by("name")[:5])
    country = Country.objects.get(code="ES")
    for n in range(1, 10):
        make_result(partnership, f"Result {n}", n=n)
        make_dataset(partnership, f"Dataset {n}", n=n)
        make_indicator(f"Indicator {n}", f"indicator-{n}").partnerships.add(partnership)
        Milestone.objects.create(partnership=partnership, title=f"Step {n}", due_date=TODAY)
        PartnershipMember.objects.create(
            partnership=partnership,
            name=f"Partner {n}",
            side=PartnershipMember.Side.PARTNER,
            organisation=OrganisationFactory(),
            country=country,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Result 9" in client.get(url).content.decode()


def test_dashboard_lists_the_users_partnerships_with_workspace_links(client, partnership, researcher, outsider):
    hidden = PartnershipFactory(title="Not yet public", is_public=False)
    add_member(hidden, researcher)
    client.force_login(researcher)
    content = client.get("/dashboard/").content.decode()
    assert "Your partnerships" in content
    assert partnership.get_absolute_url() in content and partnership.get_workspace_url() in content
    assert "Not yet public" in content and hidden.get_workspace_url() in content
    client.force_login(outsider)
    assert "Your partnerships" not in client.get("/dashboard/").content.decode()
