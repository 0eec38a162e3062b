"""Names of the loaded themes, groups and methods, marked for translation.

``makemessages`` collects them into the catalogues (locale/*/LC_MESSAGES/django.po), and
:func:`load_name_translations` copies the catalogues' translations into the vocabularies' ``translations``,
where editors change them in the admin (one field per language). ``Theme``, ``Method``, ``GroupAtRisk`` and
``Instrument`` show the admin's name in the active language, else the catalogue's, else the name as written.
"""

import functools
import gettext

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language, gettext_noop

import pycountry

NAMED_VOCABULARIES = ("Theme", "Method", "GroupAtRisk", "Instrument")

VOCABULARY_NAMES = (
    # themes
    gettext_noop("Right to adequate housing"),
    gettext_noop("Right to health"),
    gettext_noop("Right to education"),
    gettext_noop("Right to work and to just and favourable conditions of work"),
    gettext_noop("Rights to safe drinking water and sanitation"),
    gettext_noop("Right to social security"),
    gettext_noop("Right to adequate food"),
    gettext_noop("Equality and non-discrimination"),
    gettext_noop("Women's rights and gender equality"),
    gettext_noop("Right to take part in public affairs"),
    gettext_noop("Freedom of expression and access to information"),
    gettext_noop("Freedom of peaceful assembly and of association"),
    gettext_noop("Right to privacy"),
    gettext_noop("Access to justice and fair trial"),
    gettext_noop("Right to life, liberty and security of person; freedom from violence"),
    gettext_noop("Freedom from torture and ill-treatment"),
    gettext_noop("Rights of the child"),
    gettext_noop("Rights of persons with disabilities (accessibility, independent living)"),
    gettext_noop("Rights of migrants, refugees and asylum seekers"),
    gettext_noop("Right to take part in cultural life"),
    gettext_noop("Right to science: to share in scientific advancement and its benefits"),
    gettext_noop("Right to a clean, healthy and sustainable environment"),
    gettext_noop("Right to recognition as a person before the law"),
    gettext_noop("Right to an adequate standard of living (poverty)"),
    # groups
    gettext_noop("Women and girls"),
    gettext_noop("Children"),
    gettext_noop("Young people"),
    gettext_noop("Older persons"),
    gettext_noop("Persons with disabilities"),
    gettext_noop("Migrants"),
    gettext_noop("Refugees and asylum seekers"),
    gettext_noop("Internally displaced persons"),
    gettext_noop("Ethnic, national, religious and linguistic minorities"),
    gettext_noop("Roma and Travellers"),
    gettext_noop("Indigenous peoples"),
    gettext_noop("LGBTIQ+ persons"),
    gettext_noop("Persons experiencing homelessness"),
    gettext_noop("Persons living in poverty"),
    gettext_noop("Human rights defenders"),
    gettext_noop("Persons deprived of liberty"),
    # methods
    gettext_noop("Community-based needs assessment"),
    gettext_noop("Participatory action research"),
    gettext_noop("Human rights indicators (structural, process, outcome)"),
    gettext_noop("Human rights impact assessment"),
    gettext_noop("Human rights-based approach to data"),
    gettext_noop("Human rights budget analysis"),
    gettext_noop("Survey research"),
    gettext_noop("Focus groups and qualitative interviews"),
    gettext_noop("Participatory mapping and GIS"),
    gettext_noop("Legal and policy analysis"),
    gettext_noop("Rights-based monitoring and evaluation"),
    gettext_noop("Citizen science"),
)


# Countries and languages: pycountry ships their names in every language (ISO 3166-1 and ISO 639-3 catalogues).
@functools.lru_cache(maxsize=4096)
def _iso_name(domain: str, english: str, language: str) -> str:
    catalogue = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)
    return catalogue.gettext(english)


def country_name(code: str, fallback: str) -> str:
    """The country of ``code`` named in the active language; ``fallback`` (the stored name) otherwise."""
    language = (get_language() or "en").split("-")[0]
    if language == "en" or not code:
        return fallback
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return fallback
    for english in (getattr(country, "common_name", None), country.name):
        if english and (translated := _iso_name("iso3166-1", english, language)) != english:
            return translated
    return fallback


def language_name(code: str, fallback: str) -> str:
    """The language of ``code`` named in the active language; ``fallback`` (the stored name) otherwise."""
    language = (get_language() or "en").split("-")[0]
    if language == "en" or not code:
        return fallback
    found = pycountry.languages.get(alpha_2=code.lower()) or pycountry.languages.get(alpha_3=code.lower())
    if found is None:
        return fallback
    translated = _iso_name("iso639-3", found.name, language)
    return translated if translated != found.name else fallback


def load_name_translations(apps, schema_editor=None) -> int:
    """Copy the catalogues' translations of vocabulary names into ``translations`` (``{"es": {"name": …}}``).

    Works with a migration's historical ``apps`` or with ``django.apps.apps``. A name already translated in
    the admin is kept; a name the catalogue does not know is left to fall back. Returns how many were added.
    """
    languages = [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES if code != settings.LANGUAGE_CODE]
    added = 0
    for model_name in NAMED_VOCABULARIES:
        model = apps.get_model("hub", model_name)
        for item in model.objects.all():
            translations = {language: dict(values) for language, values in (item.translations or {}).items()}
            changed = False
            for language in languages:
                if (translations.get(language) or {}).get("name"):
                    continue
                with translation.override(language):
                    translated = translation.gettext(item.name)
                if translated and translated != item.name:
                    translations.setdefault(language, {})["name"] = translated
                    changed = True
                    added += 1
            if changed:
                item.translations = translations
                item.save(update_fields=["translations"])
    return added
