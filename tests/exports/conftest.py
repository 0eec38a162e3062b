"""Fixtures of the export tests: the open data API tests' builders of public and non-public objects."""

from tests.api.conftest import build  # noqa: F401  (builders of every public type)
from tests.projects.conftest import official, outsider, partnership  # noqa: F401
