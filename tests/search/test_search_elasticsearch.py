"""The Elasticsearch backend: query bodies (always) and a real server (only when ELASTICSEARCH_URL is set)."""

import io
import os

import pytest

from calls.documents import CallDocument
from hub.search import elastic
from hub.search.highlight import POST_TAG, PRE_TAG, from_markers
from hub.search.interface import Query

SERVER = os.environ.get("ELASTICSEARCH_URL", "")


def _body(query: Query) -> dict:
    return elastic.build(query)._s.to_dict()


def test_the_query_matches_title_and_body_with_typo_tolerance():
    body = _body(Query(text="housng rights"))

    match = body["query"]["multi_match"]
    assert match["query"] == "housng rights"
    assert match["fields"] == ["title^3", "body"]
    assert match["fuzziness"] == "AUTO"
    assert match["operator"] == "and"


def test_facet_filters_go_to_post_filter_so_each_facet_counts_without_its_own_filter():
    body = _body(Query(text="water", filters={"type": ["call", "result"], "theme": ["adequate-housing"]}))

    post_filter = body["post_filter"]["bool"]["must"]
    assert {"terms": {"kind": ["call", "result"]}} in post_filter
    assert {"terms": {"theme": ["adequate-housing"]}} in post_filter
    # The type facet's aggregation applies the theme filter but not its own, and vice versa.
    type_agg = body["aggs"]["_filter_type"]["filter"]
    theme_agg = body["aggs"]["_filter_theme"]["filter"]
    assert type_agg == {"terms": {"theme": ["adequate-housing"]}}
    assert theme_agg == {"terms": {"kind": ["call", "result"]}}
    assert set(body["aggs"]) == {
        f"_filter_{name}" for name in ("type", "theme", "sdg", "method", "country", "language", "year")
    }


def test_highlights_use_markers_that_are_escaped_before_becoming_marks():
    body = _body(Query(text="water"))

    assert body["highlight"]["pre_tags"] == [PRE_TAG]
    assert set(body["highlight"]["fields"]) == {"title", "body"}
    assert str(from_markers(f"<b>{PRE_TAG}water{POST_TAG}</b>")) == "&lt;b&gt;<mark>water</mark>&lt;/b&gt;"


def test_pages_are_slices_of_twenty():
    body = _body(Query(text="water", page=3))

    assert body["from"] == 40
    assert body["size"] == 20


def test_every_type_has_its_document_and_index_alias(settings):
    from hub.search import registry

    for search_type in registry.types():
        assert issubclass(search_type.document, elastic.BridgesDocument)
        assert search_type.document._index._name == f"test_bridges_{search_type.kind}"
    mapping = CallDocument._doc_type.mapping.to_dict()["properties"]
    assert mapping["theme"] == {"type": "keyword"}
    assert mapping["title"]["type"] == "text"
    assert mapping["url"] == {"type": "keyword", "index": False}


@pytest.fixture
def live_elasticsearch(settings):
    """A real server: skipped with a reason when none is configured; unreachable means failure (CI)."""
    if not SERVER:
        pytest.skip("ELASTICSEARCH_URL is not set: no Elasticsearch server to test against")
    settings.ELASTICSEARCH_URL = SERVER
    elastic.reset_client()
    assert elastic.client().ping(), f"ELASTICSEARCH_URL={SERVER} is set but the server does not answer"
    yield elastic.client()
    for name in elastic.client().indices.get(index="test_bridges_*"):
        elastic.client().indices.delete(index=name, ignore_unavailable=True)
    elastic.reset_client()


@pytest.mark.elasticsearch
@pytest.mark.django_db
def test_reindex_switches_the_alias_and_search_finds_with_a_typo(live_elasticsearch, public_partnership):
    from hub.search.interface import search

    elastic.reindex(kinds=["partnership"], out=io.StringIO())
    first = list(live_elasticsearch.indices.get_alias(name="test_bridges_partnership"))
    elastic.reindex(kinds=["partnership"], out=io.StringIO())
    second = list(live_elasticsearch.indices.get_alias(name="test_bridges_partnership"))

    assert len(first) == len(second) == 1 and first != second
    assert not live_elasticsearch.indices.exists(index=first[0])
    results = search(Query(text="zanzibarain"))  # one letter swapped
    assert results.backend == "elasticsearch" and not results.fallback
    assert [h.url for h in results.hits] == ["/partnerships/zanzibarian-tenants/"]
    assert "<mark>" in str(results.hits[0].title)
