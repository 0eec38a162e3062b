"""factory_boy factories for partnerships and the results commons; tests and demo data share them."""

import factory
from factory.django import DjangoModelFactory

from projects.models import Partnership, PartnershipMember


class PartnershipFactory(DjangoModelFactory):
    """A public, registered partnership (no call); add members with ``add_member``."""

    class Meta:
        model = Partnership
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Housing rights monitor {n}")
    slug = factory.Sequence(lambda n: f"housing-rights-monitor-{n}")
    summary = "A partnership between a city and researchers on the right to adequate housing."
    origin = Partnership.Origin.REGISTERED
    is_public = True


def add_member(partnership: Partnership, user, *, side: str = PartnershipMember.Side.RESEARCH, **fields):
    """Put a user in a partnership (idempotent)."""
    member, _created = PartnershipMember.objects.get_or_create(
        partnership=partnership,
        user=user,
        defaults={"name": user.display_name, "side": side, **fields},
    )
    return member
