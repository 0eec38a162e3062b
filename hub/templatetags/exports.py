"""``{% export_csv_url "calls" %}``: the CSV export of a list page, keeping the filters the visitor chose."""

from django import template
from django.urls import reverse

from hub.exports import get_export
from hub.views_exports import NOT_FILTERS

register = template.Library()


@register.simple_tag(takes_context=True)
def export_csv_url(context, key: str) -> str:
    url = reverse(get_export(key).url_name)
    request = context.get("request")
    if request is None:
        return url
    params = request.GET.copy()
    for name in NOT_FILTERS:
        params.pop(name, None)
    query = params.urlencode()
    return f"{url}?{query}" if query else url
