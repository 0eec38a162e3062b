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

import json
from dataclasses import dataclass

from django import forms
from django.core.exceptions import EmptyResultSet
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
            return qs.filter(year__in=[int(v) for v in value if str(v).isascii() and str(v).isdigit()])
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
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # only values that name nothing (?year=abc): no entry matches
        return " AND 1 = 0", []
    return f" AND {{column}} IN ({sql})", list(params)


def _pg_filter_sql(filters: dict[str, list[str]], without: str | None = None) -> tuple[str, list]:
    """The same filters as conditions on the outer row ``e`` (PostgreSQL plans these far better than
    ``e.id IN (SELECT id … WHERE id IN (SELECT entry_id …))``): type and year on the row itself, other
    facets as an ``EXISTS`` on the facet table's (entry, name, value) index."""
    sql, params = "", []
    for name, values in filters.items():
        if name == without or not values:
            continue
        if name == "type":
            sql += " AND e.kind = ANY(%s)"
            params.append([str(v) for v in values])
        elif name == "year":
            sql += " AND e.year = ANY(%s)"
            params.append([int(v) for v in values if str(v).isascii() and str(v).isdigit()])
        else:
            sql += (
                " AND EXISTS (SELECT 1 FROM hub_searchfacet sf"
                " WHERE sf.entry_id = e.id AND sf.name = %s AND sf.value = ANY(%s))"
            )
            params += [name, [str(v) for v in values]]
    return sql, params


def _where(filter_sql: str, column: str) -> str:
    return filter_sql.replace("{column}", column)


class _Sqlite:
    """FTS5: ``MATCH`` on the virtual table, BM25 with the title weighted 5×, ids passed as JSON."""

    filters = staticmethod(_filter_sql)

    # CROSS JOIN keeps the ids as the outer loop: SQLite then reads the facets by entry id.
    join = "CROSS JOIN"

    def _expression(self, terms: list[str]) -> str:
        words = [f'"{t}"' for t in terms]
        words[-1] += "*"
        return " AND ".join(words)

    def window(self, terms, filter_sql, filter_params, limit) -> tuple[str, list]:
        if not terms:
            return (
                f"SELECT e.id FROM hub_searchentry e WHERE 1 = 1{_where(filter_sql, 'e.id')} ORDER BY e.id DESC LIMIT %s",
                [*filter_params, limit],
            )
        # "+f.rowid": the filter is checked on each match, never handed to FTS5 as a rowid lookup
        # (which would re-run the full-text match once per candidate).
        return (
            "SELECT f.rowid FROM hub_searchentry_fts f WHERE hub_searchentry_fts MATCH %s"
            f"{_where(filter_sql, '+f.rowid')} ORDER BY f.rowid DESC LIMIT %s",
            [self._expression(terms), *filter_params, limit],
        )

    def ranked(self, terms, filter_sql, filter_params, min_id, limit, offset) -> tuple[str, list]:
        # BM25 needs the MATCH: rank every match from the window's oldest id up, filters checked per row.
        sql = (
            "SELECT e.id, e.kind, e.title, e.body, e.url, e.year, e.facets "
            "FROM hub_searchentry_fts f JOIN hub_searchentry e ON e.id = f.rowid "
            f"WHERE hub_searchentry_fts MATCH %s AND f.rowid >= %s{_where(filter_sql, '+f.rowid')} "
            "ORDER BY bm25(hub_searchentry_fts, 5.0, 1.0), e.id LIMIT %s OFFSET %s"
        )
        return sql, [self._expression(terms), min_id, *filter_params, limit, offset]

    def ids_table(self) -> str:
        return "(SELECT CAST(value AS INTEGER) AS id FROM json_each(%s))"

    def ids_param(self, ids: list[int]):
        return json.dumps(ids)


class _Postgres:
    """``tsvector`` with a GIN index (``simple`` configuration), ``ts_rank``; ids passed as an array."""

    filters = staticmethod(_pg_filter_sql)

    join = "JOIN"

    def _tsquery(self, terms: list[str]) -> str:
        words = [f"'{t}'" for t in terms]
        words[-1] += ":*"
        return " & ".join(words)

    def window(self, terms, filter_sql, filter_params, limit) -> tuple[str, list]:
        if not terms:
            return (
                f"SELECT e.id FROM hub_searchentry e WHERE 1 = 1{_where(filter_sql, 'e.id')} ORDER BY e.id DESC LIMIT %s",
                [*filter_params, limit],
            )
        return (
            "SELECT e.id FROM hub_searchentry e WHERE e.search_vector @@ to_tsquery('simple', %s)"
            f"{_where(filter_sql, 'e.id')} ORDER BY e.id DESC LIMIT %s",
            [self._tsquery(terms), *filter_params, limit],
        )

    def ranked(self, terms, window_ids, limit, offset) -> tuple[str, list]:
        # Rank the window's rows only (they already match and pass the filters).
        sql = (
            "SELECT e.id, e.kind, e.title, e.body, e.url, e.year, e.facets "
            "FROM hub_searchentry e, to_tsquery('simple', %s) q WHERE e.id = ANY(%s::bigint[]) "
            "ORDER BY ts_rank(e.search_vector, q) DESC, e.id LIMIT %s OFFSET %s"
        )
        return sql, [self._tsquery(terms), window_ids, limit, offset]

    def ids_table(self) -> str:
        return "(SELECT unnest(%s::bigint[]) AS id)"

    def ids_param(self, ids: list[int]):
        return ids


