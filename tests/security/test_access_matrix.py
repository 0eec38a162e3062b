"""Cross-tenant and object access: every private object type × every channel × every attacker is refused.

The tests are generated from ``tests/security/access_matrix.py``: for each (type, channel) with probes, each actor
— anonymous, another researcher, another city's official, a reviewer of another proposal of the same call, a team
member of another proposal of the call, a reviewer of another call of the same city — is refused (or, on public listings, never sees the object's marker). Each probe also has a positive control: its
rightful viewer opens it and sees the marker, so a wrong URL fails instead of passing on a 404.
"""

import difflib
import importlib
import io
import pkgutil
import re
import zipfile
from dataclasses import dataclass
from urllib.parse import urlparse

from django import forms
from django.apps import apps
from django.db import transaction

from wagtail.models import Page
from wagtail.snippets.models import get_snippet_models

import pytest

from calls.models import Proposal, ReviewAssignment, TeamMember
from profiles.models import Membership, Organisation
from tests.security.access_matrix import (
    CLASSIFIED,
    LOOKUP_TARGETS,
    LOOKUPS,
    NOT_IN_ADMIN,
    NOT_LOOKUPS,
    TABLE,
    UNKNOWN_ADDRESS,
    Channel,
    Lookup,
    NotApplicable,
    Probe,
)
from tests.security.conftest import ACTORS

# One worker runs the whole matrix, so that the world is built once (make test uses --dist loadgroup).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("access_matrix")]

# The admin's views of an object. Its reports list every type's audit log, so every type has probes there.
ADMIN_CHANNELS = [c for c in Channel if c.name.startswith("ADMIN_") and c is not Channel.ADMIN_REPORTS]
SIGN_IN = {"/accounts/login/", "/admin/login/"}


@pytest.fixture(autouse=True)
def _media_root():
    """Keep the media roots of ``access_world`` (tests/conftest.py would give every test an empty one)."""


def _body(response, *, unzip: bool) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if unzip and response.status_code == 200:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"\n".join(archive.read(name) for name in archive.namelist())
    return content.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Seen:
    status_code: int
    location: str
    body: str


def _get(client, world, user, probe: Probe) -> tuple[str, Seen]:
    path = probe.path(world)
    # The world does not change between tests (each test's writes are rolled back), so a page is fetched once
    # per person: the same public list is checked for every type's marker without asking for it again.
    seen = world.seen
    key = (getattr(user, "pk", None), path)
    if key not in seen:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(path)
        seen[key] = Seen(response.status_code, response.get("Location", ""), _body(response, unzip=probe.unzip))
    return path, seen[key]


def refusal(response: Seen, path: str, user) -> str | None:
    """How the site refused, or None if it did not.

    404 and 403 always count. A redirect counts only to sign-in for anonymous people, and, in the Wagtail admin,
    to sign-in for accounts without admin access (WAGTAILADMIN_LOGIN_URL) and, for admin users, to another admin page
    (the dashboard with "permission denied", or the explorer of their own pages): that is how Wagtail refuses, and
    the redirect itself shows nothing. The admin API answers 400 for a parent page outside the user's tree.
    """
    if response.status_code in (403, 404):
        return str(response.status_code)
    if response.status_code == 400 and path.startswith("/admin/api/"):
        return "400: the admin API knows no such page for this user"
    if response.status_code not in (301, 302):
        return None
    target = urlparse(response.location).path
    if user is None:
        return "sign-in" if target in SIGN_IN else None
    if path.startswith("/admin/"):
        has_admin = user.has_perm("wagtailadmin.access_admin")
        if target == "/admin/login/" and not has_admin:
            return "admin refuses this account"
        if target.startswith("/admin/") and has_admin:
            return "admin sends them elsewhere"  # the dashboard with "permission denied", or their own pages
    return None


ATTACKS = [
    pytest.param(kind, channel, actor, id=f"{kind.name}-{channel}-{actor}")
    for kind in TABLE
    for channel in Channel
    if kind.probes(channel)
    for actor in ACTORS
]


