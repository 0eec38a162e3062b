"""/search/: the box, facets with counts, marked snippets, pagination, empty states and bad input."""

import logging

from django.urls import reverse

import pytest

from hub.models import Theme
from hub.search.models import SearchEntry
from projects.factories import PartnershipFactory

pytestmark = pytest.mark.django_db
URL = reverse("search")


def _partnerships(count: int, *, word: str = "kelpie", city=None, theme=None):
    made = []
    for n in range(count):
        partnership = PartnershipFactory(
            title=f"{word.title()} partnership {n}",
            slug=f"{word}-{n}",
            summary=f"Studying {word} housing {n}.",
            city=city,
        )
        if theme is not None:
            partnership.themes.add(theme)
        made.append(partnership)
    return made


def test_the_empty_page_offers_a_labelled_search_box(client):
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label class="field__label" for="id_q">' in html
    assert 'type="search" name="q" id="id_q"' in html
    assert "What are you looking for?" in html


def test_a_query_finds_a_partnership_and_a_call_with_marked_snippets(client, public_partnership, open_call):
    open_call.summary = "Quokkaphile tenants and their landlords."
    open_call.save_revision().publish()

    response = client.get(URL, {"q": "quokkaphile"})

    html = response.content.decode()
    assert "2 results" in html
    assert "Zanzibarian tenants partnership" in html
    assert open_call.title in html
    assert "<mark>quokkaphile</mark>" in html.lower()
    assert 'href="/partnerships/zanzibarian-tenants/"' in html or "zanzibarian-tenants" in html


def test_the_type_facet_counts_and_narrows_and_keeps_the_other_counts(client, public_partnership, open_call):
    open_call.summary = "Quokkaphile tenants and their landlords."
    open_call.save_revision().publish()

    response = client.get(URL, {"q": "quokkaphile", "type": "call"})

    html = response.content.decode()
    assert "1 result" in html
    assert open_call.title in html
    assert "Zanzibarian tenants partnership" not in html
    facet = next(f for f in response.context["results"].facets if f.name == "type")
    counts = {o.value: (o.count, o.selected) for o in facet.options}
    assert counts == {"call": (1, True), "partnership": (1, False)}
    assert 'name="type" value="call" id="facet-type-1" checked' in html
    assert "(remove this filter)" in html


def test_theme_facet_counts_per_value(client, city):
    housing, water = Theme.objects.order_by("pk")[:2]
    _partnerships(3, theme=housing)
    _partnerships(1, word="kelpie-water", theme=water)

    results = client.get(URL, {"q": "kelpie"}).context["results"]

    theme = next(f for f in results.facets if f.name == "theme")
    assert {o.value: o.count for o in theme.options} == {housing.slug: 3, water.slug: 1}
    assert theme.options[0].label == housing.name


def test_hostile_text_is_escaped_and_only_marks_are_added(client, city):
    PartnershipFactory(
        title="<script>alert('kelpie')</script>", slug="xss", summary="<img src=x onerror=alert(1)> kelpie"
    )

    html = client.get(URL, {"q": "kelpie"}).content.decode()

    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;<mark>kelpie</mark>&#x27;)&lt;/script&gt;" in html


def test_results_are_paginated(client):
    _partnerships(25)

    first = client.get(URL, {"q": "kelpie"})
    second = client.get(URL, {"q": "kelpie", "page": 2})

    assert "25 results" in first.content.decode()
    assert len(first.context["results"].hits) == 20
    assert len(second.context["results"].hits) == 5
    assert 'rel="next"' in first.content.decode()


def test_nothing_found_suggests_spelling_and_removing_filters(client, public_partnership):
    html = client.get(URL, {"q": "zanzibarian", "type": "call"}).content.decode()

    assert "Nothing matches" in html
    assert "Check the spelling" in html
    assert "Remove a filter" in html
    assert "Search again without any filter" in html


def test_an_oversized_query_is_refused_with_a_message_and_kept(client):
    text = "housing " * 40

    response = client.get(URL, {"q": text})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in html
    assert "housing housing" in html


@pytest.mark.parametrize("text", ['"', "AND OR NOT", "*", "(((", "NEAR(a b)", "' OR 1=1 --", "___", "ü"])
def test_full_text_syntax_in_the_query_never_breaks_the_page(client, public_partnership, text):
    assert client.get(URL, {"q": text}).status_code == 200


def test_malformed_filters_are_ignored_with_a_message(client, public_partnership):
    html = client.get(URL, {"q": "zanzibarian", "theme": "<script>"}).content.decode()

    assert "Some filters were not understood and are ignored." in html
    assert "tenants partnership" in html


@pytest.mark.parametrize("count", [1, 10])
def test_search_page_query_count_stays_constant(client, django_assert_max_num_queries, count, city):
    theme = Theme.objects.order_by("pk").first()
    _partnerships(count, city=city[0], theme=theme)

    # Up to 7 for search (total, the window's start on broad queries, hits, facet counts, the theme
    # facet's own counts, theme and country labels) and the layout's site and site-settings reads.
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"q": "kelpie", "theme": theme.slug})

    assert response.context["results"].total == count


def test_unreachable_elasticsearch_falls_back_to_the_database_and_says_so(client, settings, caplog, public_partnership):
    from hub.search import elastic

    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    elastic.reset_client()
    try:
        with caplog.at_level(logging.WARNING, logger="hub.search"):
            response = client.get(URL, {"q": "zanzibarian"})
    finally:
        elastic.reset_client()

    html = response.content.decode()
    assert "<mark>Zanzibarian</mark> tenants partnership" in html
    assert "Search is running in a reduced mode" in html
    assert any("fell back to the database" in r.getMessage() for r in caplog.records)


def test_saving_succeeds_and_the_database_index_follows_while_elasticsearch_is_down(settings, public_partnership):
    from hub.search import elastic

    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    elastic.reset_client()
    try:
        public_partnership.title = "Renamed kelpie partnership"
        public_partnership.save()
    finally:
        elastic.reset_client()

    assert SearchEntry.objects.get(kind="partnership").title == "Renamed kelpie partnership"


def test_a_broad_query_says_its_counts_are_estimates(client, monkeypatch):
    from hub.search.database import DatabaseBackend

    monkeypatch.setattr(DatabaseBackend, "WINDOW", 5)
    _partnerships(8)

    response = client.get(URL, {"q": "kelpie"})

    results = response.context["results"]
    assert results.total == 8 and results.approximate
    assert len(results.hits) == 5
    html = response.content.decode()
    assert "About 8 results" in html
    assert "the counts beside the filters are estimates" in html
    assert "(≈8" in html
