"""One YAML loader: line numbers, duplicate keys refused, errors naming file and line,
used by every YAML file the toolkit reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from competency.course.exercises import QuestionBank
from competency.course.widgets import load_practice
from competency.directory.vocabulary import load_skills
from competency.errors import (
    DirectoryError,
    InputFileError,
    InterviewQuestionsError,
    PhrasesError,
    QuestionBankError,
    QuestionError,
)
from competency.framework.model import Framework
from competency.hr.personspec import load_question_bank
from competency.hr.phrases import load_phrases
from competency.yamllines import (
    DuplicateKey,
    LineDict,
    LineList,
    compose_yaml,
    load_with_lines,
    load_yaml,
    read_yaml,
)

BROKEN = "a: 1\nb: [1, 2\nc: 3\n"
"""Invalid YAML (an unclosed flow sequence); PyYAML's problem mark is on line 3."""
DUPLICATE = "a:\n  x: 1\n  y: 2\n  x: 3\n"
"""Key x twice, the second time on line 4."""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_lines_are_remembered() -> None:
    data = load_yaml("a: 1\nb:\n  - x\n  - y\n", source="t.yaml")
    assert isinstance(data, LineDict)
    assert data.key_lines == {"a": 1, "b": 2}
    assert isinstance(data["b"], LineList)
    assert data["b"].item_lines == [3, 4]


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(InputFileError) as info:
        load_yaml(BROKEN, source="t.yaml")
    assert str(info.value).startswith("t.yaml, line 3: invalid YAML: ")
    assert "\n" not in str(info.value)
    assert not isinstance(info.value, yaml.YAMLError)


@pytest.mark.parametrize("reader", [load_yaml, compose_yaml])
def test_duplicate_keys_are_refused(reader: object) -> None:
    with pytest.raises(InputFileError) as info:
        reader(DUPLICATE, source="t.yaml")  # type: ignore[operator]
    assert str(info.value) == "t.yaml, line 4: duplicate key (x)"


def test_the_callers_error_class_and_wording() -> None:
    with pytest.raises(PhrasesError, match=r"^p\.yaml, line 4: twice \(x\)$"):
        load_yaml(DUPLICATE, source="p.yaml", error=PhrasesError, duplicate="twice")


