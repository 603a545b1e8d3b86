"""The ``competency`` command line: a thin typer layer over the Python API.

Every :class:`~competency.errors.CompetencyError` and every usage error ends
as one line on stderr and exit code 2; warnings are ``warning: …`` lines on
stderr. Anything else is a bug and keeps its traceback. The commands live in
one module per area (framework, coverage, hr, directory, grading); importing
them registers them on :data:`app`.
"""

from __future__ import annotations

import sys

import typer

from competency.cli import coverage, directory, framework, grading, hr  # noqa: F401 - registers
from competency.cli._common import app, warn
from competency.errors import CompetencyError

__all__ = ["app", "main", "warn"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (used by the console script)."""
    try:
        result = app(args=argv, prog_name="competency", standalone_mode=False)
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

