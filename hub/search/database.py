"""The database backend: one table of public entries (``SearchEntry``) with full text per database.

Why not Wagtail's database search backend on each model? It searches one model at a time (nine
queries and a merge for one page of mixed results), keeps its index keyed by content type and
string ids, and cannot count multi-valued facets (themes, SDG goals, countries) across types. One
denormalised table, written by the index tasks, answers a page with three queries at any size:
the page of hits, the facet counts (the total is their sum), and, per selected facet, its own
counts without its own filter (so that choosing "Results" still shows how many "Calls" there are).

Full text: SQLite FTS5 (``hub_searchentry_fts``, kept in step by triggers, ranked with BM25, title
weighted 5×) and PostgreSQL ``tsvector`` (a stored generated column with a GIN index, ``simple``
configuration because entries are in many languages, ranked with ``ts_rank``). Both match every
word of the query, the last one as a prefix. There is no typo tolerance here: Elasticsearch's
fuzzy matching is the answer when that matters; the empty state asks the reader to check spelling.
"""

from django import forms
from django.db import connection
from django.utils.datastructures import MultiValueDict
from django.utils.html import escape

import django_filters

from hub.search import registry
from hub.search.highlight import WORD, mark, snippet, terms_of
from hub.search.interface import Hit, Query, Results, facet_labels_for_hits, label_facets
from hub.search.models import SearchEntry, SearchFacet


class ValuesField(forms.MultipleChoiceField):
    """Several values; the search form has already checked their shape, unknown values just match nothing."""

    def valid_value(self, value) -> bool:
        return True


class ValuesFilter(django_filters.Filter):
    """Any of several values of one facet (``?theme=a&theme=b``), matched on the facet table."""

    field_class = ValuesField

    def __init__(self, *args, facet: str, **kwargs):
        self.facet = facet
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        if self.facet == "type":
            return qs.filter(kind__in=value)
        if self.facet == "year":
            return qs.filter(year__in=[int(v) for v in value if str(v).isdigit()])
        return qs.filter(pk__in=SearchFacet.objects.filter(name=self.facet, value__in=value).values("entry_id"))


class SearchEntryFilter(django_filters.FilterSet):
    """The facet filters of /search/ on the entry table (the words are matched by full text)."""

    type = ValuesFilter(facet="type")
    theme = ValuesFilter(facet="theme")
    sdg = ValuesFilter(facet="sdg")
    method = ValuesFilter(facet="method")
    country = ValuesFilter(facet="country")
    language = ValuesFilter(facet="language")
    year = ValuesFilter(facet="year")

    class Meta:
        model = SearchEntry
        fields: list[str] = []


def _filter_sql(filters: dict[str, list[str]], without: str | None = None) -> tuple[str, list]:
    """``AND <column> IN (…)`` for the facet filters (empty without any), applied through the FilterSet."""
    data = MultiValueDict({name: values for name, values in filters.items() if name != without and values})
    if not data:
        return "", []
    queryset = SearchEntryFilter(data=data, queryset=SearchEntry.objects.all()).qs.values("id")
    sql, params = queryset.query.sql_with_params()
    return f" AND {{column}} IN ({sql})", list(params)


def _where(filter_sql: str, column: str) -> str:
    return filter_sql.replace("{column}", column)


class _Sqlite:
    def matches(self, terms: list[str], min_id: int = 0) -> tuple[str, list]:
        words = [f'"{t}"' for t in terms]
        words[-1] += "*"
        return (
            "SELECT rowid AS id FROM hub_searchentry_fts WHERE hub_searchentry_fts MATCH %s AND rowid >= %s",
            [" AND ".join(words), min_id],
        )

    def page(self, terms, filter_sql, filter_params, limit, offset, min_id=0) -> tuple[str, list]:
        match_sql, match_params = self.matches(terms, min_id)
        sql = (
            "SELECT e.id, e.kind, e.title, e.body, e.url, e.year, e.facets "
            "FROM hub_searchentry_fts f JOIN hub_searchentry e ON e.id = f.rowid "
            f"WHERE hub_searchentry_fts MATCH %s AND f.rowid >= %s{_where(filter_sql, 'e.id')} "
            "ORDER BY bm25(hub_searchentry_fts, 5.0, 1.0), e.id LIMIT %s OFFSET %s"
        )
        return sql, [*match_params, *filter_params, limit, offset]


class _Postgres:
    def _tsquery(self, terms: list[str]) -> str:
        words = [f"'{t}'" for t in terms]
        words[-1] += ":*"
        return " & ".join(words)

    def matches(self, terms: list[str], min_id: int = 0) -> tuple[str, list]:
        return (
            "SELECT id FROM hub_searchentry WHERE search_vector @@ to_tsquery('simple', %s) AND id >= %s",
            [self._tsquery(terms), min_id],
        )

    def page(self, terms, filter_sql, filter_params, limit, offset, min_id=0) -> tuple[str, list]:
        sql = (
            "SELECT e.id, e.kind, e.title, e.body, e.url, e.year, e.facets "
            "FROM hub_searchentry e, to_tsquery('simple', %s) q "
            f"WHERE e.search_vector @@ q AND e.id >= %s{_where(filter_sql, 'e.id')} "
            "ORDER BY ts_rank(e.search_vector, q) DESC, e.id LIMIT %s OFFSET %s"
        )
        return sql, [self._tsquery(terms), min_id, *filter_params, limit, offset]


