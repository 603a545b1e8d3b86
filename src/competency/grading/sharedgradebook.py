"""One gradebook connection for nbgrader's whole autograde run, two commits per submission.

nbgrader's converter and preprocessors each open ``Gradebook(db_url)`` (about ten
times per submission, each time creating an engine and checking every table) and
commit after nearly every change (about fifty fsyncs per submission with SQLite).
While :func:`competency.grading.nbgraderhooks.shared_gradebook` is active, the name
``Gradebook`` in those nbgrader modules is :func:`borrowed_class`: it returns one
shared gradebook whose ``commit`` only flushes (:class:`DeferredSession`); the caller
commits once a submission is prepared and once with its scores, so that each
transaction holds one submission's changes only. Reads of static rows (source and
graded cells) are answered from a per-run cache, and a submitted notebook's grades
and comments are loaded with one query; nbgrader's own code still decides every
value written.
The swapping itself is a hook, in :mod:`competency.grading.nbgraderhooks`; this
module uses nbgrader's public API (``Gradebook``'s ``find_*`` methods, its models).
"""

from __future__ import annotations

import functools
import types
from typing import Any

from competency.errors import GradingError

_STATIC = {"find_source_cell": ("name", "cell_type", "locked", "checksum", "source"),
           "find_graded_cell": ("name", "max_score")}
_STATIC_CACHE: dict[tuple[Any, ...], Any] = {}


def _snapshot(method: str, found: Any) -> types.SimpleNamespace:
    return types.SimpleNamespace(**{attr: getattr(found, attr) for attr in _STATIC[method]})


def _static_lookup(gradebook: Any, method: str, *args: Any) -> Any:
    """A source or graded cell, looked up once per run (they do not change while grading).

    The first lookup in a notebook loads all of that notebook's cells of the kind asked
    for (one query per kind); a name not among them is asked of nbgrader, as before.
    """
    key = (id(gradebook), method, *args)
    if key not in _STATIC_CACHE and len(args) == 3:
        _prefetch(gradebook, method, args[1], args[2])
    if key not in _STATIC_CACHE:
        _STATIC_CACHE[key] = _snapshot(method, getattr(gradebook, method)(*args))
    return _STATIC_CACHE[key]


def _prefetch(gradebook: Any, method: str, notebook: str, assignment: str) -> None:
    """Cache every source (or graded) cell of a notebook: what nbgrader's find_* return."""
    from nbgrader.api import Assignment, GradeCell, Notebook, SourceCell, TaskCell

    done = (id(gradebook), "prefetched", method, notebook, assignment)
    if done in _STATIC_CACHE:
        return
    _STATIC_CACHE[done] = True
    # find_source_cell: SourceCell; find_graded_cell: GradeCell, else TaskCell
    models = [SourceCell] if method == "find_source_cell" else [TaskCell, GradeCell]
    for model in models:  # GradeCell last: it wins over a TaskCell of the same name
        rows = gradebook.db.query(model).join(Notebook, Notebook.id == model.notebook_id).join(
            Assignment, Assignment.id == Notebook.assignment_id).filter(
            Notebook.name == notebook, Assignment.name == assignment).all()
        for found in rows:
            key = (id(gradebook), method, found.name, notebook, assignment)
            _STATIC_CACHE[key] = _snapshot(method, found)


_PER_SUBMISSION = ("find_grade", "find_comment")
_SUBMISSION_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}


def _submission_lookup(gradebook: Any, session: Any, method: str, cell: str, notebook: str,
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
        rows = session.query(model, BaseCell.name).join(
            BaseCell, BaseCell.id == model.cell_id).filter(
            model.notebook_id == submitted.id).all()
        _SUBMISSION_CACHE[key] = {name: found for found, name in rows}
    found = _SUBMISSION_CACHE[key].get(cell)
    return found if found is not None else getattr(gradebook, method)(
        cell, notebook, assignment, student)


class DeferredSession:
    """The gradebook's session with ``commit`` turned into ``flush``."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def commit(self) -> None:
        self._session.flush()


def borrowed_class(real: Any, session: Any, db_url: str) -> type:
    """What ``Gradebook(...)`` returns inside nbgrader while sharing ``real``.

    ``session`` is ``real``'s own session (whose commits ``real`` defers). Each course
    id is checked (its row created if missing) once per run, not at every ``Gradebook(...)``.
    """
    checked: set[str] = set()

    class Borrowed:
        """The shared gradebook, with cached reads of static rows and of grades."""

        def __init__(self, url: str, course_id: str = "default_course",
                     authenticator: Any = None) -> None:
            if url != db_url:
                raise GradingError(f"nbgrader asked for another gradebook ({url})")
            if course_id not in checked:
                real.check_course(course_id)
                checked.add(course_id)
            real.course_id = course_id
            real.authenticator = authenticator

        def __getattr__(self, name: str) -> Any:
            if name in _STATIC:
                return functools.partial(_static_lookup, real, name)
            if name in _PER_SUBMISSION:
                return functools.partial(_submission_lookup, real, session, name)
            return getattr(real, name)

        def __enter__(self) -> Any:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def close(self) -> None:
            return None

    return Borrowed


def clear_caches() -> None:
    """Forget everything cached (at the end of a run)."""
    _STATIC_CACHE.clear()
    _SUBMISSION_CACHE.clear()


def clear_submission_cache() -> None:
    """Forget the grades and comments loaded for the submission just committed."""
    _SUBMISSION_CACHE.clear()
