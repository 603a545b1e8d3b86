"""nbgrader's own bookkeeping around our execution step.

:class:`Grader` drives nbgrader's :class:`~nbgrader.converters.Autograde` converter
submission by submission, split in two around execution: :meth:`Grader.sanitize`
(``init_destination``, ``init_assignment``, the sanitize preprocessors) and
:meth:`Grader.apply_and_save` (the autograde preprocessors, with ``Execute``
replaced by one that applies the sandbox's outputs: :mod:`competency.grading.autograde`).
Everything nbgrader is imported lazily: importing it costs seconds.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from competency.errors import GradingError
from competency.grading.autograde import LANGUAGE_INFO as LANGUAGE_INFO
from competency.grading.autograde import apply_outputs as apply_outputs
from competency.grading.autograde import autograde_classes
from competency.grading.autograde import code_cells as code_cells
from competency.grading.sharedgradebook import clear_submission_cache, shared_gradebook

LOG = logging.getLogger("competency.grading.grader.nbgrader")



class Skip(Exception):
    """nbgrader would not grade this submission now (already autograded)."""


@dataclass(frozen=True)
class Score:
    """A submission's totals in the gradebook."""

    score: float | None
    """Points (before the late penalty); None when there is no submission."""
    max_score: float | None
    """Points available."""
    late_penalty: float
    """Points deducted for lateness."""
    needs_manual: bool
    """Whether a grader still has to look at some cell."""


def quiet_warnings() -> None:
    """Silence what nbgrader's own code warns about on every run (inside catch_warnings)."""
    warnings.filterwarnings("ignore", message=r"Object of type .* not in session")
    warnings.filterwarnings("ignore", category=DeprecationWarning)


def _warning_to_note(message: Warning | str, category: type[Warning], *_: Any,
                     **__: Any) -> None:
    """A warning raised while processing a submission (e.g. by nbformat) becomes a note."""
    text = (str(message).strip().splitlines() or [""])[0].split(". ")[0]
    LOG.warning("%s: %s", category.__name__, text[:160])


def describe(exc: BaseException) -> str:
    """One line on why a submission could not be processed."""
    name = type(exc).__name__
    if name == "NotJSONError" or isinstance(exc, json.JSONDecodeError):
        return "the notebook is not valid JSON (truncated or damaged)"
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{name}: {first}"[:300]


def summarise(notes: Sequence[str]) -> tuple[str, ...]:
    """nbgrader's warnings about a submission, restored locked cells counted as one note."""
    restored = [n for n in notes if "Attribute 'checksum'" in n]
    others = list(dict.fromkeys(n for n in notes if n not in restored and
                                "Removing existing" not in n and "Updating existing" not in n))
    if restored:
        others.insert(0, f"{len(restored)} locked cell(s) restored from the gradebook")
    return tuple(others)


class _Notes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.target: list[str] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.target is not None:
            self.target.append(record.getMessage())


def nbgrader_app(course: Path, app_class: Any) -> Any:
    """An nbgrader app with the course's configuration, as if run from the course folder."""
    app = app_class()
    here, path = os.getcwd(), list(sys.path)
    os.chdir(course)
    try:
        app.initialize([], root=str(course))
    except SystemExit as exc:
        raise GradingError(f"{course}: nbgrader cannot read the course configuration") from exc
    finally:
        os.chdir(here)
        sys.path[:] = path  # nbgrader puts the working directory first on sys.path
    app.log_level = logging.WARNING  # nbgrader's INFO lines would drown the summary
    return app


