"""The interface in English, Spanish and French: language in the URL, the switcher,
translated vocabularies, and English wherever a translation is missing."""

from django.utils import translation

import pytest

from hub.models import Theme

pytestmark = pytest.mark.django_db


def test_spanish_calls_page_is_in_spanish(client):
    response = client.get("/es/calls/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es"' in html
    assert "Convocatorias de investigación" in html
    assert "Aplicar filtros" in html


def test_french_home_page_is_in_french(client):
    response = client.get("/fr/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "Aller au contenu principal" in html
    assert "Comment ça marche" in html


def test_english_urls_are_unchanged_and_stay_english_whatever_the_browser_asks(client):
    response = client.get("/calls/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Apply filters" in html
    assert "Aplicar filtros" not in html


def test_nav_links_keep_the_reader_in_their_language(client):
    html = client.get("/es/calls/").content.decode()
    assert 'href="/es/calls/" aria-current="page"' in html
    assert 'href="/es/results/"' in html
    english = client.get("/calls/").content.decode()
    assert 'href="/calls/" aria-current="page"' in english


def test_a_missing_translation_falls_back_to_english_never_to_an_empty_string():
    with translation.override("es"):
        assert translation.gettext("A sentence nobody has translated") == "A sentence nobody has translated"
    theme = Theme.objects.create(slug="right-to-test", name="Right to a newly added theme")
    with translation.override("fr"):
        assert str(theme) == "Right to a newly added theme"


def test_vocabulary_names_follow_the_language():
    housing = Theme.objects.get(slug="adequate-housing")
    with translation.override("es"):
        assert str(housing) == "Derecho a una vivienda adecuada"
    with translation.override("fr"):
        assert housing.localized_name == "Droit à un logement convenable"
    assert str(housing) == "Right to adequate housing"


def test_spanish_sdg_titles_show_on_the_spanish_sdg_page(client):
    response = client.get("/es/vocabularies/sdgs/11/")
    assert response.status_code == 200
    assert "asegurar el acceso de todas las personas a viviendas" in response.content.decode()


def test_switcher_links_to_the_same_page_in_each_language(client):
    # Links, not a form: no CSRF token in public pages, so that they can be cached (hub/page_cache.py).
    html = client.get("/calls/").content.decode()
    assert '<a href="/es/calls/" lang="es" hreflang="es">Español</a>' in html
    assert '<a href="/fr/calls/" lang="fr" hreflang="fr">Français</a>' in html
    assert '<a href="/calls/" lang="en" hreflang="en" aria-current="true">English</a>' in html
    assert "csrfmiddlewaretoken" not in html

    spanish = client.get("/es/calls/?sort=newest").content.decode()
    assert '<a href="/fr/calls/?sort=newest" lang="fr" hreflang="fr">Français</a>' in spanish
    assert '<a href="/calls/?sort=newest" lang="en" hreflang="en">English</a>' in spanish


def test_set_language_endpoint_still_redirects_into_the_language(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/calls/"})
    assert response.status_code == 302
    assert response["Location"] == "/es/calls/"
    assert response.cookies["django_language"].value == "es"
    back = client.post("/i18n/setlang/", {"language": "fr", "next": "/calls/?sort=newest"})
    assert back["Location"] == "/fr/calls/?sort=newest"
    english = client.post("/i18n/setlang/", {"language": "en", "next": "/calls/"})
    assert english["Location"] == "/calls/"


def test_admin_and_api_stay_outside_the_language_prefix(client):
    assert client.get("/es/admin/").status_code == 404
    assert client.get("/robots.txt").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/es/",
        "/fr/calls/",
        "/calls/",
        "/es/calls/12/desk/",
        "/cities/city-of-graz/",
        "/fr/cities/city-of-graz/housing-call/",
        "/researchers/%C3%A9lise/",
        "/es/no-such-page/",
        "/accounts/login/",
        "/admin/pages/3/",
        "/api/v1/calls/",
        "/documents/4/report.pdf",
        "/sitemap.xml",
        "/robots.txt",
        "/vocabularies/skos/themes",
        "/vocabularies/themes/",
        "/es/vocabularies/themes/",
        "/i18n/setlang/",
    ],
)
def test_the_switchers_paths_are_djangos_translate_url(path):
    """The switcher and the hreflang alternates compute each language's address by prefix, without resolving the
    path through the URLconf: the answer is Django's ``translate_url`` for every kind of path of this site."""
    from django.conf import settings
    from django.urls import translate_url

    from hub.templatetags.i18n_links import path_in

    first = path.strip("/").split("/")[0]
    language = first if first in ("es", "fr") else "en"  # as LocaleMiddleware activates it for the request
    with translation.override(language):
        for code, _name in settings.LANGUAGES:
            assert path_in(path, code) == translate_url(path, code), (path, code)
