"""/case-studies/: facets with counts, chips, empty states, pagination; a case study shows only public links."""

from django.utils.text import slugify

import pytest

from hub.models import Country, HomePage, Method, SDGTarget, Theme
from hub.registry import home_latest
from projects.factories import PartnershipFactory
from projects.models import CaseStudyIndexPage, CaseStudyPage, Dataset, Region, Result

pytestmark = pytest.mark.django_db


def make_case_study(title: str, *, publish: bool = True, themes=(), methods=(), sdg_targets=(), **fields):
    index = CaseStudyIndexPage.objects.get()
    fields.setdefault("summary", f"{title}: what a partnership changed.")
    fields.setdefault("context", "<p>The context.</p>")
    fields.setdefault("what_changed", "<p>What changed.</p>")
    page = CaseStudyPage(title=title, slug=slugify(title), live=publish, **fields)
    page.themes.set(list(themes))
    page.methods.set(list(methods))
    page.sdg_targets.set(list(sdg_targets))
    index.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    return CaseStudyPage.objects.get(pk=page.pk)


@pytest.fixture
def housing():
    return Theme.objects.order_by("pk").first()


@pytest.fixture
def par():
    return Method.objects.get(slug="participatory-action-research")


def test_setup_creates_the_case_studies_index():
    assert CaseStudyIndexPage.objects.get().url_path.endswith("/case-studies/")


def test_index_lists_live_case_studies_with_facet_counts(client, housing, par):
    make_case_study("Graz housing", region=Region.EUROPE, themes=[housing], methods=[par])
    make_case_study("Bogotá water", region=Region.AMERICAS)
    make_case_study("Unpublished draft", publish=False, region=Region.EUROPE)

    response = client.get("/case-studies/")

    html = response.content.decode()
    assert "Graz housing" in html and "Bogotá water" in html and "Unpublished draft" not in html
    facets = {f.name: {o.value: o.count for o in f.options} for f in response.context["facets"]}
    assert facets["region"] == {"americas": 1, "europe": 1}
    assert facets["theme"] == {housing.slug: 1}
    assert facets["method"] == {par.slug: 1}


def test_filtering_by_region_shows_a_chip_and_counts_other_facets_within_it(client, housing):
    make_case_study("Graz housing", region=Region.EUROPE, themes=[housing])
    make_case_study("Bogotá water", region=Region.AMERICAS, themes=[housing])

    response = client.get("/case-studies/?region=europe")

    html = response.content.decode()
    assert "Graz housing" in html and "Bogotá water" not in html
    assert "Region: Europe" in html
    facets = {f.name: {o.value: o.count for o in f.options} for f in response.context["facets"]}
    assert facets["theme"] == {housing.slug: 1}
    assert facets["region"] == {"americas": 1, "europe": 1}  # a facet ignores its own filter


def test_filter_by_sdg_goal(client):
    target = SDGTarget.objects.select_related("goal").order_by("pk").first()
    make_case_study("With SDG", sdg_targets=[target])
    make_case_study("Without SDG")
    html = client.get(f"/case-studies/?sdg={target.goal.number}").content.decode()
    assert "With SDG" in html and "Without SDG" not in html


def test_no_match_suggests_removing_a_filter(client):
    make_case_study("Graz housing", region=Region.EUROPE)
    html = client.get("/case-studies/?region=asia").content.decode()
    assert "No case studies match these filters" in html
    assert "Remove the “Region” filter" in html


def test_empty_index_says_what_will_appear(client):
    html = client.get("/case-studies/").content.decode()
    assert "No case studies are published yet" in html


def test_unknown_filter_values_do_not_break_the_page(client):
    response = client.get("/case-studies/?region=moon&sdg=abc&page=999")
    assert response.status_code == 200
    assert "Some filters were not understood" in response.content.decode()


def test_case_study_page_links_only_public_results_and_datasets(client, housing):
    partnership = PartnershipFactory(title="Housing monitor")
    public = Result.objects.create(
        partnership=partnership, title="Public report", slug="public-report", abstract="x", status="published"
    )
    draft = Result.objects.create(partnership=partnership, title="Draft report", slug="draft-report", abstract="x")
    open_data = Dataset.objects.create(
        partnership=partnership, title="Evictions 2024", slug="evictions", description="x", status="published"
    )
    page = make_case_study(
        "Graz housing",
        partnership=partnership,
        region=Region.EUROPE,
        themes=[housing],
        lessons="<p>Start with tenants.</p>",
    )
    page.results.set([public, draft])
    page.datasets.set([open_data])
    page.save_revision().publish()

    html = client.get(page.url).content.decode()

    for text in ("Public report", "Evictions 2024", "Start with tenants.", "Housing monitor", "What changed"):
        assert text in html
    assert "Draft report" not in html
    assert f"/case-studies/?theme={housing.slug}" in html
    assert "/case-studies/?region=europe" in html

    Result.objects.filter(pk=public.pk).update(status=Result.Status.TAKEN_DOWN)
    assert "Public report" not in client.get(page.url).content.decode()


def test_featured_case_studies_are_on_the_home_page(client):
    make_case_study("Featured story", featured=True)
    make_case_study("Ordinary story")
    section = next(s for s in home_latest() if s["key"] == "case_studies")
    assert [p.title for p in section["items"]] == ["Featured story"]
    html = client.get(HomePage.objects.get().url).content.decode()
    assert "Featured case studies" in html and "Featured story" in html


def _grow(n: int, housing, offset: int) -> None:
    country = Country.objects.order_by("pk").first()
    for i in range(n):
        page = make_case_study(f"Story {offset + i}", region=Region.EUROPE, themes=[housing])
        page.countries.set([country])
        page.save_revision().publish()


def test_index_queries_stay_constant_as_case_studies_grow(client, housing, django_assert_max_num_queries):
    _grow(1, housing, 0)
    client.get("/case-studies/?region=europe")
    with django_assert_max_num_queries(40) as few:
        client.get("/case-studies/?region=europe")
    _grow(9, housing, 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/case-studies/?region=europe")
    assert response.context["case_studies"].paginator.count == 10


def test_index_paginates(client):
    for i in range(13):
        make_case_study(f"Story {i}")
    first = client.get("/case-studies/")
    assert len(first.context["case_studies"].object_list) == 12
    second = client.get("/case-studies/?page=2")
    assert len(second.context["case_studies"].object_list) == 1


def test_editors_preview_shows_unsaved_facets_and_links(housing):
    partnership = PartnershipFactory()
    result = Result.objects.create(
        partnership=partnership, title="Public report", slug="public-report", abstract="x", status="published"
    )
    index = CaseStudyIndexPage.objects.get()
    page = CaseStudyPage(
        title="Draft story", slug="draft-story", summary="s", context="<p>c</p>", what_changed="<p>w</p>"
    )
    page.themes.set([housing])
    page.results.set([result])
    page.set_url_path(index)
    page.depth = index.depth + 1
    page.path = index.path + "9999"

    response = page.make_preview_request()

    html = response.content.decode()
    assert response.status_code == 200
    assert housing.name in html and "Public report" in html
