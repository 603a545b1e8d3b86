from __future__ import annotations

import types
from pathlib import Path

import pytest

from competency.course import exercises
from competency.course.exercises import QuestionBank
from competency.errors import AnswerError, QuestionError

BANK = {
    "q1": {"kind": "choice", "options": {"A": "Direct discrimination",
                                         "B": "Indirect discrimination"}},
    "q2": {"kind": "multi", "choose": 2, "options": ["race", "religion or belief", "accent"]},
    "q3": {"kind": "number", "min": 0, "max": 100},
    "q4": {"kind": "multi", "options": ["x", "y", "z"]},
    "q5": {"kind": "text", "min_words": 3},
    "q6": {"kind": "value", "type": "DataFrame", "columns": ["group", "rate"]},
}


@pytest.fixture
def bank() -> QuestionBank:
    return QuestionBank.from_mapping(BANK, "questions.yaml")


def test_choice_accepts_key_label_and_any_case(bank: QuestionBank) -> None:
    assert bank.answer("q1", "B") == "B"
    assert bank.answer("q1", "b") == "B"
    assert bank.answer("q1", " indirect  DISCRIMINATION ") == "B"


def test_multi_returns_a_set_of_keys(bank: QuestionBank) -> None:
    assert bank.answer("q2", "race", "Religion or belief") == {"race", "religion or belief"}
    assert bank.answer("q2", ["race", "accent"]) == frozenset({"race", "accent"})


def test_misspelt_option_gets_a_suggestion(bank: QuestionBank) -> None:
    with pytest.raises(AnswerError, match=r"^'relgion or belief' is not an option for q2\. "
                                          r"Did you mean 'religion or belief'\? The options are: "
                                          r"'race', 'religion or belief', 'accent'\.$"):
        bank.answer("q2", "race", "relgion or belief")


def test_wrong_number_of_choices(bank: QuestionBank) -> None:
    with pytest.raises(AnswerError, match=r"^q2 asks for 2 options; you gave 1\.$"):
        bank.answer("q2", "race")
    with pytest.raises(AnswerError, match=r"^q1 takes one option; you gave 2\."):
        bank.answer("q1", "A", "B")
    with pytest.raises(AnswerError, match="chose 'x' twice"):
        bank.answer("q4", "x", "x")


def test_the_release_stub_explains_itself(bank: QuestionBank) -> None:
    with pytest.raises(AnswerError, match=r'^q1 has no answer yet: replace the \.\.\. with one '
                                          r'option in quotes \(its letter or its words\), for '
                                          r'example  q1 = answer\("q1", "your option"\)$'):
        bank.answer("q1", ...)


def test_the_examples_never_suggest_an_option(bank: QuestionBank) -> None:
    nine = QuestionBank.from_mapping(
        {"q1": {"kind": "multi", "choose": 9, "options": [f"o{n}" for n in range(12)]}})
    for question in (*bank.questions.values(), nine.get("q1")):
        assert not any(f'"{key}"' in question.example() for key in question.options)
    assert nine.get("q1").example() == 'q1 = answer("q1", "option 1", "option 2", "option 3", ...)'
    with pytest.raises(AnswerError, match="9 options, each in quotes") as caught:
        nine.answer("q1", ...)
    assert "o0" not in str(caught.value)


@pytest.mark.parametrize(("qid", "value", "said"), [
    ("q1", 42, "q1 takes one option in quotes (its letter or its words); you gave the number 42."),
    ("q1", ["A", "B"], "q1 takes one option; you gave 2."),
    ("q3", "lots", "you gave the text 'lots'."),
    ("q3", [1, 2], "q3 takes one number; you gave 2 values."),
    ("q2", ("race", 3), "q2 takes 2 options, each in quotes, separated by commas; you gave the "
                        "number 3."),
    ("q5", 7, "q5 takes your answer as text in quotes; you gave the number 7."),
])
def test_a_value_of_the_wrong_kind_is_one_line_saying_what_to_put(
        bank: QuestionBank, qid: str, value: object, said: str) -> None:
    with pytest.raises(AnswerError) as caught:
        bank.answer(qid, value)
    assert said in str(caught.value)
    assert "\n" not in str(caught.value)


