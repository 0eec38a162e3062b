"""Contract test with schemathesis, in process: every operation of /api/v1/openapi.json, every check (status codes,
content types, response schemas, valid data accepted, invalid data refused, no server error), with valid and
invalid examples, on public objects of every type. ``.ci/run`` runs the schemathesis CLI (coverage and stateful
phases too, a larger budget) against a live server with the demo data; both read tests/api/schemathesis.toml.

Each operation is its own pytest item, running the test schemathesis' ``schema.parametrize()`` would build for it
(its examples, coverage and fuzzing phases). The items are parametrized here because under pytest 9 schemathesis'
own items all get the same node id, and xdist would then run only one of them.
"""

import tomllib
from pathlib import Path

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test  # what schema.parametrize() runs per operation

CONFIG_FILE = Path(__file__).with_name("schemathesis.toml")
EXAMPLES_PER_OPERATION = 10
# The slugs the ``public_objects`` fixture gives its objects (the builders number them in order of creation).
REFS = ["city-of-graz", "housing-rights-monitor-graz", "housing-report-1", "tenants-survey-2", "overcrowded-3"]

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("schemathesis")]


def _config() -> SchemathesisConfig:
    config = tomllib.loads(CONFIG_FILE.read_text())
    # Half of the refs name the objects built here; numeric ids differ from one test database to the next, and
    # the list endpoints already serialise every object of each type.
    config["dictionaries"]["refs"]["values"] = REFS
    return SchemathesisConfig.from_dict(config)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=_config())
OPERATIONS = {operation.label: operation for operation in (result.ok() for result in schema.get_all_operations())}


@pytest.fixture
def connection_kept_open():
    """Requests run inside the test's transaction, as with Django's test client (which does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def public_objects(build, open_call, connection_kept_open):
    result = build.result()
    objects = [build.city, build.partnership, result, build.dataset(), build.indicator()]
    build.uptake(result=result)
    build.method()
    build.case_study(results=[result])
    assert [obj.slug for obj in objects] == REFS
    return objects


def test_the_schema_lists_the_operations_of_every_public_type():
    assert len(OPERATIONS) >= 25
    assert "GET /api/v1/organisations/{ref}" in OPERATIONS


def _call_and_validate(case):
    cache.clear()  # the anonymous rate limit is not under test here
    case.call_and_validate()


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_every_operation_answers_as_its_schema_says(label, public_objects):
    test = build_operation_test(
        config=schema.config,
        operation=OPERATIONS[label],
        test_func=_call_and_validate,
        given_kwargs={},
        feedback=FeedbackSources(),
        explicit_settings=settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        ),
    )
    test()
