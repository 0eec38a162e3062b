"""Small-cell suppression (recommendation 7): public tables, charts, downloads and the API hide small counts.

Hiding a small count is not enough when its table also publishes a total or its other breakdowns: total 9,
female 5 and male hidden gives male = 4 by subtraction. So every table is protected as a whole:

1. *primary* suppression hides each count in 1…threshold-1 (zero is not disclosive and stays visible);
2. *complementary* suppression then hides further published cells, the smallest non-zero first, until no hidden
   value follows from the published ones through the sums the table publishes.

A table is a list of cells, each with its coordinates (``{"sex": "female", "age_group": "65+"}``; a dimension
is left out where the cell is its total, so ``{}`` is the grand total) and its value. A cell that lacks some
dimensions of other cells is published as their sum (see ``margins``; cells the table implies without publishing
them, such as the total of two breakdowns that is not itself shown, take part as unknowns). A hidden cell is safe
when it is not determined by that system of linear equations, checked exactly (integer arithmetic, no rounding) on
the reduced row echelon form of the equations restricted to the unknown cells.

Everything here is pure except ``site_minimum``: decide on the *whole* table that is published together (all
breakdowns of an indicator for a city, period and source; a whole dataset), then filter, so that two filtered
views cannot be combined into a hidden value.
"""

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from wagtail.models import Site

from hub.models import SiteSettings

SUPPRESSED = None  # what a hidden cell becomes in JSON
# How a hidden cell reads in HTML and CSV ("c" for confidential, as national statistical offices mark it). The
# same mark for small and complementary cells: telling them apart would narrow what a hidden cell can be.
SUPPRESSED_LABEL = "[c]"

# Row labels that mean "every value of this dimension" (compared without case, accents and punctuation).
TOTAL_LABELS = frozenset(
    {
        "",
        "*",
        "total",
        "totals",
        "all",
        "overall",
        "both sexes",
        "gesamt",
        "insgesamt",
        "zusammen",
        "summe",
        "alle",
        "beide geschlechter",
        "todos",
        "todas",
        "ambos sexos",
        "tous",
        "toutes",
        "ensemble",
        "les deux sexes",
        "totale",
        "tutti",
        "tutte",
    }
)
TOTAL_PREFIXES = ("all ", "alle ", "todos ", "todas ", "tous ", "toutes ")
TOTAL_WORDS = frozenset({"total", "totals", "gesamt", "insgesamt", "totale"})  # "Graz (total)", "Stadt gesamt"


def site_minimum() -> int:
    """The site-wide minimum threshold (SiteSettings.small_cell_threshold, default 5)."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return 5
    return max(1, SiteSettings.for_site(site).small_cell_threshold)


def effective_threshold(requested: int | None, *, minimum: int | None = None) -> int:
    """A dataset's threshold: what it asks for, but never lower than the site minimum."""
    floor = site_minimum() if minimum is None else minimum
    return max(floor, requested or 0)


