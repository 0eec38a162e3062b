"""One city's data is never rewritten by another team (issue 14, class 2), and imports keep the suppression rule.

The world: Graz and Barcelona, each a verified city with its own partnership and research team. Graz's team
imports 2021 values from its published dataset. A second partnership, led by Barcelona with Graz as a partner
city, imports the same cells from its own draft dataset. The review saw Barcelona's team replace Graz's values, and
Graz's values vanish from public view until the other dataset was published.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

import pytest

from hub.models import Theme
from profiles.factories import ResearcherProfileFactory
from projects.factories import PartnershipFactory, add_member
from projects.models import Dataset, Indicator, Observation, PartnershipMember
from projects.services.indicators import ImportMapping, observations_import

pytestmark = pytest.mark.django_db

COLUMNS = ("year", "city", "sex", "households", "share", "all_households")


def make_dataset(partnership, slug: str, rows: str, *, status="published", min_cell_count=None) -> Dataset:
    """A dataset whose rows (without header) have the columns ``COLUMNS``; trailing empty cells may be left out."""
    dataset = Dataset.objects.create(
        partnership=partnership,
        title=f"Survey {slug}",
        slug=slug,
        description="Households by city.",
        status=status,
        min_cell_count=min_cell_count,
        schema=[
            {"name": "year", "type": "integer", "is_count": False},
            {"name": "city", "type": "string", "is_count": False},
            {"name": "sex", "type": "string", "is_count": False},
            {"name": "households", "type": "integer", "is_count": True},
            {"name": "share", "type": "number", "is_count": False},
            {"name": "all_households", "type": "integer", "is_count": True},
        ],
    )
    dataset.file.save(f"{slug}.csv", ContentFile((",".join(COLUMNS) + "\n" + rows).encode()), save=True)
    return dataset


def make_indicator(slug: str, unit: str, *, value_is_count=False) -> Indicator:
    return Indicator.objects.create(
        title=slug.replace("-", " ").capitalize(),
        slug=slug,
        type=Indicator.Type.OUTCOME,
        obligation=Indicator.Obligation.FULFIL,
        theme=Theme.objects.get(slug="adequate-housing"),
        unit=unit,
        value_is_count=value_is_count,
        definition="Test indicator.",
    )


def mapping(value_column="share", **extra) -> ImportMapping:
    return ImportMapping(
        period_column="year",
        value_column=value_column,
        city_column="city",
        disaggregation_columns={"sex": "sex"},
        **extra,
    )


@pytest.fixture
def world(make_city):
    graz, graz_official = make_city("Graz")
    barcelona, barcelona_official = make_city("Barcelona")
    graz_team = ResearcherProfileFactory(user__email="graz-team@example.org").user
    barcelona_team = ResearcherProfileFactory(user__email="barcelona-team@example.org").user
    graz_monitor = PartnershipFactory(title="Graz housing monitor", slug="graz-housing-monitor", city=graz)
    add_member(graz_monitor, graz_team, side=PartnershipMember.Side.RESEARCH)
    add_member(graz_monitor, graz_official, side=PartnershipMember.Side.CITY, organisation=graz)
    barcelona_lab = PartnershipFactory(title="Barcelona housing lab", slug="barcelona-housing-lab", city=barcelona)
    add_member(barcelona_lab, barcelona_team, side=PartnershipMember.Side.RESEARCH)
    # A two-city partnership: Barcelona leads, Graz takes part (the one way Barcelona's team may touch Graz's data).
    twin = PartnershipFactory(title="Twin cities housing", slug="twin-cities-housing", city=barcelona)
    add_member(twin, barcelona_team, side=PartnershipMember.Side.RESEARCH)
    add_member(twin, graz_official, side=PartnershipMember.Side.PARTNER, organisation=graz)
    return {
        "graz": graz,
        "barcelona": barcelona,
        "graz_official": graz_official,
        "barcelona_official": barcelona_official,
        "graz_team": graz_team,
        "barcelona_team": barcelona_team,
        "graz_monitor": graz_monitor,
        "barcelona_lab": barcelona_lab,
        "twin": twin,
    }


@pytest.fixture
def housing(world):
    """Graz's published 2021 values of “% of households overburdened”, imported by Graz's team."""
    indicator = make_indicator("overburdened-households", "% of households")
    dataset = make_dataset(world["graz_monitor"], "graz-survey", "2021,Graz,total,,17.5\n2021,Graz,female,,19.25\n")
    observations_import(
        partnership=world["graz_monitor"],
        dataset=dataset,
        indicator=indicator,
        mapping=mapping(),
        by=world["graz_team"],
    )
    return indicator, dataset


def api_values(client, indicator) -> list[tuple]:
    body = client.get(f"/api/v1/indicators/{indicator.pk}/observations").json()
    return sorted(
        (
            o["city"]["name"],
            o["period"],
            str(o["disaggregation"]),
            o["source_dataset_id"],
            None if o["value"] is None else float(o["value"]),
            o["suppressed"],
        )
        for o in body["results"]
    )


# ---- other cities ----------------------------------------------------------------------------------------------------


def test_a_team_cannot_import_values_about_a_city_outside_its_partnership(client, world, housing):
    indicator, graz_dataset = housing
    barcelona_data = make_dataset(
        world["barcelona_lab"], "barcelona-survey", "2021,Graz,total,,99\n2021,Barcelona,total,,12\n"
    )
    report = observations_import(
        partnership=world["barcelona_lab"],
        dataset=barcelona_data,
        indicator=indicator,
        mapping=mapping(),
        by=world["barcelona_team"],
    )
    assert report.created == 1 and report.other_city_count == 1
    assert report.skipped == [(2, "City of Graz is not a city of this partnership; its data is not imported")]
    graz_values = Observation.objects.filter(city=world["graz"]).values_list("source_dataset_id", "value")
    assert sorted(graz_values) == [(graz_dataset.pk, Decimal("17.5")), (graz_dataset.pk, Decimal("19.25"))]


def test_a_fixed_city_outside_the_partnership_is_refused_by_service_and_form(client, world, housing):
    indicator, _dataset = housing
    barcelona_data = make_dataset(world["barcelona_lab"], "barcelona-survey", "2021,x,total,,99\n")
    with pytest.raises(ValidationError) as error:
        observations_import(
            partnership=world["barcelona_lab"],
            dataset=barcelona_data,
            indicator=indicator,
            mapping=ImportMapping(period_column="year", value_column="share", city=world["graz"]),
            by=world["barcelona_team"],
        )
    assert "City of Graz is not a city of this partnership" in str(error.value)

    client.force_login(world["barcelona_team"])
    url = f"/partnerships/{world['barcelona_lab'].slug}/indicators/import/"
    form = client.get(url, {"dataset": barcelona_data.pk}).content.decode()
    assert f'<option value="{world["barcelona"].pk}">City of Barcelona</option>' in form
    assert f'<option value="{world["graz"].pk}">City of Graz</option>' not in form  # not even offered
    response = client.post(
        url,
        {
            "dataset": barcelona_data.pk,
            "indicator": indicator.pk,
            "period_column": "year",
            "value_column": "share",
            "city_mode": "fixed",
            "city": world["graz"].pk,
        },
    )
    assert "Select a valid choice" in response.content.decode()
    assert Observation.objects.filter(city=world["graz"], value=99).count() == 0


# ---- never overwrite another source --------------------------------------------------------------------------------


def test_another_datasets_import_keeps_both_values_with_their_sources(client, world, housing):
    indicator, graz_dataset = housing
    twin_data = make_dataset(world["twin"], "twin-survey", "2021,Graz,total,,21\n", status="draft")
    preview = observations_import(
        partnership=world["twin"],
        dataset=twin_data,
        indicator=indicator,
        mapping=mapping(),
        by=world["barcelona_team"],
        dry_run=True,
    )
    assert (preview.created, preview.updated, preview.conflict_count) == (1, 0, 1)
    assert preview.conflicts[0].others == ["the dataset “Survey graz-survey” of “Graz housing monitor”"]

    observations_import(
        partnership=world["twin"], dataset=twin_data, indicator=indicator, mapping=mapping(), by=world["barcelona_team"]
    )
    cell = Observation.objects.filter(indicator=indicator, city=world["graz"], period="2021", disaggregation_key="")
    assert sorted(cell.values_list("source_dataset_id", "value")) == [
        (graz_dataset.pk, Decimal("17.5")),
        (twin_data.pk, Decimal("21")),
    ]
    # While the other dataset is a draft, Graz's own values stay public, untouched.
    assert {v[3:5] for v in api_values(client, indicator)} == {(graz_dataset.pk, 17.5), (graz_dataset.pk, 19.25)}

    twin_data.status = Dataset.Status.PUBLISHED
    twin_data.save()
    totals = [(v[3], v[4]) for v in api_values(client, indicator) if v[2] == "{}"]
    assert sorted(totals) == [(graz_dataset.pk, 17.5), (twin_data.pk, 21.0)]  # both shown, each with its source


def test_a_hand_entered_value_is_never_overwritten_by_an_import(world, housing):
    indicator, graz_dataset = housing
    Observation.objects.create(
        indicator=indicator,
        city=world["graz"],
        period="2020",
        period_start="2020-01-01",
        value=Decimal("15"),
        note="From the city's annual report",
    )
    data = make_dataset(world["graz_monitor"], "graz-2020", "2020,Graz,total,,16\n")
    report = observations_import(
        partnership=world["graz_monitor"], dataset=data, indicator=indicator, mapping=mapping(), by=world["graz_team"]
    )
    assert report.conflicts[0].others == ["a value entered by hand"]
    cell = Observation.objects.filter(indicator=indicator, city=world["graz"], period="2020")
    assert set(cell.values_list("source_dataset_id", "value")) == {(None, Decimal("15")), (data.pk, Decimal("16"))}


def test_an_unpublished_other_source_is_not_named_to_another_team(world, housing):
    indicator, _dataset = housing
    draft = make_dataset(world["graz_monitor"], "graz-draft", "2019,Graz,total,,10\n", status="draft")
    observations_import(
        partnership=world["graz_monitor"], dataset=draft, indicator=indicator, mapping=mapping(), by=world["graz_team"]
    )
    twin_data = make_dataset(world["twin"], "twin-2019", "2019,Graz,total,,11\n")
    report = observations_import(
        partnership=world["twin"],
        dataset=twin_data,
        indicator=indicator,
        mapping=mapping(),
        by=world["barcelona_team"],
        dry_run=True,
    )
    assert report.conflicts[0].others == ["an unpublished dataset of another partnership"]


def test_reimporting_the_same_dataset_updates_its_own_values_only(world, housing):
    indicator, graz_dataset = housing
    twin_data = make_dataset(world["twin"], "twin-survey", "2021,Graz,total,,21\n")
    observations_import(
        partnership=world["twin"], dataset=twin_data, indicator=indicator, mapping=mapping(), by=world["barcelona_team"]
    )
    Observation.objects.filter(source_dataset=twin_data).update(value=1)
    for _attempt in range(2):
        report = observations_import(
            partnership=world["twin"],
            dataset=twin_data,
            indicator=indicator,
            mapping=mapping(),
            by=world["barcelona_team"],
        )
        assert (report.created, report.updated, report.conflict_count) == (0, 1, 1)
    assert Observation.objects.filter(indicator=indicator).count() == 3
    assert Observation.objects.get(source_dataset=twin_data).value == Decimal("21")
    assert Observation.objects.get(source_dataset=graz_dataset, disaggregation_key="").value == Decimal("17.5")


# ---- suppression and units -----------------------------------------------------------------------------------------


def test_imported_small_counts_are_suppressed_whatever_the_indicator_says(client, world):
    evictions = make_indicator("evictions", "households", value_is_count=False)
    data = make_dataset(
        world["graz_monitor"], "evictions", "2021,Graz,total,3\n2022,Graz,total,4\n2023,Graz,total,40\n"
    )
    observations_import(
        partnership=world["graz_monitor"],
        dataset=data,
        indicator=evictions,
        mapping=mapping(value_column="households"),
        by=world["graz_team"],
    )
    assert set(Observation.objects.values_list("suppression_threshold", flat=True)) == {5}
    by_period = {v[1]: (v[4], v[5]) for v in api_values(client, evictions)}
    assert by_period["2021"] == (None, True) and by_period["2022"] == (None, True)
    assert by_period["2023"] == (40.0, False)
    page = client.get(evictions.get_absolute_url()).content.decode()
    assert "<td>40</td>" in page and "<td>3</td>" not in page and "<td>4</td>" not in page


def test_the_datasets_own_higher_threshold_travels_with_the_import(world):
    evictions = make_indicator("evictions", "households", value_is_count=True)
    data = make_dataset(world["graz_monitor"], "evictions", "2021,Graz,total,8,\n", min_cell_count=10)
    observations_import(
        partnership=world["graz_monitor"],
        dataset=data,
        indicator=evictions,
        mapping=mapping(value_column="households"),
        by=world["graz_team"],
    )
    assert Observation.objects.get().suppression_threshold == 10


def test_counts_cannot_enter_a_percentage_indicator_without_a_denominator(client, world, housing):
    indicator, _dataset = housing
    data = make_dataset(world["graz_monitor"], "counts", "2022,Graz,total,30,\n")
    with pytest.raises(ValidationError) as error:
        observations_import(
            partnership=world["graz_monitor"],
            dataset=data,
            indicator=indicator,
            mapping=mapping(value_column="households"),
            by=world["graz_team"],
        )
    assert "holds counts" in str(error.value.message_dict["denominator_column"])
    assert not Observation.objects.filter(source_dataset=data).exists()

    client.force_login(world["graz_team"])
    response = client.post(
        f"/partnerships/{world['graz_monitor'].slug}/indicators/import/",
        {
            "dataset": data.pk,
            "indicator": indicator.pk,
            "period_column": "year",
            "value_column": "households",
            "city_mode": "column",
            "city_column": "city",
            "preview": "1",
        },
    )
    html = response.content.decode()
    assert (
        "The column “households” holds counts, but “Overburdened households” is measured in “% of households”" in html
    )
    assert not Observation.objects.filter(source_dataset=data).exists()


def test_a_count_with_its_denominator_is_stored_as_a_percentage(client, world, housing):
    indicator, _dataset = housing
    data = make_dataset(world["graz_monitor"], "counts", "2022,Graz,total,30,,200\n2022,Graz,female,3,,20\n")
    client.force_login(world["graz_team"])
    form = {
        "dataset": data.pk,
        "indicator": indicator.pk,
        "period_column": "year",
        "value_column": "households",
        "denominator_column": "all_households",
        "city_mode": "column",
        "city_column": "city",
        "dis_sex": "sex",
    }
    url = f"/partnerships/{world['graz_monitor'].slug}/indicators/import/"
    html = client.post(url, {**form, "preview": "1"}).content.decode()
    assert "Each value is “households” ÷ “all_households” × 100" in html
    assert "The denominator column is “all_households”." in html
    # 3 of 20 households would give the small count away: refused with the reason, never stored.
    assert "Line 3: the count 3 is below the dataset&#x27;s small-cell threshold of 5" in html
    client.post(url, {**form, "import": "1"})
    stored = Observation.objects.get(source_dataset=data)
    assert stored.value == Decimal("15") and stored.suppression_threshold is None


# ---- the city's officials see what was imported about their city -----------------------------------------------------


def test_the_citys_officials_see_every_import_about_their_city(client, world, housing, django_assert_max_num_queries):
    indicator, graz_dataset = housing
    twin_data = make_dataset(world["twin"], "twin-survey", "2021,Graz,total,,21\n", status="draft")
    observations_import(
        partnership=world["twin"], dataset=twin_data, indicator=indicator, mapping=mapping(), by=world["barcelona_team"]
    )
    for year in (2017, 2018, 2019):  # more sources and tables cost no more queries
        more = make_dataset(world["twin"], f"twin-{year}", f"{year},Graz,total,,20\n{year},Graz,female,,3\n")
        observations_import(
            partnership=world["twin"], dataset=more, indicator=indicator, mapping=mapping(), by=world["barcelona_team"]
        )
    client.force_login(world["graz_official"])
    dashboard = client.get("/dashboard/").content.decode()
    assert "Data imported about your city" in dashboard and "/data/imports/" in dashboard
    with django_assert_max_num_queries(12):
        response = client.get(f"/data/imports/{world['graz'].slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Overburdened households", "2021", "17.5", "21", "Survey graz-survey", "Survey twin-survey"):
        assert text in html
    assert "Graz housing monitor" in html and "Twin cities housing" in html and "(Draft)" in html


def test_imports_about_a_city_are_hidden_from_everyone_else(client, world, housing):
    url = f"/data/imports/{world['graz'].slug}/"
    assert "/accounts/login/" in client.get(url)["Location"]
    for who in ("barcelona_official", "graz_team", "barcelona_team"):
        client.force_login(world[who])
        assert client.get(url).status_code == 404, who
    client.force_login(world["barcelona_official"])
    dashboard = client.get("/dashboard/").content.decode()
    assert f"/data/imports/{world['graz'].slug}/" not in dashboard
    client.force_login(world["graz_team"])
    assert "Data imported about your city" not in client.get("/dashboard/").content.decode()


def test_small_counts_stay_hidden_on_the_officials_page(client, world):
    evictions = make_indicator("evictions", "households", value_is_count=False)
    data = make_dataset(
        world["graz_monitor"], "evictions", "2021,Graz,total,9,\n2021,Graz,female,5,\n2021,Graz,male,4,\n"
    )
    observations_import(
        partnership=world["graz_monitor"],
        dataset=data,
        indicator=evictions,
        mapping=mapping(value_column="households"),
        by=world["graz_team"],
    )
    client.force_login(world["graz_official"])
    html = client.get(f"/data/imports/{world['graz'].slug}/").content.decode()
    cells = html[html.index("<tbody>") : html.index("</tbody>")]
    # Male 4 is small; female 5 is hidden too, or total 9 − 5 would give it away.
    assert ">4 <" not in cells and ">5 <" not in cells and ">9 <" in cells
