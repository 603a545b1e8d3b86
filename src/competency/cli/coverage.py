"""Commands for coverage, reports, the dashboard, JupyterLab, configuration, evidence and
training reviews."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from competency.cli._common import (
    AsOfOption,
    CatalogueOption,
    ConfigFrameworkOption,
    ConfigOption,
    CourseOption,
    EvidenceOption,
    ExpiringOption,
    RefresherOption,
    ReviewsOption,
    RolesOption,
    StaffOption,
    StoreOption,
    _parse_date,
    app,
    config_app,
    evidence_app,
    reviews_app,
    warn,
)


@app.command("coverage")
def coverage_command(
    out: Annotated[Path, typer.Option("--out", help="Coverage CSV to write.")],
    roles: RolesOption = None,
    staff: StaffOption = None,
    evidence: EvidenceOption = None,
    as_of: AsOfOption = None,
    refresher_years: RefresherOption = 3,
    expiring_days: ExpiringOption = 90,
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
    from competency.coverage.statuses import CoverageOptions, load_inputs, write_coverage
    from competency.framework.model import load_framework

    options = CoverageOptions(_parse_date(as_of, "--as-of"), refresher_years, expiring_days)
    cfg = find_config(config)
    inputs = load_inputs(cfg.pick(roles, "roles", "--roles"), cfg.pick(staff, "staff", "--staff"),
                         cfg.pick(evidence, "evidence", "--evidence"),
                         load_framework(cfg.option(framework, "framework")))
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
    from competency.course.lab import LabSettings, serve
    from competency.coverage.statuses import sample_summary

    return serve(LabSettings(root=root, course=course or root / "course", port=port,
                             open_browser=open_browser), preamble=sample_summary())


@app.command("report")
def report_command(
    out: Annotated[Path, typer.Option("--out", help="Report to write: .xlsx or .html.")],
    roles: RolesOption = None,
    staff: StaffOption = None,
    evidence: EvidenceOption = None,
    as_of: AsOfOption = None,
    refresher_years: RefresherOption = 3,
    expiring_days: ExpiringOption = 90,
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
    from competency.coverage.disclosure import DisclosureRule
    from competency.coverage.reports import ReportOptions, load_review_status, make_report
    from competency.coverage.statuses import CoverageOptions, load_inputs
    from competency.framework.model import load_framework

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
    from competency.coverage.dashboard import DashboardSettings, find_notebook, serve

    return serve(DashboardSettings(notebook=find_notebook(notebook), port=port))


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
    from competency.evidence.records import import_evidence_file, parse_mapping
    from competency.framework.model import load_framework
    from competency.store.database import open_store

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
    from competency.evidence.records import import_gradebook, read_gradebook
    from competency.framework.model import load_framework
    from competency.hr.staff import load_staff
    from competency.store.database import open_store, safe_url

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
    from competency.evidence.records import export_evidence
    from competency.store.database import open_store

    with open_store(store or find_config(config).store_url) as st:
        count = export_evidence(st, out)
    print(f"{out}: {count} evidence records", file=sys.stderr)


@reviews_app.command("catalogue")
def reviews_catalogue(
    catalogue: CatalogueOption = None,
    course: CourseOption = None,
    framework: ConfigFrameworkOption = None,
    config: ConfigOption = None,
) -> None:
    """List all available training: course modules and external courses."""
    from competency.training.reviews import render_catalogue, resolve_catalogue

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
    from competency.training.reviews import make_review, resolve_catalogue, resolve_log

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
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    catalogue: CatalogueOption = None,
    course: CourseOption = None,
    reviews: ReviewsOption = None,
    store: StoreOption = None,
    framework: ConfigFrameworkOption = None,
    config: ConfigOption = None,
) -> None:
    """Share of training reviewed and in date, overdue reviews, competency x level gaps."""
    from competency.training.reviews import (
        render_status,
        resolve_catalogue,
        resolve_log,
        review_status,
    )

    cat, fw = resolve_catalogue(catalogue, course, framework, config)
    log = resolve_log(reviews, store, config)
    status = review_status(cat, log.read(fw), fw, _parse_date(as_of, "--as-of"))
    for message in status.warnings:
        warn(message)
    print(status.to_json() if as_json else render_status(status, fw), end="\n" if as_json else "")

