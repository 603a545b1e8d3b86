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
    out: Annotated[Path, typer.Option("--out", help="Coverage CSV to write.")],
    roles: Annotated[Path | None, typer.Option(
        "--roles", help="Roles table (CSV or XLSX) [default: data.roles of the config].",
        show_default=False)] = None,
    staff: Annotated[Path | None, typer.Option(
        "--staff", help="Staff table (CSV or XLSX) [default: data.staff of the config].",
        show_default=False)] = None,
    evidence: Annotated[Path | None, typer.Option(
        "--evidence", help="Evidence table (CSV or XLSX) [default: data.evidence of the config].",
        show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge on this date, "
                                              "YYYY-MM-DD (default: today).")] = None,
    refresher_years: Annotated[int, typer.Option("--refresher-years",
                                                 help="Evidence lasts this many years.")] = 3,
    expiring_days: Annotated[int, typer.Option("--expiring-days",
                                               help="Window for 'expiring'.")] = 90,
    framework: Annotated[Path | None, typer.Option("--framework",
                                                   help="Framework YAML (default: shipped).")
                         ] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Config file (default: ./competency.toml if there is one).")] = None,
) -> None:
    """Write one row per member of staff and required competency, with its status.

    This is an identifiable output (it names staff): for managers only.
    """
    from competency.config import find_config
    from competency.coverage import CoverageOptions, load_inputs, write_coverage
    from competency.framework import load_framework

    options = CoverageOptions(_parse_date(as_of, "--as-of"), refresher_years, expiring_days)
    cfg = find_config(config)
    inputs = load_inputs(cfg.pick(roles, "roles", "--roles"), cfg.pick(staff, "staff", "--staff"),
                         cfg.pick(evidence, "evidence", "--evidence"),
                         load_framework(cfg.option(framework, "framework")))
    for message in write_coverage(inputs, options, out):
        warn(message)


