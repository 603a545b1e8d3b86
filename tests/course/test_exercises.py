from __future__ import annotations

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
    with pytest.raises(AnswerError, match=r'^q1 has no answer yet: replace the \.\.\. with your '
                                          r'answer, for example  q1 = answer\("q1", "A"\)$'):
        bank.answer("q1", ...)


def test_numbers(bank: QuestionBank) -> None:
    assert bank.answer("q3", 42.5) == 42.5
    assert bank.answer("q3", "1,2%") == 12
    with pytest.raises(AnswerError, match="should be at most 100"):
        bank.answer("q3", 101)
    with pytest.raises(AnswerError, match="takes a number"):
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
    assert "q1 has no answer yet" in capsys.readouterr().out
    exec('q1 = answer("q1", "disagree")\nresult = check("q1")', namespace)
    assert namespace["q1"] == "B"
    assert namespace["result"] is True
    out = capsys.readouterr().out
    assert "q1 recorded: B" in out
    assert "q1 is complete and in the right form" in out


def test_missing_bank_says_where_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(QuestionError, match="question bank not found"):
        exercises.load_questions()
