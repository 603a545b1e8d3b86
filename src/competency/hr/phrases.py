"""Phrase files: reading and checking them, and compiling phrases to lemma sequences.

A phrase file (the shipped ``data/suggest-phrases.yaml`` or a trust's own, given
with ``--phrases``) holds, keyed by competency ID, ``strong`` and ``weak``
phrases, the framework keywords to ``drop``, negative cues (``not``: a sentence
holding one does not count for that competency) and context (``requires``: the
competency is suggested only when one of these is in the document); and the
``boilerplate`` patterns and ``boilerplate_sections`` headings that :mod:`competency.hr.suggest`
skips. A phrase is a sequence of words matched on lemmas; ``(a|b|)`` gives
alternatives (the empty one makes the group optional, as does ``(a|b)?``; groups
cannot hold groups), ``*`` stands for any one
word, ``word*`` for any word beginning with ``word``, and ``A ... B`` means A
and later B in the same sentence. Words are lower-cased and lemmatised with
simplemma (English), so "interpreters", "interpreting" and "interpreted" meet
"interpreter"/"interpret".
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from itertools import product
from pathlib import Path

from competency.errors import PhrasesError

PHRASES_NAME = "suggest-phrases.yaml"


@dataclass(frozen=True)
class Phrase:
    """One phrase of a competency, compiled to lemma sequences."""

    source: str
    """The phrase as written (shown in explanations; distinct phrases count once)."""
    weight: float
    """:data:`competency.hr.suggest.STRONG_WEIGHT` or :data:`competency.hr.suggest.WEAK_WEIGHT`."""
    parts: tuple[tuple[tuple[str, ...], ...], ...]
    """For each ``...``-separated part, its alternative lemma sequences."""
    kind: str = "cue"
    """``cue`` (adds its weight), ``not`` (a sentence holding it does not count for the
    competency) or ``requires`` (the competency is suggested only when one such phrase
    is found somewhere in the document)."""


@dataclass(frozen=True)
class PhraseSet:
    """The contents of a phrase file."""

    strong: Mapping[str, tuple[str, ...]]
    """Strong phrases per competency ID."""
    weak: Mapping[str, tuple[str, ...]]
    """Weak phrases per competency ID."""
    drop: Mapping[str, tuple[str, ...]]
    """Framework keywords not to use, per competency ID."""
    boilerplate: tuple[str, ...]
    """Regular expressions that mark a sentence as boilerplate, matched against the
    lower-cased text (so written in lower case)."""
    sections: tuple[str, ...] = ()
    """Regular expressions (case-insensitive) for headings of sections to ignore."""
    source: str = ""
    """Where it was read from."""
    negative: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Negative cues per competency ID (``not``): a sentence holding one does not count."""
    requires: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Context per competency ID: suggested only when one of these is in the document."""


# --------------------------------------------------------------------------- lemmas


LEMMA_CACHE: dict[str, str] = {}
"""Word (as met, and lower-cased) -> its lemma: filled by :func:`lemma`, read directly
by the suggester's inner loop."""


def lemma(word: str) -> str:
    """The lower-case English lemma of one word (cached)."""
    found = LEMMA_CACHE.get(word)
    if found is None:
        import simplemma

        lower = word.lower()
        found = LEMMA_CACHE.get(lower)
        if found is None:
            found = simplemma.lemmatize(lower, lang="en").lower() if lower.isalpha() else lower
            LEMMA_CACHE[lower] = found
        LEMMA_CACHE[word] = found
    return found


# --------------------------------------------------------------------------- phrase files


def default_phrases_path() -> Path:
    """Where the shipped phrase file is installed."""
    return Path(str(resources.files("competency").joinpath("data", PHRASES_NAME)))


_PHRASE_CACHE: dict[tuple[str, int, int], PhraseSet] = {}


def phrase_file_stat(path: Path) -> os.stat_result:
    """The phrase file's ``stat`` (its cache key), or a :class:`PhrasesError` naming it."""
    try:
        return path.stat()
    except FileNotFoundError as exc:
        raise PhrasesError(path, "file not found") from exc
    except OSError as exc:
        raise PhrasesError(path, f"cannot read: {exc.strerror}") from exc


def load_phrases(path: str | Path | None = None) -> PhraseSet:
    """Read a phrase file (the shipped one when ``path`` is None).

    Cached per path while the file's size and modification time stay the same.
    """
    path = Path(path) if path is not None else default_phrases_path()
    stat = phrase_file_stat(path)
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key in _PHRASE_CACHE:
        return _PHRASE_CACHE[key]
    from competency.yamllines import read_yaml

    data = read_yaml(path, error=PhrasesError)
    result = parse_phrases(data, source=str(path))
    _PHRASE_CACHE[key] = result
    return result