def test_read_yaml_file_problems(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"none\.yaml: file not found$"):
        read_yaml(tmp_path / "none.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(InputFileError, match=r"latin\.yaml, line 2: not UTF-8 text$"):
        read_yaml(latin)


def test_question_bank_errors_are_one_line(tmp_path: Path) -> None:
    path = write(tmp_path / "questions.yaml", "q1:\n  prompt: x\n  answer: [a\n")
    with pytest.raises(QuestionBankError) as info:
        QuestionBank.load(path)
    assert str(info.value).startswith(f"{path}, line 4: invalid YAML: ")
    assert "\n" not in str(info.value)
    assert isinstance(info.value, QuestionError)
    dup = write(tmp_path / "dup.yaml", "q1: {}\nq1: {}\n")
    with pytest.raises(QuestionBankError, match=r"dup\.yaml, line 2: duplicate key \(q1\)$"):
        QuestionBank.load(dup)


def test_practice_errors_are_one_line_not_a_yaml_error(tmp_path: Path) -> None:
    path = write(tmp_path / "questions.yaml",
                 "practice:\n  p1:\n    prompt: Which?\n    options: [a, b\n")
    with pytest.raises(QuestionBankError) as info:
        load_practice(path)
    assert str(info.value).startswith(f"{path}, line 5: invalid YAML: ")
    assert "\n" not in str(info.value)
    bad = write(tmp_path / "bad.yaml", "practice:\n  p1: [a]\n")
    with pytest.raises(QuestionBankError, match=r"bad\.yaml, line 2: practice p1 must be a "
                                                r"mapping$"):
        load_practice(bad)
    wrong = write(tmp_path / "wrong.yaml",
                  "practice:\n  p0:\n    options: [a]\n    answer: a\n"
                  "  p1:\n    options: [a, b]\n    answer: c\n")
    with pytest.raises(QuestionBankError, match=r"wrong\.yaml, line 5: practice p1 has "
                                                r"answer\(s\) not among its options \(c\)$"):
        load_practice(wrong)


def test_every_yaml_entry_point_refuses_duplicates(tmp_path: Path,
                                                   framework: Framework) -> None:
    phrases = write(tmp_path / "phrases.yaml", "version: 1\nversion: 2\n")
    with pytest.raises(PhrasesError, match=r"phrases\.yaml, line 2: duplicate key \(version\)"):
        load_phrases(phrases)
    skills = write(tmp_path / "skills.yaml",
                   "skills:\n  a:\n    name: A\n    description: d\n    name: B\n")
    with pytest.raises(DirectoryError, match=r"skills\.yaml, line 5: duplicate key \(name\)"):
        load_skills(skills)
    bank = write(tmp_path / "interview.yaml", "competencies: {}\ncompetencies: {}\n")
    with pytest.raises(InterviewQuestionsError,
                       match=r"interview\.yaml, line 2: duplicate key \(competencies\)"):
        load_question_bank(bank, framework)


def test_importing_exercises_stays_light() -> None:
    code = ("import competency.exercises, sys; print([m for m in ('sqlalchemy', 'duckdb', "
            "'pyarrow', 'openpyxl', 'docx', 'pandas') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


LINES_TEXT = """\
name: Example
items:
  - id: A
    title: First
  - id: B
"""


def test_load_with_lines_records_key_and_item_lines() -> None:
    data = load_with_lines(LINES_TEXT)
    assert isinstance(data, LineDict)
    assert data == {"name": "Example", "items": [{"id": "A", "title": "First"}, {"id": "B"}]}
    assert data.line == 1
    assert data.key_lines == {"name": 1, "items": 2}
    items = data["items"]
    assert isinstance(items, LineList)
    assert items.item_lines == [3, 5]
    assert items[0].key_lines == {"id": 3, "title": 4}
    assert items[1].line == 5


def test_duplicate_keys_are_refused_with_their_line() -> None:
    with pytest.raises(DuplicateKey) as info:
        load_with_lines("a: 1\nb: 2\na: 3\n")
    assert info.value.key == "a"
    assert info.value.line == 3


def test_merge_keys_still_work_and_scalars_stay_plain() -> None:
    data = load_with_lines("base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\n")
    assert data["child"] == {"x": 1, "y": 2}
    assert load_with_lines("3") == 3


def test_syntax_errors_are_yaml_errors() -> None:
    with pytest.raises(yaml.YAMLError):
        load_with_lines("a: [1, 2\n")


def test_libyaml_and_the_pure_python_parser_give_the_same_data_and_lines() -> None:
    from competency.yamllines import FastLineLoader, LineLoader

    text = Path(__file__).resolve().parents[1].joinpath(
        "course", "source", "01-equality-law", "questions.yaml").read_text("utf-8")
    fast, slow = (yaml.load(text, Loader=loader) for loader in (FastLineLoader, LineLoader))

    def same(a: object, b: object) -> None:
        assert type(a) is type(b)
        assert a == b
        if isinstance(a, LineDict) and isinstance(b, LineDict):
            assert (a.line, a.key_lines) == (b.line, b.key_lines)
            for key in a:
                same(a[key], b[key])
        if isinstance(a, LineList) and isinstance(b, LineList):
            assert (a.line, a.item_lines) == (b.line, b.item_lines)
            for x, y in zip(a, b, strict=True):
                same(x, y)

    same(fast, slow)


def test_invalid_yaml_is_described_by_the_pure_python_parser() -> None:
    from competency.yamllines import LineLoader

    with pytest.raises(yaml.YAMLError) as ours:
        load_with_lines(BROKEN)
    with pytest.raises(yaml.YAMLError) as pure:
        yaml.load(BROKEN, Loader=LineLoader)
    assert str(ours.value) == str(pure.value)