class Grader:
    """nbgrader's autograde bookkeeping for one assignment, split around execution."""

    def __init__(self, app: Any, gradebook: Any, assignment: str, force: bool) -> None:
        from nbconvert.writers.files import FilesWriter

        self.app = app
        self.coursedir = app.coursedir
        self.gradebook = gradebook
        self.assignment = assignment
        classes = autograde_classes()
        conv = classes.Autograde(coursedir=self.coursedir, parent=app)
        conv.log = LOG
        conv.force = force
        execute = app.config.Execute
        self.execute = bool(execute.get("enabled", True))
        timeout = execute.get("timeout", 30)
        self.cell_timeout: float | None = float(timeout) if timeout else None
        conv.apply = classes.Apply(parent=conv)
        conv.apply.enabled = self.execute
        conv.writer = FilesWriter(parent=conv, config=conv.config)  # type: ignore[no-untyped-call]
        conv.exporter = conv.exporter_class(parent=conv, config=conv.config)
        conv.exporter.optimistic_validation = True  # validate once per pass, not per step
        self.conv = conv
        self._notes = _Notes()
        self._notebooks: dict[str, list[str]] = {}

    @classmethod
    @contextlib.contextmanager
    def open(cls, course: Path, assignment: str, force: bool) -> Iterator[Grader]:
        """The grader for ``assignment`` in ``course``, its gradebook open and shared."""
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            quiet_warnings()
            warnings.showwarning = _warning_to_note
            from nbgrader.api import MissingEntry
            from nbgrader.apps.autogradeapp import AutogradeApp

            app = nbgrader_app(course, AutogradeApp)
            app.coursedir.assignment_id = assignment
            with shared_gradebook(app.coursedir.db_url) as gradebook:
                try:
                    gradebook.find_assignment(assignment)
                except MissingEntry:
                    raise GradingError(f"{course}: assignment {assignment} is not in the "
                                       "gradebook; run nbgrader generate_assignment first"
                                       ) from None
                grader = cls(app, gradebook, assignment, force)
                LOG.addHandler(grader._notes)
                LOG.propagate = False
                LOG.setLevel(logging.WARNING)
                try:
                    yield grader
                finally:
                    LOG.removeHandler(grader._notes)

    @property
    def root(self) -> str:
        """The course root."""
        return str(self.coursedir.root)

    @property
    def protected_paths(self) -> list[str]:
        """The gradebook file, when it is SQLite."""
        url = str(self.coursedir.db_url)
        return [url[len("sqlite:///"):]] if url.startswith("sqlite:///") else []

    def report_path(self) -> Path:
        """``autograded/ASSIGNMENT-grading-report.csv`` in the course."""
        return Path(self.root, str(self.coursedir.autograded_directory),
                    f"{self.assignment}-grading-report.csv")

    def destination(self, student: str) -> Path:
        """``autograded/STUDENT/ASSIGNMENT``."""
        return Path(str(self.conv._format_dest(self.assignment, student)))

    @contextlib.contextmanager
    def notes_to(self, target: list[str]) -> Iterator[None]:
        """Collect nbgrader's warnings into ``target`` meanwhile."""
        self._notes.target = target
        try:
            yield
        finally:
            self._notes.target = None

    def students(self) -> list[str]:
        """Every student with a submission of the assignment (nbgrader's glob)."""
        from nbgrader.converters.base import NbGraderException

        conv = self.conv
        conv._sanitizing = True
        try:
            conv.init_notebooks()
        except NbGraderException:
            raise GradingError(f"no submissions of {self.assignment} under "
                               f"{Path(self.root) / self.coursedir.submitted_directory}"
                               ) from None
        pattern = conv._format_source("(?P<assignment_id>.*)", "(?P<student_id>.*)",
                                      escape=True)
        for folder, notebooks in conv.assignments.items():
            match = re.match(pattern, folder)
            if match:
                self._notebooks[match["student_id"]] = sorted(notebooks)
        return sorted(self._notebooks)

    def _resources(self, filename: str) -> Any:
        resources = self.conv.init_single_notebook_resources(filename)
        resources["metadata"] = {"name": Path(filename).stem, "path": str(Path(filename).parent)}
        return resources

    def sanitize(self, student: str) -> dict[str, tuple[Path, Any]] | None:
        """nbgrader's steps before execution; ``{name: (autograded path, notebook)}``.

        The sanitized notebooks stay in memory (nbgrader writes and reads them back).
        None when the course configuration excludes the student; raises :class:`Skip`
        when nbgrader would skip the submission (already autograded, not newer).
        """
        import nbformat
        from nbconvert.exporters.exporter import Exporter

        conv = self.conv
        conv.notebooks = list(self._notebooks[student])
        conv._sanitizing = True
        if not conv.init_destination(self.assignment, student):
            excluded = str(self.coursedir.student_id_exclude or "").split(",")
            if student in excluded:
                return None
            raise Skip("already autograded (use --force to grade again)")
        conv.run_pre_convert_hook()
        conv.init_assignment(self.assignment, student)
        dest = self.destination(student)
        dest.mkdir(parents=True, exist_ok=True)
        out = {}
        for notebook in conv.notebooks:
            conv._sanitizing = True
            conv._init_preprocessors()
            resources = self._resources(notebook)
            nb = nbformat.read(notebook, as_version=4)  # type: ignore[no-untyped-call]
            nb, _ = Exporter.from_notebook_node(conv.exporter, nb, resources)
            out[Path(notebook).stem] = (dest / Path(notebook).name, nb)
        return out

    def apply_and_save(self, student: str, notebooks: dict[str, tuple[Path, Any]],
                       ran: dict[str, Any], planned: dict[str, list[int]], error: str) -> None:
        """nbgrader's steps after execution, with the sandbox's outputs; then commit."""
        from nbgrader import utils

        conv = self.conv
        conv.apply.ran, conv.apply.planned, conv.apply.error = ran, planned, error
        conv._sanitizing = False
        conv._init_preprocessors()
        try:
            with utils.setenv(NBGRADER_EXECUTION="autograde"):
                for path, nb in notebooks.values():
                    resources = self._resources(str(path))
                    output, resources = conv.exporter.from_notebook_node(nb, resources)
                    conv.write_single_notebook(output, resources)
        finally:
            conv._sanitizing = True
        conv.set_permissions(self.assignment, student)
        conv.run_post_convert_hook()
        self.commit()

    def discard(self, student: str) -> None:
        """After a failure: remove the partial autograded folder, keep the gradebook rows."""
        dest = self.destination(student)
        if dest.exists():
            shutil.rmtree(dest, ignore_errors=True)
        self.commit()

    def commit(self) -> None:
        """End the submission's transaction."""
        from sqlalchemy.exc import SQLAlchemyError

        clear_submission_cache()
        try:
            self.gradebook.session.commit()
        except SQLAlchemyError as exc:
            self.gradebook.session.rollback()
            raise GradingError(f"gradebook {self.coursedir.db_url}: {describe(exc)}") from exc

    def score(self, student: str) -> Score:
        """The student's totals in the gradebook."""
        from nbgrader.api import MissingEntry

        try:
            sub = self.gradebook.find_submission(self.assignment, student)
        except MissingEntry:
            return Score(None, None, 0.0, False)
        return Score(float(sub.score), float(sub.max_score),
                     float(sub.late_submission_penalty or 0.0), bool(sub.needs_manual_grade))
