"""The /search/ parameters: validated once, the same for every backend."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.search.registry import FACETS

MAX_QUERY = 200
MAX_VALUES = 20
VALUE = re.compile(r"^[\w.-]{1,80}$")


class SearchForm(forms.Form):
    """``q`` and the facet filters of /search/ (several values of one facet mean "any of them")."""

    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY, strip=True)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.raw = data

    def clean(self):
        cleaned = super().clean()
        filters: dict[str, list[str]] = {}
        ignored = []
        for name in FACETS:
            values = self.raw.getlist(name) if self.raw is not None and hasattr(self.raw, "getlist") else []
            kept = [v.strip() for v in values if VALUE.match(v.strip())][:MAX_VALUES]
            if len(kept) < len([v for v in values if v.strip()]):
                ignored.append(name)
            if kept:
                filters[name] = sorted(set(kept))
        cleaned["filters"] = filters
        cleaned["ignored"] = ignored
        return cleaned
