"""Research teams import observations from their datasets by mapping columns; and add indicators."""

from decimal import Decimal

from django.core.files.base import ContentFile

import pytest

from hub.models import Theme
from projects.models import Dataset, Indicator, Observation
from tests.projects.test_indicators_pages import make_indicator

pytestmark = pytest.mark.django_db

CSV = (
    "year,city,sex,share,note\n"
    "2022,Graz,total,17.5,a\n"
    "2022,Graz,female,19.25,b\n"
    '2023,Graz,total,"16,8",c\n'
    "2023,Atlantis,total,15,d\n"
    "2024,Graz,total,n/a,e\n"
    "20xx,Graz,total,12,f\n"
    "2022,Graz,female,19.5,g\n"
)


@pytest.fixture
def dataset(partnership):
    dataset = Dataset.objects.create(
        partnership=partnership,
        title="Housing cost survey",
        slug="housing-cost-survey",
        description="Survey of households.",
        schema=[{"name": n, "type": "string"} for n in ("year", "city", "sex", "share", "note")],
    )
    dataset.file.save("survey.csv", ContentFile(CSV.encode()), save=True)
    return dataset


@pytest.fixture
def indicator(db):
    return make_indicator()


def url(partnership):
    return f"/partnerships/{partnership.slug}/indicators/import/"


def mapping(dataset, indicator, **extra):
    data = {
        "dataset": dataset.pk,
        "indicator": indicator.pk,
        "period_column": "year",
        "value_column": "share",
        "city_mode": "column",
        "city_column": "city",
        "dis_sex": "sex",
    }
    data.update(extra)
    return data


def test_research_member_previews_then_imports_with_reasons_for_skipped_rows(
    client, researcher, partnership, dataset, indicator
):
    client.force_login(researcher)
    page = client.get(url(partnership), {"dataset": dataset.pk}).content.decode()
    assert "Map the columns of “Housing cost survey”" in page and '<option value="share">' in page

    response = client.post(url(partnership), {**mapping(dataset, indicator), "preview": "1"})
    html = response.content.decode()
    assert "Importing would give:" in html and "3 values created" in html
    assert not Observation.objects.exists()  # a preview stores nothing

    response = client.post(url(partnership), {**mapping(dataset, indicator), "import": "1"}, follow=True)
    html = response.content.decode()
    assert "3 created, 0 updated, 4 skipped" in html
    assert "Line 5: unknown city “Atlantis”" in html
    assert "Line 6: the value “n/a” is not a number" in html
    assert "Line 7: “20xx” is not a period like 2023, 2023-Q2 or 2023-05" in html
    assert "Line 8: same city, period and breakdown as line 3" in html
    values = {(o.period, o.disaggregation_key): o.value for o in Observation.objects.all()}
    assert values == {
        ("2022", ""): Decimal("17.5"),
        ("2022", "sex=female"): Decimal("19.25"),
        ("2023", ""): Decimal("16.8"),
    }
    observation = Observation.objects.get(period="2022", disaggregation_key="sex=female")
    assert observation.disaggregation == {"sex": "female"} and observation.source_dataset == dataset
    assert observation.partnership == partnership
    assert partnership in indicator.partnerships.all()


def test_importing_twice_updates_instead_of_duplicating(client, researcher, partnership, dataset, indicator):
    client.force_login(researcher)
    client.post(url(partnership), mapping(dataset, indicator))
    Observation.objects.filter(period="2022", disaggregation_key="").update(value=1)
    response = client.post(url(partnership), mapping(dataset, indicator))
    assert "0 values created" in response.content.decode() and "3 updated" in response.content.decode()
    assert Observation.objects.count() == 3
    assert Observation.objects.get(period="2022", disaggregation_key="").value == 17.5


def test_fixed_city_mapping(client, researcher, partnership, dataset, indicator, city):
    client.force_login(researcher)
    data = mapping(dataset, indicator, city_mode="fixed", city=city[0].pk, city_column="")
    response = client.post(url(partnership), data)
    assert Observation.objects.filter(city=city[0]).count() == 3
    assert "Line 5: same city, period and breakdown as line 4" in response.content.decode()  # Atlantis is Graz now


