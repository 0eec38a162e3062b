"""The Elasticsearch backend, written with elasticsearch-dsl.

- One ``Document`` per indexed type: apps subclass :class:`BridgesDocument` in their
  ``documents.py`` with ``class Index: name = index_alias("<kind>")``. The name is an alias;
  ``search_reindex`` builds ``<alias>_<timestamp>`` indices and switches the alias atomically.
- One ``FacetedSearch`` for the search page (:class:`SiteSearch`): multi-match over title (×3)
  and body with ``fuzziness: AUTO`` (typo tolerance), highlight, and terms facets whose counts
  ignore their own filter (Elasticsearch's post_filter, as the database backend does).
- Short timeouts (``ELASTICSEARCH_TIMEOUT``, default 2 s) and no retries: when the server is
  unreachable or slow the interface falls back to the database backend within that time.
- After a failure the process rests the server for ``ELASTICSEARCH_RETRY_AFTER`` seconds (default 10):
  searches go to the database at once instead of each waiting out the timeout of a hung server.
"""

import datetime as dt
import logging
import sys
import time
from collections.abc import Callable, Iterable

from django.conf import settings

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch
from elasticsearch.helpers import BulkIndexError, streaming_bulk
from elasticsearch_dsl import Document, FacetedSearch, Index, Integer, Keyword, TermsFacet, Text, connections

from hub.search import indexing, registry
from hub.search.highlight import POST_TAG, PRE_TAG, from_markers, mark, snippet, terms_of
from hub.search.interface import BackendUnavailable, Hit, Query, Results, facet_labels_for_hits, label_facets

logger = logging.getLogger("hub.search")
ALIAS = "bridges-search"
UNAVAILABLE = (TransportError, ApiError, BulkIndexError, BackendUnavailable)
FACET_FIELDS = {"type": "kind", **{name: name for name in registry.FACETS if name != "type"}}


def index_alias(kind: str) -> str:
    """The alias a type's Document reads and writes: ``<ELASTICSEARCH_INDEX_PREFIX>_<kind>``."""
    return f"{getattr(settings, 'ELASTICSEARCH_INDEX_PREFIX', 'bridges')}_{kind}"


def client() -> Elasticsearch:
    """The shared client (created on first use): short timeouts, no retries, so a dead server fails fast."""
    try:
        return connections.get_connection(ALIAS)
    except KeyError:
        timeout = float(getattr(settings, "ELASTICSEARCH_TIMEOUT", 2))
        return connections.create_connection(
            alias=ALIAS,
            hosts=[settings.ELASTICSEARCH_URL],
            request_timeout=timeout,
            max_retries=0,
            retry_on_timeout=False,
        )


# Until when (time.monotonic()) this process does not ask the server after it failed.
_resting_until = 0.0


def _rest_after_failure() -> None:
    global _resting_until
    _resting_until = time.monotonic() + float(getattr(settings, "ELASTICSEARCH_RETRY_AFTER", 10))


def reset_client() -> None:
    """Forget the client and any rest after a failure (tests change ELASTICSEARCH_URL)."""
    global _resting_until
    _resting_until = 0.0
    try:
        connections.remove_connection(ALIAS)
    except KeyError:
        pass


class BridgesDocument(Document):
    """The fields every indexed type has; subclasses only name their index (alias)."""

    kind = Keyword()
    object_id = Keyword()
    title = Text(fields={"raw": Keyword(ignore_above=256)})
    body = Text()
    url = Keyword(index=False)
    language = Keyword()
    year = Integer()
    theme = Keyword(multi=True)
    sdg = Keyword(multi=True)
    method = Keyword(multi=True)
    country = Keyword(multi=True)

    @classmethod
    def from_entry(cls, search_type: registry.SearchType, obj, entry: registry.Entry) -> "BridgesDocument":
        facets = entry.facet_values(search_type.kind)
        return cls(
            meta={"id": f"{search_type.kind}-{obj.pk}"},
            kind=search_type.kind,
            object_id=str(obj.pk),
            title=entry.title,
            body=entry.body,
            url=entry.url,
            language=facets.get("language", []),
            year=entry.year,
            theme=facets.get("theme", []),
            sdg=facets.get("sdg", []),
            method=facets.get("method", []),
            country=facets.get("country", []),
        )


def _document(search_type: registry.SearchType) -> type[BridgesDocument]:
    if search_type.document is None:
        raise BackendUnavailable(f"{search_type.kind} has no Elasticsearch document")
    return search_type.document


def index(search_type: registry.SearchType, obj, entry: registry.Entry) -> None:
    """Write one object (through the alias)."""
    document = _document(search_type).from_entry(search_type, obj, entry)
    document.save(using=client(), index=index_alias(search_type.kind))


def delete(search_type: registry.SearchType, object_id) -> None:
    try:
        client().delete(index=index_alias(search_type.kind), id=f"{search_type.kind}-{object_id}")
    except ApiError as error:
        if getattr(error, "status_code", None) != 404:
            raise


