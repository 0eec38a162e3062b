"""The demo content `make run` loads: realistic, complete, clearly marked, and safe to load twice."""

from io import StringIO

from django.core.management import call_command

import pytest

from calls.models import ConsultationComment, Proposal, ResearchCall, ReviewAssignment
from hub.management.commands.seed_demo import fingerprint
from hub.models import DemoContent
from hub.translation import originals
from profiles.models import CityPage, Organisation, ResearcherProfile
from projects.models import Partnership

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-content-hub")]


@pytest.fixture
def demo(demo_content, db):
    """The demo, seeded once for this module (``demo_content``)."""


def counts() -> dict[str, int]:
    return {
        "cities": CityPage.objects.live().count(),
        "organisations": Organisation.objects.count(),
        "researchers": ResearcherProfile.objects.count(),
        "calls": ResearchCall.objects.count(),
        "proposals": Proposal.objects.count(),
        "reviews": ReviewAssignment.objects.count(),
        "comments": ConsultationComment.objects.count(),
    }


def test_demo_loads_twice_without_duplicating_anything(demo):
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first
    assert first["cities"] >= 6 and first["researchers"] == 30


def test_a_second_make_run_skips_seeding_until_the_demo_code_or_migrations_change(demo, django_assert_max_num_queries):
    first = counts()
    stamp = DemoContent.objects.get()
    assert stamp.fingerprint == fingerprint(2021)

    # Unchanged: a handful of queries (the stamp and the migrations table), nothing loaded.
    out = StringIO()
    with django_assert_max_num_queries(5):
        call_command("seed_demo", "--if-changed", stdout=out)
    assert "Demo content is up to date" in out.getvalue()
    assert DemoContent.objects.get().seeded_at == stamp.seeded_at

    # Seeded by other demo code (or before a migration): loaded again, without duplicates, and stamped.
    DemoContent.objects.update(fingerprint="an older demo")
    out = StringIO()
    call_command("seed_demo", "--if-changed", stdout=out)
    assert "Demo content is ready" in out.getvalue()
    assert counts() == first
    assert DemoContent.objects.get().fingerprint == fingerprint(2021)


def test_demo_has_a_call_in_every_status_and_marks_them_as_demo(demo):
    calls = list(originals(ResearchCall.objects.live()))
    assert {call.status for call in calls} == set(ResearchCall.Status)
    assert all("Demo content" in call.summary for call in calls)
    # The Spanish and French translations say so in their language.
    translations = list(ResearchCall.objects.live().exclude(pk__in=[call.pk for call in calls]))
    assert {call.locale.language_code for call in translations} == {"es", "fr"}
    marker = {"es": "Contenido de demostración", "fr": "Contenu de démonstration"}
    assert all(marker[call.locale.language_code] in call.summary for call in translations)
    assert ResearchCall.objects.filter(template_source__isnull=False).exists()


def test_demo_has_submitted_proposals_reviews_an_award_and_a_consultation(demo):
    assert Proposal.objects.filter(status=Proposal.Status.AWARDED).count() == 1
    assert Proposal.objects.filter(versions__isnull=False).distinct().count() >= 5
    assert ReviewAssignment.objects.filter(status=ReviewAssignment.Status.SUBMITTED, version__isnull=False).exists()
    assert ConsultationComment.objects.filter(status=ConsultationComment.Status.PUBLISHED).count() == 3


def test_the_demo_award_started_a_public_partnership(demo, client):
    awarded = Proposal.objects.get(status=Proposal.Status.AWARDED)
    partnership = Partnership.objects.get(proposal=awarded)
    assert partnership.city == awarded.call.organisation
    assert partnership.members.filter(user=awarded.lead).exists()
    response = client.get("/partnerships/")
    assert partnership.title in response.content.decode()
    assert client.get(partnership.get_absolute_url()).status_code == 200


def test_demo_site_pages_render(demo, client):
    for url in ["/", "/cities/", "/calls/", "/partnerships/", *[call.url for call in ResearchCall.objects.live()]]:
        assert client.get(url).status_code == 200, url


def test_demo_pages_a_researcher_and_an_official_use_render_with_content(demo, client):
    from calls.services.calls import can_manage_call

    researcher = ResearcherProfile.objects.filter(is_public=True, themes__isnull=False).distinct().first()
    city_page = CityPage.objects.live().first()
    public_urls = ["/researchers/", researcher.get_absolute_url(), city_page.url, "/organisations/"]
    for url in public_urls:
        assert client.get(url).status_code == 200, url

    client.force_login(researcher.user)
    for url in ["/dashboard/", "/calls/?sort=fit", "/calls/for-you/", "/researchers/partners/", "/dashboard/alerts/"]:
        assert client.get(url).status_code == 200, url
    # The demo profiles are rich enough that matching explains itself.
    assert "both:" in client.get("/calls/for-you/").content.decode().lower()

    official = next(
        m.user
        for call in ResearchCall.objects.live()
        for m in call.organisation.memberships.filter(status="approved", role="admin").select_related("user")
        if can_manage_call(m.user, call)
    )
    client.force_login(official)
    call = next(c for c in ResearchCall.objects.live() if can_manage_call(official, c))
    response = client.get(f"/calls/{call.pk}/researchers/")
    assert response.status_code == 200


def _readme_demo_addresses() -> list[str]:
    """Every address the README's "Demo accounts" table names ("official.barcelona@…" expanded)."""
    import re
    from pathlib import Path

    from django.conf import settings

    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("### Demo accounts", 1)[1].split("\n#", 1)[0]
    addresses = []
    for row in section.splitlines():
        if not row.startswith("|"):
            continue
        domain = next(iter(re.findall(r"@([a-z.]+\.example)", row)), "bridges.example")
        for local, rest in re.findall(r"`([a-z0-9.\-]+)@([^`]*)`", row):
            addresses.append(f"{local}@{rest if rest != '…' else domain}")
    return addresses


def test_every_account_the_readme_names_signs_in(demo, client):
    from profiles.factories import DEMO_PASSWORD

    addresses = _readme_demo_addresses()
    assert "tomas.herrera@researchers.example" in addresses and len(addresses) >= 12
    for address in addresses:
        client.logout()
        response = client.post("/accounts/login/", {"login": address, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"{address} does not sign in"
        # Staff go on to their second factor; everyone else is signed in.
        assert response["Location"].startswith(("/dashboard", "/accounts/2fa/", "/admin")), (
            address,
            response["Location"],
        )


def test_demo_addresses_are_transliterated():
    from profiles.demo import demo_address

    assert demo_address("Tomás", "Herrera") == "tomas.herrera@researchers.example"
    assert demo_address("Emre", "Yılmaz") == "emre.yilmaz@researchers.example"
    assert demo_address("Inès", "Moreau") == "ines.moreau@researchers.example"
