"""The figures learners read off modules 03, 04 and 06 agree with the keyed answers.

Each module is executed (solution cells as committed) in a private copy, and the
numbers the learner is told to read from a printed table or line are parsed out of
the cell outputs: the HTML table Jupyter shows for a DataFrame, or the printed text.
They are compared with the keyed answer in the question's hidden test, with the
tolerance that hidden test allows, and with the value in the solution cell. Figures
quoted in prompts and in the practice questions that send the learner to a table are
checked against the same outputs, exactly as printed.
"""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import nbformat
import pytest
import yaml

from conftest import COURSE

pytestmark = pytest.mark.notebooks

M03 = "03-equality-impact-assessment"
M04 = "04-equality-data"
M06 = "06-leading-and-commissioning"

Run = Callable[[str], Any]


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """``executed(module)``: the module's notebook after running every cell, once per module."""
    from nbclient import NotebookClient

    done: dict[str, Any] = {}
    runtime = tmp_path_factory.mktemp("jupyter-runtime")

    def run(module: str) -> Any:
        if module not in done:
            folder = tmp_path_factory.mktemp("course") / module
            shutil.copytree(COURSE / "source" / module, folder,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
            notebook = nbformat.read(folder / f"{module}.ipynb", as_version=4)
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
                NotebookClient(notebook, timeout=600, kernel_name="python3",
                               resources={"metadata": {"path": str(folder)}}).execute()
            done[module] = notebook
        return done[module]

    return run


# --------------------------------------------------------------------------- reading cells

def find_cell(notebook: Any, snippet: str) -> tuple[int, Any]:
    """The one code cell whose source contains ``snippet``, with its index."""
    found = [(i, c) for i, c in enumerate(notebook.cells)
             if c.cell_type == "code" and snippet in c.source]
    assert len(found) == 1, f"expected one code cell containing {snippet!r}, found {len(found)}"
    return found[0]


def graded_cell(notebook: Any, grade_id: str) -> Any:
    cells = [c for c in notebook.cells
             if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id]
    assert len(cells) == 1, grade_id
    return cells[0]


def printed(cell: Any) -> str:
    """Everything the cell printed (stdout), as one string."""
    return "".join(o.text for o in cell.outputs if o.output_type == "stream"
                   and o.name == "stdout")


def shown_html(cell: Any) -> str:
    """The HTML of the cell's displayed result (a DataFrame), as the learner sees it."""
    html = [o.data["text/html"] for o in cell.outputs
            if o.output_type in ("execute_result", "display_data") and "text/html" in o.data]
    assert len(html) == 1, "expected one displayed table"
    return str(html[0])


class _Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.section = ""
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("thead", "tbody"):
            self.section = tag
        elif tag == "tr":
            self.rows.append([self.section])
        elif tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def html_table(html: str) -> dict[str, dict[str, str]]:
    """``{row label: {column: text shown}}`` from a pandas DataFrame's HTML."""
    parser = _Table()
    parser.feed(html)
    head = [r[1:] for r in parser.rows if r[0] == "thead"]
    body = [r[1:] for r in parser.rows if r[0] == "tbody"]
    columns = head[0][1:]
    assert all(len(r) == len(columns) + 1 for r in body), "a ragged or truncated table"
    return {row[0]: dict(zip(columns, row[1:], strict=True)) for row in body}


def text_row(text: str, label: str, columns: list[str]) -> dict[str, str]:
    """One row of a DataFrame printed with ``print``: ``{column: text}``."""
    header = next(line for line in text.splitlines() if all(c in line for c in columns))
    ordered = sorted(columns, key=header.index)
    line = next(line for line in text.splitlines() if line.startswith(label + " "))
    values = line[len(label):].split()
    assert len(values) == len(ordered), line
    return dict(zip(ordered, values, strict=True))


def number(text: str) -> float:
    return float(text.replace(",", ""))


# --------------------------------------------------------------------------- keyed answers

HIDDEN = re.compile(r"assert abs\((q\d+) - ([-\d.]+)\) (<=?) ([\d.]+)")
RANGE = re.compile(r"assert ([-\d.]+) <= (q\d+) <= ([-\d.]+)")
CHOICE = re.compile(r"assert (q\d+) == (.+)")
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)\n\s*### END SOLUTION", re.S)


