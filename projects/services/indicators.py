"""State changes of indicators: creating one, importing observations from a dataset, commissioning a data gap."""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from calls.models import EvaluationCriterion, ResearchCall
from calls.selectors import is_official
from hub.models import GroupAtRisk, Method, Theme
from profiles.models import CityPage, Organisation, User
from projects.models import Dataset, Disaggregation, Indicator, Observation, Partnership, PartnershipMember
from projects.models import disaggregation_key as make_key

MAX_IMPORT_ROWS = 50_000
PREVIEW_ROWS = 10
GAP_OPENS_IN = dt.timedelta(days=30)
GAP_CLOSES_IN = dt.timedelta(days=90)
GAP_CRITERIA = (
    ("Relevance to the data gap and the city's human-rights priorities", 30),
    ("Quality of the methodology and a human-rights-based approach to data", 30),
    ("Participation of the people and groups concerned", 25),
    ("Team and feasibility", 15),
)
GAP_METHODS = ("human-rights-indicators", "hrba-data")
PERIOD_PATTERNS = (
    (re.compile(r"^(\d{4})$"), lambda m: dt.date(int(m[1]), 1, 1)),
    (re.compile(r"^(\d{4})-Q([1-4])$", re.I), lambda m: dt.date(int(m[1]), 3 * int(m[2]) - 2, 1)),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), lambda m: dt.date(int(m[1]), int(m[2]), 1)),
)
TOTAL_WORDS = {"", "total", "all", "*"}


# ---- permissions ---------------------------------------------------------------------------------------------------


def is_research_member(user, partnership: Partnership) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return PartnershipMember.objects.filter(
        partnership=partnership, user=user, side=PartnershipMember.Side.RESEARCH
    ).exists()


def can_import_observations(user, partnership: Partnership) -> tuple[bool, str]:
    """Research members of the partnership import observations and create indicators (they publish the data)."""
    if not getattr(user, "is_authenticated", False):
        return False, _("Sign in as a member of the research team to import indicator data.")
    if not is_research_member(user, partnership):
        return False, _("Only members of the partnership's research team can import indicator data.")
    return True, ""


def can_commission_gap(user, organisation: Organisation | int) -> tuple[bool, str]:
    """Officials of the city start calls for its data gaps."""
    if not is_official(user, organisation):
        return False, _("Only officials of this city can commission research for its data gaps.")
    return True, ""


# ---- parsing -------------------------------------------------------------------------------------------------------


def parse_period(text: str) -> tuple[str, dt.date]:
    """“2023”, “2023-Q2” or “2023-05” → (canonical text, first day); ValueError with a reason otherwise."""
    text = (text or "").strip()
    if text.endswith(".0") and text[:-2].isdigit():  # spreadsheets turn years into 2023.0
        text = text[:-2]
    for pattern, start in PERIOD_PATTERNS:
        match = pattern.match(text)
        if match:
            first = start(match)
            if not 1900 <= first.year <= timezone.localdate().year + 1:
                raise ValueError(_("the period “%(text)s” is out of range") % {"text": text})
            return text.upper() if "q" in text.lower() else text, first
    raise ValueError(_("“%(text)s” is not a period like 2023, 2023-Q2 or 2023-05") % {"text": text[:40]})


def parse_value(text: str) -> Decimal:
    """A number as people type it in a CSV: “12.5”, “12,5”, “1 234”, “7%”; ValueError with a reason otherwise."""
    raw = (text or "").strip()
    cleaned = raw.replace("\u00a0", "").replace(" ", "").rstrip("%")
    if "," in cleaned and "." not in cleaned and cleaned.count(",") == 1 and len(cleaned.split(",")[1]) != 3:
        cleaned = cleaned.replace(",", ".")
    cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValueError(_("the value “%(text)s” is not a number") % {"text": raw[:40]})
    if abs(value) >= Decimal("1e14"):
        raise ValueError(_("the value “%(text)s” is too large") % {"text": raw[:40]})
    return value.quantize(Decimal("0.0001"))


