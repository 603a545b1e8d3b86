"""One gradebook connection for nbgrader's whole autograde run, one commit per submission.

nbgrader's converter and preprocessors each open ``Gradebook(db_url)`` (about ten
times per submission, each time creating an engine and checking every table) and
commit after nearly every change (about fifty fsyncs per submission with SQLite).
While :func:`shared_gradebook` is active, the name ``Gradebook`` in those nbgrader
modules returns one shared gradebook whose ``commit`` only flushes; the caller
commits once per submission. Reads of static rows (source and graded cells) are
answered from a per-run cache, and a submitted notebook's grades and comments are
loaded with one query; nbgrader's own code still decides every value written.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import types
from collections.abc import Iterator
from typing import Any

from competency.errors import GradingError

_PATCHED_MODULES = ("nbgrader.converters.autograde", "nbgrader.preprocessors.overwritecells",
                    "nbgrader.preprocessors.overwritekernelspec",
                    "nbgrader.preprocessors.saveautogrades",
                    "nbgrader.preprocessors.latesubmissions")


_STATIC = {"find_source_cell": ("name", "cell_type", "locked", "checksum", "source"),
           "find_graded_cell": ("name", "max_score")}
_STATIC_CACHE: dict[tuple[Any, ...], Any] = {}


def _static_lookup(gradebook: Any, method: str, *args: Any) -> Any:
    """A source or graded cell, looked up once per run (they do not change while grading)."""
    key = (id(gradebook), method, *args)
    if key not in _STATIC_CACHE:
        found = getattr(gradebook, method)(*args)
        _STATIC_CACHE[key] = types.SimpleNamespace(
            **{attr: getattr(found, attr) for attr in _STATIC[method]})
    return _STATIC_CACHE[key]


_PER_SUBMISSION = ("find_grade", "find_comment")
_SUBMISSION_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}


def _submission_lookup(gradebook: Any, method: str, cell: str, notebook: str,
                       assignment: str, student: str) -> Any:
    """A grade or comment of a submitted notebook; all of them loaded by one query.

    The objects are the session's own (nbgrader changes them and they are saved);
    the cache lives until the submission is committed.
    """
    from nbgrader.api import BaseCell, Comment, Grade

    key = (id(gradebook), method, notebook, assignment, student)
    if key not in _SUBMISSION_CACHE:
        model = Grade if method == "find_grade" else Comment
        submitted = gradebook.find_submission_notebook(notebook, assignment, student)
        rows = gradebook.db.query(model, BaseCell.name).join(
            BaseCell, BaseCell.id == model.cell_id).filter(
            model.notebook_id == submitted.id).all()
        _SUBMISSION_CACHE[key] = {name: found for found, name in rows}
    found = _SUBMISSION_CACHE[key].get(cell)
    return found if found is not None else getattr(gradebook, method)(
        cell, notebook, assignment, student)


class _DeferredSession:
    """The gradebook's session with ``commit`` turned into ``flush``."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def commit(self) -> None:
        self._session.flush()


@contextlib.contextmanager
def shared_gradebook(db_url: str) -> Iterator[Any]:
    """One gradebook connection for nbgrader's converter and preprocessors.

    nbgrader opens ``Gradebook(db_url)`` in each step; while this is active those
    names return the shared one, whose commits wait for :func:`commit` (one
    transaction per submission). Yields the real gradebook; its ``.session`` commits.
    """
    from nbgrader.api import Gradebook

    real = Gradebook(db_url)
    session = real.db
    real.db = _DeferredSession(session)

    class Borrowed:
        """What ``Gradebook(...)`` returns inside nbgrader while sharing."""

        def __init__(self, url: str, course_id: str = "default_course",
                     authenticator: Any = None) -> None:
            if url != db_url:
                raise GradingError(f"nbgrader asked for another gradebook ({url})")
            real.check_course(course_id)
            real.course_id = course_id
            real.authenticator = authenticator

        def __getattr__(self, name: str) -> Any:
            if name in _STATIC:
                return functools.partial(_static_lookup, real, name)
            if name in _PER_SUBMISSION:
                return functools.partial(_submission_lookup, real, name)
            return getattr(real, name)

        def __enter__(self) -> Any:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def close(self) -> None:
            return None

    modules: list[Any] = [importlib.import_module(name) for name in _PATCHED_MODULES]
    saved = [m.Gradebook for m in modules]
    for module in modules:
        module.Gradebook = Borrowed
    real.session = session
    try:
        yield real
    finally:
        for module, original in zip(modules, saved, strict=True):
            module.Gradebook = original
        session.rollback()
        session.remove()
        real.engine.dispose()
        _STATIC_CACHE.clear()
        _SUBMISSION_CACHE.clear()


def clear_submission_cache() -> None:
    """Forget the grades and comments loaded for the submission just committed."""
    _SUBMISSION_CACHE.clear()
