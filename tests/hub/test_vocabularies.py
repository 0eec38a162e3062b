"""The vocabularies loaded by data migrations, as users browse them."""

import pytest

from hub.models import Country, GroupAtRisk, Language, Method, SDGGoal, SDGIndicator, SDGTarget, Theme

pytestmark = pytest.mark.django_db


def test_all_17_goals_169_targets_and_their_indicators_are_loaded():
    assert SDGGoal.objects.count() == 17
    assert SDGTarget.objects.count() == 169
    assert SDGIndicator.objects.filter(code="11.1.1").exists()


def test_sdg_titles_are_available_in_spanish_and_french():
    target = SDGTarget.objects.get(code="11.1")
    assert "asegurar el acceso de todas las personas a viviendas" in target.title_in("es")
    assert "2030" in target.title_in("fr") and target.title_in("fr") != target.title
    assert SDGGoal.objects.get(number=5).title_in("fr", field="short")


def test_targets_sort_in_official_order():
    codes = list(SDGTarget.objects.filter(goal__number=1).values_list("code", flat=True))
    assert codes == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.a", "1.b"]


def test_themes_rest_on_instrument_articles_and_link_sdg_targets():
    housing = Theme.objects.get(slug="adequate-housing")
    references = [a.reference for a in housing.articles.all()]
    assert "ICESCR 11" in references
    assert housing.articles.get(reference="ICESCR 11").instrument.code == "ICESCR"
    assert set(housing.sdg_targets.values_list("code", flat=True)) == {"11.1", "1.4"}


def test_methods_groups_countries_and_languages_are_loaded():
    assert Method.objects.filter(slug="participatory-action-research").exists()
    assert GroupAtRisk.objects.filter(slug="roma").exists()
    assert Country.objects.get(code="KR").code3 == "KOR"
    assert Language.objects.get(code="es").name == "Spanish"


def test_vocabulary_pages_render(client):
    for url in [
        "/vocabularies/",
        "/vocabularies/themes/",
        "/vocabularies/sdgs/",
        "/vocabularies/methods/",
        "/vocabularies/groups/",
        "/vocabularies/countries/",
        "/vocabularies/languages/",
    ]:
        assert client.get(url).status_code == 200, url
    response = client.get("/vocabularies/themes/adequate-housing/")
    assert b"ICESCR 11" in response.content
    response = client.get("/vocabularies/sdgs/11/")
    assert b"11.1" in response.content


def test_unknown_theme_is_404(client):
    assert client.get("/vocabularies/themes/no-such-theme/").status_code == 404


def test_sdg_page_shows_spanish_titles_when_reader_asks_for_spanish(client):
    response = client.get("/es/vocabularies/sdgs/11/")
    assert b"asegurar el acceso de todas las personas a viviendas" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "country", "language"),
    [("", "Germany", "German"), ("/es", "Alemania", "Alemán"), ("/fr", "Allemagne", "Allemand")],
)
def test_country_and_language_names_read_in_the_reader_s_language(client, prefix, country, language):
    """pycountry's catalogues name countries and languages in Spanish and French; English keeps the stored name."""
    countries = client.get(f"{prefix}/vocabularies/countries/").content.decode()
    languages = client.get(f"{prefix}/vocabularies/languages/").content.decode()
    assert f">{country}<" in countries
    assert f">{language}<" in languages