def test_tables_are_described_not_printed(bank: QuestionBank) -> None:
    import pandas as pd

    table = pd.DataFrame({"rate": range(100)})
    for qid in ("q1", "q3"):
        with pytest.raises(AnswerError, match=r"you gave a table \(DataFrame\)\.$"):
            bank.answer(qid, table)
    with pytest.raises(AnswerError, match=r"you gave a column of values \(Series\)\.$"):
        bank.answer("q3", table["rate"])
    assert bank.answer("q3", table["rate"].iloc[5]) == 5


def test_numbers(bank: QuestionBank) -> None:
    assert bank.answer("q3", 42.5) == 42.5
    assert bank.answer("q3", "1,2%") == 12
    with pytest.raises(AnswerError, match="should be at most 100"):
        bank.answer("q3", 101)
    with pytest.raises(AnswerError, match="takes one number, without quotes"):
        bank.answer("q3", "lots")


def test_unknown_question_suggests(bank: QuestionBank) -> None:
    with pytest.raises(AnswerError, match=r"There is no question 'q22' in this module\. "
                                          r"Did you mean 'q2'\?"):
        bank.answer("q22", "x")


def test_problems_reports_form_not_correctness(bank: QuestionBank) -> None:
    assert bank.problems("q1", "A") == []
    assert bank.problems("q2", frozenset({"race", "accent"})) == []
    assert bank.problems("q1", None, defined=False)[0].startswith("q1 has no answer yet")
    assert bank.problems("q5", "too short") == [
        "q5 has 2 word(s); a complete answer has at least 3."]
    assert bank.problems("q6", [1]) == ["q6 should be a DataFrame; it is a list."]


def test_value_dataframe_columns(bank: QuestionBank) -> None:
    import pandas as pd

    assert bank.problems("q6", pd.DataFrame({"group": [], "rate": []})) == []
    assert bank.problems("q6", pd.DataFrame({"group": []})) == [
        "q6 is missing the column(s): rate."]


def test_bad_bank_specs() -> None:
    with pytest.raises(QuestionError, match="unknown kind"):
        QuestionBank.from_mapping({"q1": {"kind": "essay"}})
    with pytest.raises(QuestionError, match="needs at least two options"):
        QuestionBank.from_mapping({"q1": {"kind": "choice", "options": ["only"]}})
    with pytest.raises(QuestionError, match=r"'choose' of q1 must be 1 to 2 \(5\)"):
        QuestionBank.from_mapping({"q1": {"kind": "multi", "choose": 5, "options": ["a", "b"]}})


