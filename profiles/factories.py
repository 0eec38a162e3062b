"""factory_boy factories for people and organisations; tests and demo data share them."""

import functools

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from hub.models import Country
from profiles.models import Membership, Organisation, ResearcherProfile, User

DEMO_PASSWORD = settings.DEMO_PASSWORD


@functools.cache
def demo_password_hash() -> str:
    """Hash the demo password once: hashing is deliberately slow, and every demo user shares it."""
    return make_password(DEMO_PASSWORD)


class UserFactory(DjangoModelFactory):
    """A user whose email address is verified, so they can sign in straight away."""

    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    account_type = User.AccountType.RESEARCHER
    password = factory.LazyFunction(lambda: demo_password_hash())

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": extracted is not False, "primary": True}
            )


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Organisation.Kind.UNIVERSITY
    country = factory.LazyFunction(lambda: Country.objects.get(code="AT"))
    city = "Graz"


class CityOrganisationFactory(OrganisationFactory):
    kind = Organisation.Kind.LOCAL_GOVERNMENT
    name = factory.Sequence(lambda n: f"City {n}")
    time_zone = "Europe/Vienna"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership
        django_get_or_create = ("user", "organisation")

    user = factory.SubFactory(UserFactory, account_type=User.AccountType.ORGANISATION)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.APPROVED


class ResearcherProfileFactory(DjangoModelFactory):
    class Meta:
        model = ResearcherProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    career_stage = ResearcherProfile.CareerStage.EARLY_CAREER
    headline = factory.Faker("sentence", nb_words=6)
    bio = factory.Faker("paragraph", nb_sentences=3)
