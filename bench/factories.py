"""Factories the bench needs beyond the apps' own (``calls.factories``, ``profiles.factories``,
``projects.factories``), which it uses for everything else.

The bench builds instances with ``Factory.build()`` and saves many at once (``bulk_create``), or, for pages,
through Wagtail's ``add_child``; these factories fill in what the apps' factories do not cover.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

import factory
from factory.django import DjangoModelFactory

from calls.models import ResearchCall
from projects.models import Result


class LiveCallFactory(DjangoModelFactory):
    """A live call page without revision, to be inserted with ``city_page.add_child(instance=…)``.

    ``calls.factories.make_call`` saves a revision and publishes each call (its signals, alerts, search and
    matching updates): right for a few hundred calls, minutes for thousands. The bench rebuilds the matching
    vectors and the search index in bulk afterwards instead.
    """

    class Meta:
        model = ResearchCall

    title = factory.Sequence(lambda n: f"Bench call {n:05d}")
    draft_title = factory.SelfAttribute("title")
    slug = factory.Sequence(lambda n: f"bench-call-page-{n:05d}")
    live = True
    has_unpublished_changes = False
    first_published_at = factory.LazyFunction(timezone.now)
    last_published_at = factory.SelfAttribute("first_published_at")
    summary = "A call seeded in bulk for the benchmark."
    budget_min = Decimal("10000")
    budget_max = Decimal("50000")
    currency = "EUR"
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    early_career_share = 25


class ResultFactory(DjangoModelFactory):
    """A published result of a partnership (``projects.factories`` has none)."""

    class Meta:
        model = Result

    title = factory.Sequence(lambda n: f"Bench result {n:05d}")
    slug = factory.Sequence(lambda n: f"bench-result-{n:05d}")
    kind = Result.Kind.REPORT
    abstract = "What the partnership found about human rights in the city. " * 4
    status = Result.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
