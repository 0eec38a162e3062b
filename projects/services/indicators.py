"""State changes of indicators: creating one, importing observations from a dataset, commissioning a data gap."""

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from wagtail.log_actions import log
from wagtail.models import Page

from calls import deadlines
from calls.models import EvaluationCriterion, ResearchCall
from calls.selectors import is_official
from hub.models import GroupAtRisk, Method, Theme
from profiles.models import CityPage, Organisation, User
from profiles.services import save_with_free_slug
from projects import suppression
from projects.datasets_io import iter_rows
from projects.models import Dataset, Disaggregation, Indicator, Observation, Partnership, PartnershipMember
from projects.models import disaggregation_key as make_key

MAX_IMPORT_ROWS = 50_000
PREVIEW_ROWS = 10
MAX_LISTED = 200  # updates and conflicts listed in the preview; the counts are always complete
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
    if text.endswith(".0") and text[:-2].isascii() and text[:-2].isdigit():  # spreadsheets turn years into 2023.0
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
    rows = iter_rows(dataset)
    first = next(rows, None)
    if first is None:
        return [], iter(())
    header = list(first)
    return header, ([row.get(name) or "" for name in header] for row in _chain(first, rows))


def _chain(first, rest):
    yield first
    yield from rest


# ---- import --------------------------------------------------------------------------------------------------------


def import_cities(*, partnership: Partnership) -> QuerySet[Organisation]:
    """The cities a partnership may import observations for: its city and the governments on its city or partner side.

    Research-side affiliations do not count: a team cannot make a city “theirs” by naming it in a proposal.
    """
    members = PartnershipMember.objects.filter(partnership=partnership).exclude(side=PartnershipMember.Side.RESEARCH)
    return Organisation.objects.filter(
        Q(pk=partnership.city_id) | Q(pk__in=members.filter(organisation__isnull=False).values("organisation_id")),
        kind__in=Organisation.GOVERNMENT_KINDS,
    ).order_by("name")


@dataclass
class ImportMapping:
    """Which dataset column holds what; the city is fixed or read from a column; a share needs its denominator."""

    period_column: str
    value_column: str
    city: Organisation | None = None
    city_column: str = ""
    disaggregation_columns: dict[str, str] = field(default_factory=dict)
    denominator_column: str = ""


@dataclass
class ImportRow:
    """One value the import stores: created, or updating the same dataset's value; ``others`` name other sources."""

    line: int
    observation: Observation
    action: str  # "create" | "update"
    previous: Decimal | None = None
    others: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # refused rows: other cities, bad values
    preview: list[ImportRow] = field(default_factory=list)
    updates: list[ImportRow] = field(default_factory=list)
    conflicts: list[ImportRow] = field(default_factory=list)
    conflict_count: int = 0
    other_city_count: int = 0
    value_column: str = ""
    denominator_column: str = ""
    unit_base: Decimal | None = None
    count_column: bool = False
    suppression_threshold: int | None = None
    dry_run: bool = False

    @property
    def skipped_count(self) -> int:
        return len(self.skipped)


def _city_lookup(cities) -> dict[str, Organisation]:
    """Government names and city names (lower case) → organisation; ambiguous city names are left out."""
    lookup: dict[str, Organisation] = {}
    ambiguous: set[str] = set()
    for organisation in cities:
        lookup[organisation.name.strip().lower()] = organisation
        city = organisation.city.strip().lower()
        if city and city in lookup and lookup[city].pk != organisation.pk:
            ambiguous.add(city)
        elif city:
            lookup.setdefault(city, organisation)
    for name in ambiguous:
        lookup.pop(name, None)
    return lookup


def _is_count_column(dataset: Dataset, column: str) -> bool:
    return any(c.get("name") == column and c.get("is_count") for c in dataset.schema or [] if isinstance(c, dict))