def test_missing_mapping_is_explained_and_keeps_the_choices(client, researcher, partnership, dataset, indicator):
    client.force_login(researcher)
    response = client.post(url(partnership), mapping(dataset, indicator, city_column="", value_column="year"))
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Choose the column that names the city." in html
    assert "The value column must differ from the period column." in html
    assert '<option value="sex" selected>' in html  # what the user chose is kept
    assert not Observation.objects.exists()


def test_hostile_column_value_is_refused(client, researcher, partnership, dataset, indicator):
    client.force_login(researcher)
    response = client.post(url(partnership), mapping(dataset, indicator, value_column="<script>"))
    assert "not one of the available choices" in response.content.decode()
    assert "<script>" not in response.content.decode().split("error-summary")[1][:400]
    assert not Observation.objects.exists()


def test_dataset_of_another_partnership_cannot_be_used(client, researcher, partnership, indicator, dataset):
    from projects.factories import PartnershipFactory

    other = PartnershipFactory()
    foreign = Dataset.objects.create(partnership=other, title="Other", slug="other", description="x")
    client.force_login(researcher)
    response = client.post(url(partnership), {**mapping(dataset, indicator), "dataset": foreign.pk})
    assert "Choose one of this partnership&#x27;s datasets." in response.content.decode()
    assert not Observation.objects.exists()


@pytest.mark.parametrize("who", ["official", "outsider"])
def test_city_members_and_outsiders_cannot_import(client, partnership, dataset, indicator, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(partnership)).status_code == 403
    assert client.post(url(partnership), mapping(dataset, indicator)).status_code == 403
    assert not Observation.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, partnership):
    assert "/accounts/login/" in client.get(url(partnership))["Location"]


def test_partnership_without_datasets_gets_an_empty_state(client, researcher, partnership):
    client.force_login(researcher)
    assert "This partnership has no datasets yet." in client.get(url(partnership)).content.decode()


def test_research_member_adds_an_indicator_linked_to_the_partnership(client, researcher, partnership):
    client.force_login(researcher)
    theme = Theme.objects.get(slug="health")
    response = client.post(
        f"/partnerships/{partnership.slug}/indicators/new/",
        {
            "title": "Waiting days for a GP appointment",
            "type": "outcome",
            "obligation": "fulfil",
            "theme": theme.pk,
            "unit": "days",
            "definition": "Median days.",
            "disaggregations": ["age_group"],
        },
    )
    indicator = Indicator.objects.get(title="Waiting days for a GP appointment")
    assert response.status_code == 302 and response["Location"].endswith(f"?indicator={indicator.pk}")
    assert indicator.slug == "waiting-days-for-a-gp-appointment" and indicator.disaggregations == ["age_group"]
    assert list(indicator.partnerships.all()) == [partnership]


def test_new_indicator_form_keeps_input_and_explains_errors(client, researcher, partnership):
    make_indicator("Existing one")
    client.force_login(researcher)
    response = client.post(
        f"/partnerships/{partnership.slug}/indicators/new/",
        {"title": "Existing one", "type": "outcome", "obligation": "nonsense", "unit": "days", "definition": "x"},
    )
    html = response.content.decode()
    assert "There is a problem" in html and 'value="Existing one"' in html
    assert Indicator.objects.count() == 1


def test_duplicate_title_is_refused_by_the_service(client, researcher, partnership):
    make_indicator("Existing one")
    client.force_login(researcher)
    response = client.post(
        f"/partnerships/{partnership.slug}/indicators/new/",
        {
            "title": "existing ONE",
            "type": "outcome",
            "obligation": "fulfil",
            "theme": Theme.objects.get(slug="health").pk,
            "unit": "days",
            "definition": "x",
        },
    )
    assert "An indicator with this title exists already" in response.content.decode()
    assert Indicator.objects.count() == 1


def test_official_cannot_add_indicators(client, official, partnership):
    client.force_login(official)
    assert client.get(f"/partnerships/{partnership.slug}/indicators/new/").status_code == 403


# ---- sources, cities and units (issue 14) --------------------------------------------------------------------------


def test_rows_about_cities_outside_the_partnership_are_refused_with_the_reason(
    client, researcher, partnership, dataset, indicator, make_city
):
    make_city("Atlantis")  # a real city on Bridges now, but not one of this partnership
    client.force_login(researcher)
    html = client.post(url(partnership), {**mapping(dataset, indicator), "preview": "1"}).content.decode()
    assert "Line 5: City of Atlantis is not a city of this partnership; its data is not imported" in html
    assert "1 row is about a city outside this partnership and is not imported." in html
    client.post(url(partnership), mapping(dataset, indicator))
    assert not Observation.objects.filter(city__name="City of Atlantis").exists()


