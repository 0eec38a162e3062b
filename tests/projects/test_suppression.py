"""Small-cell suppression as a pure module: primary and complementary suppression on tables with margins.

The property tests judge the module with a model of their own: every published cell is the sum of the cells of
an underlying full table, and a hidden cell is disclosed when its sum is a linear combination of the published
ones (exact fractions). No database.
"""

import itertools
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects import suppression

THRESHOLD = 5


# ---- the judge: an attacker's linear algebra, independent of the module -----------------------------------------


def _reduce(vector: list[Fraction], basis: dict[int, list[Fraction]]) -> list[Fraction]:
    vector = list(vector)
    for pivot, row in basis.items():
        if vector[pivot]:
            factor = vector[pivot]
            vector = [v - factor * r for v, r in zip(vector, row, strict=True)]
    return vector


def _echelon(rows: list[list[Fraction]]) -> dict[int, list[Fraction]]:
    """A basis of the row space, each row with a leading 1 that no other basis row has (dense, exact)."""
    basis: dict[int, list[Fraction]] = {}
    for row in rows:
        row = _reduce(row, basis)
        pivot = next((i for i, v in enumerate(row) if v), None)
        if pivot is None:
            continue
        row = [v / row[pivot] for v in row]
        for other, existing in basis.items():
            if existing[pivot]:
                factor = existing[pivot]
                basis[other] = [e - factor * r for e, r in zip(existing, row, strict=True)]
        basis[pivot] = row
    return basis


def disclosed(published: list[list[int]], hidden: list[list[int]]) -> list[int]:
    """Positions in ``hidden`` whose row (a sum over the full table) is a combination of the published rows."""
    basis = _echelon([[Fraction(v) for v in row] for row in published])
    return [n for n, row in enumerate(hidden) if not any(_reduce([Fraction(v) for v in row], basis))]


# ---- random tables with margins ---------------------------------------------------------------------------------