def test_module_level_answer_and_check_read_the_callers_variables(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "questions.yaml").write_text(
        "q1:\n  kind: choice\n  options: {A: agree, B: disagree}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(exercises, "_bank", None)
    namespace: dict[str, object] = {"answer": exercises.answer, "check": exercises.check}
    exec('result_before = check("q1")', namespace)
    assert namespace["result_before"] is False
    assert "Not yet: q1 has no answer yet" in capsys.readouterr().out
    exec('q1 = answer("q1", "disagree")\nresult = check("q1")', namespace)
    assert namespace["q1"] == "B"
    assert namespace["result"] is True
    out = capsys.readouterr().out
    assert "Recorded: q1 = B" in out
    assert "Done: q1 is complete and in the right form" in out
    assert not any(ord(ch) > 0x2000 for ch in out)  # no emoji: no font needed


def test_status_html_is_a_polite_live_region_of_escaped_paragraphs() -> None:
    assert exercises.status_html(["Not yet: q1 <none>", "Done."], {"data-x": 'a"b'}) == (
        '<div class="cct-status" role="status" aria-live="polite" aria-atomic="true" '
        'data-x="a&quot;b"><p>Not yet: q1 &lt;none&gt;</p><p>Done.</p></div>')


def test_check_in_a_notebook_is_announced_with_plain_text_beside_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import IPython
    import IPython.display

    (tmp_path / "questions.yaml").write_text(
        "q1:\n  kind: choice\n  options: {A: agree, B: disagree}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(exercises, "_bank", None)
    shown: list[tuple[object, dict[str, object]]] = []
    kernel_shell = types.SimpleNamespace(kernel=object())  # what a notebook's kernel has
    monkeypatch.setattr(IPython, "get_ipython", lambda: kernel_shell)
    monkeypatch.setattr(IPython.display, "display",
                        lambda obj, **kw: shown.append((obj, kw)))
    assert exercises.check("q1", "B") is True
    assert exercises.check("q1", None) is False
    assert capsys.readouterr().out == ""
    (done, raw), (not_yet, _) = shown
    assert raw == {"raw": True}
    assert done == {  # type: ignore[comparison-overlap]
        "text/plain": "Done: q1 is complete and in the right form. Your mark is decided when "
                      "your work is graded.",
        "text/html": '<div class="cct-status" role="status" aria-live="polite" '
                     'aria-atomic="true"><p>Done: q1 is complete and in the right form. Your '
                     "mark is decided when your work is graded.</p></div>"}
    assert isinstance(not_yet, dict)
    assert not_yet["text/plain"].startswith("Not yet: q1")
    assert 'role="status"' in not_yet["text/html"]


def test_an_invalid_re_answer_clears_the_earlier_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "questions.yaml").write_text(
        "q1:\n  kind: choice\n  options: {A: agree, B: disagree}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(exercises, "_bank", None)
    namespace: dict[str, object] = {"answer": exercises.answer, "check": exercises.check}
    exec('q1 = answer("q1", "B")', namespace)
    with pytest.raises(AnswerError, match="not an option"):
        exec('q1 = answer("q1", "maybe")', namespace)
    assert "q1" not in namespace
    exec('result = check("q1")', namespace)
    assert namespace["result"] is False
    assert "Not yet: q1 has no answer yet" in capsys.readouterr().out


def test_choose_from_and_cell_value_say_what_to_put(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    table = pd.DataFrame({"No internet": [39.5, 20.0]}, index=["Yes", "No"])
    namespace: dict[str, object] = {"choose_from": exercises.choose_from,
                                    "cell_value": exercises.cell_value, "table": table,
                                    "q7": 1.0}
    exec('column = choose_from("q7", "disabled", ["age", "disabled"], "a column name")',
         namespace)
    assert namespace["column"] == "disabled"
    for given, said in ((..., r"^q7: replace the \.\.\. with a column name, in quotes\.$"),
                        (3, r"^q7: put a column name in quotes; you gave the number 3\.$"),
                        ("disabld", r"^q7: 'disabld' is not a column name here\. Did you mean "
                                    r"'disabled'\?$")):
        namespace["q7"] = 1.0
        namespace["given"] = given
        with pytest.raises(AnswerError, match=said):
            exec('choose_from("q7", given, ["age", "disabled"], "a column name")', namespace)
        assert "q7" not in namespace
    assert exercises.cell_value("q7", table, "Yes", "No internet") == 39.5
    with pytest.raises(AnswerError, match=r"^q7: the table has no row 'Maybe'; check the "):
        exercises.cell_value("q7", table, "Maybe", "No internet")


class FakeShell:
    """What install_friendly_errors needs of IPython's shell, and what it shows."""

    def __init__(self) -> None:
        self.user_ns: dict[str, object] = {}
        self.handler: object = None
        self.shown: list[tuple[type[BaseException], list[str]]] = []

    def set_custom_exc(self, types: tuple[type[BaseException], ...], handler: object) -> None:
        assert types == (NameError, AssertionError)
        self.handler = handler

    def _showtraceback(self, etype: type[BaseException], value: BaseException,
                       stb: list[str]) -> None:
        self.shown.append((etype, stb))


def test_name_and_assertion_errors_are_reworded_not_swallowed(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys
    import types

    shell = FakeShell()
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert exercises.install_friendly_errors()
    cell = tmp_path / "cell.py"
    cell.write_text('q3 = answer("q3",\n    B\n)\n', encoding="utf-8")
    shell.user_ns.update(q3="A", answer=print)
    code = compile(cell.read_text(), str(cell), "exec")
    try:
        exec(code, shell.user_ns)
    except NameError as exc:
        stb = shell.handler(shell, NameError, exc, exc.__traceback__)  # type: ignore[operator]
    assert stb == ['Not yet: B is not defined. If it is your answer, put it in quotes, like "B"; '
                   "if not, run the cells above this one first."]
    assert shell.shown == [(NameError, stb)]  # still shown as the cell's error
    assert "q3" not in shell.user_ns
    try:
        exec(compile('assert check("q3")', "<cell>", "exec"), {"check": lambda _: False})
    except AssertionError as exc:
        stb = shell.handler(shell, AssertionError, exc, exc.__traceback__)  # type: ignore[operator]
    assert stb == ["Not yet: this answer is not the expected one."]


def test_install_is_a_no_op_outside_ipython(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert exercises.install_friendly_errors() is False


def test_missing_bank_says_where_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(QuestionError, match="question bank not found"):
        exercises.load_questions()
