"""Content translation (issue 16 §7): pages written in English, translated by editors with wagtail-localize.

The English page is the record. Proposals, reviews, partnerships, vectors, alerts, counts and search entries
belong to it, and every list or count of pages reads only the originals (``originals``). A translation is a
page in the other language's tree that wagtail-localize keeps in step with the original: its slug and its
place are the original's, its words (``translatable_fields``, the ``TranslatableField`` entries) are the
translator's. It is served over its original (``PublicAddressMixin.serve``): the original's data with the
translation's words, so every page of a call, a city or a method shows the same facts in every language.

Addresses: a page has one path in each language, ``/es`` plus its English path. That path routes to the
Spanish translation where one is live, and to the English page otherwise (``PublicAddressMixin.route``), with
the interface in Spanish either way; the language switcher, ``hreflang`` alternates and the sitemap need
nothing else.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils import translation

from wagtail.models import GroupPagePermission, Locale, Page, WorkflowPage

from wagtail_localize.fields import SynchronizedField, TranslatableField
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

__all__ = [
    "page_fields",
    "originals",
    "is_original",
    "original_of",
    "words_of",
    "translate_in_place",
    "translated_texts",
    "in_reader_language",
    "translate_page",
    "active_language",
]

_locale_ids: dict[str, int] = {}


def _forget_locales(**kwargs) -> None:
    _locale_ids.clear()


post_save.connect(_forget_locales, sender=Locale, dispatch_uid="hub.translation.locale_saved")
post_delete.connect(_forget_locales, sender=Locale, dispatch_uid="hub.translation.locale_deleted")


def locale_id(language: str) -> int | None:
    """The id of the Locale of ``language`` (kept per process: locales are created once, by migration)."""
    if language not in _locale_ids:
        found = Locale.objects.filter(language_code=language).values_list("pk", flat=True).first()
        if found is None:
            return None
        _locale_ids[language] = found
    return _locale_ids[language]


def active_language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def page_fields(*words: str) -> list:
    """``translatable_fields`` for a page type: its title, search texts and ``words`` are translated; the slug
    stays the original's, so a page's address differs between languages only by its prefix."""
    return [
        TranslatableField("title"),
        TranslatableField("seo_title"),
        TranslatableField("search_description"),
        SynchronizedField("slug"),
        *(TranslatableField(name) for name in words),
    ]


def _word_names(model) -> list[str]:
    return [f.field_name for f in getattr(model, "translatable_fields", []) if isinstance(f, TranslatableField)]


def originals(queryset):
    """Only the pages written in the default language: the records that lists, counts and links are about."""
    return queryset.filter(locale__language_code=settings.LANGUAGE_CODE)


def is_original(page) -> bool:
    default = locale_id(settings.LANGUAGE_CODE)
    return default is None or page.locale_id == default


def original_of(page):
    """The page a translation translates (specific), or None when ``page`` is the original or has lost it."""
    if is_original(page):
        return None
    found = Page.objects.filter(
        translation_key=page.translation_key, locale_id=locale_id(settings.LANGUAGE_CODE)
    ).first()
    return found.specific if found is not None else None


def words_of(original, translated):
    """``original`` showing ``translated``'s words (in memory: nothing is saved)."""
    for name in _word_names(type(original)):
        value = getattr(translated, name, None)
        if value not in (None, ""):
            setattr(original, name, value)
    original.shown_language = translated.locale.language_code if translated.locale_id else None
    return original


def translate_in_place(pages: Iterable, language: str | None = None) -> list:
    """``pages`` (originals) with the words of their live translations in ``language`` (the active one by
    default): one query per page type, none in the default language."""
    pages = list(pages)
    language = language or active_language()
    target = locale_id(language) if language != settings.LANGUAGE_CODE else None
    if target is None or not pages:
        return pages
    by_type: dict[type, dict] = defaultdict(dict)
    for page in pages:
        if _word_names(type(page)):
            by_type[type(page)].setdefault(page.translation_key, []).append(page)
    for model, by_key in by_type.items():
        for translated in model.objects.filter(translation_key__in=list(by_key), locale_id=target, live=True):
            for page in by_key.get(translated.translation_key, []):
                words_of(page, translated)
    return pages


def in_reader_language(page_of_rows):
    """A paginator's page of originals, with their words in the reader's language where translated."""
    if active_language() != settings.LANGUAGE_CODE:
        page_of_rows.object_list = translate_in_place(page_of_rows.object_list)
    return page_of_rows


def translated_texts(page) -> list:
    """The words of every live translation of ``page``, for its search entry: a Spanish word finds the page."""
    names = _word_names(type(page))
    if not names:
        return []
    rows = type(page).objects.filter(translation_key=page.translation_key, live=True).exclude(pk=page.pk)
    return [value for translated in rows for value in (getattr(translated, name) for name in names) if value]


def _translation_created(sender, instance, created=False, raw=False, **kwargs) -> None:
    """A new translation is worked on by whoever works on its original: the page permissions granted on the
    original (a city's editors and approvers, the coordinators on the home page) and its moderation workflow
    are granted on the translation too, so a city's editors translate their own calls and a translation is
    moderated as its original is."""
    if not created or raw or not isinstance(instance, Page) or is_original(instance):
        return
    original = original_of(instance)
    if original is None:
        return
    for grant in GroupPagePermission.objects.filter(page=original):
        GroupPagePermission.objects.get_or_create(
            group_id=grant.group_id, page=instance, permission_id=grant.permission_id
        )
    workflow = WorkflowPage.objects.filter(page=original).values_list("workflow_id", flat=True).first()
    if workflow is not None:
        WorkflowPage.objects.get_or_create(page=instance, defaults={"workflow_id": workflow})


post_save.connect(_translation_created, dispatch_uid="hub.translation.created")


def translate_page(page, language: str, words: dict[str, str], *, user=None, publish: bool = True):
    """Translate ``page`` into ``language`` as the translation editor would: ``words`` by field (``title``,
    ``summary``…), the rest left in English; published (or saved as a draft). Returns the translation. For the
    demo content and data imports; editors use the admin's "Translate" action."""
    locale = Locale.objects.get(language_code=language)
    source, _created = TranslationSource.get_or_create_from_instance(page)
    job, _created = Translation.objects.get_or_create(source=source, target_locale=locale)
    for segment in StringSegment.objects.filter(source=source).select_related("context", "string"):
        text = words.get(segment.context.path)
        if text:
            StringTranslation.objects.update_or_create(
                translation_of=segment.string, locale=locale, context=segment.context, defaults={"data": text}
            )
    # Published here, not when the transaction commits (wagtail-localize's way): a publish deferred to the end of
    # a long transaction (the demo seeding) would save a stale copy of the page over what was added below it since.
    job.save_target(user=user, publish=False)
    translated = page.get_translation(locale).specific
    if publish:
        translated.get_latest_revision().publish(user=user)
    return page.get_translation(locale)