def dataset_columns(dataset: Dataset) -> list[str]:
    """The dataset's column names: from its schema, else from the header of its file."""
    names = [str(column.get("name")) for column in dataset.schema or [] if column.get("name")]
    if names:
        return names
    header, _rows = read_dataset(dataset)
    return header


def read_dataset(dataset: Dataset) -> tuple[list[str], Iterator[list[str]]]:
    """The header and an iterator of rows of a stored dataset (normalised UTF-8, comma-delimited, header first)."""
    if not dataset.file:
        raise ValidationError(_("This dataset has no file to import from."))
    try:
        from projects.datasets_io import iter_rows
    except ImportError:  # the datasets area is optional for indicators: read the normalised file directly
        iter_rows = None
    if iter_rows is not None:
        rows = iter_rows(dataset)
        first = next(rows, None)
        if first is None:
            return [], iter(())
        header = list(first)
        return header, ([row.get(name) or "" for name in header] for row in _chain(first, rows))
    with dataset.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    return [h.strip() for h in header], reader


def _chain(first, rest):
    yield first
    yield from rest


# ---- import --------------------------------------------------------------------------------------------------------


@dataclass
class ImportMapping:
    """Which dataset column holds what; the city is fixed or read from a column."""

    period_column: str
    value_column: str
    city: Organisation | None = None
    city_column: str = ""
    disaggregation_columns: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    dry_run: bool = False

    @property
    def skipped_count(self) -> int:
        return len(self.skipped)


def _city_lookup() -> dict[str, Organisation]:
    """Government names and city names (lower case) → organisation; ambiguous city names are left out."""
    lookup: dict[str, Organisation] = {}
    ambiguous: set[str] = set()
    for organisation in Organisation.objects.filter(kind__in=Organisation.GOVERNMENT_KINDS):
        lookup[organisation.name.strip().lower()] = organisation
        city = organisation.city.strip().lower()
        if city and city in lookup and lookup[city].pk != organisation.pk:
            ambiguous.add(city)
        elif city:
            lookup.setdefault(city, organisation)
    for name in ambiguous:
        lookup.pop(name, None)
    return lookup


def _check_mapping(mapping: ImportMapping, header: list[str]) -> dict[str, int]:
    errors = {}
    index = {name: number for number, name in enumerate(header)}
    for field_name, column in (("period_column", mapping.period_column), ("value_column", mapping.value_column)):
        if column not in index:
            errors[field_name] = _("The dataset has no column “%(column)s”.") % {"column": column}
    if mapping.city is None and not mapping.city_column:
        errors["city"] = _("Choose the city the values are about, or the column that names it.")
    if mapping.city is None and mapping.city_column and mapping.city_column not in index:
        errors["city_column"] = _("The dataset has no column “%(column)s”.") % {"column": mapping.city_column}
    for key, column in mapping.disaggregation_columns.items():
        if key not in Disaggregation.values:
            errors[f"dis_{key}"] = _("“%(key)s” is not a known disaggregation.") % {"key": key}
        elif column not in index:
            errors[f"dis_{key}"] = _("The dataset has no column “%(column)s”.") % {"column": column}
    if errors:
        raise ValidationError(errors)
    return index


