"""Commands for frameworks and the course map (and the version)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from competency import __version__
from competency.cli._common import (
    ExportFormat,
    FrameworkFile,
    app,
    course_app,
    framework_app,
    warn,
)


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
    from competency.framework.model import load_framework, render_framework

    fw = load_framework(file)
    print(render_framework(fw, competency), end="")


@framework_app.command("validate")
def framework_validate(
    file: Annotated[Path, typer.Argument(help="Framework YAML file to check.")],
) -> None:
    """Check a framework file: exit 0 when valid, 2 with `FILE, line N: problem` when not."""
    from competency.framework.model import load_framework

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
    from competency.framework.model import dump_framework, load_framework
    from competency.framework.moodle import export_moodle_csv

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
    from competency.framework.model import dump_framework, parse_framework
    from competency.framework.moodle import read_moodle_csv

    result = read_moodle_csv(file)
    for message in result.warnings:
        warn(message)
    fw = result.framework
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
    from competency.course.coursemap import course_map
    from competency.framework.model import load_framework

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

