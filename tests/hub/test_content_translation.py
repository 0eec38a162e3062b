"""Pages translated by editors with wagtail-localize (issue 16 §7): the English page stays the record, a
translation shows its words over the original's facts, and a page nobody translated yet is served in English
under every language prefix."""

import re

from django.test import TestCase
from django.urls import reverse

from wagtail.models import Locale, Page

import polib
import pytest
from wagtail_localize.models import StringTranslation, Translation

from calls.factories import make_call
from calls.models import ResearchCall
from calls.selectors import calls_public
from profiles.models import CityPage, Organisation, User

pytestmark = pytest.mark.django_db

SPANISH = {
    "title": "Condiciones de vivienda de las personas inquilinas mayores",
    "summary": "Investigación sobre el derecho a la vivienda de las personas mayores que alquilan en Graz.",
}


def submit(client, user, page, language: str = "es"):
    """The admin's "Translate" action: wagtail-localize's submit view, as ``user``."""
    client.force_login(user)
    locale = Locale.objects.get(language_code=language)
    return client.post(reverse("wagtail_localize:submit_page_translation", args=[page.pk]), {"locales": [locale.pk]})


def translate(client, user, page, words: dict[str, str], language: str = "es", publish: bool = True) -> Page:
    """Submit ``page`` for translation, upload a PO file with ``words`` (by field) through the translation
    editor's upload, and publish (or save a draft of) the translation; returns the translated page."""
    assert submit(client, user, page, language).status_code == 302
    job = Translation.objects.get(source__object_id=page.translation_key, target_locale__language_code=language)
    po = job.export_po()
    for entry in po:
        if entry.msgctxt in words:
            entry.msgstr = words[entry.msgctxt]
    upload = polib.pofile(str(po))
    response = client.post(
        reverse("wagtail_localize:upload_pofile", args=[job.pk]),
        {"file": _po_file(upload), "next": "/admin/"},
    )
    assert response.status_code == 302
    with TestCase.captureOnCommitCallbacks(execute=True):  # the translation is published once it commits
        job.save_target(user=user, publish=publish)
    return page.get_translation(Locale.objects.get(language_code=language))


def _po_file(po):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("translation.po", str(po).encode(), content_type="text/x-gettext-translation")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_translated_call_shows_its_spanish_words_over_the_originals_facts(client, coordinator, open_call):
    translated = translate(client, coordinator, open_call, SPANISH)
    client.logout()
    assert translated.live and translated.locale.language_code == "es"
    english_path = open_call.url_path.split("/", 2)[2]  # below the home page

    spanish = text(client.get(f"/es/{english_path}"))
    assert SPANISH["title"] in spanish and SPANISH["summary"] in spanish
    assert "City of Graz" in spanish  # the original's facts: its city, dates, budget
    english = text(client.get(f"/{english_path}"))
    assert "Housing conditions of older tenants" in english and SPANISH["title"] not in english
    french = client.get(f"/fr/{english_path}")  # no French translation: the English page, under /fr/
    assert french.status_code == 200 and "Housing conditions of older tenants" in text(french)

    # Still one call: lists, counts and matching read the originals.
    assert calls_public().count() == 1
    assert ResearchCall.objects.count() == 2
    listing = text(client.get("/es/calls/"))
    assert SPANISH["title"] in listing and f'href="/es/{english_path}"' in listing
    assert SPANISH["title"] not in text(client.get("/calls/"))


def test_a_spanish_word_finds_the_translated_call_and_the_sitemap_lists_it_once(client, coordinator, open_call):
    translate(client, coordinator, open_call, SPANISH)
    client.logout()
    found = text(client.get("/es/search/", {"q": "inquilinas"}))
    assert SPANISH["title"] in found or "Housing conditions of older tenants" in found
    assert "Housing conditions of older tenants" in text(client.get("/search/", {"q": "inquilinas"}))

    sitemap = client.get("/sitemap.xml").content.decode()
    english_path = open_call.url_path.split("/", 2)[2]
    assert sitemap.count(f"/{english_path}</loc>") == 3  # one <url> per language, as for every page: not six
    assert f"/es/{english_path}</loc>" in sitemap


def test_every_page_answers_under_every_prefix_once_a_spanish_tree_exists(client, coordinator, open_call):
    translate(client, coordinator, open_call, SPANISH)  # copies its parents: the Spanish home, cities, Graz
    client.logout()
    for path in ["/", "/cities/", "/cities/city-of-graz/", "/calls/", "/methods/", "/case-studies/"]:
        for prefix in ("", "/es", "/fr"):
            response = client.get(prefix + path)
            assert response.status_code == 200, prefix + path


def test_a_draft_translation_is_not_shown(client, coordinator, open_call):
    translate(client, coordinator, open_call, SPANISH, publish=False)
    client.logout()
    english_path = open_call.url_path.split("/", 2)[2]
    spanish = text(client.get(f"/es/{english_path}"))
    assert "Housing conditions of older tenants" in spanish and SPANISH["title"] not in spanish
    assert SPANISH["title"] not in text(client.get("/es/calls/"))