def test_the_city_choice_offers_only_the_partnerships_cities(client, researcher, partnership, dataset, make_city):
    other, _official = make_city("Vienna")
    client.force_login(researcher)
    html = client.get(url(partnership), {"dataset": dataset.pk}).content.decode()
    assert ">City of Graz</option>" in html and ">City of Vienna</option>" not in html


def test_preview_says_what_is_created_updated_and_kept_beside_another_source(
    client, researcher, partnership, dataset, indicator, city
):
    Observation.objects.create(
        indicator=indicator, city=city[0], period="2023", period_start="2023-01-01", value=Decimal("16")
    )
    client.force_login(researcher)
    client.post(url(partnership), mapping(dataset, indicator))
    Observation.objects.filter(source_dataset=dataset, period="2022", disaggregation_key="").update(value=1)
    html = client.post(url(partnership), {**mapping(dataset, indicator), "preview": "1"}).content.decode()
    assert "0 values created" in html and "3 updated" in html
    assert "3 values were imported from this dataset before and are replaced by the values in the file." in html
    assert "1 value is for a city, period and breakdown that already has a value from another source" in html
    assert "Kept side by side with another source" in html and "a value entered by hand" in html
    updates = html[html.index("import-report__updates") :]
    assert "<td>1</td><td>17.5</td>" in updates  # stored now → from the file
    assert Observation.objects.filter(period="2023", disaggregation_key="").count() == 2


def test_a_count_column_into_a_percentage_indicator_needs_a_denominator(client, researcher, partnership, indicator):
    dataset = Dataset.objects.create(
        partnership=partnership,
        title="Overburdened households",
        slug="overburdened",
        description="Counts.",
        schema=[
            {"name": "year", "type": "integer", "is_count": False},
            {"name": "overburdened", "type": "integer", "is_count": True},
            {"name": "households", "type": "integer", "is_count": True},
        ],
    )
    dataset.file.save("counts.csv", ContentFile(b"year,overburdened,households\n2022,45,300\n2023,0,310\n"), save=True)
    data = {
        "dataset": dataset.pk,
        "indicator": indicator.pk,
        "period_column": "year",
        "value_column": "overburdened",
        "city_mode": "fixed",
        "city": partnership.city_id,
    }
    client.force_login(researcher)
    html = client.post(url(partnership), data).content.decode()
    assert "There is a problem" in html and "Choose the column with the total each count is a share of" in html
    assert not Observation.objects.exists()

    html = client.post(url(partnership), {**data, "denominator_column": "households"}).content.decode()
    assert "2 created" in html
    assert {o.period: o.value for o in Observation.objects.all()} == {"2022": Decimal("15"), "2023": Decimal("0")}


def test_a_denominator_is_refused_for_an_indicator_that_is_no_share(client, researcher, partnership, dataset):
    days = make_indicator("Waiting days", unit="days")
    client.force_login(researcher)
    html = client.post(url(partnership), mapping(dataset, days, denominator_column="note")).content.decode()
    assert "not as a percentage or rate: import the values as they are, without a denominator" in html
    assert not Observation.objects.exists()


def test_deleting_a_dataset_deletes_its_values_instead_of_publishing_them(
    client, researcher, partnership, dataset, indicator
):
    client.force_login(researcher)
    client.post(url(partnership), mapping(dataset, indicator))
    assert Observation.objects.count() == 3
    dataset.delete()
    assert not Observation.objects.exists()  # they never become source-less (public) values


@pytest.mark.parametrize(
    ("unit", "base"),
    [
        ("% of households", 100),
        ("percent", 100),
        ("Share of children", 100),
        ("unemployment rate", 100),
        ("per 1,000 inhabitants", 1000),
        ("per 10,000 households", 10_000),
        ("per 100 000", 100_000),
        ("‰", 1000),
        ("ratio", 1),
        ("EUR per capita", 1),
        ("persons", None),
        ("households", None),
        ("days", None),
        ("1 = in force, 0 = none", None),
        ("shareholders", None),
    ],
)
def test_the_unit_says_whether_values_are_shares(unit, base):
    assert Indicator(unit=unit).unit_base == (None if base is None else Decimal(base))