def number(value) -> Decimal | None:
    """A cell's value as a number, or None when it is empty or not a number (an unknown to a reader)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value).strip())
    except (ArithmeticError, InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def is_suppressed(value, threshold: int | None) -> bool:
    """True for a count in 1…threshold-1 (zero is not disclosive and stays visible); the primary rule."""
    if threshold is None:
        return False
    value = number(value)
    return value is not None and 0 < value < threshold


def label() -> str:
    """How a hidden cell reads in HTML and CSV."""
    return SUPPRESSED_LABEL


def is_total_label(text) -> bool:
    """Whether a dimension value says "all of them" ("Total", "All ages", "Both sexes", an empty cell …)."""
    plain = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    plain = " ".join(re.split(r"[^a-z0-9*]+", plain)).strip()
    return plain in TOTAL_LABELS or plain.startswith(TOTAL_PREFIXES) or not TOTAL_WORDS.isdisjoint(plain.split())


@dataclass(frozen=True)
class Sum:
    """A published margin: cell ``total`` equals the sum of cells ``parts`` (indices into the table)."""

    total: int
    parts: tuple[int, ...]


def margins(coordinates: Sequence[Mapping[Hashable, Hashable]]) -> list[Sum]:
    """The sums a table publishes, inferred from its cells' coordinates.

    A cell whose dimensions are a proper subset of other cells' equals the sum of those that agree with it on
    its own dimensions: ``{}`` = Σ ``{sex}`` = Σ ``{age}`` = Σ ``{sex, age}``; ``{sex: f}`` = Σ ``{sex: f, age}``.
    A breakdown that is not complete makes a false equation, which can only hide more, never less.
    """
    keys = [tuple(sorted(c.items(), key=lambda item: str(item[0]))) for c in coordinates]
    by_dimensions: dict[frozenset, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        by_dimensions[frozenset(k for k, _v in key)].append(index)
    sums = []
    for coarse, totals in by_dimensions.items():
        for fine, cells in by_dimensions.items():
            if not coarse < fine:
                continue
            groups: dict[tuple, list[int]] = defaultdict(list)
            for index in cells:
                groups[tuple(item for item in keys[index] if item[0] in coarse)].append(index)
            for index in totals:
                parts = groups.get(keys[index])
                if parts:
                    sums.append(Sum(index, tuple(parts)))
    return sums


def _equation(total: int, parts: Iterable[int]) -> dict[int, int]:
    """``total - Σ parts`` as {cell: coefficient}; a cell listed twice keeps its net coefficient."""
    row: dict[int, int] = defaultdict(int)
    row[total] += 1
    for part in parts:
        row[part] -= 1
    return {cell: coefficient for cell, coefficient in row.items() if coefficient}


def _eliminate(target: dict[int, int], row: dict[int, int], column: int) -> dict[int, int]:
    """``target`` with its entry in ``column`` cancelled by a multiple of ``row`` (integers, divided by their gcd)."""
    a, b = row[column], target[column]
    result = {cell: a * coefficient for cell, coefficient in target.items()}
    for cell, coefficient in row.items():
        value = result.get(cell, 0) - b * coefficient
        if value:
            result[cell] = value
        else:
            result.pop(cell, None)
    divisor = math.gcd(*result.values()) if result else 1
    return {cell: value // divisor for cell, value in result.items()} if divisor > 1 else result


def determined(unknown: Iterable[int], sums: Sequence[Sum]) -> set[int]:
    """The cells of ``unknown`` whose value follows from every other (published) cell through ``sums``.

    Moving the published cells of each equation to the right-hand side leaves a system over the unknowns; an
    unknown is determined exactly when its unit vector lies in the row space of that system, i.e. when a row of
    its reduced row echelon form has a single non-zero entry, at that unknown. Exact: integer rows, no rounding.
    """
    unknown = set(unknown)
    pivots: dict[int, dict[int, int]] = {}  # pivot column → its row; no other pivot row has that column
    holders: dict[int, set[int]] = defaultdict(set)  # column → pivots whose row has a non-zero there
    for total_sum in sums:
        row = {
            cell: coefficient
            for cell, coefficient in _equation(total_sum.total, total_sum.parts).items()
            if cell in unknown
        }
        for column in [c for c in row if c in pivots]:
            if column in row:
                row = _eliminate(row, pivots[column], column)
        if not row:
            continue  # implied by the equations seen so far
        pivot = min(row)
        for other in list(holders.get(pivot, ())):
            before = pivots[other]
            after = _eliminate(before, row, pivot)
            for cell in before.keys() - after.keys():
                holders[cell].discard(other)
            for cell in after.keys() - before.keys():
                holders[cell].add(other)
            pivots[other] = after
        pivots[pivot] = row
        for cell in row:
            if cell != pivot:
                holders[cell].add(pivot)
    return {pivot for pivot, row in pivots.items() if len(row) == 1}


def _components(unknown: set[int], sums: Sequence[Sum]) -> list[tuple[set[int], list[Sum]]]:
    """Unknown cells linked by a common sum, each group with the sums that touch it (solved separately)."""
    parent = {cell: cell for cell in unknown}

    def root(cell: int) -> int:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    touching = []
    for total_sum in sums:
        cells = [c for c in (total_sum.total, *total_sum.parts) if c in unknown]
        if not cells:
            continue
        touching.append((cells[0], total_sum))
        first = root(cells[0])
        for cell in cells[1:]:
            other = root(cell)
            if other != first:
                parent[other] = first
    groups: dict[int, tuple[set[int], list[Sum]]] = {}
    for cell in unknown:
        groups.setdefault(root(cell), (set(), []))[0].add(cell)
    for cell, total_sum in touching:
        groups[root(cell)][1].append(total_sum)
    return [group for group in groups.values() if group[1]]


# A deterministic budget (never a clock: two runs must hide the same cells). Past it — more rounds, a larger group
# of linked unknown cells, more unknowns solved in all — a group gets every published non-zero cell linked to it
# hidden instead, which is always safe and only ever needed for very large tables with many small counts.
MAX_ROUNDS = 60
MAX_LINKED = 4000
MAX_WORK = 150_000


class _Protection:
    """The state of ``protect``: which cells are unknown to a reader, and which sums hold each cell."""

    def __init__(self, numbers: list[Decimal | None], sums: Sequence[Sum], hidden: set[int]):
        self.numbers = numbers
        self.sums = sums
        self.hidden = hidden
        self.fresh = list(hidden)  # hidden cells whose sums the cheap pass has not looked at yet
        self.unknown = hidden | {i for i, n in enumerate(numbers) if n is None}
        self.work = 0  # unknowns solved so far, against MAX_WORK
        self.sums_of: dict[int, list[int]] = defaultdict(list)
        for position, total_sum in enumerate(sums):
            for cell in {total_sum.total, *total_sum.parts}:
                self.sums_of[cell].append(position)

    def cells(self, position: int) -> set[int]:
        total_sum = self.sums[position]
        return {total_sum.total, *total_sum.parts}

    def smallest_published(self, positions: Iterable[int]) -> int | None:
        """The published non-zero cell with the smallest value in the given sums (ties: the first cell)."""
        found = {cell for position in positions for cell in self.cells(position) if cell not in self.unknown}
        found = {cell for cell in found if self.numbers[cell]}
        return min(found, key=lambda i: (abs(self.numbers[i]), i)) if found else None

    def hide(self, cell: int) -> None:
        self.hidden.add(cell)
        self.unknown.add(cell)
        self.fresh.append(cell)

    def close_single_gaps(self) -> None:
        """Cheap first pass: a sum with one unknown cell gives it away; hide its smallest published cell too."""
        queue = [position for cell in self.fresh for position in self.sums_of[cell]]
        self.fresh = []
        while queue:
            position = queue.pop()
            cells = self.cells(position)
            unknown = cells & self.unknown
            if len(unknown) != 1 or not unknown & self.hidden:
                continue
            complement = self.smallest_published([position])
            if complement is not None:
                self.hide(complement)
                queue.extend(self.sums_of[complement])
        self.fresh = []

    def hide_all_linked(self, cells: Iterable[int]) -> None:
        """Hide every published non-zero cell linked to ``cells`` through sums, however far (the safe fallback)."""
        seen = set(cells)
        queue = list(seen)
        while queue:
            for position in self.sums_of[queue.pop()]:
                for cell in self.cells(position) - seen:
                    seen.add(cell)
                    if cell in self.unknown:
                        queue.append(cell)
                    elif self.numbers[cell]:
                        self.hide(cell)
                        queue.append(cell)

    def close_combined_gaps(self, *, last: bool) -> bool:
        """Hide a complement for each hidden cell that sums combined give away; False when none does.

        In the ``last`` round (or for a group too large to solve), hide every published non-zero cell of the
        group's sums: with all of them hidden, no hidden cell of a consistent table can be worked out."""
        added = False
        for cells, group_sums in _components(self.unknown, self.sums):
            if not cells & self.hidden:
                continue
            self.work += len(cells)
            too_large = len(cells) > MAX_LINKED or self.work > MAX_WORK
            exposed = cells & self.hidden if too_large else determined(cells, group_sums) & self.hidden
            if exposed and (last or too_large):
                self.hide_all_linked(cells)
                added = True
                continue
            used: set[int] = set()
            for cell in sorted(exposed, key=lambda i: (abs(self.numbers[i]), i)):
                positions = self.sums_of[cell]
                if used.issuperset(positions):
                    continue  # a complement was just added in each of its sums: check again in the next round
                complement = self.smallest_published(positions)
                if complement is None:
                    # A chain through other unknowns: the smallest published cell anywhere along it.
                    complement = self.smallest_published(p for c in cells for p in self.sums_of[c])
                if complement is None:
                    continue  # only an inconsistent table can give a cell away when nothing is left to hide
                self.hide(complement)
                used.update(self.sums_of[complement])
                added = True
        return added