@app.command("suggest")
def suggest_command(
    files: Annotated[list[Path], typer.Argument(help="Job descriptions (.docx, .pdf, .txt, .md).",
                                                show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list, one object per "
                                          "file.")] = False,
    threshold: Annotated[float | None, typer.Option(
        "--threshold", min=0.0, max=1.0,
        help="Report suggestions scoring at least this (default 0.5).")] = None,
    framework: Annotated[Path | None, typer.Option("--framework",
                                                   help="Framework YAML (default: shipped).")
                         ] = None,
    phrases: Annotated[Path | None, typer.Option("--phrases", help="Phrase file (default: "
                                                 "shipped).")] = None,
) -> int:
    """Suggest competencies for job descriptions, with the sentences that show them."""
    import json

    from competency.framework import load_framework
    from competency.suggest import (
        DEFAULT_THRESHOLD,
        FileSuggestions,
        render_suggestions,
        suggest_file,
        suggester_for,
    )

    fw = load_framework(framework)
    suggester_for(fw, phrases)  # a broken phrase file fails once, before any document
    cut = DEFAULT_THRESHOLD if threshold is None else threshold
    results: list[FileSuggestions] = []
    failed = False
    for file in files:
        try:
            results.append(suggest_file(file, fw, cut, phrases))
        except CompetencyError as exc:  # report it, go on with the other files
            print(str(exc), file=sys.stderr)
            failed = True
    if as_json:
        print(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        print(render_suggestions(results, fw, cut), end="")
    return 2 if failed else 0


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


@app.command("report")
def report_command(
    out: Annotated[Path, typer.Option("--out", help="Report to write: .xlsx or .html.")],
    roles: Annotated[Path | None, typer.Option(
        "--roles", help="Roles table (CSV or XLSX) [default: data.roles of the config].",
        show_default=False)] = None,
    staff: Annotated[Path | None, typer.Option(
        "--staff", help="Staff table (CSV or XLSX) [default: data.staff of the config].",
        show_default=False)] = None,
    evidence: Annotated[Path | None, typer.Option(
        "--evidence", help="Evidence table (CSV or XLSX) [default: data.evidence of the config].",
        show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge on this date, "
                                              "YYYY-MM-DD (default: today).")] = None,
    refresher_years: Annotated[int, typer.Option("--refresher-years",
                                                 help="Evidence lasts this many years.")] = 3,
    expiring_days: Annotated[int, typer.Option("--expiring-days",
                                               help="Window for 'expiring'.")] = 90,
    identifiable: Annotated[bool, typer.Option(
        "--identifiable", help="Add the people x competencies matrix (personal data: for "
        "managers).")] = False,
    catalogue: Annotated[Path | None, typer.Option(
        "--catalogue", help="Training catalogue CSV [default: the config's data.catalogue].",
        show_default=False)] = None,
    reviews: Annotated[Path | None, typer.Option(
        "--reviews", help="Review log CSV [default: the config's data.reviews].",
        show_default=False)] = None,
    suppress: Annotated[bool, typer.Option(
        "--suppress/--no-suppress", help="Suppress small numbers and round counts.")] = True,
    threshold: Annotated[int, typer.Option("--threshold",
                                           help="Counts from 1 to this are shown as *.")] = 7,
    round_to: Annotated[int, typer.Option("--round-to",
                                          help="Round other counts to a multiple of this.")
                        ] = 5,
    framework: Annotated[Path | None, typer.Option("--framework",
                                                   help="Framework YAML (default: shipped).")
                         ] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Config file (default: ./competency.toml if there is one).")] = None,
) -> None:
    """Write a coverage report (Excel or HTML): summaries, heatmap, trend, breakdowns.

    Small numbers are suppressed. Only --identifiable adds personal data.
    """
    from competency.config import find_config
    from competency.coverage import CoverageOptions, load_inputs
    from competency.disclosure import DisclosureRule
    from competency.framework import load_framework
    from competency.reports import ReportOptions, load_review_status, make_report

    day = _parse_date(as_of, "--as-of")
    options = ReportOptions(CoverageOptions(day, refresher_years, expiring_days),
                            identifiable=identifiable,
                            rule=DisclosureRule(suppress, threshold, round_to))
    cfg = find_config(config)
    fw = load_framework(cfg.option(framework, "framework"))
    inputs = load_inputs(cfg.pick(roles, "roles", "--roles"), cfg.pick(staff, "staff", "--staff"),
                         cfg.pick(evidence, "evidence", "--evidence"), fw)
    status = load_review_status(cfg.option(catalogue, "catalogue"),
                                cfg.option(reviews, "reviews"), fw, day)
    for message in make_report(inputs, options, fw, out, status):
        warn(message)
    kind = "identifiable: personal data" if identifiable else "aggregated"
    print(f"{out}: report written ({kind})", file=sys.stderr)


@app.command("dashboard")
def dashboard_command(
    port: Annotated[int, typer.Option("--port", help="Port (the next free one if taken).")
                    ] = 8866,
    notebook: Annotated[Path | None, typer.Option(
        "--notebook", help="Dashboard notebook [default: notebooks/hr/coverage-dashboard.ipynb]"
        ".", show_default=False)] = None,
) -> int:
    """Serve the coverage dashboard with Voila on 127.0.0.1 (no code shown); prints the URL."""
    from competency.dashboard import DashboardSettings, find_notebook, serve

    return serve(DashboardSettings(notebook=find_notebook(notebook), port=port))


FrameworkOption = Annotated[
    Path | None, typer.Option("--framework", help="Framework YAML (default: shipped).")]


@roles_app.command("validate")
def roles_validate(
    file: Annotated[Path, typer.Argument(help="Roles table (.csv or .xlsx).")],
    framework: FrameworkOption = None,
) -> None:
    """Check a roles table: exit 0 when valid, 2 with `FILE, row N: problem` when not."""
    from competency.framework import load_framework
    from competency.roles import load_roles

    roles = load_roles(file, load_framework(framework))
    print(f"{file}: valid ({len(roles.names)} roles, {len(roles)} requirements)")


@roles_app.command("show")
def roles_show(
    file: Annotated[Path, typer.Argument(help="Roles table (.csv or .xlsx).")],
    role: Annotated[str | None, typer.Option("--role", help="Show only this role.")] = None,
    framework: FrameworkOption = None,
) -> None:
    """Print each role's required competencies, levels, priorities and assessments."""
    from competency.framework import load_framework
    from competency.roles import find_role, load_roles, render_roles

    fw = load_framework(framework)
    roles = load_roles(file, fw)
    print(render_roles(roles, fw, None if role is None else find_role(roles, role, file)),
          end="")


@app.command("personspec")
def personspec_command(
    role: Annotated[str, typer.Argument(help="Role name, as in the roles table.")],
    roles: Annotated[Path, typer.Option("--roles", help="Roles table (.csv or .xlsx).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Write FILE.docx or FILE.md.")],
    framework: FrameworkOption = None,
    questions: Annotated[Path | None, typer.Option(
        "--questions", help="Interview question bank YAML (default: shipped).")] = None,
    essential_questions: Annotated[int | None, typer.Option(
        "--essential-questions", help="Questions per essential competency [default: 2].",
        show_default=False)] = None,
    desirable_questions: Annotated[int | None, typer.Option(
        "--desirable-questions", help="Questions per desirable competency [default: 1].",
        show_default=False)] = None,
) -> None:
    """Write a role's person specification: competencies and values-based questions."""
    from competency.personspec import export_person_spec

    spec = export_person_spec(role, roles, out, framework=framework, questions=questions,
                              essential_questions=essential_questions,
                              desirable_questions=desirable_questions)
    for message in spec.warnings:
        warn(message)
    print(f"{out}: person specification for {spec.role} ({len(spec.essential)} essential, "
          f"{len(spec.desirable)} desirable competencies, {len(spec.questions)} questions)")


LogOption = Annotated[Path, typer.Option("--log", help="Decision log (.csv).")]


@jd_app.command("decide")
def jd_decide(
    jd: Annotated[str, typer.Argument(help="The job description (its file name is logged).")],
    role: Annotated[str, typer.Option("--role", help="The role the JD is for.")],
    by: Annotated[str, typer.Option("--by", help="Who decides.")],
    log: LogOption,
    accept: Annotated[list[str] | None, typer.Option(
        "--accept", help="Accept ID[:LEVEL[:PRIORITY]] (repeat); default level 1, essential."
    )] = None,
    reject: Annotated[list[str] | None, typer.Option("--reject", help="Reject ID (repeat).")
                      ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why, in a few words.")] = "",
    assessed_by: Annotated[str | None, typer.Option(
        "--assessed-by", help="How accepted ones are assessed [default: application;interview].",
        show_default=False)] = None,
    framework: FrameworkOption = None,
) -> None:
    """Record accept/reject decisions for a JD's competencies (appended to the log)."""
    from competency.decisions import append_decisions, make_decisions
    from competency.framework import load_framework

    decisions = make_decisions(jd, role, accept=accept or (), reject=reject or (),
                               decided_by=by, reason=reason, assessed_by=assessed_by,
                               framework=load_framework(framework))
    append_decisions(log, decisions)
    accepted = sum(d.decision == "accept" for d in decisions)
    print(f"{log}: recorded {accepted} accepted, {len(decisions) - accepted} rejected "
          f"for {decisions[0].jd}")


@jd_app.command("apply")
def jd_apply(
    log: LogOption,
    roles: Annotated[Path, typer.Option("--roles", help="Roles table (.csv or .xlsx).")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the roles table here (default: update --roles).")] = None,
    framework: FrameworkOption = None,
) -> None:
    """Turn the accepted decisions in force into requirements in the roles table."""
    from competency.decisions import apply_log

    result = apply_log(log, roles, out, framework=framework)
    for message in result.warnings:
        warn(message)
    print(f"{out or roles}: {len(result.added)} added, {len(result.changed)} changed, "
          f"{result.unchanged} unchanged ({len(result.roles)} requirements)")


@jd_app.command("status")
def jd_status(
    log: LogOption,
    roles: Annotated[Path, typer.Option("--roles", help="Roles table (.csv or .xlsx).")],
    jds: Annotated[Path | None, typer.Option(
        "--jds", help="Folder of job descriptions, to list those not yet reviewed.")] = None,
    framework: FrameworkOption = None,
) -> None:
    """Which JDs are reviewed, which not, and which competencies each role embeds."""
    from competency.decisions import render_status, review_status

    print(render_status(review_status(log, roles, jds, framework=framework)), end="")


ConfigOption = Annotated[Path | None, typer.Option(
    "--config", help="Config file (default: ./competency.toml if there is one).")]
StoreOption = Annotated[str | None, typer.Option(
    "--store", help="Evidence store URL (default: the config's store, else "
    "sqlite:///competency.db here).", show_default=False)]
ConfigFrameworkOption = Annotated[Path | None, typer.Option(
    "--framework", help="Framework YAML (default: the config's, else shipped).",
    show_default=False)]


@config_app.command("show")
def config_show(config: ConfigOption = None) -> None:
    """Print every setting in force, with its help text."""
    from competency.config import find_config, render_config

    print(render_config(find_config(config)), end="")


@evidence_app.command("import")
def evidence_import(
    file: Annotated[Path, typer.Argument(help="Evidence file (.csv or .xlsx), e.g. an ESR "
                                         "export.")],
    map_: Annotated[list[str] | None, typer.Option(
        "--map", help="FIELD=COLUMN: the file's column for staff_id, competency, level, "
        "achieved_on or source (repeat).")] = None,
    date_format: Annotated[str | None, typer.Option(
        "--date-format", help="Date format of achieved_on, e.g. dd/mm/yyyy or %d/%m/%Y "
        "[default: yyyy-mm-dd].", show_default=False)] = None,
    level: Annotated[int | None, typer.Option(
        "--level", help="Level for every row when the file has no level column.")] = None,
    source: Annotated[str | None, typer.Option(
        "--source", help="Source for every row when the file has no source column "
        "[default: the file's name].", show_default=False)] = None,
    store: StoreOption = None,
    framework: ConfigFrameworkOption = None,
    config: ConfigOption = None,
) -> None:
    """Append a file's evidence to the store; records already there are skipped."""
    from competency.config import find_config
    from competency.evidence import import_evidence_file, parse_mapping
    from competency.framework import load_framework
    from competency.store import open_store

    cfg = find_config(config)
    mapping = parse_mapping(map_ or [])
    fw = load_framework(cfg.option(framework, "framework"))
    with open_store(store or cfg.store_url) as st:
        result = import_evidence_file(st, file, fw, mapping=mapping, date_spelling=date_format,
                                      level=level, source=source)
        print(f"{file}: added {result.added}, skipped {result.skipped} (already in the store) "
              f"-> {st.where}")


@evidence_app.command("gradebook")
def evidence_gradebook(
    course: Annotated[Path | None, typer.Option(
        "--course", help="nbgrader course directory [default: the config's, else ./course].",
        show_default=False)] = None,
    db_url: Annotated[str | None, typer.Option(
        "--db-url", help="Gradebook URL [default: sqlite:///COURSE/gradebook.db].",
        show_default=False)] = None,
    staff: Annotated[Path | None, typer.Option(
        "--staff", help="Staff table, to match nbgrader ids to staff_id or username "
        "[default: the config's data.staff].", show_default=False)] = None,
    pass_mark: Annotated[float | None, typer.Option(
        "--pass-mark", help="Share of a competency's points needed [default: 0.8].",
        show_default=False)] = None,
    store: StoreOption = None,
    framework: ConfigFrameworkOption = None,
    config: ConfigOption = None,
) -> None:
    """Append the evidence of learners who reached the pass mark in the gradebook."""
    from competency.config import find_config
    from competency.evidence import import_gradebook, read_gradebook
    from competency.framework import load_framework
    from competency.staff import load_staff
    from competency.store import open_store, safe_url

    cfg = find_config(config)
    course_dir = cfg.option(course, "course") or Path("course")
    staff_file = cfg.option(staff, "staff")
    url = db_url or cfg.gradebook_url(course_dir)
    report = read_gradebook(course_dir, url, framework=load_framework(
        cfg.option(framework, "framework")),
        pass_mark=cfg.pass_mark if pass_mark is None else pass_mark,
        staff=load_staff(staff_file) if staff_file is not None else None)
    for message in report.warnings:
        warn(message)
    with open_store(store or cfg.store_url) as st:
        result = import_gradebook(st, report, url)
        print(f"{safe_url(url)}: added {result.added}, skipped {result.skipped} (already in "
              f"the store), pending {result.pending} (awaiting manual grading), "
              f"not passed {report.count('below')} -> {st.where}")


@evidence_app.command("export")
def evidence_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="Evidence table to write (.csv or "
                                      ".xlsx), readable by competency coverage --evidence.")],
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Write every stored record as staff_id,competency,level,achieved_on,source."""
    from competency.config import find_config
    from competency.evidence import export_evidence
    from competency.store import open_store

    with open_store(store or find_config(config).store_url) as st:
        count = export_evidence(st, out)
    print(f"{out}: {count} evidence records", file=sys.stderr)


CatalogueOption = Annotated[Path | None, typer.Option(
    "--catalogue", help="External training catalogue CSV [default: the config's "
    "data.catalogue].", show_default=False)]
CourseOption = Annotated[Path | None, typer.Option(
    "--course", help="Course directory whose modules join the catalogue [default: the "
    "config's, else ./course when present].", show_default=False)]
ReviewsOption = Annotated[Path | None, typer.Option(
    "--reviews", help="Review log CSV [default: the config's data.reviews, else the store].",
    show_default=False)]


@reviews_app.command("catalogue")
def reviews_catalogue(
    catalogue: CatalogueOption = None,
    course: CourseOption = None,
    framework: ConfigFrameworkOption = None,
    config: ConfigOption = None,
) -> None:
    """List all available training: course modules and external courses."""
    from competency.reviews import render_catalogue, resolve_catalogue

    cat, _ = resolve_catalogue(catalogue, course, framework, config)
    print(render_catalogue(cat), end="")


@reviews_app.command("add")
def reviews_add(
    course_id: Annotated[str, typer.Argument(help="The training reviewed (its course_id).")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who reviewed it.")],
    verdict: Annotated[str, typer.Option(
        "--verdict", help="meets, partly or 'does not meet' (against the framework).")],
    confirm: Annotated[list[str] | None, typer.Option(
        "--confirm", help="ID:LEVEL the training is confirmed to cover (repeat) [default for "
        "meets/partly: what the catalogue claims].", show_default=False)] = None,
    on: Annotated[str | None, typer.Option("--on", help="Review date, YYYY-MM-DD "
                                           "(default: today).")] = None,
    next_due: Annotated[str | None, typer.Option(
        "--next-due", help="Next review due, YYYY-MM-DD (default: 12 months on).")] = None,
    notes: Annotated[str, typer.Option("--notes", help="Free text.")] = "",
    catalogue: CatalogueOption = None,
    course: CourseOption = None,
    reviews: ReviewsOption = None,
    store: StoreOption = None,
    framework: ConfigFrameworkOption = None,
    config: ConfigOption = None,
) -> None:
    """Append a review of one piece of training to the review log."""
    from competency.reviews import make_review, resolve_catalogue, resolve_log

    cat, fw = resolve_catalogue(catalogue, course, framework, config)
    review = make_review(course_id, cat, fw, reviewer=reviewer, verdict=verdict,
                         confirmed=confirm or (), reviewed_on=_parse_date(on, "--on"),
                         next_review_due=None if next_due is None
                         else _parse_date(next_due, "--next-due"), notes=notes)
    log = resolve_log(reviews, store, config)
    if log.append(review, fw):
        print(f"{log.where}: recorded {review.verdict} for {course_id}, next review due "
              f"{review.next_review_due.isoformat()}")
    else:
        print(f"{log.where}: this review of {course_id} is already recorded")


@reviews_app.command("status")
def reviews_status(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge on this date, "
                                              "YYYY-MM-DD (default: today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    catalogue: CatalogueOption = None,
    course: CourseOption = None,
    reviews: ReviewsOption = None,
    store: StoreOption = None,
    framework: ConfigFrameworkOption = None,
    config: ConfigOption = None,
) -> None:
    """Share of training reviewed and in date, overdue reviews, competency x level gaps."""
    from competency.reviews import render_status, resolve_catalogue, resolve_log, review_status

    cat, fw = resolve_catalogue(catalogue, course, framework, config)
    log = resolve_log(reviews, store, config)
    status = review_status(cat, log.read(fw), fw, _parse_date(as_of, "--as-of"))
    for message in status.warnings:
        warn(message)
    print(status.to_json() if as_json else render_status(status, fw), end="\n" if as_json else "")


SkillsOption = Annotated[Path | None, typer.Option(
    "--skills", help="The trust's own skills (YAML), added to the shipped vocabulary.")]
ContactOption = Annotated[bool, typer.Option(
    "--allow-contact-details", help="Keep personal email addresses and phone numbers.")]


@directory_app.command("add")
def directory_add(
    name: Annotated[str, typer.Argument(help="The organisation's name.")],
    skill: Annotated[list[str] | None, typer.Option(
        "--skill", help="Skill ID or name (repeat; see: competency directory skills).")] = None,
    area: Annotated[list[str] | None, typer.Option("--area", help="Area served (repeat).")
                    ] = None,
    language: Annotated[list[str] | None, typer.Option(
        "--language", help="Language code, ISO 639-1 or 639-3 (repeat).")] = None,
    community: Annotated[list[str] | None, typer.Option(
        "--community", help="Community served (repeat).")] = None,
    capacity: Annotated[str, typer.Option("--capacity", help="Capacity notes.")] = "",
    contact_role: Annotated[str, typer.Option("--contact-role", help="Role to contact.")] = "",
    contact: Annotated[str, typer.Option("--contact", help="Website, general mailbox or route."
                                         )] = "",
    verified_by: Annotated[str, typer.Option(
        "--verified-by", help="Role (not name) of who checked the entry.")] = "",
    verified_on: Annotated[str | None, typer.Option(
        "--verified-on", help="When it was checked, YYYY-MM-DD (default: today).")] = None,
    update: Annotated[bool, typer.Option(
        "--update", help="Record a new version of an entry already there.")] = False,
    allow_contact_details: ContactOption = False,
    skills: SkillsOption = None,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Add an organisation (or, with --update, a new version of one)."""
    from competency.config import find_config
    from competency.directory import load_skills, parse_organisation, save_organisations
    from competency.store import open_store

    fields = {"name": name, "communities": ";".join(community or ()),
              "languages": ";".join(language or ()), "areas": ";".join(area or ()),
              "skills": ";".join(skill or ()), "capacity": capacity, "contact_role": contact_role,
              "contact": contact, "verified_by": verified_by,
              "verified_on": _parse_date(verified_on, "--verified-on").isoformat()}
    org = parse_organisation(fields, skills=load_skills(skills),
                             allow_contact_details=allow_contact_details)
    with open_store(store or find_config(config).store_url) as st:
        result = save_organisations(st, [org], origin="command line", update=update)
        done = "added" if result.added else "updated" if result.updated else "unchanged"
        print(f"{org.name}: {done} -> {st.where}")


@directory_app.command("import")
def directory_import(
    file: Annotated[Path, typer.Argument(help="Directory CSV (or XLSX); see "
                                         "docs/community-directory.md.")],
    allow_contact_details: ContactOption = False,
    skills: SkillsOption = None,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Check every row, then add new organisations and new versions of changed ones."""
    from competency.config import find_config
    from competency.directory import import_directory, load_skills
    from competency.store import open_store

    with open_store(store or find_config(config).store_url) as st:
        result = import_directory(st, file, skills=load_skills(skills),
                                  allow_contact_details=allow_contact_details)
        print(f"{file}: added {result.added}, updated {result.updated}, unchanged "
              f"{result.unchanged} -> {st.where}")


@directory_app.command("export")
def directory_export(
    file: Annotated[Path, typer.Argument(help="Directory CSV (or XLSX) to write.")],
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Write every organisation (current versions) as a directory CSV."""
    from competency.config import find_config
    from competency.directory import export_directory
    from competency.store import open_store

    with open_store(store or find_config(config).store_url) as st:
        count = export_directory(st, file)
    print(f"{file}: {count} organisations", file=sys.stderr)


@directory_app.command("search")
def directory_search(
    language: Annotated[str | None, typer.Option(
        "--language", help="Language code or English name.")] = None,
    skill: Annotated[str | None, typer.Option("--skill", help="Skill ID or name.")] = None,
    area: Annotated[str | None, typer.Option("--area", help="Area served.")] = None,
    community: Annotated[str | None, typer.Option(
        "--community", help="Community served (any part of its name).")] = None,
    skills: SkillsOption = None,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Organisations matching every filter given."""
    from competency.config import find_config
    from competency.directory import load_skills, render_organisations, search
    from competency.store import open_store

    vocab = load_skills(skills)
    with open_store(store or find_config(config).store_url) as st:
        found = search(st, language=language, skill=skill, area=area, community=community,
                       skills=vocab)
    print(render_organisations(found), end="")


@directory_app.command("stale")
def directory_stale(
    older_than_days: Annotated[int, typer.Option(
        "--older-than-days", min=0, help="Last verified more than this many days ago.")] = 365,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Judge on this date, "
                                              "YYYY-MM-DD (default: today).")] = None,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Entries due to be checked again with the organisation, oldest first."""
    from competency.config import find_config
    from competency.directory import render_stale, stale
    from competency.store import open_store

    day = _parse_date(as_of, "--as-of")
    with open_store(store or find_config(config).store_url) as st:
        found = stale(st, older_than_days, day)
    print(render_stale(found, day), end="")


@directory_app.command("history")
def directory_history(
    name: Annotated[str, typer.Argument(help="The organisation's name.")],
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Every version of an entry, with what changed."""
    from competency.config import find_config
    from competency.directory import history, render_history
    from competency.store import open_store

    with open_store(store or find_config(config).store_url) as st:
        versions = history(st, name)
    print(render_history(versions), end="")


@directory_app.command("skills")
def directory_skills(skills: SkillsOption = None) -> None:
    """The skills vocabulary: IDs, names and descriptions."""
    from competency.directory import load_skills, render_skills

    print(render_skills(load_skills(skills)), end="")


@directory_app.command("languages")
def directory_languages(
    query: Annotated[str | None, typer.Argument(help="Part of a code or name.")] = None,
) -> None:
    """The language table: code (ISO 639-1, else 639-3), ISO 639-3 code, English names."""
    from competency.directory import render_languages

    print(render_languages(query), end="")


GradeCourseOption = Annotated[Path, typer.Option("--course", help="nbgrader course directory.")]
GradeStudentOption = Annotated[list[str] | None, typer.Option(
    "--student", help="Only this student's submission (repeat for several).")]


@app.command("grade")
def grade_command(
    assignment: Annotated[str, typer.Argument(help="Assignment to grade, e.g. 01-equality-law.")],
    course: GradeCourseOption = Path("course"),
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", help="Notebooks run at once [default: the number of CPUs].",
        show_default=False)] = None,
    student: GradeStudentOption = None,
    shard: Annotated[str | None, typer.Option(
        "--shard", help="I/N: only shard I (0 to N-1) of N, by a stable hash of the student "
        "id, for grading on several machines.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", "-f", help="Grade again submissions already autograded.")] = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help="CSV report [default: autograded/ASSIGNMENT-grading-report.csv].",
        show_default=False)] = None,
    cell_timeout: Annotated[float | None, typer.Option(
        "--cell-timeout", help="Seconds per cell [default: the course's Execute.timeout].",
        show_default=False)] = None,
    notebook_timeout: Annotated[float | None, typer.Option(
        "--notebook-timeout", help="Seconds per notebook [default: 120].",
        show_default=False)] = None,
    memory_gb: Annotated[float | None, typer.Option(
        "--memory-gb", help="Memory per notebook process in GB [default: 2].",
        show_default=False)] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress",
                                           help="Show a progress bar on stderr.")] = True,
) -> None:
    """Autograde submissions as nbgrader would: same gradebook and files, fast and sandboxed."""
    from competency.grading import grade, parse_shard

    result = grade(assignment, course, jobs=jobs, students=student or (),
                   shard=None if shard is None else parse_shard(shard), force=force,
                   report=report, progress=progress, cell_timeout=cell_timeout,
                   notebook_timeout=notebook_timeout,
                   memory_bytes=None if memory_gb is None else int(memory_gb * 1024**3))
    for message in result.warnings:
        warn(message)
    print(result.render(), end="")


@app.command("feedback")
def feedback_command(
    assignment: Annotated[str, typer.Argument(help="Assignment, e.g. 01-equality-law.")],
    course: GradeCourseOption = Path("course"),
    hide_hidden_tests: Annotated[bool, typer.Option(
        "--hide-hidden-tests", help="Leave hidden test code out of the feedback.")] = False,
    student: GradeStudentOption = None,
    force: Annotated[bool, typer.Option(
        "--force", "-f", help="Write feedback again where it exists.")] = False,
) -> None:
    """Generate learners' feedback (nbgrader generate_feedback), optionally without hidden tests."""
    from competency.feedback import feedback

    paths = feedback(assignment, course, hide_hidden_tests=hide_hidden_tests,
                     students=student or (), force=force)
    hidden = " without hidden tests" if hide_hidden_tests else ""
    print(f"{assignment}: {len(paths)} feedback file(s){hidden}")
    for path in paths:
        print(f"  {path}")


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