@st.composite
def tables(draw):
    """A full table over 1-3 dimensions, the levels of margins published, and cells left out of publication."""
    sizes = draw(st.lists(st.integers(2, 3), min_size=1, max_size=3))
    dimensions = [f"d{n}" for n in range(len(sizes))]
    full = list(itertools.product(*[range(size) for size in sizes]))
    value = st.one_of(st.just(0), st.integers(1, THRESHOLD - 1), st.integers(0, 30))
    counts = draw(st.lists(value, min_size=len(full), max_size=len(full)))
    levels = [frozenset(c) for r in range(len(dimensions) + 1) for c in itertools.combinations(dimensions, r)]
    published_levels = draw(st.lists(st.sampled_from(levels), min_size=1, max_size=len(levels), unique=True))
    cells = []
    for level in sorted(published_levels, key=lambda lv: (len(lv), sorted(lv))):
        names = sorted(level)
        for values in itertools.product(*[range(sizes[dimensions.index(n)]) for n in names]):
            cells.append(dict(zip(names, values, strict=True)))
    dropped = draw(st.sets(st.integers(0, len(cells) - 1), max_size=max(0, len(cells) // 4)))
    cells = [c for n, c in enumerate(cells) if n not in dropped] or cells[:1]
    rows = []  # each published cell as a 0/1 row over the full table
    for cell in cells:
        rows.append([int(all(point[dimensions.index(k)] == v for k, v in cell.items())) for point in full])
    values = [sum(c * r for c, r in zip(counts, row, strict=True)) for row in rows]
    return cells, values, rows


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(tables())
def test_no_hidden_cell_can_be_worked_out_from_what_is_published(table):
    cells, values, rows = table
    hidden = suppression.hidden_cells(cells, values, THRESHOLD)
    published = [rows[i] for i in range(len(cells)) if i not in hidden]
    order = sorted(hidden)
    assert disclosed(published, [rows[i] for i in order]) == []
    for index, value in enumerate(values):
        if 0 < value < THRESHOLD:
            assert index in hidden, "every small count is hidden"
        if value == 0:
            assert index not in hidden, "zero is not disclosive and stays visible"


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(tables())
def test_the_fallback_past_the_budget_is_safe_too(table):
    cells, values, rows = table
    rounds, suppression.MAX_ROUNDS = suppression.MAX_ROUNDS, 1
    try:
        hidden = suppression.hidden_cells(cells, values, THRESHOLD)
    finally:
        suppression.MAX_ROUNDS = rounds
    published = [rows[i] for i in range(len(cells)) if i not in hidden]
    assert disclosed(published, [rows[i] for i in sorted(hidden)]) == []
    assert not any(values[i] == 0 for i in hidden)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(tables())
def test_tables_without_small_counts_publish_everything(table):
    cells, values, _rows = table
    values = [0 if 0 < v < THRESHOLD else v for v in values]
    assert suppression.hidden_cells(cells, values, THRESHOLD) == set()


# ---- examples -------------------------------------------------------------------------------------------------


def test_a_total_and_one_sibling_do_not_give_the_small_count_away():
    # total 9, female 5, male 4: hiding male alone publishes it as 9 - 5.
    hidden = suppression.hidden_cells([{}, {"sex": "female"}, {"sex": "male"}], [9, 5, 4], THRESHOLD)
    assert hidden == {1, 2}


def test_when_the_only_other_cell_is_zero_the_total_is_hidden():
    hidden = suppression.hidden_cells([{}, {"sex": "female"}, {"sex": "male"}], [10, 3, 0], THRESHOLD)
    assert hidden == {0, 1}


def test_the_smallest_sibling_is_hidden_first():
    cells = [{}, {"age": "0-17"}, {"age": "18-64"}, {"age": "65+"}]
    assert suppression.hidden_cells(cells, [100, 2, 90, 8], THRESHOLD) == {1, 3}


def test_two_breakdowns_of_the_same_total_are_protected_together():
    # Sex and age both add up to the total: hiding the small age group alone would leave it 30 - 12 - 15.
    cells = [{}, {"sex": "f"}, {"sex": "m"}, {"age": "young"}, {"age": "middle"}, {"age": "old"}]
    values = [30, 14, 16, 3, 12, 15]
    hidden = suppression.hidden_cells(cells, values, THRESHOLD)
    assert {3, 4} <= hidden and 1 not in hidden and 2 not in hidden


def test_breakdowns_without_their_total_still_add_up_to_each_other():
    # No total published, but female + male = young + old: the small cell is 30 - 14 - 16 + ... → protected.
    cells = [{"sex": "f"}, {"sex": "m"}, {"age": "young"}, {"age": "old"}]
    hidden = suppression.hidden_cells(cells, [14, 16, 3, 27], THRESHOLD)
    assert 2 in hidden and len(hidden) >= 2
    rows = [[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1]]  # full table: (f,y) (f,o) (m,y) (m,o)
    assert disclosed([rows[i] for i in range(4) if i not in hidden], [rows[i] for i in sorted(hidden)]) == []


def test_a_two_way_table_with_both_margins():
    cells = [{}]
    cells += [{"sex": s} for s in "fm"] + [{"age": a} for a in "yo"]
    cells += [{"sex": s, "age": a} for s in "fm" for a in "yo"]
    values = [40, 20, 20, 22, 18, 2, 18, 20, 0]
    hidden = suppression.hidden_cells(cells, values, THRESHOLD)
    assert 5 in hidden and 8 not in hidden  # (f, y) = 2 hidden; (m, o) = 0 stays
    full = [(s, a) for s in "fm" for a in "yo"]
    rows = [
        [int(all(dict(zip(("sex", "age"), p, strict=True))[k] == v for k, v in c.items())) for p in full] for c in cells
    ]
    assert disclosed([rows[i] for i in range(9) if i not in hidden], [rows[i] for i in sorted(hidden)]) == []


def test_values_that_are_not_counts_are_never_hidden():
    cells = [{}, {"sex": "female"}, {"sex": "male"}]
    assert suppression.hidden_cells(cells, [9, 5, 4], None) == set()
    assert suppression.hidden_cells(cells, [9, 5, 4], [None, None, None]) == set()


def test_empty_and_text_cells_are_unknowns_not_values():
    # The male count is missing: total 9 and female 3 do not disclose anything more, but female is small.
    cells = [{}, {"sex": "female"}, {"sex": "male"}]
    assert suppression.hidden_cells(cells, ["9", "3", ""], THRESHOLD) == {1}
    assert suppression.hidden_cells(cells, ["9", "3", "n/a"], THRESHOLD) == {1}


def test_thresholds_can_differ_per_cell():
    cells = [{}, {"sex": "female"}, {"sex": "male"}]
    assert suppression.hidden_cells(cells, [30, 8, 22], [5, 10, 5]) == {1, 2}


def test_total_labels_in_several_languages():
    for text in (
        "Total",
        "TOTAL",
        "all",
        "All ages",
        "Both sexes",
        "Insgesamt",
        "Todos",
        "Ensemble",
        "",
        " * ",
        "Graz (total)",
    ):
        assert suppression.is_total_label(text), text
    for text in ("Gösting", "Alleinerziehende", "female", "65+", "Totalitarianism"):
        assert not suppression.is_total_label(text), text


def test_the_primary_rule():
    assert suppression.is_suppressed("3", 5) and suppression.is_suppressed(4.5, 5)
    assert not suppression.is_suppressed(0, 5) and not suppression.is_suppressed("5", 5)
    assert not suppression.is_suppressed("", 5) and not suppression.is_suppressed("x", 5)
    assert not suppression.is_suppressed(3, None)


def test_a_large_table_is_protected_quickly():
    # 40 districts × 6 years × 5 household types with every margin: the size of a city's open dataset.
    import time

    cells, values = [], []
    districts, years, kinds = [f"district {n}" for n in range(40)], [str(y) for y in range(2019, 2025)], "abcde"
    seed = 7
    for d, y, k in itertools.product([*districts, None], [*years, None], [*kinds, None]):
        cell = {key: v for key, v in (("district", d), ("year", y), ("kind", k)) if v is not None}
        cells.append(cell)
    full = {}
    for d, y, k in itertools.product(districts, years, kinds):
        seed = (seed * 1103515245 + 12345) % 2**31
        full[(d, y, k)] = seed % 40 if seed % 7 else seed % 5
    for cell in cells:
        values.append(
            sum(
                v
                for (d, y, k), v in full.items()
                if cell.get("district", d) == d and cell.get("year", y) == y and cell.get("kind", k) == k
            )
        )
    started = time.perf_counter()
    hidden = suppression.hidden_cells(cells, values, THRESHOLD)
    assert time.perf_counter() - started < 30  # a shared, slow test machine: ~4 s
    assert all(index in hidden for index, v in enumerate(values) if 0 < v < THRESHOLD)