@pytest.mark.parametrize(("kind", "channel", "actor"), ATTACKS)
def test_outsiders_never_reach_a_private_object(client, access_world, kind, channel, actor):
    user = access_world.users[actor]
    marker = access_world.markers[kind.name]
    problems = []
    for probe in kind.probes(channel):
        path, response = _get(client, access_world, user, probe)
        body = response.body
        refused = refusal(response, path, user)
        where = f"{path} → {response.status_code} {response.location}".strip()
        if probe.conceal:
            if refused is None and response.status_code != 200:
                problems.append(f"{where}: neither shown nor refused")
            if marker in body:
                problems.append(f"{where}: the marker {marker} is in the response")
            if probe.shows and response.status_code == 200 and access_world.markers[probe.shows] not in body:
                problems.append(f"{where}: the public twin {probe.shows} is missing, so this check proves nothing")
        elif refused is None:
            problems.append(f"{where}: not refused" + (f", and the marker {marker} is shown" if marker in body else ""))
        elif marker not in path and marker in body:
            problems.append(f"{where}: refused, but the marker {marker} is in the response")
    assert not problems, "\n".join(problems)


CONTROLS = [
    pytest.param(kind, probe, id=f"{kind.name}-{channel}-{probe.label}")
    for kind in TABLE
    for channel in Channel
    for probe in kind.probes(channel)
    if probe.viewer is not None
]


@pytest.mark.parametrize(("kind", "probe"), CONTROLS)
def test_the_rightful_viewer_opens_it(client, access_world, kind, probe):
    viewer = kind.owner if probe.viewer == "owner" else probe.viewer
    path, response = _get(client, access_world, access_world.users[viewer], probe)
    assert response.status_code == 200, (viewer, path, response.status_code, response.location)
    if probe.viewer_sees_marker:
        assert access_world.markers[kind.name] in response.body, (viewer, path)


def test_every_type_decides_every_channel():
    for kind in TABLE:
        assert set(kind.channels) == set(Channel), (kind.name, set(Channel) ^ set(kind.channels))
        for channel, cell in kind.channels.items():
            assert isinstance(cell, NotApplicable) or (cell and all(isinstance(p, Probe) for p in cell)), (
                f"{kind.name} × {channel}: give probes or NotApplicable(reason)"
            )
    assert len({kind.name for kind in TABLE}) == len(TABLE)


def test_every_model_is_classified():
    """A new model is either a private type of the table or declared public/covered, with its reason."""
    in_table = {kind.model for kind in TABLE}
    models = {m._meta.label for app in ("calls", "profiles", "projects") for m in apps.get_app_config(app).get_models()}
    unclassified = models - in_table - set(CLASSIFIED)
    assert not unclassified, f"add these to TABLE or CLASSIFIED in tests/security/access_matrix.py: {unclassified}"
    assert not (set(CLASSIFIED) - models), "CLASSIFIED names models that no longer exist"
    assert not (set(CLASSIFIED) & in_table)


def test_types_said_to_be_outside_the_admin_are_outside_it():
    snippets = {m._meta.label for m in get_snippet_models()}
    for kind in TABLE:
        cells = [kind.channels[c] for c in ADMIN_CHANNELS]
        if all(isinstance(cell, NotApplicable) and cell.reason == NOT_IN_ADMIN for cell in cells):
            model = apps.get_model(kind.model)
            assert kind.model not in snippets and not issubclass(model, Page), kind.name


def test_the_actors_are_who_they_claim_to_be(access_world):
    """Another city's official is an admin of a different verified city; the other reviewer reviews another
    proposal of the same call; the other team member is a co-applicant of another proposal of the call; the reviewer
    of another call reviews for another call of the same city; none is on the objects' side."""
    users, objects = access_world.users, access_world.objects
    official = Membership.objects.get(user=users["other_city_official"])
    assert official.role == "admin" and official.status == "approved"
    assert official.organisation.verified and official.organisation.kind in Organisation.GOVERNMENT_KINDS
    assert official.organisation != objects["city"]
    assignment = ReviewAssignment.objects.get(reviewer=users["other_proposal_reviewer"])
    assert assignment.status == ReviewAssignment.Status.ACCEPTED
    assert assignment.proposal.call == objects["call"] and assignment.proposal != objects["proposal"]
    member = TeamMember.objects.get(user=users["other_team_member"])
    assert (member.role, member.status) == (TeamMember.Role.CO_APPLICANT, TeamMember.Status.ACCEPTED)
    assert member.proposal.call == objects["call"] and member.proposal != objects["proposal"]
    assert member.proposal.status in Proposal.SUBMITTED_STATES
    elsewhere = ReviewAssignment.objects.get(reviewer=users["other_call_reviewer"])
    assert elsewhere.status == ReviewAssignment.Status.ACCEPTED
    assert elsewhere.proposal.call != objects["call"]
    assert elsewhere.proposal.call.organisation_id == objects["city"].pk
    assert objects["proposal"].status in Proposal.SUBMITTED_STATES
    for actor in ACTORS[1:]:
        assert not users[actor].is_superuser
        assert not objects["partnership"].members.filter(user=users[actor]).exists()
        assert not objects["proposal"].team.filter(user=users[actor]).exists()


