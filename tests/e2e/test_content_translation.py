"""Issue 16 §7: a city's administrator translates a call into Spanish in the admin (wagtail-localize's editor);
a reader on the Spanish site finds it in Spanish, and the English site is unchanged. Another city's official
cannot translate it."""

import re

from playwright.sync_api import expect

from calls.factories import make_call
from profiles.models import CityPage
from tests.e2e.helpers import sign_in

TITLE = "Housing conditions of older tenants"
SPANISH_TITLE = "Condiciones de vivienda de las personas inquilinas mayores"
SPANISH_SUMMARY = "Graz encarga una investigación sobre el derecho a la vivienda de las personas mayores."


def translate_segment(editor, source: str, translated: str) -> None:
    segment = editor.locator("li").filter(has=editor.get_by_text(source, exact=True)).last
    segment.get_by_role("button", name="Translate", exact=True).click()
    segment.locator("textarea").fill(translated)
    segment.get_by_role("button", name="Save", exact=True).click()
    expect(segment).to_contain_text(translated)


def test_a_city_admin_translates_a_call_and_readers_of_the_spanish_site_read_it(new_page, make_city, password):
    organisation, city_admin = make_city("Graz")
    _linz, stranger = make_city("Linz")
    call = make_call(city_page=CityPage.objects.get(organisation=organisation), title=TITLE)
    path = f"/cities/city-of-graz/{call.slug}/"

    # Another city's official may not translate Graz's call.
    other = new_page()
    sign_in(other, stranger.email, password)
    response = other.goto(f"/admin/localize/submit/page/{call.pk}/")
    assert response.status == 403 or "permission" in other.content()

    editor = new_page()
    sign_in(editor, city_admin.email, password)
    editor.goto(f"/admin/localize/submit/page/{call.pk}/")
    editor.get_by_role("checkbox", name=re.compile("Spanish|Español")).check()
    editor.get_by_role("button", name=re.compile(r"^Submit")).click()

    # wagtail-localize's translation editor: one segment per text; translate the title and the summary.
    expect(editor.get_by_text(TITLE).first).to_be_visible()
    translate_segment(editor, TITLE, SPANISH_TITLE)
    translate_segment(editor, call.summary, SPANISH_SUMMARY)
    editor.get_by_role("button", name=re.compile(r"^Publish in")).click()
    expect(editor.get_by_text(re.compile("published|publicad", re.IGNORECASE)).first).to_be_visible()

    reader = new_page()
    reader.goto("/es/calls/")
    reader.get_by_role("link", name=SPANISH_TITLE).click()
    expect(reader).to_have_url(re.compile(re.escape(f"/es{path}") + "$"))
    expect(reader.get_by_role("heading", level=1)).to_have_text(SPANISH_TITLE)
    expect(reader.get_by_role("main")).to_contain_text(SPANISH_SUMMARY)
    expect(reader.get_by_role("main")).to_contain_text("City of Graz")  # the original's facts

    reader.get_by_role("navigation", name="Idioma").get_by_role("link", name="English").click()
    expect(reader).to_have_url(re.compile(re.escape(path) + "$"))
    expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
    reader.goto("/fr" + path)  # not translated into French: the English words under the French interface
    expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(reader.locator("html")).to_have_attribute("lang", "fr")
