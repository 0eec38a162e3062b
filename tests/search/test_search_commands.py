"""search_reindex and search_reconcile rebuild the index from the public querysets."""

import io

from django.core.management import CommandError, call_command

import pytest

from hub.search.models import SearchEntry, SearchFacet

pytestmark = pytest.mark.django_db


def test_reindex_rebuilds_a_wiped_database_index(find, public_partnership, open_call):
    SearchEntry.objects.all().delete()
    assert find("zanzibarian") == []
    out = io.StringIO()

    call_command("search_reindex", stdout=out)

    assert "partnership: 1 indexed, 0 removed" in out.getvalue()
    assert find("zanzibarian") == ["Zanzibarian tenants partnership"]
    assert SearchFacet.objects.filter(entry__kind="call", name="country", value="AT").exists()


def test_reconcile_drops_entries_that_are_no_longer_public(find, public_partnership):
    type(public_partnership).objects.filter(pk=public_partnership.pk).update(is_public=False)  # no signal
    assert find("zanzibarian") == ["Zanzibarian tenants partnership"]

    call_command("search_reconcile", stdout=io.StringIO())

    assert find("zanzibarian") == []


def test_reindex_refuses_an_unknown_type():
    with pytest.raises(CommandError, match="Unknown type nonsense"):
        call_command("search_reindex", "--type", "nonsense", stdout=io.StringIO())
