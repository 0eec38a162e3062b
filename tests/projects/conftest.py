"""Fixtures of the results commons: a partnership of Graz with a researcher, an official, and outsiders."""

import pytest

from profiles.factories import ResearcherProfileFactory
from projects.factories import PartnershipFactory, add_member
from projects.models import PartnershipMember


@pytest.fixture
def partnership(city, researcher):
    """Graz's public partnership: ``researcher`` on the research side, Graz's official on the city side."""
    organisation, official = city
    partnership = PartnershipFactory(
        title="Housing rights monitor Graz", slug="housing-rights-monitor-graz", city=organisation
    )
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH, role="Lead researcher")
    add_member(partnership, official, side=PartnershipMember.Side.CITY, role="City official", organisation=organisation)
    return partnership


@pytest.fixture
def official(city):
    return city[1]


@pytest.fixture
def outsider(db):
    """A researcher who is in no partnership."""
    return ResearcherProfileFactory(user__email="outsider@example.org").user
