"""Views of /data/ and /data/indicators/: the landing page, the faceted list, an indicator's charts and CSV,
importing observations from a partnership's dataset, and commissioning research for a city's data gap."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hub.csv import stream_csv
from hub.forms import apply_validation_error
from hub.models import GroupAtRisk, SDGIndicator, Theme
from projects import charts, suppression
from projects.forms.indicators import ChartOptionsForm, ImportDatasetForm, ImportMappingForm, IndicatorForm
from projects.models import Dataset, Disaggregation, Indicator, Partnership
from projects.selectors import indicators as selectors
from projects.selectors import observation_imports as imports
from projects.services import indicators as services

IMPORTS_PAGE_SIZE = 100


def data_index(request):
    """/data/: what the open data is, with counts, the newest datasets and the indicators by theme."""
    return render(request, "projects/data_index.html", selectors.data_index_context())


def indicator_list(request):
    listing = selectors.INDICATORS.listing(request.GET)
    return render(request, "projects/indicators/indicator_list.html", listing.context())


def _number(value):
    return None if value is None else float(value)


def _series_chart(indicator, rows, city_ids, label):
    """One line per chosen city over the periods of the totals."""
    series = []
    for city_id in city_ids:
        points = [
            charts.Point(r.period, _number(r.value), r.suppressed) for r in rows if r.city_id == city_id and not r.key
        ]
        if points:
            series.append(charts.Series(next(r.city for r in rows if r.city_id == city_id), points))
    svg = charts.line_chart(
        series,
        title=_("%(indicator)s over time, by city") % {"indicator": indicator.title},
        unit=indicator.unit,
        chart_id="chart-series",
        suppressed_label=label,
        empty_message=_("No values to draw for these cities."),
    )
    periods = sorted({p.x for s in series for p in s.points})
    body = []
    for s in series:
        by_period = {p.x: p for p in s.points}
        body.append([s.name, *(_cell(by_period.get(period), label) for period in periods)])
    table = {"head": [_("City"), *periods], "body": body}
    return mark_safe(svg), table  # noqa: S308 — every text in the SVG is escaped by charts


def _cell(point, label: str) -> str:
    if point is None:
        return "–"
    return label if point.suppressed else charts.format_value(point.value)


def indicator_detail(request, slug: str):
    indicator = selectors.indicator_for_page(slug)
    if indicator is None:
        raise Http404
    label = suppression.label()
    rows = selectors.indicator_rows(indicator)
    threshold = max((r.threshold for r in rows if r.threshold), default=None)
    latest = selectors.latest_per_city(rows)
    highlight = request.GET.get("city", "")
    compare_svg = mark_safe(  # noqa: S308 — every text in the SVG is escaped by charts
        charts.bar_chart(
            [
                charts.Bar(
                    r.city, _number(r.value), r.suppressed, highlight=r.city_slug == highlight, note=f" ({r.period})"
                )
                for r in latest
            ],
            title=_("%(indicator)s: latest value in each city") % {"indicator": indicator.title},
            unit=indicator.unit,
            chart_id="chart-compare",
            suppressed_label=label,
            empty_message=_("No city has published values for this indicator yet."),
        )
    )

    cities = {r.city_slug: (r.city_id, r.city) for r in latest}
    breakdown_options = selectors.breakdown_choices(rows)
    form = ChartOptionsForm(
        request.GET or None,
        city_choices=[(slug_, name) for slug_, (_id, name) in sorted(cities.items(), key=lambda c: c[1][1])],
        breakdown_choices=[
            (f"{slug_}|{period}", f"{name}, {period}") for _id, slug_, name, period in breakdown_options
        ],
    )
    chosen = form.cleaned_data["cities"] if form.is_bound and form.is_valid() else []
    if not chosen:
        by_recency = sorted(latest, key=lambda r: (r.period_start, r.city), reverse=True)
        chosen = [r.city_slug for r in by_recency[: selectors.MAX_SERIES]]
        if highlight in cities and highlight not in chosen:
            chosen = [highlight, *chosen[: selectors.MAX_SERIES - 1]]
    series_svg, series_table = _series_chart(indicator, rows, [cities[s][0] for s in chosen], label)

    breakdown_key = form.cleaned_data.get("breakdown") if form.is_bound and form.is_valid() else ""
    selected = next(
        (b for b in breakdown_options if f"{b[1]}|{b[3]}" == breakdown_key),
        next((b for b in breakdown_options if b[1] == highlight), breakdown_options[0] if breakdown_options else None),
    )
    breakdown_charts = []
    if selected is not None:
        city_id, _slug, city_name, period = selected
        total = next((r for r in rows if r.city_id == city_id and r.period == period and not r.key), None)
        for number, group in enumerate(selectors.breakdowns(rows, city_id, period)):
            bars = [
                charts.Bar(item["label"], _number(item["row"].value), item["row"].suppressed) for item in group["rows"]
            ]
            if total is not None:
                bars.append(charts.Bar(_("Total"), _number(total.value), total.suppressed, highlight=True))
            svg = charts.bar_chart(
                bars,
                title=_("%(indicator)s by %(dimension)s, %(city)s %(period)s")
                % {
                    "indicator": indicator.title,
                    "dimension": group["label"].lower(),
                    "city": city_name,
                    "period": period,
                },
                unit=indicator.unit,
                chart_id=f"chart-breakdown-{number}",
                suppressed_label=label,
            )
            table = {
                "head": [group["label"], indicator.unit or _("Value")],
                "body": [[b.label, label if b.suppressed else charts.format_value(b.value)] for b in bars],
            }
            breakdown_charts.append(
                {"group": group, "svg": mark_safe(svg), "table": table, "id": f"chart-breakdown-{number}"}  # noqa: S308
            )
    return render(
        request,
        "projects/indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "latest": latest,
            "compare_svg": compare_svg,
            "series_svg": series_svg,
            "series_table": series_table,
            "compare_table": {
                "head": [_("City"), _("Period"), indicator.unit or _("Value")],
                "body": [[r.city, r.period, label if r.suppressed else charts.format_value(r.value)] for r in latest],
            },
            "form": form,
            "chosen": chosen,
            "breakdown": selected,
            "breakdown_value": f"{selected[1]}|{selected[3]}" if selected else "",
            "breakdown_charts": breakdown_charts,
            "suppressed_label": label,
            "threshold": threshold,
            "has_suppressed": any(r.suppressed for r in rows),
            "disaggregation_labels": indicator_disaggregation_labels(indicator),
        },
    )


def indicator_disaggregation_labels(indicator: Indicator) -> list[str]:

    labels = dict(Disaggregation.choices)
    return [str(labels.get(key, key)) for key in indicator.disaggregations or []]


CSV_HEADER = [
    "indicator",
    "indicator_title",
    "city",
    "country",
    "period",
    "period_start",
    "disaggregation",
    "value",
    "unit",
    "source_dataset",
]


def indicator_csv(request, slug: str):
    """Every public observation of the indicator, streamed; hidden values read “[c]”, formulas are neutralised."""
    indicator = get_object_or_404(Indicator, slug=slug)
    label = suppression.label()

    def rows():
        for o, hidden in selectors.indicator_observations_for_csv(indicator):
            yield [
                indicator.slug,
                indicator.title,
                o.city.name,
                o.city.country.code if o.city.country_id else "",
                o.period,
                o.period_start.isoformat(),
                o.disaggregation_key,
                label if hidden else charts.format_value(o.value, decimals=4).replace(",", ""),
                indicator.unit,
                o.source_dataset.slug if o.source_dataset_id else "",
            ]

    return stream_csv(f"{indicator.slug}-observations.csv", CSV_HEADER, rows(), data=True)


@login_required
@require_POST
def gap_commission(request, organisation: str):
    """An official starts a draft call for a data gap and lands in the Wagtail editor to finish it."""
    city = selectors.city_for_gap(organisation)
    if city is None:
        raise Http404
    allowed, reason = services.can_commission_gap(request.user, city)
    if not allowed:
        raise PermissionDenied(reason)
    theme = Theme.objects.filter(slug=request.POST.get("theme", "")).first()
    group = GroupAtRisk.objects.filter(slug=request.POST.get("group", "")).first()
    if (theme is None) == (group is None):
        messages.error(request, _("Choose one theme or one group at risk to commission research for."))
        return redirect(f"{city.city_page.url}#section-data_gaps")
    latest = selectors.gap_latest(city.pk, theme=theme, group=group)
    call = services.gap_call_draft(city_page=city.city_page, by=request.user, theme=theme, group=group, latest=latest)
    messages.success(
        request,
        _("A draft call “%(title)s” was created. Set its dates and budget, then submit it for moderation.")
        % {"title": call.title},
    )
    return redirect(reverse("wagtailadmin_pages:edit", args=[call.pk]))


# ---- partnership tools ---------------------------------------------------------------------------------------------


def _partnership_for(request, slug: str) -> Partnership:
    """A partnership the user may see; the research team's tools check their own rule after this."""
    visible = Partnership.objects.filter(Q(is_public=True) | Q(pk__in=Partnership.objects.with_member(request.user)))
    partnership = get_object_or_404(visible, slug=slug)
    allowed, reason = services.can_import_observations(request.user, partnership)
    if not allowed:
        raise PermissionDenied(reason)
    return partnership