def _dialect():
    if connection.vendor == "postgresql":
        return _Postgres()
    if connection.vendor == "sqlite":
        return _Sqlite()
    raise NotImplementedError(f"The database search backend supports SQLite and PostgreSQL, not {connection.vendor}.")


@dataclass
class _Window:
    """The newest matches of one set (at most ``WINDOW``) and the size of the whole set, exact or estimated."""

    ids: list[int]
    total: int
    estimated: bool

    @property
    def min_id(self) -> int:
        return self.ids[-1] if self.ids else 0


class DatabaseBackend:
    """Full text and facets on ``SearchEntry`` (SQLite FTS5 or PostgreSQL tsvector).

    Every set the page needs (the matches under all filters, and for each selected facet the
    matches without its own filter) is read once, newest first, up to ``WINDOW`` ids: that is one
    index walk that stops early, whatever the number of entries. Ranking and facet counts then run
    on those ids only. Up to ``WINDOW`` matches everything is exact; beyond it the total is
    estimated from how much of the id range the window covered (matches are spread over time),
    the facet counts are scaled to it, and the page says that they are estimates.
    """

    name = "database"
    WINDOW = 3000

    def search(self, query: Query) -> Results:
        terms = [t for t in terms_of(query.text) if WORD.fullmatch(t)]
        if query.is_empty:
            return Results(query=query, hits=[], total=0, facets=[], backend=self.name)
        dialect = _dialect()
        filter_sql, filter_params = dialect.filters(query.filters)
        with connection.cursor() as cursor:
            bounds = None
            main = self._window(cursor, dialect, terms, filter_sql, filter_params, bounds)
            if main.estimated:
                bounds = self._bounds(cursor)
                main = self._estimate(main, bounds)
            if not main.ids:
                rows = []
            elif terms:
                if isinstance(dialect, _Postgres):
                    ranked = dialect.ranked(terms, main.ids, query.page_size, query.offset)
                else:
                    ranked = dialect.ranked(
                        terms, filter_sql, filter_params, main.min_id, query.page_size, query.offset
                    )
                cursor.execute(*ranked)
                rows = cursor.fetchall()
            else:
                cursor.execute(
                    "SELECT e.id, e.kind, e.title, e.body, e.url, e.year, e.facets "
                    f"FROM hub_searchentry e WHERE e.id IN (SELECT id FROM {dialect.ids_table()} w) "
                    "ORDER BY e.year DESC, e.id DESC LIMIT %s OFFSET %s",
                    [dialect.ids_param(main.ids), query.page_size, query.offset],
                )
                rows = cursor.fetchall()
            counts = self._facet_counts(cursor, dialect, main, name=None)
            for name in query.filters:
                own_sql, own_params = dialect.filters(query.filters, without=name)
                own = self._window(cursor, dialect, terms, own_sql, own_params, bounds)
                if own.estimated:
                    bounds = bounds or self._bounds(cursor)
                    own = self._estimate(own, bounds)
                counts[name] = self._facet_counts(cursor, dialect, own, name=name).get(name, {})

        facets = label_facets(counts, query.filters)
        hits = [self._hit(row, terms) for row in rows]
        facet_labels_for_hits(hits, facets)
        return Results(
            query=query,
            hits=hits,
            total=main.total,
            facets=facets,
            backend=self.name,
            approximate=main.estimated,
            ranked_window=len(main.ids),
        )

    def _window(self, cursor, dialect, terms, filter_sql, filter_params, bounds) -> _Window:
        cursor.execute(*dialect.window(terms, filter_sql, filter_params, self.WINDOW + 1))
        ids = [row[0] for row in cursor.fetchall()]
        if len(ids) <= self.WINDOW:
            return _Window(ids=ids, total=len(ids), estimated=False)
        return _Window(ids=ids[: self.WINDOW], total=self.WINDOW + 1, estimated=True)

    @staticmethod
    def _bounds(cursor) -> tuple[int, int]:
        cursor.execute("SELECT (SELECT MIN(id) FROM hub_searchentry), (SELECT MAX(id) FROM hub_searchentry)")
        low, high = cursor.fetchone()
        return low or 0, high or 0

    @staticmethod
    def _estimate(window: _Window, bounds: tuple[int, int]) -> _Window:
        """Scale the window to the whole id range: WINDOW matches in the newest part → about N in all."""
        low, high = bounds
        covered = max(1, high - window.min_id + 1)
        estimate = round(len(window.ids) * (high - low + 1) / covered)
        return _Window(ids=window.ids, total=max(window.total, estimate), estimated=True)

    @staticmethod
    def _facet_counts(cursor, dialect, window: _Window, *, name) -> dict:
        if not window.ids:
            return {}
        only = "WHERE f.name = %s " if name else ""
        cursor.execute(
            f"SELECT f.name, f.value, COUNT(*) FROM {dialect.ids_table()} w "
            f"{dialect.join} hub_searchfacet f ON f.entry_id = w.id {only}GROUP BY f.name, f.value",
            [dialect.ids_param(window.ids), *([name] if name else [])],
        )
        scale = window.total / len(window.ids) if window.estimated else 1
        counts: dict[str, dict[str, int]] = {}
        for facet, value, count in cursor.fetchall():
            counts.setdefault(facet, {})[value] = max(1, round(count * scale))
        return counts

    @staticmethod
    def _hit(row, terms) -> Hit:
        _id, kind, title, body, url, year, facets = row
        if isinstance(facets, str):
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
