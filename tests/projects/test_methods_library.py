"""The methods library: /methods/ lists live method pages with their usage; a method page shows what used it."""

from django.utils.text import slugify

import pytest

from calls.factories import make_call
from hub.models import Method
from profiles.models import CityPage
from projects.factories import PartnershipFactory
from projects.models import MethodPage, MethodsIndexPage, MethodTool, Result

pytestmark = pytest.mark.django_db


def make_method_page(title: str, *, method: Method | None = None, publish: bool = True, **fields) -> MethodPage:
    index = MethodsIndexPage.objects.get()
    fields.setdefault("summary", f"{title}: a field-proven method.")
    fields.setdefault("what_it_is", f"<p>{title} explained.</p>")
    page = MethodPage(title=title, slug=slugify(title), method=method, live=publish, **fields)
    index.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    return MethodPage.objects.get(pk=page.pk)


def make_result(partnership, title: str, *, method: Method, published: bool = True) -> Result:
    result = Result.objects.create(
        partnership=partnership,
        title=title,
        slug=slugify(title),
        abstract="What we found.",
        status=Result.Status.PUBLISHED if published else Result.Status.DRAFT,
    )
    result.methods.add(method)
    return result


@pytest.fixture
def par():
    return Method.objects.get(slug="participatory-action-research")


def test_setup_creates_the_methods_index_with_the_coordinator_workflow():
    index = MethodsIndexPage.objects.get()
    assert index.url_path.endswith("/methods/")
    workflow = index.get_workflow()
    assert workflow is not None and workflow.name == "Methods library moderation"
    task = workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["Network coordinators"]


def test_index_lists_live_methods_with_their_usage_counts(client, par, city):
    make_method_page("Participatory action research", method=par)
    make_method_page("Secret draft method", publish=False)
    partnership = PartnershipFactory()
    partnership.methods.add(par)
    hidden = PartnershipFactory(is_public=False)
    hidden.methods.add(par)
    make_result(partnership, "Housing report", method=par)
    make_result(partnership, "Unpublished draft", method=par, published=False)

    response = client.get("/methods/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Participatory action research" in html
    assert "Secret draft method" not in html
    method = response.context["methods"].object_list[0]
    assert (method.calls_count, method.partnerships_count, method.results_count) == (0, 1, 1)


def test_index_empty_state(client):
    response = client.get("/methods/")
    assert "No methods published yet" in response.content.decode()


def test_method_page_shows_sections_tools_and_public_usage_only(client, par, city):
    organisation, _official = city
    page = make_method_page(
        "Participatory action research",
        method=par,
        when_to_use="<p>When people affected should shape the questions.</p>",
        ethics="<p>Informed consent, always.</p>",
        steps=[("step", {"title": "Form a research group", "description": "<p>With residents.</p>"})],
    )
    page.tools.add(MethodTool(title="Consent form template", url="https://example.org/consent.docx"))
    page.save_revision().publish()
    city_page = CityPage.objects.get(organisation=organisation)
    make_call(city_page=city_page, title="Homelessness and participation", methods=[par])
    make_call(city_page=city_page, title="Draft call nobody sees", methods=[par], publish=False)
    public = PartnershipFactory(title="Graz housing partnership")
    public.methods.add(par)
    private = PartnershipFactory(title="Private partnership", is_public=False)
    private.methods.add(par)
    make_result(public, "Housing report", method=par)
    make_result(public, "Embargoed draft", method=par, published=False)

    response = client.get(page.url)

    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "When people affected should shape the questions.",
        "Informed consent, always.",
        "Form a research group",
        "Consent form template",
        "https://example.org/consent.docx",
        "Homelessness and participation",
        "Graz housing partnership",
        "Housing report",
    ):
        assert text in html
    for hidden in ("Draft call nobody sees", "Private partnership", "Embargoed draft"):
        assert hidden not in html
    assert response.context["usage"]["calls_count"] == 1


def _grow_usage(n: int, par, city_page, offset: int) -> None:
    for i in range(n):
        partnership = PartnershipFactory()
        partnership.methods.add(par)
        make_result(partnership, f"Result {offset + i}", method=par)
        make_call(city_page=city_page, title=f"Call {offset + i}", methods=[par])


def test_method_page_queries_stay_constant_as_usage_grows(client, par, city, django_assert_max_num_queries):
    organisation, _official = city
    city_page = CityPage.objects.get(organisation=organisation)
    page = make_method_page("Participatory action research", method=par)
    _grow_usage(1, par, city_page, 0)
    client.get(page.url)  # warm caches (site root, settings)
    with django_assert_max_num_queries(40) as few:
        client.get(page.url)
    _grow_usage(9, par, city_page, 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(page.url)
    assert response.context["usage"]["partnerships_count"] == 10
    assert len(response.context["usage"]["partnerships"]) == 6


def test_index_queries_stay_constant_as_methods_grow(client, par, django_assert_max_num_queries):
    make_method_page("Method 0", method=par)
    client.get("/methods/")
    with django_assert_max_num_queries(40) as few:
        client.get("/methods/")
    slugs = list(Method.objects.exclude(pk=par.pk).values_list("pk", flat=True)[:9])
    for i, pk in enumerate(slugs, start=1):
        make_method_page(f"Method {i}", method=Method.objects.get(pk=pk))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/methods/")
    assert response.context["methods"].paginator.count == 10


def test_editors_preview_shows_unsaved_tools_and_usage(par):
    index = MethodsIndexPage.objects.get()
    page = MethodPage(title="Draft method", slug="draft-method", summary="s", what_it_is="<p>w</p>", method=par)
    page.tools.add(MethodTool(title="Unsaved template", url="https://example.org/t"))
    page.set_url_path(index)
    page.depth = index.depth + 1
    page.path = index.path + "9999"

    response = page.make_preview_request()

    assert response.status_code == 200
    assert "Unsaved template" in response.content.decode()
