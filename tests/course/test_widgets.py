from __future__ import annotations

from pathlib import Path

import pytest

from competency.course.widgets import (
    FEEDBACK_CLASS,
    PracticeQuestion,
    evaluate,
    load_practice,
    practice,
    practice_widget,
)
from competency.errors import QuestionError

BANK = """\
practice:
  p1:
    prompt: Which is direct discrimination?
    options: {A: Treating someone worse because of race, B: A rule applied to all}
    answer: A
    explanation: Less favourable treatment because of a characteristic is direct.
    feedback: {B: That describes indirect discrimination.}
  p2:
    prompt: Which are protected characteristics?
    options: [race, accent, sex]
    answer: [race, sex]
"""


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    path = tmp_path / "questions.yaml"
    path.write_text(BANK, encoding="utf-8")
    return path


def test_load_practice(bank: Path) -> None:
    questions = load_practice(bank)
    assert questions["p1"].answer == {"A"}
    assert questions["p2"].multiple


def test_evaluate_single(bank: Path) -> None:
    q = load_practice(bank)["p1"]
    assert evaluate(q, {"A"}) == (True, "Correct. Less favourable treatment because of a "
                                        "characteristic is direct.")
    correct, message = evaluate(q, {"B"})
    assert not correct
    assert message.startswith("Not quite. That describes indirect discrimination.")
    assert evaluate(q, set()) == (False, "Choose an answer first.")


def test_evaluate_multi_counts_missed_and_wrong(bank: Path) -> None:
    q = load_practice(bank)["p2"]
    correct, message = evaluate(q, {"race", "accent"})
    assert not correct
    assert "You missed 1 correct option(s)." in message
    assert "1 of your choices is not right." in message


def test_widget_gives_feedback_on_click(bank: Path) -> None:
    q: PracticeQuestion = load_practice(bank)["p1"]
    box = practice_widget(q)
    radio, button, feedback = box.children[2], box.children[3], box.children[4]
    assert FEEDBACK_CLASS in feedback._dom_classes
    radio.value = "B"
    button.click()
    assert 'data-correct="false"' in feedback.value
    radio.value = "A"
    button.click()
    assert 'data-correct="true"' in feedback.value


def test_feedback_is_a_live_region_in_words_and_the_controls_are_named(bank: Path) -> None:
    box = practice_widget(load_practice(bank)["p1"])
    radio, button, feedback = box.children[2], box.children[3], box.children[4]
    # the region is there, empty, before the first message, so a screen reader follows it
    assert feedback.value == ('<div class="cct-status" role="status" aria-live="polite" '
                              'aria-atomic="true"></div>')
    assert button.description == "Check"
    assert button.tooltip == "Check your answer to practice question p1"
    assert [label for label, _ in radio.options] == [
        "A. Treating someone worse because of race", "B. A rule applied to all"]
    radio.value = "B"
    button.click()
    assert feedback.value.startswith('<div class="cct-status" role="status" '
                                     'aria-live="polite" aria-atomic="true" '
                                     'data-correct="false" style="color:#b71c1c">'
                                     "<p>Not quite. That describes indirect")  # words, not colour


def test_long_options_are_listed_as_text_and_named_by_their_letter(tmp_path: Path) -> None:
    path = tmp_path / "questions.yaml"
    long = "a rule applied to everyone that puts people who share a characteristic at a " \
           "disadvantage"
    path.write_text(f"practice:\n  p1:\n    prompt: Which?\n    options: {{A: {long}, B: "
                    "short}\n    answer: A\n", encoding="utf-8")
    box = practice("p1", path)
    assert f"<li><b>A</b>. {long}</li>" in box.children[0].value
    assert [label for label, _ in box.children[2].options] == ["A", "B"]


def test_checkbox_widget_for_multi(bank: Path) -> None:
    box = practice("p2", bank)
    boxes = box.children[2].children
    boxes[0].value = True
    boxes[2].value = True
    box.children[3].click()
    assert 'data-correct="true"' in box.children[4].value


def test_answers_must_be_options(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text("practice:\n  p1:\n    options: [a, b]\n    answer: c\n", encoding="utf-8")
    with pytest.raises(QuestionError, match=r"practice p1 has answer\(s\) not among its options"):
        load_practice(path)


def test_unknown_practice_question(bank: Path) -> None:
    with pytest.raises(QuestionError, match=r"no practice question 'p9' \(known: p1, p2\)"):
        practice("p9", bank)


def test_load_practice_reads_the_bank_again_each_time(bank: Path) -> None:
    first = load_practice(bank)
    assert load_practice(bank) == first
    assert load_practice(bank) is not first  # a fresh mapping: changing one changes nothing
    bank.write_text(BANK.replace("Which is direct", "Which one is direct"), encoding="utf-8")
    assert load_practice(bank)["p1"].prompt == "Which one is direct discrimination?"
