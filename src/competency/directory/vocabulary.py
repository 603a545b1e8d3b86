"""Controlled vocabularies of the community directory: languages and skills.

Languages are ISO 639-1 codes where one exists, else ISO 639-3, with English
names (``data/languages.csv``); skills and abilities come from
``data/directory-skills.yaml``, which a trust extends with its own file.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from competency.errors import DirectoryError
from competency.tables import read_table
from competency.yamllines import compose_yaml, read_yaml_text

DATA = Path(__file__).resolve().parents[1] / "data"
LANGUAGES_FILE = DATA / "languages.csv"
SKILLS_FILE = DATA / "directory-skills.yaml"
SKILL_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CODE = re.compile(r"[a-z]{2,3}")
SEPARATOR = ";"
"""Separates the items of list fields in the directory's CSV."""


def fold(text: str) -> str:
    """Case-folded text with single spaces, for comparing names."""
    return " ".join(text.casefold().split())


# --------------------------------------------------------------------------- languages

@dataclass(frozen=True)
class Language:
    """One row of the language table."""

    code: str
    """ISO 639-1 code where the language has one, else its ISO 639-3 code."""
    iso639_3: str
    """ISO 639-3 code (accepted as an alias of ``code``)."""
    name: str
    """English name."""
    other_names: tuple[str, ...] = ()
    """Other English names and spellings (Farsi for Persian, Punjabi for Panjabi)."""


class Languages:
    """The language table: languages by code (ISO 639-1 or 639-3) or English name."""

    def __init__(self, languages: Iterable[Language]) -> None:
        self._all = tuple(languages)
        self._codes: dict[str, Language] = {}
        self._names: dict[str, Language] = {}
        for lang in self._all:
            self._codes.setdefault(lang.code, lang)
            self._codes.setdefault(lang.iso639_3, lang)
            for name in (lang.name, *lang.other_names):
                self._names.setdefault(fold(name), lang)

    def __iter__(self) -> Iterator[Language]:
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)

    def by_code(self, text: str) -> Language | None:
        """The language with this ISO 639-1 or ISO 639-3 code (any case), or None."""
        return self._codes.get(text.strip().lower())

    def find(self, text: str) -> Language | None:
        """The language with this code or English name (any case), or None."""
        return self.by_code(text) or self._names.get(fold(text))

    def name(self, code: str) -> str:
        """The English name of a code (the code itself when unknown)."""
        lang = self._codes.get(code)
        return lang.name if lang is not None else code


def load_languages(path: str | Path | None = None) -> Languages:
    """Read a language table (``code,iso639_3,name,other_names``); the shipped one by default."""
    return _shipped_languages() if path is None else _read_languages(Path(path))


@functools.cache
def _shipped_languages() -> Languages:
    return _read_languages(LANGUAGES_FILE)


def _read_languages(path: Path) -> Languages:
    frame = read_table(path, ("code", "iso639_3", "name"))
    seen: dict[str, int] = {}
    out = []
    for row, rec in zip(frame.index, frame.to_dict("records"), strict=True):
        code, iso3, name = rec["code"], rec["iso639_3"], rec["name"]
        if not CODE.fullmatch(code) or not CODE.fullmatch(iso3) or len(iso3) != 3 \
                or (len(code) == 3 and code != iso3):
            raise DirectoryError(path, "bad code; use ISO 639-1 where there is one, else "
                                 "ISO 639-3, in lower case", row=row, value=f"{code}/{iso3}")
        others = tuple(n.strip() for n in rec.get("other_names", "").split(SEPARATOR)
                       if n.strip())
        for key in {code, iso3, *(fold(n) for n in (name, *others))}:
            if key in seen:
                raise DirectoryError(path, f"duplicate code or name, first on row {seen[key]}",
                                     row=row, value=key)
            seen[key] = row
        out.append(Language(code, iso3, name, others))
    return Languages(out)


# --------------------------------------------------------------------------- skills