@login_required
def observations_import(request, slug: str):
    """Map a dataset's columns to an indicator's observations, preview the first rows, then import."""
    partnership = _partnership_for(request, slug)
    datasets = Dataset.objects.filter(partnership=partnership).exclude(status=Dataset.Status.TAKEN_DOWN)
    source = request.POST if request.method == "POST" else request.GET
    choose = ImportDatasetForm(
        {"dataset": source.get("dataset")} if "dataset" in source else None, datasets=datasets.order_by("title")
    )
    dataset = choose.cleaned_data["dataset"] if choose.is_bound and choose.is_valid() else None
    context = {"partnership": partnership, "choose": choose, "dataset": dataset, "has_datasets": datasets.exists()}
    if dataset is None:
        return render(request, "projects/indicators/import.html", context)
    try:
        columns = services.dataset_columns(dataset)
    except ValidationError as error:
        choose.add_error(None, error)
        context["dataset"] = None
        return render(request, "projects/indicators/import.html", context)
    form = ImportMappingForm(
        request.POST or None,
        initial={"dataset": dataset.pk, "indicator": request.GET.get("indicator") or None},
        columns=columns,
        indicators=selectors.indicators_for_import(),
        cities=services.import_cities(partnership=partnership),
    )
    context.update({"form": form, "columns": columns})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fixed = data["city_mode"] == ImportMappingForm.CITY_FIXED
        mapping = services.ImportMapping(
            period_column=data["period_column"],
            value_column=data["value_column"],
            city=data["city"] if fixed else None,
            city_column="" if fixed else data["city_column"],
            disaggregation_columns=form.disaggregation_columns(),
            denominator_column=data.get("denominator_column") or "",
        )
        dry_run = "preview" in request.POST
        try:
            report = services.observations_import(
                partnership=partnership,
                dataset=dataset,
                indicator=data["indicator"],
                mapping=mapping,
                by=request.user,
                dry_run=dry_run,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            context["report"] = report
            if not dry_run:
                messages.success(
                    request,
                    _("Imported into “%(indicator)s”: %(created)s created, %(updated)s updated, %(skipped)s skipped.")
                    % {
                        "indicator": data["indicator"].title,
                        "created": report.created,
                        "updated": report.updated,
                        "skipped": report.skipped_count,
                    },
                )
                if report.conflict_count:
                    messages.info(
                        request,
                        ngettext(
                            "%(count)s value sits beside another source's value for the same cell; both are kept.",
                            "%(count)s values sit beside another source's values for the same cells; both are kept.",
                            report.conflict_count,
                        )
                        % {"count": report.conflict_count},
                    )
            context["indicator"] = data["indicator"]
    return render(request, "projects/indicators/import.html", context)


@login_required
def indicator_new(request, slug: str):
    """The research team adds an indicator when none fits their data, then imports into it."""
    partnership = _partnership_for(request, slug)
    form = IndicatorForm(
        request.POST or None,
        themes=Theme.objects.order_by("name"),
        sdg_indicators=SDGIndicator.objects.order_by("sort_key"),
        groups=GroupAtRisk.objects.order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(partnership=partnership, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The indicator “%(title)s” was created.") % {"title": indicator.title})
            url = reverse("indicator_import", args=[partnership.slug])
            return redirect(f"{url}?indicator={indicator.pk}")
    return render(request, "projects/indicators/indicator_form.html", {"partnership": partnership, "form": form})


@login_required
def city_observation_imports(request, organisation: str):
    """A city's officials see every value research teams imported about their city, with its source; 404 for others."""
    city = imports.city_for_imports(user=request.user, slug=organisation)
    if city is None:
        raise Http404
    page = Paginator(imports.city_imports(organisation=city), IMPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/indicators/city_imports.html",
        {
            "city": city,
            "page": page,
            "rows": imports.imported_values(organisation=city, observations=list(page.object_list)),
            "suppressed_label": suppression.SUPPRESSED_LABEL,
        },
    )