@transaction.atomic
def observations_import(
    *,
    partnership: Partnership,
    dataset: Dataset,
    indicator: Indicator,
    mapping: ImportMapping,
    by: User,
    dry_run: bool = False,
) -> ImportReport:
    """Create or update observations from a dataset's rows, all or nothing; bad rows are skipped with their reason.

    Idempotent on (indicator, city, period, disaggregation): importing the same file twice updates, never duplicates.
    """
    allowed, reason = can_import_observations(by, partnership)
    if not allowed:
        raise PermissionDenied(reason)
    if dataset.partnership_id != partnership.pk:
        raise ValidationError({"dataset": _("Choose one of this partnership's datasets.")})
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        raise ValidationError({"dataset": _("This dataset has been taken down; its data cannot be imported.")})
    header, rows = read_dataset(dataset)
    index = _check_mapping(mapping, header)
    cities = _city_lookup() if mapping.city is None else {}
    report = ImportReport(dry_run=dry_run)
    pending: dict[tuple[int, str, str], tuple[int, Observation]] = {}
    for line, row in enumerate(rows, start=2):
        if line - 1 > MAX_IMPORT_ROWS:
            raise ValidationError(
                _("The dataset has more than %(max)s rows; split it before importing.")
                % {"max": f"{MAX_IMPORT_ROWS:,}"}
            )
        if not any(cell.strip() for cell in row):
            continue

        def cell(column: str, row: list[str] = row) -> str:
            position = index[column]
            return row[position].strip() if position < len(row) else ""

        try:
            period, period_start = parse_period(cell(mapping.period_column))
            if not cell(mapping.value_column):
                raise ValueError(_("no value"))
            value = parse_value(cell(mapping.value_column))
            if mapping.city is not None:
                city = mapping.city
            else:
                name = cell(mapping.city_column)
                city = cities.get(name.lower())
                if city is None:
                    raise ValueError(_("unknown city “%(name)s”") % {"name": name[:80]})
            disaggregation = {}
            for key, column in sorted(mapping.disaggregation_columns.items()):
                text = cell(column)
                if text.lower() not in TOTAL_WORDS:
                    disaggregation[key] = text[:60]
        except ValueError as error:
            report.skipped.append((line, str(error)))
            continue
        key = make_key(disaggregation)
        if (city.pk, period, key) in pending:
            first_line = pending[(city.pk, period, key)][0]
            report.skipped.append((line, _("same city, period and breakdown as line %(line)s") % {"line": first_line}))
            continue
        observation = Observation(
            indicator=indicator,
            city=city,
            period=period,
            period_start=period_start,
            value=value,
            disaggregation=disaggregation,
            disaggregation_key=key,
            source_dataset=dataset,
            partnership=partnership,
        )
        pending[(city.pk, period, key)] = (line, observation)
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append({"line": line, "observation": observation})
    existing = set(
        Observation.objects.filter(indicator=indicator, city_id__in={k[0] for k in pending}).values_list(
            "city_id", "period", "disaggregation_key"
        )
    )
    report.updated = sum(1 for k in pending if k in existing)
    report.created = len(pending) - report.updated
    if dry_run or not pending:
        return report
    Observation.objects.bulk_create(
        [observation for _line, observation in pending.values()],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["indicator", "city", "period", "disaggregation_key"],
        update_fields=["value", "period_start", "disaggregation", "source_dataset", "partnership"],
    )
    indicator.partnerships.add(partnership)
    return report


# ---- indicators ----------------------------------------------------------------------------------------------------


