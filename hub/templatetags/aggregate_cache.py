"""``{% aggregate_cache "name" part … %}…{% endaggregate_cache %}``: a fragment rendered once until what it shows changes.

For the parts of public pages that aggregate many rows and look the same to every viewer (the home
page's numbers and activity overview, a city page's sections): the rendered HTML is kept with
``hub.aggregates.cached`` under the fragment's name, its parts and the active language, with the tables its
queries read, and rendered again after a change to one of them. Give the view's expensive data to the fragment lazily
(``SimpleLazyObject``), so that a cached fragment costs no query. Never wrap anything that depends on
the viewer (their name, permissions, a CSRF token) unless the viewer is one of the parts.
"""

from django import template
from django.utils.safestring import mark_safe

from hub import aggregates, page_cache

register = template.Library()


class AggregateCacheNode(template.Node):
    def __init__(self, nodelist, name, parts):
        self.nodelist = nodelist
        self.name = name
        self.parts = parts

    def render(self, context):
        name = self.name.resolve(context)
        parts = tuple(str(part.resolve(context)) for part in self.parts)
        return mark_safe(aggregates.cached(f"fragment:{name}", parts, lambda: self.nodelist.render(context)))


@register.tag("aggregate_cache")
def do_aggregate_cache(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a fragment name")
    nodelist = parser.parse(("endaggregate_cache",))
    parser.delete_first_token()
    return AggregateCacheNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]])


@register.simple_tag
def cache_depends_on(*tags) -> str:
    """Inside a fragment: declare a dependency its queries do not show (data the view computed before the fragment,
    an Elasticsearch answer), e.g. ``{% cache_depends_on "search" %}``."""
    page_cache.depends_on(*(str(tag) for tag in tags))
    return ""
