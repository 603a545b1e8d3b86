"""Shared pieces of the command line: the typer apps, shared options and helpers.

The command line holds no defaults of its own: options default to None, and a
command takes what is not given from the configuration (:mod:`competency.config`,
whose schema owns the defaults) or from the API. The configuration is imported
inside the commands, so that ``competency --help`` stays light.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from competency.dates import ISO_DATE, parse_iso
from competency.errors import UsageError

if TYPE_CHECKING:
    from competency.config import Config

_T = TypeVar("_T")

app = typer.Typer(
    name="competency",
    help="Cultural Capability Toolkit: competency frameworks, course maps, roles and coverage. "
    "A bad input table is reported as its first bad row and how many other rows have "
    "problems; add --all-errors to any command to list every bad row, one line each.",
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


config_app = typer.Typer(help="Show the configuration (competency.toml) in force.",
                         no_args_is_help=True, rich_markup_mode=None)


evidence_app = typer.Typer(help="Import evidence (files, the nbgrader gradebook) into the "
                           "store, and export it.", no_args_is_help=True, rich_markup_mode=None)


reviews_app = typer.Typer(help="Review training against the framework: catalogue, log, status.",
                          no_args_is_help=True, rich_markup_mode=None)


app.add_typer(config_app, name="config")


app.add_typer(evidence_app, name="evidence")


app.add_typer(reviews_app, name="reviews")


directory_app = typer.Typer(help="The directory of community and voluntary organisations and "
                            "their skills.", no_args_is_help=True, rich_markup_mode=None)


app.add_typer(directory_app, name="directory")


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


def _parse_date(value: str | None, option: str) -> dt.date:
    if value is None:
        return dt.date.today()
    day = parse_iso(value)
    if day is None:
        raise UsageError(f"competency: Invalid value for '{option}': {value!r} is not a date "
                         f"(use {ISO_DATE})")
    return day


FrameworkOption = Annotated[
    Path | None, typer.Option("--framework", help="Framework YAML (default: shipped).")]


LogOption = Annotated[Path, typer.Option("--log", help="Decision log (.csv).")]


ConfigOption = Annotated[Path | None, typer.Option(
    "--config", help="Config file (default: ./competency.toml if there is one).")]


StoreOption = Annotated[str | None, typer.Option(
    "--store", help="Evidence store URL (default: the config's store, else "
    "sqlite:///competency.db here).", show_default=False)]


ConfigFrameworkOption = Annotated[Path | None, typer.Option(
    "--framework", help="Framework YAML (default: the config's, else shipped).",
    show_default=False)]


CatalogueOption = Annotated[Path | None, typer.Option(
    "--catalogue", help="External training catalogue CSV [default: the config's "
    "data.catalogue].", show_default=False)]


CourseOption = Annotated[Path | None, typer.Option(
    "--course", help="Course directory whose modules join the catalogue [default: the "
    "config's, else ./course when present].", show_default=False)]


ReviewsOption = Annotated[Path | None, typer.Option(
    "--reviews", help="Review log CSV [default: the config's data.reviews, else the store].",
    show_default=False)]


SkillsOption = Annotated[Path | None, typer.Option(
    "--skills", help="The trust's own skills (YAML), added to the shipped vocabulary.")]


ContactOption = Annotated[bool, typer.Option(
    "--allow-contact-details", help="Keep personal email addresses and phone numbers.")]


GradeCourseOption = Annotated[Path | None, typer.Option(
    "--course", help="nbgrader course directory [default: the config's course, else ./course].",
    show_default=False)]


GradeStudentOption = Annotated[list[str] | None, typer.Option(
    "--student", help="Only this student's submission (repeat for several).")]


# Inputs and options shared by `coverage` and `report`.
RolesOption = Annotated[Path | None, typer.Option(
    "--roles", help="Roles table (CSV or XLSX) [default: data.roles of the config].",
    show_default=False)]
StaffOption = Annotated[Path | None, typer.Option(
    "--staff", help="Staff table (CSV or XLSX) [default: data.staff of the config].",
    show_default=False)]
EvidenceOption = Annotated[Path | None, typer.Option(
    "--evidence", help="Evidence table (CSV or XLSX) [default: data.evidence of the config].",
    show_default=False)]
AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", help="Judge on this date, YYYY-MM-DD [default: coverage.as_of of the config, "
    "else today].", show_default=False)]
RefresherOption = Annotated[int | None, typer.Option(
    "--refresher-years", help="Evidence lasts this many years [default: coverage.refresher_years "
    "of the config].", show_default=False)]
ExpiringOption = Annotated[int | None, typer.Option(
    "--expiring-days", help="Window for 'expiring' [default: coverage.expiring_days of the "
    "config].", show_default=False)]


def required(value: Path | None, config: Config, key: str, flag: str) -> Path:
    """The flag's value when given, else the path setting ``key``, which must be set."""
    from competency.config import CONFIG_NAME, value_of

    found: Path | None = value if value is not None else value_of(config, key)
    if found is None:
        raise UsageError(f"competency: Missing option '{flag}' (or set {key} in "
                         f"{config.path or CONFIG_NAME})")
    return found


def merged(settings: _T, flags: dict[str, str] | None = None, **values: Any) -> _T:
    """``settings`` (the config or a section of it) with the flags given in place of its
    own values; a bad flag value is a one-line usage error naming the flag.

    ``flags`` names the flag of a setting when it is not ``--setting-name``.
    """
    from competency.config import SettingError, with_values

    try:
        return with_values(settings, **values)
    except SettingError as exc:
        name = exc.key.rsplit(".", 1)[-1]
        flag = (flags or {}).get(name, "--" + name.replace("_", "-"))
        raise UsageError(f"competency: Invalid value for '{flag}': {exc.problem} "
                         f"({exc.value})") from None