# --- Person lookups (LOOKUPS in access_matrix.py) ------------------------------------------------------------------

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
_DIGITS = re.compile(r"\d+")


def _lookup_answer(client, world, lookup: Lookup, kind: str, address: str) -> tuple[int, str]:
    """The attacker's answer for one address, redirects followed, in a savepoint rolled back after it."""
    with transaction.atomic():
        client.logout()
        client.force_login(world.users[lookup.actor])
        response = client.post(lookup.path(world), lookup.data(world, kind, address), follow=True)
        body = response.content.decode("utf-8", errors="replace")
        transaction.set_rollback(True)
    # The address itself, the CSRF token and ids (sequences are not rolled back on PostgreSQL) may differ.
    body = _CSRF.sub("", body.replace(address, "ADDRESS").replace(address.upper(), "ADDRESS"))
    return response.status_code, _DIGITS.sub("#", body)


PERSON_LOOKUPS = [
    pytest.param(lookup, kind, target, id=f"{lookup.name}-{kind}-{target}")
    for lookup in LOOKUPS
    for kind in lookup.kinds
    for target in LOOKUP_TARGETS[kind]
]


@pytest.mark.parametrize(("lookup", "kind", "target"), PERSON_LOOKUPS)
def test_a_lookup_tells_nothing_about_the_person(client, access_world, lookup, kind, target):
    """Existing and unknown addresses get the same answer, and no private field of the person is shown."""
    person = access_world.users[target]
    address = person.email if kind == "email" else person.researcher_profile.orcid
    marker = access_world.markers["person_lookup"]
    known = _lookup_answer(client, access_world, lookup, kind, address)
    unknown = _lookup_answer(client, access_world, lookup, kind, UNKNOWN_ADDRESS[kind])
    assert marker not in known[1], f"{lookup.name}: the {target}'s private marker is in the answer"
    assert known[0] == unknown[0], f"{lookup.name}: {known[0]} for {target}'s {kind}, {unknown[0]} for nobody's"
    if known[1] != unknown[1]:
        diff = "\n".join(
            difflib.unified_diff(unknown[1].splitlines(), known[1].splitlines(), "nobody", target, n=0, lineterm="")
        )
        pytest.fail(f"{lookup.name}: the answer differs for {target}'s {kind}:\n{diff[:3000]}")


def _person_forms() -> set[str]:
    """Forms of the apps with a field that takes an address of a person (an email address or an ORCID iD)."""
    found = set()
    modules = ["calls", "profiles", "projects"]
    for app in modules:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if not info.name.split(".")[-1].startswith("forms") and ".forms." not in info.name:
                continue
            module = importlib.import_module(info.name)
            for name, cls in vars(module).items():
                if not (
                    isinstance(cls, type) and issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
                ):
                    continue
                for field_name, field in cls.base_fields.items():
                    if isinstance(field, forms.EmailField) or re.search(r"email|orcid|researcher", field_name):
                        found.add(f"{module.__name__}.{name}")
    return found


def test_every_person_form_is_a_lookup():
    """A new form that takes someone's address is probed by the lookups, or says why it finds nobody else."""
    declared = {lookup.form for lookup in LOOKUPS}
    missing = _person_forms() - declared - set(NOT_LOOKUPS)
    assert not missing, f"add these to LOOKUPS or NOT_LOOKUPS in tests/security/access_matrix.py: {missing}"
    assert declared <= _person_forms(), "LOOKUPS names a form without an address field"
