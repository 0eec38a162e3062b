"""The database backend's index: one row per public object, its facet values in a side table.

Full-text search on it is per database (see ``hub.search.database``): an FTS5 table kept in step by
triggers on SQLite, a stored ``tsvector`` column with a GIN index on PostgreSQL. Both are created by
the migration ``hub.0005_search_entries``; Django does not know these columns, so no model mentions them.
"""

from django.db import models


class SearchEntry(models.Model):
    """The public text and facets of one searchable object (a call, a city, a result …)."""

    kind = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64)
    title = models.CharField(max_length=400)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    language = models.CharField(max_length=8, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    # What a result card shows, e.g. {"theme": ["right-to-housing"], "country": ["AT"]}; the
    # searchable copy of the same values is in SearchFacet.
    facets = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "hub"
        verbose_name_plural = "search entries"
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")]
        # Year filters: PostgreSQL combines this with the full-text GIN index (a bitmap AND) instead of
        # testing the text of every row; the unique constraint above already indexes ``kind``.
        indexes = [models.Index(fields=["year"], name="search_entry_year_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"


class SearchFacet(models.Model):
    """One facet value of an entry (``theme=right-to-housing``): filtering and counting run on this table."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="facet_values")
    name = models.CharField(max_length=16)
    value = models.CharField(max_length=80)

    class Meta:
        app_label = "hub"
        indexes = [
            models.Index(fields=["name", "value", "entry"], name="search_facet_value_idx"),
            models.Index(fields=["entry", "name", "value"], name="search_facet_entry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
