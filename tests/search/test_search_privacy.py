"""Private objects never appear in search, for any query: drafts, hidden fields, embargoes, non-public rows."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

import pytest

from calls.factories import make_call
from hub.search.models import SearchEntry
from profiles.factories import ResearcherProfileFactory
from profiles.models import CityPage, Visibility
from projects.factories import PartnershipFactory
from projects.models import Dataset, Result

pytestmark = pytest.mark.django_db


def _result(partnership, **fields):
    defaults = {
        "title": "Evictions of older tenants",
        "slug": f"result-{Result.objects.count() + 1}",
        "abstract": "What the xylophonic survey found.",
        "status": Result.Status.PUBLISHED,
        "published_at": timezone.now(),
    }
    return Result.objects.create(partnership=partnership, **{**defaults, **fields})


def test_public_partnership_is_found_and_a_private_one_never(find, public_partnership, city):
    PartnershipFactory(title="Secret quokkaphile pact", slug="secret-pact", is_public=False, city=city[0])

    assert find("quokkaphile") == ["Zanzibarian tenants partnership"]
    assert find("secret") == []
    assert find("pact") == []


def test_making_a_partnership_private_removes_it_and_deleting_removes_it(find, public_partnership):
    public_partnership.is_public = False
    public_partnership.save()
    assert find("zanzibarian") == []

    public_partnership.is_public = True
    public_partnership.save()
    assert find("zanzibarian") == ["Zanzibarian tenants partnership"]

    public_partnership.delete()
    assert find("zanzibarian") == []
    assert not SearchEntry.objects.filter(kind="partnership").exists()


def test_a_draft_call_is_never_found_and_a_published_one_is(find, city):
    page = CityPage.objects.get(organisation=city[0])
    make_call(city_page=page, title="Draft about marmalade logistics", publish=False)
    make_call(city_page=page, title="Published call on water sanitation")

    assert find("marmalade") == []
    assert find("logistics") == []
    assert find("sanitation") == ["Published call on water sanitation"]


def test_unpublishing_a_call_removes_it(find, city):
    call = make_call(city_page=CityPage.objects.get(organisation=city[0]), title="Call on vanishing gardens")
    assert find("vanishing") == ["Call on vanishing gardens"]

    call.unpublish()

    assert find("vanishing") == []


@pytest.mark.parametrize("level", [Visibility.HIDDEN, Visibility.MEMBERS])
def test_a_word_only_in_a_hidden_or_members_only_bio_finds_nothing(find, level):
    profile = ResearcherProfileFactory(
        user__first_name="Ada", user__last_name="Quist", bio="I study the zyzzogeton estates.", bio_visibility=level
    )

    assert find("zyzzogeton") == []
    assert "zyzzogeton" not in SearchEntry.objects.get(kind="researcher", object_id=str(profile.pk)).body
    assert find("quist") == ["Ada Quist"]


def test_a_public_bio_is_searchable(find):
    ResearcherProfileFactory(user__first_name="Ada", user__last_name="Quist", bio="I study the zyzzogeton estates.")

    assert find("zyzzogeton") == ["Ada Quist"]


def test_unlisted_researchers_are_never_found(find):
    ResearcherProfileFactory(user__first_name="Ada", user__last_name="Quist", is_public=False)

    assert find("quist") == []


def test_draft_embargoed_and_taken_down_results_are_never_found(find, public_partnership):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    _result(public_partnership, title="Draft xylophonic notes", status=Result.Status.DRAFT)
    _result(public_partnership, title="Embargoed xylophonic study", embargo_until=tomorrow)
    _result(public_partnership, title="Removed xylophonic paper", status=Result.Status.TAKEN_DOWN)
    _result(public_partnership, title="Published xylophonic report")

    assert find("xylophonic") == ["Published xylophonic report"]


def test_reconcile_adds_a_result_whose_embargo_ended_today(find, public_partnership):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    result = _result(public_partnership, title="Embargoed xylophonic study", embargo_until=tomorrow)
    assert find("xylophonic") == []
    # The date passes: nothing is saved, so no signal fires.
    Result.objects.filter(pk=result.pk).update(embargo_until=timezone.localdate())
    assert find("xylophonic") == []

    call_command("search_reconcile", stdout=open("/dev/null", "w"))

    assert find("xylophonic") == ["Embargoed xylophonic study"]


def test_a_dataset_is_found_by_its_metadata_and_column_names_and_drafts_never(find, public_partnership):
    Dataset.objects.create(
        partnership=public_partnership,
        title="Tenancy survey 2024",
        slug="tenancy-survey",
        description="Households surveyed in Graz.",
        schema=[{"name": "tenure_status", "type": "string"}, {"name": "rent_burden", "type": "number"}],
        status=Dataset.Status.PUBLISHED,
    )
    Dataset.objects.create(
        partnership=public_partnership,
        title="Unpublished quagga counts",
        slug="quagga",
        description="Draft.",
        status=Dataset.Status.DRAFT,
    )

    assert find("rent_burden") == ["Tenancy survey 2024"] or find("rent burden") == ["Tenancy survey 2024"]
    assert find("tenancy") == ["Tenancy survey 2024"]
    assert find("quagga") == []


def test_themes_added_after_the_first_save_reach_the_facets(find, public_partnership):
    from hub.models import Theme

    theme = Theme.objects.order_by("pk").first()
    public_partnership.themes.add(theme)

    assert find("zanzibarian", theme=[theme.slug]) == ["Zanzibarian tenants partnership"]


def test_renaming_a_researcher_updates_their_entry(find):
    profile = ResearcherProfileFactory(user__first_name="Ada", user__last_name="Quist")

    profile.user.last_name = "Quorvath"
    profile.user.save()

    assert find("quorvath") == ["Ada Quorvath"]
    assert find("quist") == []
