"""Phrase files: checking them, and compiling phrases to lemma sequences."""

from __future__ import annotations

from pathlib import Path

import pytest

from competency.errors import PhrasesError
from competency.hr.phrases import (
    PhraseSet,
    compile_phrase,
    default_phrases_path,
    lemma,
    load_phrases,
    parse_phrases,
)


def test_lemma_lowers_and_lemmatises_words_only() -> None:
    assert lemma("Interpreters") == "interpreter"
    assert lemma("languages") == "language"
    assert lemma("A&E") == "a&e"  # not a word: only lower-cased


def test_compile_phrase_expands_groups_and_parts() -> None:
    phrase = compile_phrase("(first|home|) language ... interpreters", 2.0, "p.yaml", "LANG-1")
    assert phrase.source == "(first|home|) language ... interpreters"
    assert phrase.weight == 2.0
    assert phrase.parts == ((("first", "language"), ("home", "language"), ("language",)),
                            (("interpreter",),))


def test_compile_phrase_keeps_wildcards_as_written() -> None:
    phrase = compile_phrase("cultur* * competence", 1.0, "p.yaml", "C-1")
    assert phrase.parts == ((("cultur*", "*", "competence"),),)


def test_a_phrase_may_not_start_or_end_with_any_word() -> None:
    with pytest.raises(PhrasesError) as info:
        compile_phrase("* language", 1.0, "p.yaml", "C-1")
    assert str(info.value) == "p.yaml: competency C-1: phrase has no words (* language)"


def test_parse_phrases_keeps_lists_per_competency() -> None:
    phrases = parse_phrases({"version": 1, "boilerplate": ["^we are an equal"],
                             "competencies": {"W-1": {"strong": [" widget  "],
                                                      "drop": ["thing"]}}},
                            source="mine.yaml")
    assert phrases.strong == {"W-1": ("widget",)}
    assert phrases.weak == {"W-1": ()}
    assert phrases.drop == {"W-1": ("thing",)}
    assert phrases.boilerplate == ("^we are an equal",)
    assert phrases.source == "mine.yaml"


def test_load_phrases_rereads_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "ours.yaml"
    path.write_text("competencies:\n  W-1:\n    strong: [widget]\n", encoding="utf-8")
    first = load_phrases(path)
    assert load_phrases(path) is first
    path.write_text("competencies:\n  W-1:\n    strong: [widget, gadgets]\n",
                    encoding="utf-8")
    assert load_phrases(path).strong == {"W-1": ("widget", "gadgets")}
    assert default_phrases_path().name == "suggest-phrases.yaml"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "test-phrases.yaml: a phrase file must be a mapping"),
        ({"colour": 1}, "test-phrases.yaml: unknown key (colour)"),
        ({"boilerplate": ["(unclosed"]},
         "test-phrases.yaml: bad boilerplate pattern: missing ), unterminated subpattern at "
         "position 0 ((unclosed)"),
        ({"competencies": {"W-1": {"strong": "widget"}}},
         "test-phrases.yaml: W-1.strong must be a list of strings"),
        ({"competencies": {"W-1": {"often": ["x"]}}},
         "test-phrases.yaml: unknown key in competency W-1 (often)"),
        ({"competencies": {"W-1": {"strong": ["a ... "]}}},
         "test-phrases.yaml: competency W-1: empty part in phrase (a ...)"),
        ({"competencies": {"W-1": {"strong": ["(--)"]}}},
         "test-phrases.yaml: competency W-1: phrase has no words ((--))"),
    ],
)
def test_bad_phrase_data(data: object, message: str) -> None:
    with pytest.raises(PhrasesError) as info:
        parse_phrases(data, source="test-phrases.yaml")
    assert str(info.value) == message


def test_phrase_files(tmp_path: Path) -> None:
    with pytest.raises(PhrasesError) as info:
        load_phrases(tmp_path / "none.yaml")
    assert str(info.value) == f"{tmp_path / 'none.yaml'}: file not found"
    broken = tmp_path / "broken.yaml"
    broken.write_text("competencies: [\n", encoding="utf-8")
    with pytest.raises(PhrasesError) as info:
        load_phrases(broken)
    assert str(info.value) == (f"{broken}, line 2: invalid YAML: expected the node content, "
                               "but found '<stream end>'")
    shipped = load_phrases()
    assert shipped.boilerplate
    assert shipped.sections
    assert isinstance(shipped, PhraseSet)


def test_a_question_mark_makes_a_group_optional() -> None:
    phrase = compile_phrase("make (reasonable )?adjustments", 1.0, "p.yaml", "L-1")
    assert phrase.parts == ((("make", "reasonable", "adjustment"), ("make", "adjustment")),)


def test_nested_or_unbalanced_brackets_are_refused() -> None:
    for text in ("(a|(b|c) d)", "a (b", "a) b"):
        with pytest.raises(PhrasesError, match="unbalanced or nested brackets"):
            compile_phrase(text, 1.0, "p.yaml", "C-1")


def test_not_and_requires_are_read_and_checked() -> None:
    phrases = parse_phrases({"competencies": {"W-1": {"strong": ["widget"],
                                                      "not": ["widget catalogue"],
                                                      "requires": ["factory"]}}},
                            source="mine.yaml")
    assert phrases.negative == {"W-1": ("widget catalogue",)}
    assert phrases.requires == {"W-1": ("factory",)}
    assert compile_phrase("widget", 0.0, "p.yaml", "W-1", "not").kind == "not"
    with pytest.raises(PhrasesError, match="phrase has no words"):
        parse_phrases({"competencies": {"W-1": {"requires": ["*"]}}}, source="mine.yaml")
