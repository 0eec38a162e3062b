"""Reads of the impact ledger: one decision's public page (its implementation trail and the series of the
indicators it intends to move, with the decision date marked) and the records a city's officials keep.

Public reads start from ``uptakes_public()`` (records of public results); the officials' reads add the rule
"an approved member of the record's city" in the queryset, so that anyone else gets a 404.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from profiles.models import Membership
from projects import charts, suppression
from projects.models import ImplementationEntry, Indicator, PolicyUptake
from projects.selectors.indicators import Row, indicators_public, indicators_rows_for_city
from projects.selectors.uptake import uptakes_public

#: The indicators a decision page charts at most (a decision names a few; the form does not offer more).
MAX_INDICATORS = 8


def _page_rows(queryset: QuerySet[PolicyUptake]) -> QuerySet[PolicyUptake]:
    return queryset.select_related(
        "city", "result", "result__partnership", "result__city_response", "recorded_by"
    ).prefetch_related(
        Prefetch("entries", queryset=ImplementationEntry.objects.order_by("-date", "-pk")),
        Prefetch("indicators", queryset=Indicator.objects.select_related("theme").order_by("title")),
    )


def uptake_for_page(pk: int) -> PolicyUptake | None:
    """A public record with its trail (newest first) and intended indicators (three queries)."""
    return _page_rows(uptakes_public()).filter(pk=pk).first()


def uptakes_kept_by(user) -> QuerySet[PolicyUptake]:
    """The public records of the cities the user is an approved member (an official) of; none for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return PolicyUptake.objects.none()
    cities = Membership.objects.filter(user=user, status=Membership.Status.APPROVED).values("organisation_id")
    return uptakes_public().filter(city_id__in=cities)


def uptake_for_official(user, pk: int) -> PolicyUptake | None:
    """The record, if the user keeps it (an official of its city); None (a 404) otherwise."""
    return uptakes_kept_by(user).select_related("city", "result", "result__partnership").filter(pk=pk).first()


def entry_for_download(pk: int, entry_id: int) -> ImplementationEntry | None:
    """An evidence file of a public record's trail."""
    return (
        ImplementationEntry.objects.filter(uptake__in=uptakes_public().filter(pk=pk).values("pk"), pk=entry_id)
        .exclude(file="")
        .first()
    )


def indicator_choices() -> QuerySet[Indicator]:
    """What a decision may name as the indicators it intends to move: the public indicators, by theme and title."""
    return indicators_public().select_related("theme").order_by("theme__name", "title")


@dataclass
class IndicatorSeries:
    """One intended indicator on the decision page: its chart with the decision marked and its table."""

    indicator: Indicator
    chart_id: str
    svg: str
    head: list[str]
    body: list[list[str]]
    before: Row | None
    after: Row | None
    has_values: bool

    @property
    def change(self) -> str | None:
        """The latest value after the decision minus the latest before, formatted; None when either is missing."""
        if self.before is None or self.after is None or self.before.value is None or self.after.value is None:
            return None
        difference = float(self.after.value - self.before.value)
        sign = "+" if difference > 0 else ""
        return f"{sign}{charts.format_value(difference)}"


def _value(row: Row, label: str) -> str:
    return label if row.suppressed else charts.format_value(row.value)


def indicator_series(uptake: PolicyUptake) -> list[IndicatorSeries]:
    """The city's totals of each intended indicator, before and after the decision date (one query for all)."""
    indicators = list(uptake.indicators.all())[:MAX_INDICATORS]
    if not indicators:
        return []
    label = suppression.label()
    rows_by_indicator = indicators_rows_for_city(indicators, uptake.city_id)
    decided = uptake.date
    marker_label = _("Decision of %(date)s") % {"date": decided.strftime("%d %b %Y")}
    found = []
    for indicator in indicators:
        totals = sorted((r for r in rows_by_indicator[indicator.pk] if not r.key), key=lambda r: r.period)
        points = [charts.Point(r.period, None if r.value is None else float(r.value), r.suppressed) for r in totals]
        position = charts.date_position([(r.period, r.period_start) for r in totals], decided)
        chart_id = f"chart-uptake-{uptake.pk}-{indicator.pk}"
        svg = charts.line_chart(
            [charts.Series(uptake.city.name, points)] if points else [],
            title=_("%(indicator)s in %(city)s, with the decision date")
            % {"indicator": indicator.title, "city": uptake.city.name},
            unit=indicator.unit,
            chart_id=chart_id,
            suppressed_label=label,
            empty_message=_("No values for this city yet."),
            marker=charts.Marker(position, marker_label) if position is not None else None,
        )
        before = [r for r in totals if r.period_start <= decided]
        after = [r for r in totals if r.period_start > decided]
        body = [
            [
                r.period,
                _value(r, label),
                _("Before the decision") if r.period_start <= decided else _("After the decision"),
            ]
            for r in totals
        ]
        found.append(
            IndicatorSeries(
                indicator=indicator,
                chart_id=chart_id,
                svg=svg,
                head=[_("Period"), indicator.unit or _("Value"), _("Before or after the decision")],
                body=body,
                before=before[-1] if before else None,
                after=after[-1] if after else None,
                has_values=bool(totals),
            )
        )
    return found