def _dialect():
    if connection.vendor == "postgresql":
        return _Postgres()
    if connection.vendor == "sqlite":
        return _Sqlite()
    raise NotImplementedError(f"The database search backend supports SQLite and PostgreSQL, not {connection.vendor}.")


class DatabaseBackend:
    """Full text and facets on ``SearchEntry`` (SQLite FTS5 or PostgreSQL tsvector)."""

    name = "database"
    # Broad queries: relevance ranking and facet counts run over the newest WINDOW matches only
    # (counts scaled to the exact total and shown as approximate), which keeps every answer fast.
    WINDOW = 3000

    def search(self, query: Query) -> Results:
        terms = [t for t in terms_of(query.text) if WORD.fullmatch(t)]
        if query.is_empty:
            return Results(query=query, hits=[], total=0, facets=[], backend=self.name)
        dialect = _dialect()
        filter_sql, filter_params = _filter_sql(query.filters)
        with connection.cursor() as cursor:
            if terms:
                match_sql, match_params = dialect.matches(terms)
            else:
                match_sql, match_params = "SELECT id FROM hub_searchentry WHERE id >= %s", [0]
            # The exact total, and the id from which the newest WINDOW matches start.
            # MATERIALIZED: the full-text match runs once, never once per candidate row.
            matched = f"WITH m(id) AS MATERIALIZED ({match_sql}) "
            cursor.execute(
                f"{matched}SELECT COUNT(*) FROM m WHERE 1 = 1{_where(filter_sql, 'm.id')}",
                [*match_params, *filter_params],
            )
            total = cursor.fetchone()[0]
            min_id = 0
            if total > self.WINDOW:
                cursor.execute(
                    f"{matched}SELECT m.id FROM m WHERE 1 = 1{_where(filter_sql, 'm.id')} "
                    "ORDER BY m.id DESC LIMIT 1 OFFSET %s",
                    [*match_params, *filter_params, self.WINDOW - 1],
                )
                min_id = cursor.fetchone()[0]
            if terms:
                match_sql, match_params = dialect.matches(terms, min_id)
                page_sql, page_params = dialect.page(
                    terms, filter_sql, filter_params, query.page_size, query.offset, min_id
                )
            else:
                match_sql, match_params = "SELECT id FROM hub_searchentry WHERE id >= %s", [min_id]
                page_sql = (
                    "SELECT e.id, e.kind, e.title, e.body, e.url, e.year, e.facets FROM hub_searchentry e "
                    f"WHERE e.id >= %s{_where(filter_sql, 'e.id')} ORDER BY e.year DESC, e.id DESC LIMIT %s OFFSET %s"
                )
                page_params = [min_id, *filter_params, query.page_size, query.offset]
            cursor.execute(page_sql, page_params)
            rows = cursor.fetchall()
            counts = self._facet_counts(cursor, match_sql, match_params, filter_sql, filter_params, name=None)
            for name in query.filters:
                own_sql, own_params = _filter_sql(query.filters, without=name)
                counts[name] = self._facet_counts(cursor, match_sql, match_params, own_sql, own_params, name=name).get(
                    name, {}
                )

        approximate = min_id > 0
        if approximate:
            window = min(total, self.WINDOW)
            counts = {
                name: {value: max(1, round(count * total / window)) for value, count in values.items()}
                for name, values in counts.items()
            }
        facets = label_facets(counts, query.filters)
        hits = [self._hit(row, terms) for row in rows]
        facet_labels_for_hits(hits, facets)
        return Results(
            query=query,
            hits=hits,
            total=total,
            facets=facets,
            backend=self.name,
            approximate=approximate,
            ranked_window=min(total, self.WINDOW),
        )

    @staticmethod
    def _facet_counts(cursor, match_sql, match_params, filter_sql, filter_params, *, name) -> dict:
        only = "AND f.name = %s " if name else ""
        cursor.execute(
            f"WITH m(id) AS MATERIALIZED ({match_sql}) SELECT f.name, f.value, COUNT(*) FROM m "
            f"JOIN hub_searchfacet f ON f.entry_id = m.id WHERE 1 = 1{_where(filter_sql, 'm.id')} {only}"
            "GROUP BY f.name, f.value",
            [*match_params, *filter_params, *([name] if name else [])],
        )
        counts: dict[str, dict[str, int]] = {}
        for facet, value, count in cursor.fetchall():
            counts.setdefault(facet, {})[value] = count
        return counts

    @staticmethod
    def _hit(row, terms) -> Hit:
        _id, kind, title, body, url, year, facets = row
        if isinstance(facets, str):
            import json

            facets = json.loads(facets)
        search_type = registry.get(kind)
        return Hit(
            kind=kind,
            kind_label=str(search_type.label) if search_type else kind,
            title=mark(title, terms) if terms else escape(title),
            url=url,
            snippet=snippet(body, terms),
            facets=facets or {},
            year=year,
        )
