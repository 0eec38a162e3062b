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
