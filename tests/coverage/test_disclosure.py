"""Disclosure control: the NHS rule, secondary suppression, and an attacker who must fail."""

from __future__ import annotations

import itertools
import random
import re

import pandas as pd
import pyarrow as pa
import pytest

from competency.coverage.disclosure import (
    SUPPRESSED,
    TOTAL,
    DisclosureRule,
    ProtectedTable,
    ensure_no_identifiers,
    find_identifiers,
    identifiers_of,
    protect,
)
from competency.errors import CompetencyError, DisclosureError

Grid = list[list[int]]


def table(rows: Grid) -> pd.DataFrame:
    return pd.DataFrame(rows, index=[f"g{i}" for i in range(len(rows))],
                        columns=[f"c{j}" for j in range(len(rows[0]))])


def published(result: ProtectedTable) -> list[list[str]]:
    return result.display().to_numpy().tolist()


# --- an independent attacker --------------------------------------------------------------

def interval(shown: str, rule: DisclosureRule) -> tuple[int, int]:
    """The true counts a published cell can stand for, by brute force over the rule."""
    if shown == SUPPRESSED:
        return 1, 10**9  # zeros are never suppressed, so a star is at least 1
    value = int(shown)
    candidates = [x for x in range(max(0, value - rule.rounding), value + rule.rounding + 1)
                  if not (rule.enabled and 1 <= x <= rule.threshold)
                  and (not rule.enabled or rule.rounding == 1
                       or (x + rule.rounding // 2) // rule.rounding * rule.rounding == value)]
    assert candidates, f"{shown} cannot be published under {rule}"
    return min(candidates), max(candidates)


def lines(n_rows: int, n_cols: int, column_totals: bool) -> list[list[tuple[int, int]]]:
    """Every line as its cells, the total last."""
    out = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if column_totals:
        out += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    return out


def bounds(cells: list[list[str]], rule: DisclosureRule, column_totals: bool = True
           ) -> dict[tuple[int, int], tuple[int, int]]:
    """Tighten each cell's interval from the line sums until nothing changes."""
    n_rows, n_cols = len(cells), len(cells[0])
    box = {(i, j): interval(cells[i][j], rule) for i in range(n_rows) for j in range(n_cols)}
    changed = True
    while changed:
        changed = False
        for line in lines(n_rows, n_cols, column_totals):
            *parts, total = line
            lo_sum = sum(box[c][0] for c in parts)
            hi_sum = sum(box[c][1] for c in parts)
            new = {total: (max(box[total][0], lo_sum), min(box[total][1], hi_sum))}
            for c in parts:
                lo = box[total][0] - (hi_sum - box[c][1])
                hi = box[total][1] - (lo_sum - box[c][0])
                new[c] = (max(box[c][0], lo), min(box[c][1], hi))
            for c, value in new.items():
                if value != box[c]:
                    box[c] = value
                    changed = True
    return box


def full_grid(rows: Grid, column_totals: bool = True) -> Grid:
    grid = [[*row, sum(row)] for row in rows]
    if column_totals:
        grid.append([sum(col) for col in zip(*grid, strict=True)])
    return grid


def assert_safe(rows: Grid, rule: DisclosureRule, column_totals: bool = True) -> None:
    """No suppressed cell can be recovered from the published table."""
    cells = published(protect(table(rows), rule, column_totals=column_totals))
    truth = full_grid(rows, column_totals)
    for line in lines(len(cells), len(cells[0]), column_totals):
        stars = [c for c in line if cells[c[0]][c[1]] == SUPPRESSED]
        assert len(stars) != 1, f"{rows}: line {line} has one suppressed cell"
    need = max(2, min(rule.rounding, rule.threshold))  # as uncertain as a rounded count
    for (i, j), (lo, hi) in bounds(cells, rule, column_totals).items():
        assert lo <= truth[i][j] <= hi, "the attacker must be sound"
        if cells[i][j] == SUPPRESSED:
            assert hi - lo + 1 >= need, f"{rows}: cell {(i, j)} pinned to [{lo}, {hi}]"
        else:
            assert not 1 <= truth[i][j] <= rule.threshold, f"{rows}: small count shown"


# --- the rule on single cells ---------------------------------------------------------------

def test_small_counts_are_stars_and_others_rounded_to_five() -> None:
    result = protect(table([[0, 1, 7, 8, 12, 13, 100]]), column_totals=False)
    assert published(result) == [["0", "*", "*", "10", "10", "15", "100", "140"]]
    assert result.primary.to_numpy().tolist() == [
        [False, True, True, False, False, False, False, False]]


def test_totals_come_from_unrounded_counts() -> None:
    result = protect(table([[8, 8], [8, 8]]))
    assert published(result) == [["10", "10", "15"], ["10", "10", "15"],
                                 ["15", "15", "30"]]


def test_rule_is_configurable() -> None:
    rows = [[2, 4, 9], [12, 30, 31]]
    assert published(protect(table(rows), DisclosureRule(enabled=False))) == [
        ["2", "4", "9", "15"], ["12", "30", "31", "73"], ["14", "34", "40", "88"]]
    assert published(protect(table(rows), DisclosureRule(threshold=3, rounding=1))) == [
        ["*", "*", "9", "15"], ["*", "*", "31", "73"], ["14", "34", "40", "88"]]
    assert published(protect(table(rows), DisclosureRule(threshold=0, rounding=10))) == [
        ["0", "0", "10", "20"], ["10", "30", "30", "70"], ["10", "30", "40", "90"]]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"threshold": -1}, "suppression threshold must not be negative (-1)"),
    ({"rounding": 0}, "rounding base must be at least 1 (0)"),
])
def test_bad_rules_are_refused(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(CompetencyError, match=f"^{re.escape(message)}$"):
        DisclosureRule(**kwargs)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(DisclosureError, match=r"^counts must not be negative$"):
        protect(table([[1, -1]]))


def test_describe_names_the_rule() -> None:
    assert DisclosureRule().describe().startswith(
        "Counts from 1 to 7 are shown as *; other counts are rounded to the nearest 5; ")
    assert DisclosureRule(enabled=False).describe() == (
        "Small numbers are not suppressed: exact counts are shown.")


# --- secondary suppression --------------------------------------------------------------------

def test_one_small_cell_in_a_row_takes_its_smallest_neighbour_with_it() -> None:
    result = protect(table([[3, 20, 40], [12, 9, 30], [50, 60, 21]]), DisclosureRule(rounding=1))
    cells = published(result)
    assert cells[0][:2] == [SUPPRESSED, SUPPRESSED]  # 3 and then 20, the smallest left
    assert cells[0][2] == "40"
    assert result.suppressed.loc["g0", "c1"]
    assert not result.primary.loc["g0", "c1"]


def test_a_small_total_is_suppressed_and_protected_in_the_totals_row() -> None:
    rows = [[3, 0, 0], [0, 0, 40], [9, 30, 50]]
    cells = published(protect(table(rows), DisclosureRule(rounding=1)))
    assert cells[0][3] == SUPPRESSED
    assert sum(c == SUPPRESSED for c in cells[0]) >= 2
    assert_safe(rows, DisclosureRule(rounding=1))


def test_a_single_column_table_suppresses_its_total() -> None:
    result = protect(table([[5], [40], [30]]))
    assert published(result) == [["*", "*"], ["40", "40"], ["*", "*"], ["75", "75"]]


def test_percentages_from_suppressed_counts_are_suppressed() -> None:
    result = protect(table([[3, 37], [20, 20], [40, 45]]))
    hidden = result.suppressed
    expected = hidden.drop(columns=TOTAL).to_numpy() | hidden[[TOTAL]].to_numpy()
    assert expected[0][0]
    assert not expected.all()
    assert (result.shares().isna().to_numpy() == expected).all()
    exact = protect(table([[10, 30]]), DisclosureRule(enabled=False), column_totals=False)
    assert exact.shares().to_numpy().tolist() == [[25.0, 75.0]]


def test_percentages_come_from_published_counts() -> None:
    result = protect(table([[12, 28]]), column_totals=False)
    assert published(result) == [["10", "30", "40"]]
    assert result.shares().to_numpy().tolist() == [[25.0, 75.0]]


CRAFTED: list[Grid] = [
    [[3, 20, 40], [12, 9, 30], [50, 60, 21]],
    [[1, 50], [50, 50]],
    [[1, 0], [0, 50]],
    [[7, 8], [8, 7]],
    [[2, 2, 2], [2, 2, 2]],
    [[1, 100, 100, 100]],
    [[0, 0, 4], [0, 0, 0], [9, 9, 9]],
    [[40, 40, 40], [40, 3, 40], [40, 40, 40]],
    [[8, 8, 8, 1], [8, 8, 8, 8], [8, 8, 8, 8]],
    [[13, 0], [0, 2]],
    [[1], [1], [1]],
    [[12, 13, 14], [15, 3, 100], [1, 1, 200]],
]


@pytest.mark.parametrize("rows", CRAFTED)
@pytest.mark.parametrize("rule", [DisclosureRule(), DisclosureRule(rounding=1),
                                  DisclosureRule(threshold=3, rounding=10)],
                         ids=["nhs", "no-rounding", "t3-r10"])
def test_crafted_tables_cannot_be_recovered(rows: Grid, rule: DisclosureRule) -> None:
    assert_safe(rows, rule)


@pytest.mark.parametrize("seed", range(100))
def test_random_tables_cannot_be_recovered(seed: int) -> None:
    rng = random.Random(seed)
    values = [0, 0, 1, 2, 3, 5, 7, 8, 9, 11, 14, 25, 60]
    rows = [[rng.choice(values) for _ in range(rng.randint(1, 6))]]
    rows += [[rng.choice(values) for _ in rows[0]] for _ in range(rng.randint(0, 6))]
    for rule in (DisclosureRule(), DisclosureRule(rounding=1)):
        assert_safe(rows, rule)
        assert_safe(rows, rule, column_totals=False)


def row_choices(cells: list[list[str]], box: dict[tuple[int, int], tuple[int, int]],
                i: int) -> list[list[int]]:
    """Every filling of row ``i``'s interior stars within the boxes and its known total."""
    n_cols = len(cells[0]) - 1
    stars = [j for j in range(n_cols) if cells[i][j] == SUPPRESSED]
    known = sum(int(cells[i][j]) for j in range(n_cols) if j not in stars)
    ranges = [range(box[i, j][0], box[i, j][1] + 1) for j in stars]
    if cells[i][n_cols] == SUPPRESSED or not stars:
        return [list(choice) for choice in itertools.product(*ranges)]
    out = []
    for head in itertools.product(*ranges[:-1]):
        last = int(cells[i][n_cols]) - known - sum(head)
        if last in ranges[-1]:
            out.append([*head, last])
    return out


@pytest.mark.parametrize("rows", [[[3, 9], [12, 2]], [[1, 30], [30, 1]], [[4, 4], [4, 40]],
                                  [[2, 9, 0], [11, 1, 8]], [[5, 0, 9], [0, 6, 9]],
                                  [[1, 2, 3], [20, 30, 40], [4, 50, 5]]])
def test_an_exact_attacker_cannot_pin_down_a_suppressed_cell(rows: Grid) -> None:
    """Without rounding the totals are exact: enumerate every table consistent with them."""
    rule = DisclosureRule(rounding=1)
    cells = published(protect(table(rows), rule))
    box = bounds(cells, rule)
    n_rows, n_cols = len(rows), len(rows[0])
    unknown = [(i, j) for i in range(n_rows) for j in range(n_cols)
               if cells[i][j] == SUPPRESSED]
    seen: dict[tuple[int, int], set[int]] = {c: set() for c in unknown}
    for choice in itertools.product(*(row_choices(cells, box, i) for i in range(n_rows))):
        guess = [v for row in choice for v in row]
        grid = [[0 if cells[i][j] == SUPPRESSED else int(cells[i][j]) for j in range(n_cols)]
                for i in range(n_rows)]
        for (i, j), value in zip(unknown, guess, strict=True):
            grid[i][j] = value
        full = full_grid(grid)
        if all(cells[i][j] in (SUPPRESSED, str(full[i][j]))
               for i in range(n_rows + 1) for j in range(n_cols + 1)):
            for cell, value in zip(unknown, guess, strict=True):
                seen[cell].add(value)
    assert unknown
    for cell in unknown:
        assert rows[cell[0]][cell[1]] in seen[cell]
        assert len(seen[cell]) >= 2, f"{cell} is determined: {seen[cell]}"


def test_labels_and_totals_are_kept() -> None:
    frame = pd.DataFrame({"met": [20, 30]}, index=pd.Index(["A", "B"], name="team"))
    result = protect(frame)
    assert list(result.counts.index) == ["A", "B", TOTAL]
    assert list(result.counts.columns) == ["met", TOTAL]
    assert result.counts.loc[TOTAL, TOTAL] == 50


# --- identifiers -------------------------------------------------------------------------------

def test_identifiers_are_found_as_whole_words_only() -> None:
    texts = ["team NMR-0001 met 10", "S0002, Nurse", "S00023 is another", "<img src='data:"
             "image/png;base64,AAS0003AA S0003'>", "Jane Smith wrote", "ward-S0004"]
    ids = ["NMR-0001", "S0002", "S0003", "Jane Smith", "S0004", "S0005", "12"]
    assert find_identifiers(texts, ids) == ["Jane Smith", "NMR-0001", "S0002", "S0004"]
    assert find_identifiers(["10 12 15"], ["12", "1234"]) == []
    assert find_identifiers(texts, pa.chunked_array([ids[:3], ids[3:]])) == [
        "Jane Smith", "NMR-0001", "S0002", "S0004"]


def test_identifiers_of_a_staff_table_are_trimmed_and_never_empty() -> None:
    table = pa.table({"staff_id": [" S1", "S2", "S3 "], "role": ["a", "b", "c"],
                      "username": pa.array(["u1", "", "S2"]).dictionary_encode(),
                      "email": ["a@x.org ", "  ", "b@x.org"]})
    assert sorted(identifiers_of(table).to_pylist()) == [
        "S1", "S2", "S2", "S3", "a@x.org", "b@x.org", "u1"]
    assert find_identifiers(["mail a@x.org or S3"], identifiers_of(table)) == [
        "S3", "a@x.org"]


def test_an_output_naming_staff_is_refused() -> None:
    with pytest.raises(DisclosureError, match=(
            r"^report\.html: an aggregated output contains a staff identifier "
            r"\(S0002 and 1 more\); not written$")):
        ensure_no_identifiers("report.html", ["S0002 and S0003"], ["S0003", "S0002"])
    ensure_no_identifiers("report.html", ["nobody here"], ["S0002"])
