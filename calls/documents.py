"""What search indexes of calls: live, public ResearchCall pages (drafts and private sections never)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from calls.models import ResearchCall
from calls.selectors import calls_public
from hub.search.elastic import BridgesDocument, index_alias
from hub.search.registry import Entry, SearchType, plain, register, sdg_goals
from hub.translation import translated_texts


class CallDocument(BridgesDocument):
    """A research call in Elasticsearch."""

    class Index:
        name = index_alias("call")


def public_calls():
    return calls_public().prefetch_related("themes", "sdg_targets", "methods", "required_languages")


def call_entry(call: ResearchCall) -> Entry:
    organisation = call.organisation
    return Entry(
        title=call.title,
        url=call.url or call.url_path,
        body=plain(
            call.summary,
            call.body,
            call.consultation_questions,
            organisation.name if organisation else "",
            *translated_texts(call),  # a translation's words: "vivienda" finds the call translated into Spanish
            # Its themes named in every content language: "vivienda" finds a call about housing (issue 16 §7).
            *sorted({theme.name_in(code) for theme in call.themes.all() for code, _name in settings.LANGUAGES}),
        ),
        year=call.opens_at.year if call.opens_at else None,
        facets={
            "theme": [t.slug for t in call.themes.all()],
            "sdg": sdg_goals(call.sdg_targets.all()),
            "method": [m.slug for m in call.methods.all()],
            "country": [organisation.country.code] if organisation else [],
            "language": [language.code for language in call.required_languages.all()],
        },
    )


register(
    SearchType(
        kind="call",
        label=_("Call"),
        label_plural=_("Calls"),
        model=ResearchCall,
        public=public_calls,
        to_entry=call_entry,
        document=CallDocument,
        is_page=True,
        order=10,
    )
)