class SiteSearch(FacetedSearch):
    """The /search/ listing: every registered type, the seven facets, fuzzy multi-match, highlights."""

    fields = ["title^3", "body"]
    facets = {
        "type": TermsFacet(field="kind", size=20),
        "theme": TermsFacet(field="theme", size=30),
        "sdg": TermsFacet(field="sdg", size=17),
        "method": TermsFacet(field="method", size=30),
        "country": TermsFacet(field="country", size=30),
        "language": TermsFacet(field="language", size=30),
        "year": TermsFacet(field="year", size=30),
    }

    def __init__(self, *args, kinds: Iterable[str] | None = None, **kwargs):
        kinds = list(kinds) if kinds is not None else [t.kind for t in registry.types()]
        self.index = [index_alias(kind) for kind in kinds]
        self.using = ALIAS
        super().__init__(*args, **kwargs)

    def search(self):
        search = super().search()
        return search.params(ignore_unavailable=True, allow_no_indices=True)

    def query(self, search, query):
        if not query:
            return search
        return search.query(
            "multi_match", query=query, fields=self.fields, fuzziness="AUTO", prefix_length=1, operator="and"
        )

    def highlight(self, search):
        return (
            search.highlight_options(pre_tags=[PRE_TAG], post_tags=[POST_TAG], encoder="default", number_of_fragments=1)
            .highlight("title", number_of_fragments=0)
            .highlight("body", fragment_size=220)
        )


def build(query: Query) -> SiteSearch:
    """The FacetedSearch for one page of a query (also what the unit tests inspect with ``to_dict()``)."""
    filters = {name: values for name, values in query.filters.items() if values}
    faceted = SiteSearch(query.text or None, filters=filters)
    return faceted[query.offset : query.offset + query.page_size]


class ElasticsearchBackend:
    """Search over the type aliases; any transport or API error raises BackendUnavailable."""

    name = "elasticsearch"

    def search(self, query: Query) -> Results:
        if query.is_empty:
            return Results(query=query, hits=[], total=0, facets=[], backend=self.name)
        if time.monotonic() < _resting_until:
            raise BackendUnavailable("resting after a failure (ELASTICSEARCH_RETRY_AFTER)")
        client()
        try:
            response = build(query).execute()
        except UNAVAILABLE as error:
            _rest_after_failure()
            raise BackendUnavailable(str(error)) from error
        terms = terms_of(query.text)
        counts: dict[str, dict[str, int]] = {}
        for name, values in response.facets.to_dict().items():
            counts[name] = {str(value): count for value, count, _selected in values}
        facets = label_facets(counts, query.filters)
        hits = [self._hit(hit, terms) for hit in response]
        facet_labels_for_hits(hits, facets)
        total = response.hits.total.value if hasattr(response.hits.total, "value") else int(response.hits.total)
        return Results(query=query, hits=hits, total=total, facets=facets, backend=self.name)

    @staticmethod
    def _hit(hit, terms) -> Hit:
        highlight = getattr(hit.meta, "highlight", None)
        title_parts = list(getattr(highlight, "title", []) or []) if highlight else []
        body_parts = list(getattr(highlight, "body", []) or []) if highlight else []
        search_type = registry.get(hit.kind)
        facets = {name: list(getattr(hit, name, []) or []) for name in ("theme", "country")}
        return Hit(
            kind=hit.kind,
            kind_label=str(search_type.label) if search_type else hit.kind,
            title=from_markers(title_parts[0]) if title_parts else mark(hit.title, terms),
            url=hit.url,
            snippet=from_markers(body_parts[0]) if body_parts else snippet(getattr(hit, "body", "") or "", terms),
            facets=facets,
            year=getattr(hit, "year", None),
        )


# ---- rebuilding without going dark ---------------------------------------------------------------


def _progress(kind: str, done: int, total: int, out) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    out.write(f"\r{kind:<14} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    out.flush()


def reindex(*, kinds: list[str] | None = None, log: Callable[[str], None] | None = None, out=None) -> dict:
    """Build a new index per type, bulk-load it, switch the alias atomically, delete the old index."""
    es = client()
    out = out or sys.stdout
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")
    counts = {}
    for search_type in registry.types():
        if kinds and search_type.kind not in kinds:
            continue
        alias = index_alias(search_type.kind)
        new_name = f"{alias}_{stamp}"
        new_index = Index(new_name, using=ALIAS)
        new_index.document(_document(search_type))
        new_index.settings(number_of_shards=1, number_of_replicas=0, refresh_interval="-1")
        new_index.create()
        total = search_type.public().count()
        done = 0

        actions = _bulk_actions(search_type, new_name)
        for _ok, _item in streaming_bulk(es, actions, chunk_size=500, raise_on_error=True):
            done += 1
            if done % 200 == 0 or done == total:
                _progress(search_type.kind, done, total, out)
        _progress(search_type.kind, done, total, out)
        out.write("\n")
        es.indices.put_settings(index=new_name, settings={"index": {"refresh_interval": "1s"}})
        es.indices.refresh(index=new_name)
        _switch_alias(es, alias, new_name)
        counts[search_type.kind] = done
        if log:
            log(f"{search_type.kind}: {done} documents in {new_name}, alias {alias} switched")
    return counts


def _bulk_actions(search_type: registry.SearchType, index_name: str):
    document_class = _document(search_type)
    for obj in indexing.public_objects(search_type):
        entry = indexing.entry_of(search_type, obj)
        if entry is not None:
            yield {
                **document_class.from_entry(search_type, obj, entry).to_dict(include_meta=True),
                "_index": index_name,
            }


def _switch_alias(es: Elasticsearch, alias: str, new_name: str) -> None:
    """Point ``alias`` at ``new_name`` in one atomic request, then delete what it pointed at before."""
    old = []
    if es.indices.exists_alias(name=alias):
        old = list(es.indices.get_alias(name=alias).keys())
    actions = [{"add": {"index": new_name, "alias": alias}}]
    actions += [{"remove": {"index": name, "alias": alias}} for name in old]
    if not old and es.indices.exists(index=alias):
        # A concrete index under the alias's name (auto-created by a write before the first reindex).
        actions.append({"remove_index": {"index": alias}})
    es.indices.update_aliases(actions=actions)
    for name in old:
        if name != new_name:
            es.indices.delete(index=name, ignore_unavailable=True)