def parse_phrases(data: object, *, source: str = "<phrases>") -> PhraseSet:
    """Check and convert the parsed YAML of a phrase file."""
    if not isinstance(data, dict):
        raise PhrasesError(source, "a phrase file must be a mapping")
    unknown = sorted(set(data) - {"version", "boilerplate", "boilerplate_sections",
                                   "competencies"})
    if unknown:
        raise PhrasesError(source, "unknown key", value=", ".join(map(str, unknown)))
    boilerplate = _strings(data.get("boilerplate", []), source, "boilerplate")
    sections = _strings(data.get("boilerplate_sections", []), source, "boilerplate_sections")
    for pattern in (*boilerplate, *sections):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise PhrasesError(source, f"bad boilerplate pattern: {exc}", value=pattern) from exc
    comps = data.get("competencies") or {}
    if not isinstance(comps, dict):
        raise PhrasesError(source, "competencies must map IDs to phrase lists")
    strong: dict[str, tuple[str, ...]] = {}
    weak: dict[str, tuple[str, ...]] = {}
    drop: dict[str, tuple[str, ...]] = {}
    negative: dict[str, tuple[str, ...]] = {}
    requires: dict[str, tuple[str, ...]] = {}
    for cid, entry in comps.items():
        if not isinstance(entry, dict):
            raise PhrasesError(source, f"competency {cid}: expected strong/weak/drop lists")
        extra = sorted(set(entry) - {"strong", "weak", "drop", "not", "requires"})
        if extra:
            raise PhrasesError(source, f"unknown key in competency {cid}",
                               value=", ".join(map(str, extra)))
        strong[str(cid)] = _strings(entry.get("strong", []), source, f"{cid}.strong")
        weak[str(cid)] = _strings(entry.get("weak", []), source, f"{cid}.weak")
        drop[str(cid)] = _strings(entry.get("drop", []), source, f"{cid}.drop")
        negative[str(cid)] = _strings(entry.get("not", []), source, f"{cid}.not")
        requires[str(cid)] = _strings(entry.get("requires", []), source, f"{cid}.requires")
        for phrase in (*strong[str(cid)], *weak[str(cid)], *negative[str(cid)],
                       *requires[str(cid)]):
            compile_phrase(phrase, 1.0, source, str(cid))  # fail early on bad syntax
    return PhraseSet(strong, weak, drop, boilerplate, sections, source, negative, requires)


def _strings(value: object, source: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PhrasesError(source, f"{where} must be a list of strings")
    return tuple(v.strip() for v in value)


# --------------------------------------------------------------------------- phrase syntax


_GROUP = re.compile(r"\(([^()]*)\)")
_OPTIONAL = re.compile(r"\(([^()]*)\)\?")


def compile_phrase(text: str, weight: float, source: str, cid: str, kind: str = "cue"
                   ) -> Phrase:
    """One phrase of competency ``cid`` as lemma sequences (raises PhrasesError naming
    ``source`` on bad syntax)."""
    parts: list[tuple[tuple[str, ...], ...]] = []
    for raw_part in text.split("..."):
        raw_part = raw_part.strip()
        if not raw_part:
            raise PhrasesError(source, f"competency {cid}: empty part in phrase", value=text)
        raw_part = _OPTIONAL.sub(r"(\1|)", raw_part)  # "(a|b)?" is "(a|b|)"
        pieces = _GROUP.split(raw_part)  # literal, group, literal, group, ...
        if any(c in piece for piece in pieces[::2] for c in "()"):
            raise PhrasesError(source, f"competency {cid}: unbalanced or nested brackets "
                               "(groups cannot hold groups)", value=text)
        options: list[list[str]] = []
        for i, piece in enumerate(pieces):
            options.append(piece.split("|") if i % 2 else [piece])
        sequences: list[tuple[str, ...]] = []
        for combo in product(*options):
            words = tuple(w.lower() if w.endswith("*") else lemma(w)
                          for w in _tokens("".join(combo)))
            if words and words[0] != "*" and words[-1] != "*" and words not in sequences:
                sequences.append(words)
        if not sequences:
            raise PhrasesError(source, f"competency {cid}: phrase has no words", value=text)
        parts.append(tuple(sequences))
    return Phrase(text, weight, tuple(parts), kind)


def _tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+\*?|\*", text)
