"""The directory's controlled vocabularies: the language table and the skills."""

from __future__ import annotations

from pathlib import Path

import pytest

from competency.directory.vocabulary import (
    Language,
    Languages,
    fold,
    load_languages,
    load_skills,
)
from competency.errors import DirectoryError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_fold_ignores_case_and_spacing() -> None:
    assert fold("  British   Sign\tLanguage ") == "british sign language"


# --------------------------------------------------------------------------- languages

BRIEF_CODES = ["pl", "lt", "ro", "pt", "lv", "bg", "ru", "uk", "ar", "ku", "fa", "ps", "prs",
               "ur", "pa", "bn", "syl", "gu", "hi", "ta", "so", "ti", "am", "zh", "yue", "cmn",
               "tl", "fil", "rom", "bfi", "tr", "sq", "es", "fr", "it", "cs", "sk", "hu", "ne",
               "ml", "sn", "yo", "ig", "tw", "sw", "cy", "ga", "gd"]


def test_the_language_table_covers_the_languages_of_england() -> None:
    table = load_languages()
    assert len(table) >= 120
    codes = {lang.code for lang in table}
    assert set(BRIEF_CODES) <= codes
    for lang in table:  # ISO 639-1 where there is one, else ISO 639-3
        assert len(lang.code) == 2 or lang.code == lang.iso639_3, lang
        assert len(lang.iso639_3) == 3


@pytest.mark.parametrize(("text", "code"), [
    ("pl", "pl"), ("POL", "pl"), ("Polish", "pl"), ("farsi", "fa"), ("Persian", "fa"),
    ("Punjabi", "pa"), ("Dari", "prs"), ("Sylheti", "syl"), ("Kurmanji", "kmr"),
    ("British Sign Language", "bfi"), ("bsl", "bfi"), ("Cantonese", "yue"),
    ("Mandarin", "cmn"), ("Tagalog", "tl"), ("Filipino", "fil"), ("Scottish Gaelic", "gd"),
])
def test_languages_are_found_by_code_or_english_name(text: str, code: str) -> None:
    found = load_languages().find(text)
    assert found is not None
    assert found.code == code


def test_a_name_is_not_a_code() -> None:
    table = load_languages()
    assert table.by_code("Polish") is None
    assert table.find("Klingon") is None


def test_a_language_table_with_a_repeated_name_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "languages.csv", "code,iso639_3,name,other_names\n"
                 "fa,fas,Persian,Farsi\nprs,prs,Dari,farsi\n")
    with pytest.raises(DirectoryError, match=r"^.*languages\.csv, row 3: duplicate code or "
                       r"name, first on row 2 \(farsi\)$"):
        load_languages(path)


@pytest.mark.parametrize("codes", ["PL,pol", "pl,po", "prs,fas"])
def test_codes_are_checked(tmp_path: Path, codes: str) -> None:
    path = write(tmp_path / "languages.csv", f"code,iso639_3,name\n{codes},Polish\n")
    with pytest.raises(DirectoryError, match=r", row 2: bad code; use ISO 639-1 where there "
                       rf"is one, else ISO 639-3, in lower case \({codes.replace(',', '/')}\)$"):
        load_languages(path)


# --------------------------------------------------------------------------- skills

def test_the_shipped_vocabulary_has_the_workshop_skills_with_descriptions() -> None:
    vocab = load_skills()
    for skill_id in ("interpreting-support", "outreach", "advocacy", "training-delivery",
                     "peer-support", "research-consultation", "youth-work", "faith-liaison",
                     "hate-crime-reporting"):
        assert skill_id in vocab
        assert vocab.get(skill_id).description
    assert vocab.resolve("Hate crime reporting centre") == "hate-crime-reporting"
    assert vocab.resolve("ADVOCACY") == "advocacy"
    assert vocab.resolve("juggling") is None


def test_a_trust_extends_the_vocabulary(tmp_path: Path) -> None:
    extra = write(tmp_path / "ours.yaml", "skills:\n  food-bank:\n    name: Food bank\n"
                  "    description: Emergency food parcels.\n")
    vocab = load_skills(extra)
    assert vocab.resolve("food bank") == "food-bank"
    assert vocab.get("food-bank").source == str(extra)
    assert len(vocab) == len(load_skills()) + 1


@pytest.mark.parametrize(("text", "message"), [
    ("skills:\n  outreach:\n    name: Street work\n    description: Walks.\n",
     r"ours\.yaml, line 2: skill already in directory-skills\.yaml \(outreach\)$"),
    ("skills:\n  street-work:\n    name: Advocacy\n    description: Walks.\n",
     r"ours\.yaml, line 2: skill already in directory-skills\.yaml \(street-work\)$"),
    ("skills:\n  Street Work:\n    name: Street work\n    description: Walks.\n",
     r"ours\.yaml, line 2: bad skill ID; use lower-case letters, digits and hyphens "
     r"\(Street Work\)$"),
    ("skills:\n  street-work:\n    name: Street work\n",
     r"ours\.yaml, line 2: a skill needs a name and a description, and nothing else "
     r"\(street-work\)$"),
    ("- food-bank\n", r"ours\.yaml, line 1: expected one mapping, skills:, of skill IDs$"),
    ("skills: [a\n", r"ours\.yaml, line 2: invalid YAML: "),
])
def test_a_broken_extension_names_the_line(tmp_path: Path, text: str, message: str) -> None:
    extra = write(tmp_path / "ours.yaml", text)
    with pytest.raises(DirectoryError, match=message):
        load_skills(extra)


def test_a_language_table_is_searched_by_either_code_or_any_name() -> None:
    langs = Languages([Language("pa", "pan", "Panjabi", ("Punjabi",)),
                       Language("ckb", "ckb", "Central Kurdish")])
    assert len(langs) == 2
    assert [lang.code for lang in langs] == ["pa", "ckb"]
    assert langs.by_code(" PAN ") is langs.by_code("pa")
    found = langs.find("central  KURDISH")
    assert found is not None
    assert found.code == "ckb"
    assert langs.name("pa") == "Panjabi"
    assert langs.name("xx") == "xx"  # unknown codes are shown as they are


def test_the_shipped_language_table_is_read_once() -> None:
    assert load_languages() is load_languages()


def test_a_skill_file_may_not_repeat_itself(tmp_path: Path) -> None:
    extra = write(tmp_path / "ours.yaml", "skills:\n  a:\n    name: A\n    description: x\n"
                  "  b:\n    name: a\n    description: y\n")
    with pytest.raises(DirectoryError) as info:
        load_skills(extra)
    assert str(info.value) == f"{extra}, line 5: duplicate skill ID or name, first on line 2 (a)"


def test_a_missing_skill_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match=r"absent\.yaml: file not found$"):
        load_skills(tmp_path / "absent.yaml")
