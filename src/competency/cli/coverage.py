"""Commands for coverage, reports, the dashboard, JupyterLab, configuration, evidence and
training reviews."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    merged,
    required,
    reviews_app,
    warn,
)

if TYPE_CHECKING:
    from competency.config import Config


def as_of_date(as_of: str | None, config: Config) -> dt.date:
    """The as-of date: ``--as-of``, else the config's ``coverage.as_of``, else today."""
    if as_of is None and config.coverage.as_of is not None:
        return config.coverage.as_of
    return _parse_date(as_of, "--as-of")


@app.command("coverage")
def coverage_command(
    out: Annotated[Path, typer.Option("--out", help="Coverage CSV to write.")],
    roles: RolesOption = None,
    staff: StaffOption = None,
    evidence: EvidenceOption = None,
    as_of: AsOfOption = None,
    refresher_years: RefresherOption = None,
    expiring_days: ExpiringOption = None,
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
    from competency.coverage.statuses import CoverageOptions, write_coverage_files
    from competency.framework.model import load_framework

    cfg = find_config(config)
    day = as_of_date(as_of, cfg)
    settings = merged(cfg.coverage, refresher_years=refresher_years, expiring_days=expiring_days)
    options = CoverageOptions(day, settings.refresher_years, settings.expiring_days)
    warnings = write_coverage_files(required(roles, cfg, "data.roles", "--roles"),
                                    required(staff, cfg, "data.staff", "--staff"),
                                    required(evidence, cfg, "data.evidence", "--evidence"),
                                    options, out, load_framework(framework or cfg.framework))
    for message in warnings:
        warn(message)


@app.command("lab")
def lab(
    root: Annotated[Path | None, typer.Option(
        "--root", help="Folder holding course/ and notebooks/ [default: .].",
        show_default=False)] = None,
    course: Annotated[Path | None, typer.Option("--course", help="nbgrader course directory "
                                                "(default: the config's, else ROOT/course).")
                      ] = None,
    port: Annotated[int | None, typer.Option(
        "--port", help="Port (the next free one if taken) [default: lab.port of the config].",
        show_default=False)] = None,
    open_browser: Annotated[bool, typer.Option("--open/--no-open",
                                               help="Open a browser.")] = False,
    config: ConfigOption = None,
) -> int:
    """Start JupyterLab on 127.0.0.1 with the course, making the learners' copies if missing."""
    from competency.config import find_config
    from competency.course.lab import LabSettings, serve
    from competency.coverage.statuses import sample_summary

    cfg = find_config(config)
    settings = merged(cfg.lab, port=port)
    folder = root if root is not None else Path(".")
    return serve(LabSettings(root=folder, course=course or cfg.course or folder / "course",
                             port=settings.port, open_browser=open_browser),
                 preamble=sample_summary())


@app.command("report")
def report_command(
    out: Annotated[Path, typer.Option("--out", help="Report to write: .xlsx or .html.")],
    roles: RolesOption = None,
    staff: StaffOption = None,
    evidence: EvidenceOption = None,
    as_of: AsOfOption = None,
    refresher_years: RefresherOption = None,
    expiring_days: ExpiringOption = None,
    identifiable: Annotated[bool, typer.Option(
        "--identifiable", help="Add the people x competencies matrix (personal data: for "
        "managers).")] = False,
    catalogue: Annotated[Path | None, typer.Option(
        "--catalogue", help="Training catalogue CSV [default: the config's data.catalogue].",
        show_default=False)] = None,
    reviews: Annotated[Path | None, typer.Option(
        "--reviews", help="Review log CSV [default: the config's data.reviews].",
        show_default=False)] = None,
    suppress: Annotated[bool | None, typer.Option(
        "--suppress/--no-suppress", help="Suppress small numbers and round counts "
        "[default: report.suppress of the config].", show_default=False)] = None,
    threshold: Annotated[int | None, typer.Option(
        "--threshold", help="Counts from 1 to this are shown as * [default: report.threshold "
        "of the config].", show_default=False)] = None,
    round_to: Annotated[int | None, typer.Option(
        "--round-to", help="Round other counts to a multiple of this [default: "
        "report.round_to of the config].", show_default=False)] = None,
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
    from competency.coverage.reports import (
        ReportOptions,
        load_review_status,
        make_report,
        read_report_counts,
    )
    from competency.coverage.statuses import CoverageOptions
    from competency.framework.model import load_framework

    cfg = find_config(config)
    day = as_of_date(as_of, cfg)
    cov = merged(cfg.coverage, refresher_years=refresher_years, expiring_days=expiring_days)
    rule = merged(cfg.report, suppress=suppress, threshold=threshold, round_to=round_to)
    options = ReportOptions(CoverageOptions(day, cov.refresher_years, cov.expiring_days),
                            identifiable=identifiable,
                            rule=DisclosureRule(rule.suppress, rule.threshold, rule.round_to))
    fw = load_framework(framework or cfg.framework)
    counts = read_report_counts(required(roles, cfg, "data.roles", "--roles"),
                                required(staff, cfg, "data.staff", "--staff"),
                                required(evidence, cfg, "data.evidence", "--evidence"),
                                options, fw)
    status = load_review_status(catalogue or cfg.data.catalogue, reviews or cfg.data.reviews,
                                fw, day)
    for message in make_report(counts, options, fw, out, status):
        warn(message)
    kind = "identifiable: personal data" if identifiable else "aggregated"
    print(f"{out}: report written ({kind})", file=sys.stderr)


@app.command("dashboard")
def dashboard_command(
    port: Annotated[int | None, typer.Option(
        "--port", help="Port (the next free one if taken) [default: dashboard.port of the "
        "config].", show_default=False)] = None,
    notebook: Annotated[Path | None, typer.Option(
        "--notebook", help="Dashboard notebook [default: notebooks/hr/coverage-dashboard.ipynb]"
        ".", show_default=False)] = None,
    config: ConfigOption = None,
) -> int:
    """Serve the coverage dashboard with Voila on 127.0.0.1 (no code shown); prints the URL.

    The dashboard shows the organisation of --config (or ./competency.toml): its
    data files, framework, coverage and report settings; the sample organisation
    when there is no config.
    """
    from competency.config import find_config
    from competency.coverage.dashboard import DashboardSettings, find_notebook, serve

    cfg = find_config(config)
    settings = merged(cfg.dashboard, port=port)
    return serve(DashboardSettings(notebook=find_notebook(notebook), port=settings.port,
                                   config=cfg.path.resolve() if cfg.path else None))


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
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Refuse evidence achieved after this date, YYYY-MM-DD "
        "(default: today).")] = None,
    store: StoreOption = None,
    framework: ConfigFrameworkOption = None,
    config: ConfigOption = None,
) -> None:
    """Append a file's evidence to the store; records already there are skipped.

    Every row is checked first (nothing is stored when one is bad); staff ids missing
    from the configured staff table (data.staff) are counted in a warning."""
    from competency.config import find_config, value_of
    from competency.evidence.records import import_evidence_file, parse_mapping
    from competency.framework.model import load_framework
    from competency.hr.staff import load_staff
    from competency.store.database import open_store

    cfg = find_config(config)
    mapping = parse_mapping(map_ or [])
    day = _parse_date(as_of, "--as-of")
    fw = load_framework(framework or cfg.framework)
    staff_path = value_of(cfg, "data.staff")
    staff = load_staff(staff_path) if staff_path is not None else None
    with open_store(store or cfg.store_url) as st:
        result = import_evidence_file(st, file, fw, mapping=mapping, date_spelling=date_format,
                                      level=level, source=source, as_of=day, staff=staff)
        for message in result.warnings:
            warn(message)
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
        "--pass-mark", help="Share of a competency's points needed [default: pass_mark of "
        "the config].",
        show_default=False)] = None,
    store: StoreOption = None,
    framework: ConfigFrameworkOption = None,
    config: ConfigOption = None,
) -> None:
    """Append the evidence of learners who reached the pass mark in the gradebook."""
    from competency.config import find_config
    from competency.course.coursemap import DEFAULT_COURSE_DIR
    from competency.evidence.records import import_gradebook, read_gradebook
    from competency.framework.model import load_framework
    from competency.hr.staff import load_staff
    from competency.store.database import open_store, safe_url

    cfg = merged(find_config(config), pass_mark=pass_mark)
    course_dir = course or cfg.course or DEFAULT_COURSE_DIR
    staff_file = staff or cfg.data.staff
    url = db_url or cfg.gradebook_url(course_dir)
    report = read_gradebook(course_dir, url, framework=load_framework(
        framework or cfg.framework), pass_mark=cfg.pass_mark,
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
    from competency.config import find_config
    from competency.training.reviews import render_catalogue, resolve_catalogue

    cfg = find_config(config)
    cat, _ = resolve_catalogue(catalogue or cfg.data.catalogue, course or cfg.course,
                               framework or cfg.framework)
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
    from competency.config import find_config
    from competency.training.reviews import make_review, resolve_catalogue, resolve_log

    cfg = find_config(config)
    cat, fw = resolve_catalogue(catalogue or cfg.data.catalogue, course or cfg.course,
                                framework or cfg.framework)
    review = make_review(course_id, cat, fw, reviewer=reviewer, verdict=verdict,
                         confirmed=confirm or (), reviewed_on=_parse_date(on, "--on"),
                         next_review_due=None if next_due is None
                         else _parse_date(next_due, "--next-due"), notes=notes)
    log = resolve_log(review_log(reviews, store, cfg), store or cfg.store_url)
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
    from competency.config import find_config
    from competency.training.reviews import (
        render_status,
        resolve_catalogue,
        resolve_log,
        review_status,
    )

    cfg = find_config(config)
    cat, fw = resolve_catalogue(catalogue or cfg.data.catalogue, course or cfg.course,
                                framework or cfg.framework)
    log = resolve_log(review_log(reviews, store, cfg), store or cfg.store_url)
    status = review_status(cat, log.read(fw), fw, as_of_date(as_of, cfg))
    for message in status.warnings:
        warn(message)
    print(status.to_json() if as_json else render_status(status, fw), end="\n" if as_json else "")



def review_log(reviews: Path | None, store: str | None, config: Config) -> Path | None:
    """The review log CSV in force: ``--reviews``, else (unless ``--store`` is given) the
    config's ``data.reviews``; None keeps the reviews in the store."""
    if reviews is not None or store is not None:
        return reviews
    return config.data.reviews
