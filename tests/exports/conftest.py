"""Fixtures of the export tests: the open data API tests' builders of public and non-public objects, and takedowns."""

from django.contrib.contenttypes.models import ContentType

import pytest

from projects.models import Takedown
from tests.api.conftest import build  # noqa: F401  (builders of every public type)
from tests.projects.conftest import official, outsider, partnership  # noqa: F401


@pytest.fixture
def take_down(coordinator):
    """Take a result or dataset down as ``projects.services.takedowns.take_down`` records it (without its checks)."""

    def take(obj) -> Takedown:
        type(obj).objects.filter(pk=obj.pk).update(status=obj.Status.TAKEN_DOWN)
        return Takedown.objects.create(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            title=obj.title,
            path=obj.get_absolute_url(),
            reason="The city's lawyers asked; the network disagreed but took it down during the appeal.",
            decided_by=coordinator,
            decided_by_name="Nora Coordinator",
        )

    return take
