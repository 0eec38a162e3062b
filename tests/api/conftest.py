"""Fixtures of the open data API tests: a high rate limit (only the throttling test lowers it) and a JSON client."""

from django.core.cache import cache

import pytest

from tests.projects.conftest import official, outsider, partnership  # noqa: F401  (shared results-commons fixtures)


@pytest.fixture(autouse=True)
def _api_settings(settings):
    settings.API_ANON_RATE = "100000/min"
    cache.clear()


@pytest.fixture
def get_json(client):
    """GET an API path; returns (status, parsed JSON body)."""

    def get(path: str, **params):
        response = client.get(path, params)
        assert response["Content-Type"].startswith("application/json"), (
            path,
            response.status_code,
            response.content[:200],
        )
        return response.status_code, response.json()

    return get


@pytest.fixture
def build(partnership, city):  # noqa: F811
    """Builders of public (and non-public) objects of every type the API lists."""
    return Builders(partnership, city[0])


class Builders:
    def __init__(self, shared_partnership, organisation):
        self.partnership = shared_partnership
        self.city = organisation
        self.n = 0

    def _next(self) -> int:
        self.n += 1
        return self.n

    def result(self, *, status="published", embargo_until=None, **fields):
        import datetime as dt

        from django.utils import timezone

        from hub.models import Theme
        from projects.models import Result, ResultAuthor

        n = self._next()
        result = Result.objects.create(
            partnership=fields.pop("partnership", self.partnership),
            title=fields.pop("title", f"Housing report {n}"),
            slug=f"housing-report-{n}",
            abstract="What tenants told us about housing conditions.",
            status=status,
            embargo_until=embargo_until,
            published_at=timezone.now() - dt.timedelta(days=1) if status != "draft" else None,
            **fields,
        )
        result.themes.add(Theme.objects.first())
        ResultAuthor.objects.create(result=result, name="Ana Researcher", affiliation="University of Graz")
        return result

    def dataset(self, *, access_level="open", status="published", rows=None, **fields):
        from django.core.files.base import ContentFile

        from projects.models import Dataset

        n = self._next()
        rows = rows if rows is not None else [("Lend", "12"), ("Gries", "3"), ("Jakomini", "0")]
        dataset = Dataset(
            partnership=self.partnership,
            title=f"Tenants survey {n}",
            slug=f"tenants-survey-{n}",
            description="Households per district.",
            access_level=access_level,
            status=status,
            schema=[
                {"name": "district", "type": "string", "description": "District", "is_count": False},
                {"name": "households", "type": "integer", "description": "Households", "is_count": True},
            ],
            row_count=len(rows),
            **fields,
        )
        csv = "district,households\r\n" + "".join(f"{a},{b}\r\n" for a, b in rows)
        dataset.file.save("data.csv", ContentFile(csv.encode()), save=False)
        dataset.save()
        return dataset

    def indicator(self, *, values=(3, 40), value_is_count=True):
        import datetime as dt

        from hub.models import Theme
        from projects.models import Indicator, Observation

        n = self._next()
        indicator = Indicator.objects.create(
            title=f"Households in overcrowded dwellings {n}",
            slug=f"overcrowded-{n}",
            type=Indicator.Type.OUTCOME,
            obligation=Indicator.Obligation.FULFIL,
            theme=Theme.objects.first(),
            unit="households",
            value_is_count=value_is_count,
            definition="Households with fewer rooms than persons.",
        )
        for year, value in enumerate(values, start=2020):
            Observation.objects.create(
                indicator=indicator, city=self.city, period=str(year), period_start=dt.date(year, 1, 1), value=value
            )
        return indicator

    def method(self, *, live=True):
        from projects.models import MethodPage, MethodsIndexPage

        n = self._next()
        page = MethodsIndexPage.objects.first().add_child(
            instance=MethodPage(
                title=f"Participatory action research {n}",
                slug=f"par-{n}",
                summary="Research with, not on, the people concerned.",
                what_it_is="<p>A cycle of action and reflection.</p>",
                live=live,
            )
        )
        return page

    def case_study(self, *, live=True, results=()):
        from projects.models import CaseStudyIndexPage, CaseStudyPage

        n = self._next()
        page = CaseStudyIndexPage.objects.first().add_child(
            instance=CaseStudyPage(
                title=f"How Graz counted its overcrowded homes {n}",
                slug=f"graz-homes-{n}",
                summary="A city and a university measured overcrowding together.",
                context="<p>Rents rose.</p>",
                what_changed="<p>A new housing plan.</p>",
                partnership=self.partnership,
                live=live,
            )
        )
        if results:
            page.results.set(results)
            page.save()
        return page

    def uptake(self, *, result=None):
        import datetime as dt

        from projects.models import PolicyUptake

        n = self._next()
        return PolicyUptake.objects.create(
            result=result or self.result(),
            city=self.city,
            kind=PolicyUptake.Kind.PLAN,
            title=f"Housing plan {n}",
            date=dt.date(2025, 3, 1),
        )

    def implementation_entry(self, *, uptake=None):
        """A step of a decision's implementation trail (the impact ledger), with a link as its evidence."""
        import datetime as dt

        from projects.models import ImplementationEntry

        n = self._next()
        return ImplementationEntry.objects.create(
            uptake=uptake or self.uptake(),
            date=dt.date(2025, 6, 1),
            text=f"Step {n}: tender launched.",
            link=f"https://graz.example.org/steps/{n}",
            status="in_progress",
            progress=20,
        )

    def need(self):
        """A research need for the city, posted by a resident."""
        from profiles.factories import UserFactory
        from projects.models import ResearchNeed

        n = self._next()
        author = UserFactory(email=f"resident{n}@example.org")
        return ResearchNeed.objects.create(
            city=self.city,
            author=author,
            author_name=f"Resident {n}",
            title=f"Who is left without heating {n}",
            situation="Older tenants report cold homes every winter.",
            missing_evidence="How many households go without heating, by district.",
        )

    def partnership_(self, *, is_public=True):
        from projects.factories import PartnershipFactory

        n = self._next()
        return PartnershipFactory(
            title=f"Water rights {n}", slug=f"water-rights-{n}", city=self.city, is_public=is_public
        )

    def report(self, *, of=None, status="accepted", review_comment="", work_done="Forty interviews."):
        """A progress report of partnership ``of`` (default: the shared one) in ``status`` (accepted reports are delivered, so public)."""
        import datetime as dt

        from django.utils import timezone

        from projects.models import PartnershipReport

        n = self._next()
        submitted = status in ("submitted", "returned", "accepted")
        return PartnershipReport.objects.create(
            partnership=of or self.partnership,
            kind=PartnershipReport.Kind.PROGRESS,
            title=f"Progress report {n}",
            due_date=dt.date(2025, 3, n % 28 + 1),
            status=status,
            work_done=work_done,
            review_comment=review_comment,
            submitted_at=timezone.now() if submitted else None,
            reviewed_at=timezone.now() if status in ("returned", "accepted") else None,
        )

    def deliverable(self, *, of=None, is_public=True, status="planned", results=(), datasets=()):
        """An agreed deliverable; ``is_public=False`` keeps it for the members (the manage page only)."""
        import datetime as dt

        from projects.models import Deliverable

        n = self._next()
        deliverable = Deliverable.objects.create(
            partnership=of or self.partnership,
            title=f"Deliverable {n}",
            description=f"What deliverable {n} is about.",
            due_date=dt.date(2025, 6, n % 28 + 1),
            status=status,
            delivered_on=dt.date(2025, 6, 30) if status == "delivered" else None,
            is_public=is_public,
        )
        deliverable.results.set(results)
        deliverable.datasets.set(datasets)
        return deliverable
