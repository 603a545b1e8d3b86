"""The ``competency`` command line: a thin typer layer over the Python API.

Every :class:`~competency.errors.CompetencyError` and every usage error ends
as one line on stderr and exit code 2 (a table with several bad rows: the
first, and how many others; with ``--all-errors`` anywhere on the command
line, one line per bad row); warnings are ``warning: …`` lines on
stderr. Anything else is a bug and keeps its traceback. The commands live in
one module per area (framework, coverage, hr, directory, grading); importing
them registers them on :data:`app`.
"""

from __future__ import annotations

import copy
import sys

import typer

from competency.cli import coverage, directory, framework, grading, hr  # noqa: F401 - registers
from competency.cli._common import app, warn
from competency.errors import CompetencyError, InputFileError

__all__ = ["ALL_ERRORS", "app", "main", "warn"]

ALL_ERRORS = "--all-errors"
"""Given anywhere before ``--``, a table's error lists every bad row, one line each,
instead of the first with a count of the others."""


def _noop() -> None:
    """The pruned app's callback: it keeps the app a group of one command."""


def app_for(argv: list[str]) -> typer.Typer:
    """:data:`app` with only the command or command group ``argv`` starts with.

    Typer builds every command's parameters before it runs one; with the others left
    out, a command starts sooner. Anything else (no command, an option first, an unknown
    command) gets the whole app, so help and errors read as before.
    """
    first = argv[0] if argv else ""
    commands = [c for c in app.registered_commands
                if (c.name or getattr(c.callback, "__name__", "")) == first]
    groups = [g for g in app.registered_groups if g.name == first]
    if not first or first.startswith("-") or not (commands or groups):
        return app
    pruned = copy.copy(app)
    pruned.registered_commands = commands
    pruned.registered_groups = groups
    pruned.registered_callback = typer.models.TyperInfo(callback=_noop)
    return pruned


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (used by the console script)."""
    args = list(sys.argv[1:] if argv is None else argv)
    end = args.index("--") if "--" in args else len(args)
    all_errors = ALL_ERRORS in args[:end]
    if all_errors:
        args = [a for a in args[:end] if a != ALL_ERRORS] + args[end:]
    try:
        result = app_for(args)(args=args, prog_name="competency", standalone_mode=False)
    except InputFileError as exc:
        print("\n".join(exc.lines()) if all_errors else str(exc), file=sys.stderr)
        return exc.exit_code
    except CompetencyError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except typer.TyperException as exc:
        message = exc.format_message()
        if type(exc).__name__ == "NoArgsIsHelpError":
            print(message, file=sys.stderr)
        else:
            print(f"competency: {' '.join(message.split())} (try --help)", file=sys.stderr)
        return 2
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return 130
    return result if isinstance(result, int) else 0

