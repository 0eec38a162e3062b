"""``{% unread_notifications as count %}``: the unread count beside "Dashboard" in the header (cached per user)."""

from django import template

from profiles.notify import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    return unread_count(user) if user is not None else 0