def test_a_city_page_translated_leaves_its_organisation_one_page(client, coordinator, city):
    organisation, _official = city
    page = CityPage.objects.get(organisation=organisation)
    translated = translate(client, coordinator, page, {"title": "Ciudad de Graz"})
    client.logout()
    assert translated.specific.organisation is None
    assert Organisation.objects.get(pk=organisation.pk).city_page.pk == page.pk
    assert "Ciudad de Graz" in text(client.get("/es/cities/city-of-graz/"))
    cities = text(client.get("/es/cities/"))
    assert cities.count("/es/cities/city-of-graz/") >= 1
    assert "City of Graz" in text(client.get("/cities/city-of-graz/"))


def test_the_citys_editors_translate_its_calls_and_others_cannot(client, coordinator, city, make_city):
    organisation, official = city
    call = make_call(city_page=CityPage.objects.get(organisation=organisation))
    _other, stranger = make_city("Linz")
    researcher = User.objects.create_user(email="someone@example.org", password="x" * 12)

    assert submit(client, researcher, call).status_code in (302, 403)
    assert submit(client, stranger, call).status_code in (302, 403)
    assert not Translation.objects.exists()

    assert submit(client, official, call).status_code == 302
    spanish = call.get_translation(Locale.objects.get(language_code="es"))
    editor = client.get(reverse("wagtailadmin_pages:edit", args=[spanish.pk]))
    assert editor.status_code == 200  # the city's editors work on the translation as on the original


def test_a_translated_method_page_keeps_one_vocabulary_page_and_one_api_entry(client, coordinator, open_call):
    from hub.models import Method
    from tests.projects.test_methods_library import make_method_page

    method = Method.objects.get(slug="focus-groups")
    page = make_method_page("Focus groups", method=method)
    translated = translate(
        client, coordinator, page, {"title": "Grupos focales", "summary": "Conversaciones guiadas en grupo."}
    )
    translate(client, coordinator, open_call, SPANISH)
    client.logout()

    assert translated.specific.method is None and Method.objects.get(pk=method.pk).page.pk == page.pk
    methods = client.get("/api/v1/methods/").json()
    assert [item["title"] for item in methods["results"]] == ["Focus groups"]
    calls = client.get("/api/v1/calls/").json()
    assert [item["title"] for item in calls["results"]] == ["Housing conditions of older tenants"]
    listing = text(client.get("/es/methods/"))
    assert "Grupos focales" in listing and "/es/methods/focus-groups/" in listing
    assert "Conversaciones guiadas en grupo." in text(client.get("/es/methods/focus-groups/"))


def test_pages_cached_before_a_translation_show_it_on_the_next_request(client, coordinator, open_call):
    english_path = open_call.url_path.split("/", 2)[2]
    pages = [f"/es/{english_path}", "/es/calls/", "/es/cities/city-of-graz/", "/es/search/?q=inquilinas"]
    for path in pages:
        client.get(path)
        assert SPANISH["title"] not in text(client.get(path))  # cached, in English
    translate(client, coordinator, open_call, SPANISH)
    client.logout()
    for path in pages:
        assert SPANISH["title"] in text(client.get(path)), path


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (None, "Choose a PO file to upload."),
        (b"\x89PNG\r\n\x1a\n\x00\x00 not text", "Please upload a valid PO file."),
        (
            b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Hello"\nmsgstr "Hola"\n',
            "was not exported from a translation",
        ),
        (b"#" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
        (b"/etc/passwd", "Please upload a valid PO file."),  # a path is never read as the file
    ],
    ids=["missing", "binary", "no-translation-header", "oversized", "a-path"],
)
def test_a_bad_po_upload_gets_a_message_and_imports_nothing(client, coordinator, open_call, upload, words):
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert submit(client, coordinator, open_call).status_code == 302
    job = Translation.objects.get(source__object_id=open_call.translation_key, target_locale__language_code="es")
    editor = reverse("wagtailadmin_pages:edit", args=[job.get_target_instance().pk])
    data = {"next": editor}
    if upload is not None:
        data["file"] = SimpleUploadedFile("translation.po", upload, content_type="text/x-gettext-translation")
    response = client.post(reverse("wagtail_localize:upload_pofile", args=[job.pk]), data, follow=True)
    assert response.status_code == 200 and response.redirect_chain[0][0] == editor
    assert words in text(response)
    assert not StringTranslation.objects.filter(locale__language_code="es").exists()


def test_another_citys_official_cannot_upload_a_po_file_to_a_translation(client, coordinator, open_call, make_city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert submit(client, coordinator, open_call).status_code == 302
    job = Translation.objects.get(source__object_id=open_call.translation_key, target_locale__language_code="es")
    po = job.export_po()
    for entry in po:
        entry.msgstr = "Traducido por otra ciudad"
    client.force_login(make_city("Linz")[1])
    for body in (str(po).encode(), b"not a po file"):
        upload = SimpleUploadedFile("translation.po", body, content_type="text/x-gettext-translation")
        response = client.post(reverse("wagtail_localize:upload_pofile", args=[job.pk]), {"file": upload}, follow=True)
        # Wagtail's admin answers a refusal with its home page and a message
        assert response.redirect_chain[-1][0] == "/admin/" and "do not have permission" in text(response)
    assert not StringTranslation.objects.exists()