def keyed(notebook: Any, qid: str) -> tuple[float, str, float]:
    """``(key, "<" or "<=", tolerance)`` from the question's hidden test: ``abs(qN - key)
    < tolerance`` or a range ``low <= qN <= high`` (its middle, half its width)."""
    source = graded_cell(notebook, f"{qid}_test").source
    span = RANGE.search(source)
    if span:
        assert span.group(2) == qid
        low, high = float(span.group(1)), float(span.group(3))
        return (low + high) / 2, "<=", (high - low) / 2 + 1e-9
    match = HIDDEN.search(source)
    assert match, f"{qid}: no numeric hidden test"
    assert match.group(1) == qid
    return float(match.group(2)), match.group(3), float(match.group(4))


def keyed_choice(notebook: Any, qid: str) -> object:
    match = CHOICE.search(graded_cell(notebook, f"{qid}_test").source)
    assert match, f"{qid}: no hidden test of a choice"
    assert match.group(1) == qid
    return ast.literal_eval(match.group(2))


def solution(notebook: Any, qid: str) -> object:
    """The literal between the solution markers of the question's answer cell."""
    match = SOLUTION.search(graded_cell(notebook, f"{qid}_answer").source)
    assert match, qid
    return ast.literal_eval(match.group(1).strip())


def allowed(value: float, key: float, op: str, tolerance: float) -> bool:
    gap = abs(value - key)
    return gap <= tolerance if op == "<=" else gap < tolerance


def check_figure(notebook: Any, qid: str, figure: float, where: str,
                 *, solution_value: object | None = None) -> None:
    key, op, tolerance = keyed(notebook, qid)
    assert allowed(figure, key, op, tolerance), (
        f"{qid}: {where} shows {figure}, keyed answer {key} (tolerance {op} {tolerance})")
    value = solution(notebook, qid) if solution_value is None else solution_value
    assert isinstance(value, int | float)
    assert allowed(float(value), key, op, tolerance), f"{qid}: solution {value} vs key {key}"
    assert allowed(figure, float(value), op, tolerance), (
        f"{qid}: {where} shows {figure}, solution cell has {value}")


def bank(module: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (COURSE / "source" / module / "questions.yaml").read_text(encoding="utf-8"))
    return data


# --------------------------------------------------------------------------- module 03

def test_03_q5_no_internet_count(executed: Run) -> None:
    nb = executed(M03)
    index, cell = find_cell(nb, "# Count the patients with each kind of digital access")
    counts = dict(re.findall(r"^(\S.*?)\s+(\d+)$", cell.outputs[0].data["text/plain"], re.M))
    check_figure(nb, "q5", number(counts["No internet"]), f"cell {index}, 'No internet'")


def test_03_q6_no_internet_share_aged_75_to_84(executed: Run) -> None:
    nb = executed(M03)
    index, cell = find_cell(nb, "# Show the table to one decimal place")
    table = html_table(shown_html(cell))
    check_figure(nb, "q6", number(table["75-84"]["No internet"]),
                 f"cell {index}, row 75-84, column No internet")


def test_03_practice_p4_quotes_the_same_table(executed: Run) -> None:
    nb = executed(M03)
    _, cell = find_cell(nb, "# Show the table to one decimal place")
    shown = html_table(shown_html(cell))["65-74"]["No internet"]
    assert '"65-74" shows 20.8 in the column "No internet"' in bank(M03)["practice"]["p4"]["prompt"]
    assert shown == "20.8"


def test_03_q7_no_internet_share_of_disabled_patients(executed: Run) -> None:
    nb = executed(M03)
    cell = graded_cell(nb, "q7_answer")
    index = nb.cells.index(cell)
    row = text_row(printed(cell), "Yes", ["Computer only", "No internet", "Smartphone"])
    check_figure(nb, "q7", number(row["No internet"]),
                 f"cell {index}, printed row Yes, column No internet",
                 solution_value=number(row["No internet"]))
    assert "Recorded: q7 = " + row["No internet"] in printed(cell)
    assert solution(nb, "q7") == "disabled"


def test_03_q8_appointments_of_patients_without_internet(executed: Run) -> None:
    nb = executed(M03)
    index, cell = find_cell(nb, '"% of appointments": appointment_share')
    row = html_table(shown_html(cell))["No internet"]
    check_figure(nb, "q8", number(row["% of appointments"]),
                 f"cell {index}, row No internet, column % of appointments")
    # the prompt quotes the patients' share from the same table
    prompt = next(c.source for c in nb.cells if c.get("metadata", {}).get("nbgrader", {})
                  .get("grade_id") == "q8_prompt")
    quoted = re.search(r"no internet access are ([\d.]+)%", prompt)
    assert quoted
    assert quoted.group(1) == row["% of patients"]