@dataclass(frozen=True)
class Skill:
    """One skill or ability of the directory's vocabulary."""

    id: str
    """What the CSV's ``skills`` column holds: lower case, digits and hyphens."""
    name: str
    """Name shown to people."""
    description: str
    """What it covers."""
    source: str
    """The vocabulary file it comes from."""


class SkillVocabulary:
    """The controlled vocabulary of skills: the shipped one plus a trust's own."""

    def __init__(self, skills: Iterable[Skill]) -> None:
        self._skills = {s.id: s for s in skills}
        self._names = {fold(s.name): s.id for s in self._skills.values()}

    def __iter__(self) -> Iterator[Skill]:
        return iter(self._skills.values())

    def __len__(self) -> int:
        return len(self._skills)

    def __contains__(self, skill_id: object) -> bool:
        return skill_id in self._skills

    def get(self, skill_id: str) -> Skill:
        """The skill with this ID (KeyError when unknown)."""
        return self._skills[skill_id]

    def resolve(self, text: str) -> str | None:
        """The ID of the skill with this ID or name (any case), or None."""
        folded = fold(text)
        return folded if folded in self._skills else self._names.get(folded)

    def nearest(self, text: str) -> Skill | None:
        """The skill whose ID or name is closest to ``text`` (a misspelling), or None."""
        import difflib

        keys = {**{i: i for i in self._skills}, **self._names}
        close = difflib.get_close_matches(fold(text), list(keys), n=1, cutoff=0.6)
        return self._skills[keys[close[0]]] if close else None


def load_skills(extra: str | Path | None = None) -> SkillVocabulary:
    """The shipped vocabulary, extended by a trust's file of the same shape."""
    skills = _read_skills(SKILLS_FILE)
    if extra is not None:
        extra = Path(extra)
        known = {s.id: s for s in skills} | {fold(s.name): s for s in skills}
        for skill, line in _read_skills_with_lines(extra):
            clash = known.get(skill.id) or known.get(fold(skill.name))
            if clash is not None:
                raise DirectoryError(extra, f"skill already in {Path(clash.source).name}",
                                     line=line, value=skill.id)
            skills.append(skill)
            known[skill.id] = known[fold(skill.name)] = skill
    return SkillVocabulary(skills)


def _read_skills(path: Path) -> list[Skill]:
    return [skill for skill, _ in _read_skills_with_lines(path)]


def _read_skills_with_lines(path: Path) -> list[tuple[Skill, int]]:
    root = compose_yaml(read_yaml_text(path, error=DirectoryError), source=str(path),
                        error=DirectoryError)
    top = dict(_pairs(root))
    node = top.get("skills")
    if not isinstance(node, yaml.MappingNode) or set(top) != {"skills"}:
        raise DirectoryError(path, "expected one mapping, skills:, of skill IDs", line=1)
    out: list[tuple[Skill, int]] = []
    seen: dict[str, int] = {}
    for key, value in node.value:
        line = key.start_mark.line + 1
        skill_id = str(key.value)
        if not SKILL_ID.fullmatch(skill_id):
            raise DirectoryError(path, "bad skill ID; use lower-case letters, digits and "
                                 "hyphens", line=line, value=skill_id)
        spec = dict(_pairs(value))
        if set(spec) != {"name", "description"} or not all(
                isinstance(v, yaml.ScalarNode) and str(v.value).strip() for v in spec.values()):
            raise DirectoryError(path, "a skill needs a name and a description, and nothing "
                                 "else", line=line, value=skill_id)
        skill = Skill(skill_id, str(spec["name"].value).strip(),
                      " ".join(str(spec["description"].value).split()), str(path))
        for key_text in dict.fromkeys((skill.id, fold(skill.name))):
            if key_text in seen:
                raise DirectoryError(path, f"duplicate skill ID or name, first on line "
                                     f"{seen[key_text]}", line=line, value=key_text)
            seen[key_text] = line
        out.append((skill, line))
    return out


def _pairs(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield str(key.value), value