def protect(
    values: Sequence,
    sums: Sequence[Sum],
    thresholds: Sequence[int | None] | int | None,
) -> set[int]:
    """The indices of the cells to hide: the small ones, then complementary ones until none can be worked out.

    ``thresholds`` is one threshold for every cell or one per cell; None means the cell is not a count of people
    and is never hidden for itself (it can still be hidden to protect another). Cells that are empty or not
    numbers are unknown to a reader already: they take part in the equations but need no protection.
    """
    numbers = [number(v) for v in values]
    if thresholds is None or isinstance(thresholds, int):
        thresholds = [thresholds] * len(values)
    hidden = {i for i, (n, t) in enumerate(zip(numbers, thresholds, strict=True)) if t is not None and n and 0 < n < t}
    if not hidden or not sums:
        return hidden
    state = _Protection(numbers, sums, hidden)
    for round_number in range(MAX_ROUNDS):
        state.close_single_gaps()
        if not state.close_combined_gaps(last=round_number == MAX_ROUNDS - 1):
            break
    return state.hidden


def unpublished_cells(coordinates: Sequence[Mapping[Hashable, Hashable]]) -> list[dict]:
    """The cells a table implies without publishing them, as coordinates: unknown to a reader, but they link
    the published ones (``{sex}`` and ``{age}`` both add up to the unpublished total, so Σ sex = Σ age).

    For every set of dimensions that is published or the intersection of published ones, each restriction of a
    finer cell that is not itself published.
    """
    present = {frozenset(c.items()) for c in coordinates}
    levels = {frozenset(c) for c in coordinates}
    closed = set(levels)
    while True:
        more = {a & b for a in closed for b in closed} - closed
        if not more:
            break
        closed |= more
    missing: dict[frozenset, dict] = {}
    for level in closed:
        for cell in coordinates:
            if level < frozenset(cell):
                restricted = frozenset((k, v) for k, v in cell.items() if k in level)
                if restricted not in present and restricted not in missing:
                    missing[restricted] = dict(restricted)
    return list(missing.values())


def hidden_cells(
    coordinates: Sequence[Mapping[Hashable, Hashable]],
    values: Sequence,
    thresholds: Sequence[int | None] | int | None,
) -> set[int]:
    """``protect`` for a table given by its cells' coordinates and values: its sums inferred by ``margins``, with
    the cells it implies without publishing them as unknowns."""
    if thresholds is None or (not isinstance(thresholds, int) and all(t is None for t in thresholds)):
        return set()
    if isinstance(thresholds, int):
        thresholds = [thresholds] * len(values)
    implied = unpublished_cells(coordinates)
    everything = [*coordinates, *implied]
    hidden = protect([*values, *[None] * len(implied)], margins(everything), [*thresholds, *[None] * len(implied)])
    return {index for index in hidden if index < len(values)}