def test_03_language_figures_quoted_before_q9(executed: Run) -> None:
    nb = executed(M03)
    _, cell = find_cell(nb, 'patients["main_language"].value_counts()')
    counts = {k.strip(): int(v) for k, v in
              re.findall(r"^(\S.*?)\s+(\d+)$", cell.outputs[0].data["text/plain"], re.M)}
    others = {k: v for k, v in counts.items() if k != "English"}
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert f"{sum(others.values())} patients have a main language other than English, " \
           f"across {len(others)} languages" in text.replace("\n", " ")
    assert counts["British Sign Language"] == 13
    assert "Thirteen Marshfield patients have British Sign Language" in \
        bank(M03)["practice"]["p5"]["prompt"]


# --------------------------------------------------------------------------- module 04

def test_04_q2_share_without_a_usable_code(executed: Run) -> None:
    nb = executed(M04)
    index, cell = find_cell(nb, '"% of all": shares')
    table = html_table(shown_html(cell))
    total = round(number(table["Z"]["% of all"]) + number(table["99"]["% of all"]), 1)
    check_figure(nb, "q2", total, f"cell {index}, Z + 99 in column % of all")


def test_04_q3_overall_rate(executed: Run) -> None:
    nb = executed(M04)
    index, cell = find_cell(nb, 'print("Overall uptake:"')
    match = re.fullmatch(r"Overall uptake: ([\d.]+) per 1,000 eligible\n", printed(cell))
    assert match, printed(cell)
    check_figure(nb, "q3", number(match.group(1)), f"cell {index}, printed line")


def test_04_q4_rate_of_group_k(executed: Run) -> None:
    nb = executed(M04)
    index, cell = find_cell(nb, 'rates["high_risk_pct"] = ')
    row = html_table(shown_html(cell))["K"]
    check_figure(nb, "q4", number(row["rate_per_1000"]), f"cell {index}, row K, rate_per_1000")
    # the figures the markdown after q4 and the q6 prompt quote from this table
    text = " ".join(c.source.replace("\n", " ") for c in nb.cells if c.cell_type == "markdown")
    assert f"{row['high_risk_pct']}% of those who attended were at high risk" in text
    assert f"({row['eligible']} eligible people out of 9,350)" in text
    assert f"only {row['eligible']} people out of 9,350" in text
    assert f"3,569 White British attendances and {row['attended']} Bangladeshi" in text


def test_04_q5_upper_end_of_group_k_interval(executed: Run) -> None:
    nb = executed(M04)
    index, cell = find_cell(nb, 'rates[["eligible", "attended", "rate_per_1000", "lower_95"')
    shown = html_table(shown_html(cell))["K"]["upper_95"]
    check_figure(nb, "q5", number(shown), f"cell {index}, row K, upper_95",
                 solution_value=number(shown))
    answer = graded_cell(nb, "q5_answer")
    match = re.search(r"^upper_95\s+([\d.]+)$", printed(answer), re.M)
    assert match, printed(answer)
    assert match.group(1) == shown
    assert solution(nb, "q5") == "K"


def test_04_practice_p2_quotes_group_m(executed: Run) -> None:
    nb = executed(M04)
    _, cell = find_cell(nb, 'rates[["eligible", "attended", "rate_per_1000", "lower_95"')
    row = html_table(shown_html(cell))["M"]
    prompt = bank(M04)["practice"]["p2"]["prompt"]
    assert (f"{row['eligible']} eligible people, of whom {row['attended']} attended: a rate of "
            f"{round(number(row['rate_per_1000']))} per 1,000, with a 95% interval from about "
            f"{round(number(row['lower_95']))} to {round(number(row['upper_95']))}") in prompt


def test_04_overall_counts_quoted_in_the_introduction(executed: Run) -> None:
    nb = executed(M04)
    _, cell = find_cell(nb, 'print(len(eligible), "rows of eligible counts;"')
    match = re.match(r"\d+ rows of eligible counts; (\d+) attendances", printed(cell))
    assert match
    text = " ".join(c.source.replace("\n", " ") for c in nb.cells if c.cell_type == "markdown")
    attended = int(match.group(1))
    assert f"and {attended:,} attended" in text
    _, shares = find_cell(nb, '"% of all": shares')
    eligible = sum(int(r["eligible"]) for r in html_table(shown_html(shares)).values())
    assert f"Last year {eligible:,} people were eligible" in text


