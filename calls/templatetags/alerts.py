"""``{% alert_save_box "calls" %}``: the “Save this search” box of a listing, from the current query string."""

from django import template

from calls.alerts import MAX_SAVED_SEARCHES, alert_source, saved_searches_of
from calls.forms_alerts import SavedSearchForm

register = template.Library()


@register.inclusion_tag("calls/alerts/save_box.html", takes_context=True)
def alert_save_box(context, source_key: str) -> dict:
    """What the box needs: the normalised filter and a form to name it, or why it cannot be saved."""
    request = context["request"]
    source = alert_source(source_key)
    if source is None:
        return {"source": None}
    user = request.user
    query = source.normalise(request.GET)
    suggestion = None
    if not query and user.is_authenticated:
        # No filter chosen: offer the one the user's profile suggests instead.
        suggestion = source.suggestion(user)
        query = suggestion.query if suggestion else ""
    result = {"source": source, "query": query, "user": user, "request": request, "suggestion": suggestion}
    if not user.is_authenticated or not query:
        return result
    mine = saved_searches_of(user)
    result["already_saved"] = mine.filter(source=source.key, query=query).exists()
    result["at_limit"] = not result["already_saved"] and mine.count() >= MAX_SAVED_SEARCHES
    result["limit"] = MAX_SAVED_SEARCHES
    result["facts"] = source.describe(query)
    result["form"] = SavedSearchForm(
        initial={
            "source": source.key,
            "query": query,
            "name": suggestion.name if suggestion else source.default_name(query),
        },
        auto_id="id_alert_%s",
    )
    return result
