"""The suggester's cache on disk: compiled phrases keyed by content hash, and known lemmas.

``competency suggest`` spends most of a one-document run compiling the phrase file
(parsing YAML, lemmatising every phrase word) and loading simplemma's English
dictionary. Both are cached in :func:`cache_dir`:

* ``phrases-<sha256>.json``: the compiled phrases and learned sentence model of one
  framework, phrase file and model file, keyed by the SHA-256 of :data:`FORMAT`, the
  framework's contents and the two files' bytes, so any change to any of them gives a
  new key (stale files are never read,
  and only the newest :data:`KEEP` are kept);
* ``lemmas-<simplemma version>.json``: every word lemmatised so far and its lemma,
  loaded into :data:`competency.hr.phrases.LEMMA_CACHE` so that a document whose
  words are all known never loads simplemma's dictionary.

Files are written atomically (a temporary file renamed into place), so concurrent
runs never read half a file; a file that cannot be read or parsed is ignored and
rebuilt. Set :data:`CACHE_ENV` to another folder, or to an empty string to turn the
cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from competency.hr.phrases import LEMMA_CACHE

CACHE_ENV = "COMPETENCY_CACHE_DIR"
"""Environment variable naming the cache folder ("" turns the cache off)."""
FORMAT = 4
"""Bumped whenever the compiled form or the matching rules change."""
KEEP = 8
"""Compiled phrase files kept (newest first); older ones are deleted when one is written."""

_loaded_lemmas = 0


def cache_dir() -> Path | None:
    """``$COMPETENCY_CACHE_DIR``, else ``$XDG_CACHE_HOME/competency``, else
    ``~/.cache/competency``; None when the variable is set to an empty string."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "competency"


def compiled_key(framework_repr: str, phrase_bytes: bytes) -> str:
    """The content hash naming the compiled phrases of a framework and phrase file
    (``phrase_bytes``: the phrase file's and the model file's bytes, each followed by a
    NUL byte)."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    digest.update(framework_repr.encode("utf-8"))
    digest.update(b"\0")
    digest.update(phrase_bytes)
    return digest.hexdigest()


def read_compiled(key: str) -> dict[str, Any] | None:
    """The compiled phrases stored under ``key``, or None (missing, unreadable, off)."""
    folder = cache_dir()
    if folder is None:
        return None
    data = _read_json(folder / f"phrases-{key}.json")
    return data if isinstance(data, dict) and data.get("key") == key else None


def write_compiled(key: str, data: dict[str, Any]) -> None:
    """Store compiled phrases under ``key`` (silently skipped when the cache is off or
    read-only)."""
    folder = cache_dir()
    if folder is None:
        return
    path = folder / f"phrases-{key}.json"
    _write_json(path, {**data, "key": key})
    try:  # keep the newest few: each edit of a phrase file leaves an old key behind
        others = sorted((f for f in folder.glob("phrases-*.json") if f != path),
                        key=lambda f: f.stat().st_mtime_ns, reverse=True)
        for old in others[KEEP - 1:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _lemmas_path(folder: Path) -> Path:
    from importlib.metadata import version

    return folder / f"lemmas-{version('simplemma')}.json"


def load_lemmas() -> None:
    """Fill :data:`~competency.hr.phrases.LEMMA_CACHE` with the lemmas known on disk."""
    global _loaded_lemmas
    folder = cache_dir()
    if folder is None:
        return
    data = _read_json(_lemmas_path(folder))
    if isinstance(data, dict):
        for word, found in data.items():
            if isinstance(word, str) and isinstance(found, str):
                LEMMA_CACHE.setdefault(word, found)
    _loaded_lemmas = len(LEMMA_CACHE)


def save_lemmas() -> None:
    """Write the lemma cache back when this run lemmatised words not yet on disk."""
    folder = cache_dir()
    if folder is None or len(LEMMA_CACHE) <= _loaded_lemmas:
        return
    path = _lemmas_path(folder)
    known = _read_json(path)  # another run may have added words meanwhile
    merged = dict(known) if isinstance(known, dict) else {}
    merged.update(LEMMA_CACHE)
    _write_json(path, merged)


def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                # one string: json.dumps encodes in C, json.dump(handle) in Python
                handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a cache that cannot be written is only slower