def test_04_q8_languages_suppressed(executed: Run) -> None:
    nb = executed(M04)
    index, cell = find_cell(nb, 'languages["published"] = ')
    rows = html_table(shown_html(cell)).values()
    assert solution(nb, "q8") == "*"
    suppressed = sum(1 for r in rows if r["published"] == "*")
    key, op, tolerance = keyed(nb, "q8")
    assert allowed(suppressed, key, op, tolerance), (
        f"q8: cell {index} shows {suppressed} suppressed, keyed answer {key}")
    others = [r for r in rows if r["main_language"] != "English"]
    speakers = sum(int(r["patients"]) for r in others)
    everyone = sum(int(r["patients"]) for r in rows)
    text = " ".join(c.source.replace("\n", " ") for c in nb.cells if c.cell_type == "markdown")
    assert (f"the {len(others)} languages other than English are the main language of "
            f"{speakers:,} patients ({speakers / everyone * 100:.1f}%), but "
            f"{sum(1 for r in others if int(r['patients']) < 20)} of those languages have "
            "fewer than 20 speakers") in text
    assert bank(M04)["q8"]["max"] == len(rows)


# --------------------------------------------------------------------------- module 06

def indicator_counts(nb: Any) -> tuple[int, dict[str, dict[str, str]]]:
    index, cell = find_cell(nb, '"applied": applications.groupby("group").size()')
    return index, html_table(shown_html(cell))


@pytest.mark.parametrize(("qid", "group"), [("q5", "White"), ("q6", "BME")])
def test_06_likelihood_from_shortlisting(executed: Run, qid: str, group: str) -> None:
    nb = executed(M06)
    index, table = indicator_counts(nb)
    appointed, shortlisted = int(table[group]["appointed"]), int(table[group]["shortlisted"])
    # the learner divides the two printed counts and gives two decimal places
    check_figure(nb, qid, round(appointed / shortlisted, 2),
                 f"cell {index}, row {group}: {appointed} / {shortlisted}")


def test_06_q7_relative_likelihood(executed: Run) -> None:
    nb = executed(M06)
    index, table = indicator_counts(nb)
    white = round(int(table["White"]["appointed"]) / int(table["White"]["shortlisted"]), 2)
    bme = round(int(table["BME"]["appointed"]) / int(table["BME"]["shortlisted"]), 2)
    check_figure(nb, "q7", round(white / bme, 2), f"cell {index}: q5 / q6 = {white} / {bme}")
    check_index, cell = find_cell(nb, 'print(f"Whole trust: relative likelihood')
    match = re.search(r"relative likelihood \(white compared with BME\) = ([\d.]+)",
                      printed(cell))
    assert match
    check_figure(nb, "q7", number(match.group(1)), f"cell {check_index}, printed line")


def test_06_q9_the_staff_group_with_one_bme_appointment(executed: Run) -> None:
    nb = executed(M06)
    index, cell = find_cell(nb, "by_staff_group.round(2)")
    table = html_table(shown_html(cell))
    single = [group for group, row in table.items() if row["BME appointed"] == "1"]
    key = keyed_choice(nb, "q9")
    assert isinstance(key, str)
    assert single == [bank(M06)["q9"]["options"][key]], f"cell {index}: {single}, keyed {key}"


def test_06_practice_p7_quotes_the_staff_group_table(executed: Run) -> None:
    nb = executed(M06)
    _, cell = find_cell(nb, "by_staff_group.round(2)")
    table = html_table(shown_html(cell))
    p7 = bank(M06)["practice"]["p7"]
    ahp = table["Allied health professionals"]
    assert (f"about {ahp['relative likelihood']} ({ahp['white appointed']} of "
            f"{ahp['white shortlisted']} white and {ahp['BME appointed']} of "
            f"{ahp['BME shortlisted']} BME shortlisted applicants were appointed)"
            in p7["explanation"])
    below_one = [g for g, row in table.items() if number(row["relative likelihood"]) < 1]
    assert below_one == [p7["options"][p7["answer"]]]
    nursing = table["Registered nursing and midwifery"]["relative likelihood"]
    assert f"about {nursing}" in p7["feedback"]["A"]
    clerical = table["Administrative and clerical"]["relative likelihood"]
    assert f"is {number(clerical):g}" in p7["feedback"]["C"]
    assert number(table["Healthcare support workers"]["relative likelihood"]) > 4
