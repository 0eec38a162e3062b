"""The privacy rules of the site hold through the API: only public objects and public fields, small cells hidden."""

import datetime as dt

from django.utils import timezone

import pytest

from profiles.factories import ResearcherProfileFactory
from profiles.models import Visibility

pytestmark = pytest.mark.django_db


def ids(body) -> set[int]:
    return {item["id"] for item in body["results"]}


def test_draft_calls_are_not_listed(get_json, city, open_call):
    from calls.factories import make_call
    from profiles.models import CityPage

    draft = make_call(city_page=CityPage.objects.get(organisation=city[0]), title="Draft call", publish=False)
    status, body = get_json("/api/v1/calls/")
    assert status == 200
    assert ids(body) == {open_call.pk}
    assert get_json(f"/api/v1/calls/{draft.pk}")[0] == 404
    assert body["results"][0]["status"] == "open"
    assert body["results"][0]["url"].endswith("/housing-conditions-of-older-tenants/")


def test_there_is_no_endpoint_for_proposals_or_reviews(get_json):
    status, schema = get_json("/api/v1/openapi.json")
    assert not [path for path in schema["paths"] if "proposal" in path or "review" in path]
    assert get_json("/api/v1/proposals/")[0] == 404


def test_researcher_hidden_and_members_only_fields_are_absent(get_json):
    profile = ResearcherProfileFactory(
        bio="Private thoughts", bio_visibility=Visibility.HIDDEN, orcid="0000-0002-1825-0097"
    )
    profile.orcid_visibility = Visibility.MEMBERS
    profile.save()
    status, body = get_json(f"/api/v1/researchers/{profile.pk}")
    assert status == 200
    assert body["name"] == profile.user.display_name
    assert "bio" not in body and "orcid" not in body
    assert "available" not in body  # availability is members-only by default
    assert "career_stage" in body
    listed = get_json("/api/v1/researchers/")[1]["results"]
    assert all("Private thoughts" not in str(item) for item in listed)


def test_unlisted_researchers_are_not_in_the_api(get_json):
    hidden = ResearcherProfileFactory(is_public=False)
    assert get_json(f"/api/v1/researchers/{hidden.pk}")[0] == 404
    assert hidden.pk not in ids(get_json("/api/v1/researchers/")[1])


def test_filtering_on_a_hidden_field_does_not_reveal_it(get_json):
    ResearcherProfileFactory(career_stage="established", career_stage_visibility=Visibility.HIDDEN)
    status, body = get_json("/api/v1/researchers/", career_stage="established")
    assert status == 200
    assert body["count"] == 0


def test_only_published_results_past_their_embargo(get_json, build):
    public = build.result()
    draft = build.result(status="draft")
    taken_down = build.result(status="taken_down")
    embargoed = build.result(embargo_until=timezone.localdate() + dt.timedelta(days=10))
    body = get_json("/api/v1/results/")[1]
    assert ids(body) == {public.pk}
    for hidden in (draft, taken_down, embargoed):
        assert get_json(f"/api/v1/results/{hidden.pk}")[0] == 404
        assert get_json(f"/api/v1/results/{hidden.slug}")[0] == 404
    assert get_json(f"/api/v1/results/{public.slug}")[1]["id"] == public.pk


def test_uptake_of_a_non_public_result_is_hidden(get_json, build):
    visible = build.uptake()
    hidden = build.uptake(result=build.result(status="draft"))
    body = get_json("/api/v1/policy-uptake/")[1]
    assert ids(body) == {visible.pk}
    assert body["results"][0]["city_response"]["stance"] == "pending"
    assert get_json(f"/api/v1/policy-uptake/{hidden.pk}")[0] == 404


def test_private_partnerships_are_hidden_and_not_named_by_results(get_json, build):
    private = build.partnership_(is_public=False)
    result = build.result(partnership=private)
    assert private.pk not in ids(get_json("/api/v1/partnerships/")[1])
    assert get_json(f"/api/v1/partnerships/{private.slug}")[0] == 404
    assert get_json(f"/api/v1/results/{result.pk}")[1]["partnership"] is None