def _check_mapping(
    mapping: ImportMapping, header: list[str], *, dataset: Dataset, indicator: Indicator, allowed: set[int]
) -> dict[str, int]:
    errors = {}
    index = {name: number for number, name in enumerate(header)}
    for field_name, column in (("period_column", mapping.period_column), ("value_column", mapping.value_column)):
        if column not in index:
            errors[field_name] = _("The dataset has no column “%(column)s”.") % {"column": column}
    if mapping.city is None and not mapping.city_column:
        errors["city"] = _("Choose the city the values are about, or the column that names it.")
    if mapping.city is not None and mapping.city.pk not in allowed:
        errors["city"] = _(
            "%(city)s is not a city of this partnership: a research team imports data only about its own partner "
            "cities."
        ) % {"city": mapping.city.name}
    if mapping.city is None and mapping.city_column and mapping.city_column not in index:
        errors["city_column"] = _("The dataset has no column “%(column)s”.") % {"column": mapping.city_column}
    for key, column in mapping.disaggregation_columns.items():
        if key not in Disaggregation.values:
            errors[f"dis_{key}"] = _("“%(key)s” is not a known disaggregation.") % {"key": key}
        elif column not in index:
            errors[f"dis_{key}"] = _("The dataset has no column “%(column)s”.") % {"column": column}
    base = indicator.unit_base
    denominator = mapping.denominator_column
    if denominator:
        if base is None:
            errors["denominator_column"] = _(
                "“%(indicator)s” is measured in “%(unit)s”, not as a percentage or rate: import the values as they "
                "are, without a denominator."
            ) % {"indicator": indicator.title, "unit": indicator.unit}
        elif denominator not in index:
            errors["denominator_column"] = _("The dataset has no column “%(column)s”.") % {"column": denominator}
        elif denominator == mapping.value_column:
            errors["denominator_column"] = _("The denominator must be another column than the value.")
    elif base is not None and _is_count_column(dataset, mapping.value_column):
        errors["denominator_column"] = _(
            "The column “%(column)s” holds counts, but “%(indicator)s” is measured in “%(unit)s”. Choose the column "
            "with the total each count is a share of (the denominator), or a value column that already holds the "
            "%(unit)s."
        ) % {"column": mapping.value_column, "indicator": indicator.title, "unit": indicator.unit}
    if errors:
        raise ValidationError(errors)
    return index


def _source_name(observation_source: dict, *, partnership: Partnership) -> str:
    """How the preview names another source of a cell, without revealing another partnership's unpublished data."""
    if observation_source["source_dataset_id"] is None:
        return _("a value entered by hand")
    title = observation_source["source_dataset__title"]
    if observation_source["source_dataset__partnership_id"] == partnership.pk:
        return _("your dataset “%(title)s”") % {"title": title}
    if observation_source["source_dataset__status"] == Dataset.Status.PUBLISHED:
        return _("the dataset “%(title)s” of “%(partnership)s”") % {
            "title": title,
            "partnership": observation_source["source_dataset__partnership__title"],
        }
    return _("an unpublished dataset of another partnership")


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
    """Create or update the dataset's own observations for the partnership's cities, all or nothing.

    Idempotent per source: importing the same dataset twice updates its values, never duplicates them. Values of the
    same cell from another source (another dataset or entered by hand) are never touched: both are kept, with their
    sources. Rows about other cities and bad rows are refused with their reason.
    """
    allowed, reason = can_import_observations(by, partnership)
    if not allowed:
        raise PermissionDenied(reason)
    if dataset.partnership_id != partnership.pk:
        raise ValidationError({"dataset": _("Choose one of this partnership's datasets.")})
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        raise ValidationError({"dataset": _("This dataset has been taken down; its data cannot be imported.")})
    partner_cities = list(import_cities(partnership=partnership))
    allowed_ids = {city.pk for city in partner_cities}
    header, rows = read_dataset(dataset)
    index = _check_mapping(mapping, header, dataset=dataset, indicator=indicator, allowed=allowed_ids)
    own = _city_lookup(partner_cities) if mapping.city is None else {}
    everywhere = (
        _city_lookup(Organisation.objects.filter(kind__in=Organisation.GOVERNMENT_KINDS))
        if mapping.city is None
        else {}
    )
    threshold = suppression.effective_threshold(dataset.min_cell_count)
    base = indicator.unit_base if mapping.denominator_column else None
    count_column = _is_count_column(dataset, mapping.value_column)
    counts = (count_column, _is_count_column(dataset, mapping.denominator_column))
    # A stored value that counts people is suppressed in public by the dataset's threshold, whatever the indicator.
    stored_threshold = threshold if base is None and (count_column or indicator.value_is_count) else None
    report = ImportReport(
        dry_run=dry_run,
        value_column=mapping.value_column,
        denominator_column=mapping.denominator_column,
        unit_base=base,
        count_column=count_column,
        suppression_threshold=stored_threshold,
    )
    now = timezone.now()
    pending: dict[tuple[int, str, str], tuple[int, Observation]] = {}
    for line, row in enumerate(rows, start=2):
        if line - 1 > MAX_IMPORT_ROWS:
            raise ValidationError(
                _("The dataset has more than %(max)s rows; split it before importing.")
                % {"max": f"{MAX_IMPORT_ROWS:,}"}
            )
        if not any((cell or "").strip() for cell in row):
            continue

        def cell(column: str, row: list[str] = row) -> str:
            position = index[column]
            return (row[position] or "").strip() if position < len(row) else ""

        try:
            period, period_start = parse_period(cell(mapping.period_column))
            if not cell(mapping.value_column):
                raise ValueError(_("no value"))
            value = parse_value(cell(mapping.value_column))
            if mapping.city is not None:
                city = mapping.city
            else:
                name = cell(mapping.city_column)
                city = own.get(name.lower())
                if city is None:
                    if name.lower() in everywhere:
                        report.other_city_count += 1
                        raise ValueError(
                            _("%(city)s is not a city of this partnership; its data is not imported")
                            % {"city": everywhere[name.lower()].name}
                        )
                    raise ValueError(_("unknown city “%(name)s”") % {"name": name[:80]})
            if base is not None:
                value = _share(
                    value,
                    cell(mapping.denominator_column),
                    base=base,
                    threshold=threshold,
                    counts=counts,
                )
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
        pending[(city.pk, period, key)] = (
            line,
            Observation(
                indicator=indicator,
                city=city,
                period=period,
                period_start=period_start,
                value=value,
                disaggregation=disaggregation,
                disaggregation_key=key,
                source_dataset=dataset,
                partnership=partnership,
                suppression_threshold=stored_threshold,
                imported_at=now,
            ),
        )
    _classify(report, pending, indicator=indicator, dataset=dataset, partnership=partnership)
    if dry_run or not pending:
        return report
    Observation.objects.bulk_create(
        [observation for _line, observation in pending.values()],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["indicator", "city", "period", "disaggregation_key", "source_dataset"],
        update_fields=[
            "value",
            "period_start",
            "disaggregation",
            "partnership",
            "suppression_threshold",
            "imported_at",
        ],
    )
    indicator.partnerships.add(partnership)
    return report


