"""Template tags of policy uptake: the data of the panels on result and partnership pages."""

from django import template

from projects.selectors import uptake as selectors
from projects.services.uptake import is_official_of_commissioning_city, is_public

register = template.Library()


@register.simple_tag(takes_context=True)
def result_uptake_panel(context, result):
    """The response and uptake records of a result, and whether the viewer may write them.

    Two queries; a third for a signed-in viewer (the city-official check). ``None`` for a result
    that is not public: drafts and embargoed results get no response yet.
    """
    if result is None or not is_public(result):
        return None
    panel = selectors.result_uptake(result)
    request = context.get("request")
    user = getattr(request, "user", None)
    panel.can_edit = user is not None and is_official_of_commissioning_city(user, result)
    return panel


@register.simple_tag
def partnership_uptake_panel(partnership):
    """Every public result's stance and the decisions they informed (two queries)."""
    return selectors.partnership_uptake(partnership)
