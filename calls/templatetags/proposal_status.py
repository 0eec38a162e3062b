"""``{% proposal_status proposal %}``: a proposal's status as a badge (the desk's table renders the same)."""

from django import template

from calls.desk_rows import status_badge

register = template.Library()
register.simple_tag(status_badge, name="proposal_status")
