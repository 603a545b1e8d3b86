"""One way to fail: :class:`CompetencyError` and its subclasses.

Every message names where the problem is (file and line or row, notebook and
cell, or competency ID) and shows the offending value, so that the CLI can
print it as one line. Anything that is not a :class:`CompetencyError` is a bug
and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


class CompetencyError(Exception):
    """Root of every error the toolkit raises on purpose (bad input, bad config)."""

    exit_code = 2


class UsageError(CompetencyError):
    """The command line itself was wrong (unknown option, missing argument)."""


Problem = tuple[int | None, str, object]
"""``(row, problem, value)``: one bad row of a table, as :class:`InputFileError` names it."""


class InputFileError(CompetencyError):
    """A problem at a known place in an input file.

    The message reads ``FILE, line N: problem`` (or ``row N`` for tables,
    where the header is row 1), with the offending value in parentheses when
    there is one. When other rows of the file have problems too (``others``,
    one per row), the one line ends ``(and N more rows with problems;
    --all-errors lists them)``, and :meth:`lines` gives one line per bad row.
    """

    def __init__(
        self,
        path: str | Path,
        problem: str,
        *,
        line: int | None = None,
        row: int | None = None,
        value: object = None,
        others: tuple[Problem, ...] = (),
    ) -> None:
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.row = row
        self.value = value
        self.others = tuple(others)
        """The other bad rows, one problem each, in row order."""
        message = self.first_line()
        if self.others:
            count = len(self.others)
            message += (f" (and {count} more row{'' if count == 1 else 's'} with problems; "
                        "--all-errors lists them)")
        super().__init__(message)

    def first_line(self) -> str:
        """The message without the count of other bad rows."""
        return _where(self.path, self.problem, self.line, self.row, self.value)

    def lines(self) -> list[str]:
        """One ``FILE, row N: problem (value)`` line per bad row, in row order."""
        return [self.first_line()] + [_where(self.path, problem, None, row, value)
                                      for row, problem, value in self.others]

    def __reduce__(self) -> tuple[object, ...]:  # keep picklable across processes
        return (_rebuild_input_error, (type(self), self.path, self.problem,
                                       self.line, self.row, self.value, self.others))


def _where(path: str, problem: str, line: int | None, row: int | None, value: object) -> str:
    where = path
    if line is not None:
        where += f", line {line}"
    elif row is not None:
        where += f", row {row}"
    message = f"{where}: {problem}"
    if value is not None:
        message += f" ({value})"
    return message


def _rebuild_input_error(
    cls: type[InputFileError],
    path: str,
    problem: str,
    line: int | None,
    row: int | None,
    value: object,
    others: tuple[Problem, ...] = (),
) -> InputFileError:
    return cls(path, problem, line=line, row=row, value=value, others=others)


class RowProblems:
    """Collects the problems of a table's rows, so that all are counted, then raises.

    Wrap each row's checks in ``with problems.catch():``; an :class:`InputFileError`
    raised there is kept (the first one per row) and the loop goes on. Then
    :meth:`raise_first` raises the earliest row's error, carrying the other rows
    (see :class:`InputFileError`).
    """

    def __init__(self) -> None:
        self.found: list[InputFileError] = []
        """The problems caught, in the order found."""

    @contextmanager
    def catch(self) -> Iterator[None]:
        """Keep an :class:`InputFileError` raised inside instead of raising it."""
        try:
            yield
        except InputFileError as exc:
            self.found.append(exc)

    def raise_first(self) -> None:
        """Raise the earliest bad row's error with the others, if any row was bad."""
        raise_rows(self.found)


def raise_rows(problems: Sequence[InputFileError]) -> None:
    """Raise the earliest of ``problems`` (rows of one file) carrying the rest, one per row."""
    if not problems:
        return
    ordered = sorted(problems, key=lambda p: -1 if p.row is None else p.row)  # stable
    rows: dict[int | None, InputFileError] = {}
    for p in ordered:
        rows.setdefault(p.row, p)
    first, *rest = rows.values()
    raise type(first)(first.path, first.problem, line=first.line, row=first.row,
                      value=first.value, others=tuple((p.row, p.problem, p.value)
                                                      for p in rest)) from None


