"""The demo researchers are varied enough for matching and the directory to show something meaningful."""

from io import StringIO

from django.core.management import call_command

import pytest

from profiles.models import ResearcherProfile, Visibility
from profiles.validators import validate_doi, validate_orcid

pytestmark = pytest.mark.django_db


def test_demo_researchers_are_rich_varied_and_marked_as_demo():
    call_command("seed_demo", stdout=StringIO())
    profiles = list(
        ResearcherProfile.objects.prefetch_related("themes", "sdg_targets", "methods", "groups", "publications")
    )
    assert len(profiles) == 30
    for profile in profiles:
        assert profile.themes.all() and profile.sdg_targets.all() and profile.methods.all() and profile.groups.all()
        assert profile.profile_languages.exists() and profile.publications.all()
        assert "demo content" in profile.bio
        if profile.orcid:
            validate_orcid(profile.orcid)
        for publication in profile.publications.all():
            assert publication.title.endswith("(demo)")
            if publication.doi:
                validate_doi(publication.doi)
                assert publication.doi.startswith("10.5281/zenodo.")
    stages = {p.career_stage for p in profiles}
    assert stages == set(ResearcherProfile.CareerStage.values)
    assert any(not p.is_available for p in profiles) and any(p.available_from for p in profiles)
    assert any(p.bio_visibility == Visibility.MEMBERS for p in profiles)
    assert any(p.countries_visibility == Visibility.HIDDEN for p in profiles)
    assert len({frozenset(t.slug for t in p.themes.all()) for p in profiles}) >= 10

    before = {p.pk: (p.headline, p.publications.count(), p.profile_languages.count()) for p in profiles}
    call_command("seed_demo", stdout=StringIO())
    after = {
        p.pk: (p.headline, p.publications.count(), p.profile_languages.count()) for p in ResearcherProfile.objects.all()
    }
    assert after == before
