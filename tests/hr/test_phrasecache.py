"""phrasecache: compiled phrases on disk by content hash, and the lemma cache."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from competency.framework.model import Framework
from competency.hr import phrasecache, suggest
from competency.hr.phrases import LEMMA_CACHE, default_phrases_path
from competency.hr.sentencemodel import default_model_path
from conftest import CliResult


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(phrasecache.CACHE_ENV, str(folder))
    monkeypatch.setattr(suggest, "_SUGGESTERS", {})
    return folder


TEXT = ("Main duties\nBook professional interpreters. Record ethnicity at booking.\n"
        "Work with the county council and the police on hate crime.\n")


def test_compiled_phrases_are_stored_by_content_hash_and_reused(
        cache: Path, framework: Framework, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    phrases = tmp_path / "phrases.yaml"
    phrases.write_bytes(default_phrases_path().read_bytes())
    first = suggest.suggester_for(framework, phrases)
    [stored] = cache.glob("phrases-*.json")
    key = phrasecache.compiled_key(repr(framework), phrases.read_bytes() + b"\0"
                                   + default_model_path().read_bytes() + b"\0")
    assert stored.name == f"phrases-{key}.json"
    expected = first.suggest(TEXT)

    def no_compiling(*args: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(suggest, "_SUGGESTERS", {})
    monkeypatch.setattr(suggest, "compile_suggester", no_compiling)
    again = suggest.suggester_for(framework, phrases)
    assert again is not first
    assert again.suggest(TEXT) == expected
    assert again.phrases == first.phrases


def test_a_changed_phrase_file_gets_a_new_key(cache: Path, framework: Framework,
                                              tmp_path: Path) -> None:
    phrases = tmp_path / "phrases.yaml"
    phrases.write_text("competencies:\n  CUL-2:\n    strong: [widget]\n", encoding="utf-8")
    suggest.suggester_for(framework, phrases)
    phrases.write_text("competencies:\n  CUL-2:\n    strong: [gadget repair]\n",
                       encoding="utf-8")
    sg = suggest.suggester_for(framework, phrases)
    assert len(list(cache.glob("phrases-*.json"))) == 2
    [found] = sg.suggest("Gadget repair.", threshold=0.0)
    assert (found.competency, found.phrases) == ("CUL-2", ("gadget repair",))


def test_a_damaged_cache_file_is_ignored_and_rewritten(cache: Path,
                                                       framework: Framework) -> None:
    suggest.suggester_for(framework)
    [stored] = cache.glob("phrases-*.json")
    stored.write_text('{"key": "' + stored.stem[len("phrases-"):] + '", "phrases": 3}',
                      encoding="utf-8")
    suggest._SUGGESTERS.clear()
    sg = suggest.suggester_for(framework)
    assert "CUL-2" in [s.competency for s in sg.suggest(TEXT)]
    assert isinstance(json.loads(stored.read_text(encoding="utf-8"))["phrases"], list)


def test_an_empty_variable_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv(phrasecache.CACHE_ENV, "")
    assert phrasecache.cache_dir() is None
    assert phrasecache.read_compiled("abc") is None
    phrasecache.write_compiled("abc", {"phrases": []})  # nothing to write to: no error
    monkeypatch.delenv(phrasecache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert phrasecache.cache_dir() == tmp_path / "competency"


def test_lemmas_are_saved_and_loaded(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(phrasecache, "_loaded_lemmas", len(LEMMA_CACHE))
    LEMMA_CACHE["zorblings"] = "zorbling"
    try:
        phrasecache.save_lemmas()
        [path] = cache.glob("lemmas-*.json")
        assert json.loads(path.read_text(encoding="utf-8"))["zorblings"] == "zorbling"
        del LEMMA_CACHE["zorblings"]
        phrasecache.load_lemmas()
        assert LEMMA_CACHE["zorblings"] == "zorbling"
    finally:
        LEMMA_CACHE.pop("zorblings", None)


def test_the_cli_fills_the_cache(cache: Path, cli: Callable[..., CliResult],
                                 tmp_path: Path) -> None:
    jd = tmp_path / "jd.txt"
    jd.write_text(TEXT + "Quarblefrum the wuzzlings.\n", encoding="utf-8")  # new words
    result = cli("suggest", jd, "--json")
    assert result.code == 0, result.err
    assert len(list(cache.glob("phrases-*.json"))) == 1
    assert len(list(cache.glob("lemmas-*.json"))) == 1


def test_only_the_newest_compiled_files_are_kept(cache: Path) -> None:
    for n in range(phrasecache.KEEP + 3):
        phrasecache.write_compiled(f"k{n:02d}", {"phrases": []})
    kept = list(cache.glob("phrases-*.json"))
    assert len(kept) == phrasecache.KEEP
    assert phrasecache.read_compiled(f"k{phrasecache.KEEP + 2:02d}") is not None