class DateError(CompetencyError, ValueError):
    """A date is not a real ``YYYY-MM-DD`` date.

    The message reads ``WHERE: malformed date; use YYYY-MM-DD (VALUE)``.
    """


class FrameworkError(InputFileError):
    """A competency framework file (YAML or Moodle CSV) is invalid."""


class TableError(InputFileError):
    """An organisation table (roles, staff, evidence, catalogue) is invalid."""


class DocumentError(InputFileError):
    """A document (.docx, .pdf, .txt, .md) cannot be read as text, e.g. a scanned PDF."""


class PhrasesError(InputFileError):
    """A suggester phrase file is invalid."""


class RoleError(CompetencyError):
    """A role asked for by name is not in the roles table."""


class InterviewQuestionsError(InputFileError):
    """An interview question bank (YAML) is invalid."""


class DecisionError(CompetencyError):
    """A job-description review decision is invalid (unknown competency, level, priority)."""


class RequirementChangeError(DecisionError):
    """Applying a decision log would change requirements the roles table already has."""

    def __init__(self, message: str, changes: tuple[str, ...]) -> None:
        super().__init__(message)
        self.changes = changes
        """One line per requirement that would change (``role, ID: field old -> new``)."""


class CourseError(CompetencyError):
    """A course notebook is malformed (unknown competency tag, bad points)."""


class ConfigError(InputFileError):
    """A configuration file (``competency.toml``) is invalid: ``FILE, line N: problem``."""


class StoreError(CompetencyError):
    """The evidence store cannot be opened or used (bad URL, no server, newer schema)."""


class GradebookError(CompetencyError):
    """An nbgrader gradebook cannot be read (no such file, not a gradebook)."""


class ReviewError(CompetencyError):
    """A training review cannot be recorded (unknown course, competency, level or verdict)."""


class DirectoryError(InputFileError):
    """A community directory file (CSV, skill vocabulary, language table) is invalid."""


class DirectoryRowsError(DirectoryError):
    """Rows of a community directory file are invalid, so nothing was imported.

    One line, as every table's error: the first bad row ``FILE, row N: problem
    (value)`` and how many other rows have problems; :meth:`lines` (the CLI's
    ``--all-errors``) gives one line per bad row.
    """

    def __init__(self, problems: tuple[DirectoryError, ...] | list[DirectoryError]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: -1 if p.row is None else p.row))
        """Every bad row's problem, in row order."""
        first, *rest = self.problems
        super().__init__(first.path, first.problem, line=first.line, row=first.row,
                         value=first.value,
                         others=tuple((p.row, p.problem, p.value) for p in rest))

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.problems,))


class DirectoryEntryError(CompetencyError):
    """One field of a community directory entry is invalid: ``NAME, FIELD: problem (value)``."""

    def __init__(self, name: str, field: str, problem: str, value: object = None) -> None:
        self.name = name
        self.field = field
        self.problem = problem
        self.value = value
        message = f"{name + ', ' if name else ''}{field}: {problem}"
        super().__init__(message if value is None else f"{message} ({value})")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.name, self.field, self.problem, self.value))


class DirectoryLookupError(CompetencyError):
    """An organisation, language or skill asked for is not in the directory or its tables."""


class AnswerError(CompetencyError, ValueError):
    """A learner's answer cannot be understood (misspelt option, wrong count).

    In a notebook it renders as one friendly line instead of a traceback.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"Not yet: {self}"]


class QuestionError(CompetencyError):
    """A question bank is malformed or names an unknown question."""


class QuestionBankError(QuestionError, InputFileError):
    """A question bank file is invalid: ``FILE, line N: problem (value)``.

    In a notebook it renders as that one line instead of a traceback.
    """

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


class DisclosureError(CompetencyError):
    """An aggregated output would disclose a person (a staff identifier, a negative count)."""


class GradingError(CompetencyError):
    """Autograding cannot run (no such course or submissions, assignment not in the gradebook)."""
