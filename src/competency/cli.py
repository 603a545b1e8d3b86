"""The ``competency`` command line: a thin typer layer over the Python API.

Every :class:`~competency.errors.CompetencyError` and every usage error ends
as one line on stderr and exit code 2; warnings are ``warning: …`` lines on
stderr. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from competency import __version__
from competency.errors import CompetencyError, UsageError

app = typer.Typer(
    name="competency",
    help="Cultural Capability Toolkit: competency frameworks, course maps, roles and coverage.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
)
framework_app = typer.Typer(help="Show, validate, export and import competency frameworks.",
                            no_args_is_help=True, rich_markup_mode=None)
course_app = typer.Typer(help="Read the nbgrader course: which module evidences what.",
                         no_args_is_help=True, rich_markup_mode=None)
app.add_typer(framework_app, name="framework")
app.add_typer(course_app, name="course")
roles_app = typer.Typer(help="Validate and show the roles table (role competency requirements).",
                        no_args_is_help=True, rich_markup_mode=None)
jd_app = typer.Typer(help="Review job descriptions: record, apply and report decisions.",
                     no_args_is_help=True, rich_markup_mode=None)
app.add_typer(roles_app, name="roles")
app.add_typer(jd_app, name="jd")


def warn(message: str) -> None:
    """Print one ``warning: …`` line on stderr."""
    print(f"warning: {message}", file=sys.stderr)


class ExportFormat(StrEnum):
    """Formats ``framework export`` writes."""

    moodle_csv = "moodle-csv"
    yaml = "yaml"


FrameworkFile = Annotated[
    Path | None,
    typer.Argument(help="Framework YAML file (default: the shipped framework).",
                   show_default=False),
]


@app.command("version")
def version() -> None:
    """Print the toolkit's version."""
    print(__version__)


@framework_app.command("show")
def framework_show(
    file: FrameworkFile = None,
    competency: Annotated[str | None, typer.Option("--competency", "-c",
                                                    help="Show only this competency ID.")] = None,
) -> None:
    """Print a framework's levels, competencies and indicators."""
    from competency.framework import load_framework, render_framework

    fw = load_framework(file)
    print(render_framework(fw, competency), end="")


@framework_app.command("validate")
def framework_validate(
    file: Annotated[Path, typer.Argument(help="Framework YAML file to check.")],
) -> None:
    """Check a framework file: exit 0 when valid, 2 with `FILE, line N: problem` when not."""
    from competency.framework import load_framework

    fw = load_framework(file)
    print(f"{file}: valid ({len(fw)} competencies, {len(fw.levels)} levels, "
          f"version {fw.version})")


@framework_app.command("export")
def framework_export(
    file: FrameworkFile = None,
    format: Annotated[ExportFormat, typer.Option("--format", "-f",
                                                 help="Output format.")] = ExportFormat.moodle_csv,
    out: Annotated[Path | None, typer.Option("--out", "-o",
                                             help="Write here instead of stdout.")] = None,
) -> None:
    """Export a framework as Moodle's competency-framework CSV (or YAML)."""
    from competency.files import atomic_write_text
    from competency.framework import dump_framework, load_framework
    from competency.moodle import export_moodle_csv

    fw = load_framework(file)
    text = export_moodle_csv(fw) if format is ExportFormat.moodle_csv else dump_framework(fw)
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(out, text)


@framework_app.command("import")
def framework_import(
    file: Annotated[Path, typer.Argument(help="Moodle competency-framework CSV.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Framework YAML file to write.")],
) -> None:
    """Read a Moodle competency-framework CSV and write framework YAML."""
    from competency.files import atomic_write_text
    from competency.framework import dump_framework, parse_framework
    from competency.moodle import import_moodle_csv

    fw = import_moodle_csv(file)
    text = dump_framework(fw)
    parse_framework(text, source=str(out))  # never write a file we could not read back
    atomic_write_text(out, text)
    print(f"{out}: wrote {len(fw)} competencies, {len(fw.levels)} levels", file=sys.stderr)


@course_app.command("map")
def course_map_command(
    course_dir: Annotated[Path, typer.Argument(help="nbgrader course directory.")] = Path(
        "course"),
    as_json: Annotated[bool, typer.Option("--json", help="Print {module: {competency: points}}."
                                          )] = False,
    framework: Annotated[Path | None, typer.Option("--framework",
                                                   help="Framework YAML (default: shipped).")
                         ] = None,
) -> None:
    """Points per module and competency, from the source notebooks' cell tags."""
    from competency.course import course_map
    from competency.framework import load_framework

    result = course_map(course_dir, load_framework(framework))
    for message in result.warnings:
        warn(message)
    if as_json:
        print(result.to_json())
        return
    for module, per_comp in result.points.items():
        print(module)
        if not per_comp:
            print("  (no tagged point-carrying cells)")
        for cid, pts in per_comp.items():
            print(f"  {cid:<8} {pts:>6g} points  level {result.levels[module][cid]}")


def _parse_date(value: str | None, option: str) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date(value, option)
    except ValueError:
        return _bad_date(value, option)


def _bad_date(value: str, option: str) -> dt.date:
    raise UsageError(f"competency: Invalid value for '{option}': {value!r} is not a date "
                     "(use YYYY-MM-DD)")


@app.command("coverage")
def coverage_command(
    roles: Annotated[Path, typer.Option("--roles", help="Roles table (CSV or XLSX).")],
    staff: Annotated[Path, typer.Option("--staff", help="Staff table (CSV or XLSX).")],
    evidence: Annotated[Path, typer.Option("--evidence", help="Evidence table (CSV or XLSX).")],
    out: Annotated[Path, typer.Option("--out", help="Coverage CSV to write.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge on this date, "
                                              "YYYY-MM-DD (default: today).")] = None,
    refresher_years: Annotated[int, typer.Option("--refresher-years",
                                                 help="Evidence lasts this many years.")] = 3,
    expiring_days: Annotated[int, typer.Option("--expiring-days",
                                               help="Window for 'expiring'.")] = 90,
    framework: Annotated[Path | None, typer.Option("--framework",
                                                   help="Framework YAML (default: shipped).")
                         ] = None,
) -> None:
    """Write one row per member of staff and required competency, with its status.

    This is an identifiable output (it names staff): for managers only.
    """
    from competency.coverage import CoverageOptions, load_inputs, write_coverage
    from competency.framework import load_framework

    options = CoverageOptions(_parse_date(as_of, "--as-of"), refresher_years, expiring_days)
    inputs = load_inputs(roles, staff, evidence, load_framework(framework))
    for message in write_coverage(inputs, options, out):
        warn(message)


@app.command("lab")
def lab(
    root: Annotated[Path, typer.Option("--root", help="Folder holding course/ and notebooks/."
                                       )] = Path("."),
    course: Annotated[Path | None, typer.Option("--course", help="nbgrader course directory "
                                                "(default: ROOT/course).")] = None,
    port: Annotated[int, typer.Option("--port", help="Port (the next free one if taken).")
                    ] = 8888,
    open_browser: Annotated[bool, typer.Option("--open/--no-open",
                                               help="Open a browser.")] = False,
) -> int:
    """Start JupyterLab on 127.0.0.1 with the course and notebooks; prints the URL."""
    from competency.lab import LabSettings, serve

    return serve(LabSettings(root=root, course=course or root / "course", port=port,
                             open_browser=open_browser))


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
