"""Fixtures shared by every test: people in each role and a verified city."""

from io import StringIO

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

import pytest

from profiles.demo import DEMO_TOTP_SECRET
from profiles.factories import (
    DEMO_PASSWORD,
    CityOrganisationFactory,
    MembershipFactory,
    OrganisationFactory,
    ResearcherProfileFactory,
    UserFactory,
)
from profiles.mfa import totp_activate
from profiles.models import Membership, User
from profiles.services import COORDINATORS_GROUP, organisation_verify
from tests import db_snapshot
from tests.drills.queue import rq_queue  # noqa: F401  (the RQ task queue on Redis, for tests that need it)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, plus a snapshot of it as migrated: browser and transactional tests restore it."""
    with django_db_blocker.unblock():
        db_snapshot.take()


@pytest.fixture(scope="module")
def demo_content(django_db_setup, django_db_blocker):
    """The whole demo (``seed_demo``), loaded once for a module's tests and rolled back after them.

    Each test still runs in its own savepoint (the ``db`` fixture), so what one test changes the next does not see.
    Mark the module ``xdist_group`` so that its tests run together on one worker (else each run of them seeds again).
    """
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("seed_demo", stdout=StringIO())
            yield
            transaction.set_rollback(True)
    cache.clear()


@pytest.fixture(autouse=True)
def _same_fake_data_each_run(request):
    """Faker's names and factory_boy's fuzzy values are seeded from the test's id: a test sees the same people on
    every run and every worker, so a failure that depends on a name (one that happens to be a word on the page) is
    reproduced by running that test again, not met once in CI."""
    import factory.random

    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request to /es/… activates Spanish for the thread."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _review_numbers_stay_true(request):
    """After every test that wrote to the database: each proposal's stored review numbers (calls.review_numbers)
    equal a fresh computation from its reviews, so a writer that forgets to refresh them fails the test that runs it.
    """
    names = set(request.fixturenames)
    database = next((name for name in ("transactional_db", "db") if name in names), None)
    if database is None and request.node.get_closest_marker("django_db") is None:
        yield
        return
    if database is not None:
        request.getfixturevalue(database)  # set up before this fixture's teardown runs, torn down after it
    yield
    from django.db import DatabaseError

    from calls import review_numbers

    try:
        wrong = review_numbers.stale()
    except DatabaseError:  # a drill broke the connection or the transaction on purpose
        return
    assert not wrong, f"proposals whose stored review numbers are out of date: {wrong}"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "private-media" / "upload-tmp")


@pytest.fixture
def password():
    return DEMO_PASSWORD


@pytest.fixture
def coordinator(db):
    """A network coordinator with an authenticator app (coordinators must use two-factor authentication)."""
    user = UserFactory(email="coordinator@example.org", account_type=User.AccountType.ORGANISATION)
    user.groups.add(Group.objects.get(name=COORDINATORS_GROUP))
    totp_activate(user=user, secret=DEMO_TOTP_SECRET)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def researcher(db):
    return ResearcherProfileFactory(user__email="researcher@example.org").user


@pytest.fixture
def make_city(db, coordinator):
    """Create a verified city with an approved admin official; returns (organisation, official)."""

    def make(name: str = "Graz", email: str | None = None, verify: bool = True):
        organisation = CityOrganisationFactory(name=f"City of {name}", city=name)
        official = UserFactory(
            email=email or f"official.{name.lower()}@example.org", account_type=User.AccountType.ORGANISATION
        )
        MembershipFactory(
            user=official, organisation=organisation, role=Membership.Role.ADMIN, status=Membership.Status.APPROVED
        )
        if verify:
            organisation = organisation_verify(organisation=organisation, by=coordinator)
        return organisation, User.objects.get(pk=official.pk)

    return make


@pytest.fixture
def city(make_city):
    return make_city("Graz")


@pytest.fixture
def university(db, coordinator):
    return organisation_verify(organisation=OrganisationFactory(name="University of Graz"), by=coordinator)


@pytest.fixture
def open_call(city):
    """A published call of Graz, open since a week, closing in 30 days, with four weighted criteria."""
    from calls.factories import make_call
    from profiles.models import CityPage

    organisation, _official = city
    return make_call(city_page=CityPage.objects.get(organisation=organisation))