def test_dataset_rows_only_for_open_datasets(get_json, build):
    on_request = build.dataset(access_level="on_request")
    closed = build.dataset(access_level="closed")
    draft = build.dataset(status="draft")
    body = get_json("/api/v1/datasets/")[1]
    assert ids(body) == {on_request.pk, closed.pk}
    assert all(item["rows_url"] is None for item in body["results"])
    for dataset in (on_request, closed):
        status, error = get_json(f"/api/v1/datasets/{dataset.pk}/rows")
        assert status == 403
        assert error["detail"] == "This dataset is not open: only its description is public."
    assert get_json(f"/api/v1/datasets/{draft.pk}/rows")[0] == 404
    assert get_json(f"/api/v1/datasets/{draft.pk}")[0] == 404


def test_open_dataset_rows_have_small_counts_suppressed(get_json, build):
    dataset = build.dataset()
    meta = get_json(f"/api/v1/datasets/{dataset.slug}")[1]
    assert meta["rows_url"].endswith(f"/api/v1/datasets/{dataset.pk}/rows")
    assert "identifier_columns" not in meta and "file" not in meta
    status, body = get_json(f"/api/v1/datasets/{dataset.pk}/rows")
    assert status == 200
    assert body["columns"] == ["district", "households"]
    assert body["suppressed_below"] == 5
    assert body["results"] == [
        {"district": "Lend", "households": 12},
        {"district": "Gries", "households": None},
        {"district": "Jakomini", "households": 0},
    ]
    second = get_json(f"/api/v1/datasets/{dataset.pk}/rows", page="2", page_size="2")[1]
    assert second["results"] == [{"district": "Jakomini", "households": 0}]
    assert second["next"] is None and second["previous"]


def test_small_counts_in_observations_are_null_and_flagged(get_json, build):
    indicator = build.indicator(values=(3, 40))
    status, body = get_json(f"/api/v1/indicators/{indicator.slug}/observations")
    assert status == 200
    values = [(o["period"], o["value"], o["suppressed"]) for o in body["results"]]
    assert values == [("2020", None, True), ("2021", 40.0, False)] or values == [
        ("2020", None, True),
        ("2021", "40.0000", False),
    ]


def test_values_that_are_not_counts_are_never_suppressed(get_json, build):
    indicator = build.indicator(values=(3,), value_is_count=False)
    body = get_json(f"/api/v1/indicators/{indicator.pk}/observations")[1]
    assert body["results"][0]["suppressed"] is False
    assert body["results"][0]["value"] is not None


def test_observations_from_an_unpublished_dataset_are_hidden(get_json, build):
    from projects.models import Observation

    indicator = build.indicator(values=(40,))
    draft = build.dataset(status="draft")
    Observation.objects.update(source_dataset=draft)
    assert get_json(f"/api/v1/indicators/{indicator.pk}/observations")[1]["count"] == 0


def test_unpublished_methods_and_case_studies_are_hidden(get_json, build):
    method, draft_method = build.method(), build.method(live=False)
    story, draft_story = build.case_study(), build.case_study(live=False)
    assert ids(get_json("/api/v1/methods/")[1]) == {method.pk}
    assert ids(get_json("/api/v1/case-studies/")[1]) == {story.pk}
    assert get_json(f"/api/v1/methods/{draft_method.pk}")[0] == 404
    assert get_json(f"/api/v1/case-studies/{draft_story.pk}")[0] == 404


def test_case_studies_link_only_public_results(get_json, build):
    public, draft = build.result(), build.result(status="draft")
    story = build.case_study(results=[public, draft])
    assert get_json(f"/api/v1/case-studies/{story.pk}")[1]["result_ids"] == [public.pk]