def unique_indicator_slug(title: str) -> str:
    base = slugify(title)[:180] or "indicator"
    taken = set(Indicator.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def indicator_create(
    *,
    partnership: Partnership,
    by: User,
    title: str,
    type: str,
    obligation: str,
    theme: Theme,
    unit: str,
    definition: str,
    sdg_indicator=None,
    groups=(),
    value_is_count: bool = False,
    disaggregations=(),
) -> Indicator:
    """A new indicator proposed by a partnership's research team, linked to the partnership."""
    allowed, reason = can_import_observations(by, partnership)
    if not allowed:
        raise PermissionDenied(reason)
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the indicator a title.")
    elif Indicator.objects.filter(title__iexact=title).exists():
        errors["title"] = _("An indicator with this title exists already; choose it in the import form instead.")
    if type not in Indicator.Type.values:
        errors["type"] = _("Choose structural, process or outcome.")
    if obligation not in Indicator.Obligation.values:
        errors["obligation"] = _("Choose respect, protect or fulfil.")
    unknown = [d for d in disaggregations if d not in Disaggregation.values]
    if unknown:
        errors["disaggregations"] = _("Unknown disaggregation: %(keys)s.") % {"keys": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)
    indicator = Indicator.objects.create(
        title=title,
        slug=unique_indicator_slug(title),
        type=type,
        obligation=obligation,
        theme=theme,
        sdg_indicator=sdg_indicator,
        unit=unit.strip(),
        value_is_count=value_is_count,
        definition=definition.strip(),
        disaggregations=list(disaggregations),
    )
    indicator.groups.set(groups)
    indicator.partnerships.add(partnership)
    return indicator


# ---- data gaps -----------------------------------------------------------------------------------------------------


def _local_noon(moment: dt.datetime, zone: str) -> dt.datetime:
    from calls import deadlines

    local = deadlines.to_local(moment, zone)
    return deadlines.localize(local.replace(hour=12, minute=0, second=0, microsecond=0, tzinfo=None), zone)


def _unique_child_slug(parent, title: str) -> str:
    from wagtail.models import Page

    base = slugify(title)[:200] or "call"
    taken = set(Page.objects.child_of(parent).filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _in_sentence(name: str) -> str:
    """A vocabulary name inside a sentence: “Right to health” → “the right to health”; proper names stay."""
    if (len(name) > 1 and name[1].isupper()) or any(word[:1].isupper() for word in name.split()[1:]):
        return name  # an acronym or proper nouns (“Roma and Travellers”)
    lowered = name[:1].lower() + name[1:]
    return f"the {lowered}" if lowered.startswith(("right ", "rights ")) else lowered


def gap_call_title(*, theme: Theme | None = None, group: GroupAtRisk | None = None) -> str:
    if theme is not None:
        return _("Research on %(name)s — data gap") % {"name": _in_sentence(theme.name)}
    return _("Research on the situation of %(name)s — data gap") % {"name": _in_sentence(group.name)}


@transaction.atomic
def gap_call_draft(
    *, city_page: CityPage, by: User, theme: Theme | None = None, group: GroupAtRisk | None = None, latest=None
) -> ResearchCall:
    """A draft call of the city on a theme or group it has no recent indicator data for (recommendations 5–6).

    The call model needs dates, so the draft gets placeholder dates (opening in 30, closing in 90 days, at noon in
    the city's time zone) that the official sets before submitting it for moderation.
    """
    allowed, reason = can_commission_gap(by, city_page.organisation_id)
    if not allowed:
        raise PermissionDenied(reason)
    if (theme is None) == (group is None):
        raise ValidationError(_("Choose one theme or one group at risk."))
    subject = _in_sentence(theme.name if theme is not None else group.name)
    state = (
        _("its most recent indicator data is from %(year)s") % {"year": latest.year}
        if latest
        else _("it has no indicator data")
    )
    summary = _(
        "%(city)s is looking for research on %(subject)s: %(state)s. The study should produce indicator data that "
        "the city can use to design and monitor its policy, disaggregated for the groups left behind."
    ) % {"city": city_page.title, "subject": subject, "state": state}
    title = gap_call_title(theme=theme, group=group)
    zone = city_page.organisation.time_zone
    now = timezone.now()
    call = ResearchCall(
        title=title,
        slug=_unique_child_slug(city_page, title),
        summary=summary[:600],
        budget_min=Decimal("0"),
        budget_max=Decimal("0"),
        opens_at=_local_noon(now + GAP_OPENS_IN, zone),
        closes_at=_local_noon(now + GAP_CLOSES_IN, zone),
        live=False,
        owner=by,
    )
    if theme is not None:
        call.themes = [theme]
    else:
        call.groups = [group]
    call.methods = list(Method.objects.filter(slug__in=GAP_METHODS))
    for order, (name, weight) in enumerate(GAP_CRITERIA):
        call.criteria.add(EvaluationCriterion(name=name, weight=weight, sort_order=order))
    call.inherit_from_city(city_page)
    city_page.add_child(instance=call)
    log(instance=call, action="wagtail.create", user=by)
    call.save_revision(user=by, log_action=True)
    return call