def _share(numerator: Decimal, denominator_text: str, *, base: Decimal, threshold: int, counts: tuple[bool, bool]):
    """numerator ÷ denominator × base; ValueError when it cannot be computed or would reveal a small count."""
    if not denominator_text:
        raise ValueError(_("no denominator"))
    denominator = parse_value(denominator_text)
    if denominator <= 0:
        raise ValueError(_("the denominator “%(text)s” is not above zero") % {"text": denominator_text[:40]})
    if counts[0] and numerator < 0:
        raise ValueError(_("the count %(number)s is negative") % {"number": _plain(numerator)})
    # A share of a small count (or of a small total) gives the count away to anyone who knows the total.
    for number, is_count in zip((numerator, denominator), counts, strict=True):
        if is_count and suppression.is_suppressed(number, threshold):
            raise ValueError(
                _(
                    "the count %(number)s is below the dataset's small-cell threshold of %(threshold)s: a share "
                    "computed from it would reveal it, so it is not imported"
                )
                % {"number": _plain(number), "threshold": threshold}
            )
    share = numerator / denominator * base
    if abs(share) >= Decimal("1e14"):
        raise ValueError(_("the share of %(number)s is too large") % {"number": _plain(numerator)})
    return share.quantize(Decimal("0.0001"))


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


def _classify(report: ImportReport, pending: dict, *, indicator: Indicator, dataset: Dataset, partnership: Partnership):
    """Count what the import creates and updates, and name the other sources of the same cells (kept side by side)."""
    city_ids = {key[0] for key in pending}
    cells = Observation.objects.filter(indicator=indicator, city_id__in=city_ids)
    own = {
        (o["city_id"], o["period"], o["disaggregation_key"]): o["value"]
        for o in cells.filter(source_dataset=dataset).values("city_id", "period", "disaggregation_key", "value")
    }
    others: dict[tuple[int, str, str], list[str]] = {}
    for source in (
        cells.exclude(source_dataset=dataset)
        .values(
            "city_id",
            "period",
            "disaggregation_key",
            "source_dataset_id",
            "source_dataset__title",
            "source_dataset__status",
            "source_dataset__partnership_id",
            "source_dataset__partnership__title",
        )
        .order_by("source_dataset_id")
    ):
        key = (source["city_id"], source["period"], source["disaggregation_key"])
        if key in pending:
            others.setdefault(key, []).append(_source_name(source, partnership=partnership))
    for key, (line, observation) in pending.items():
        updating = key in own
        row = ImportRow(
            line=line,
            observation=observation,
            action="update" if updating else "create",
            previous=own.get(key),
            others=others.get(key, []),
        )
        if updating:
            report.updated += 1
            if len(report.updates) < MAX_LISTED:
                report.updates.append(row)
        else:
            report.created += 1
        if row.others:
            report.conflict_count += 1
            if len(report.conflicts) < MAX_LISTED:
                report.conflicts.append(row)
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append(row)


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
    indicator = Indicator(
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
    save_with_free_slug(indicator, next_slug=lambda: unique_indicator_slug(title))
    indicator.groups.set(groups)
    indicator.partnerships.add(partnership)
    return indicator


# ---- data gaps -----------------------------------------------------------------------------------------------------


def _local_noon(moment: dt.datetime, zone: str) -> dt.datetime:
    local = deadlines.to_local(moment, zone)
    return deadlines.localize(local.replace(hour=12, minute=0, second=0, microsecond=0, tzinfo=None), zone)


def _unique_child_slug(parent, title: str) -> str:
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
