"""Fast, nbgrader-compatible grading: the run, workers, sandbox, feedback.

The names of the former module ``competency.grading`` are re-exported here, so
``from competency.grading import ...`` keeps working.
"""

from competency.grading.grader import (
    DEFAULT_COURSE,
    FAILED,
    GRADED,
    MANUAL,
    REPORT_COLUMNS,
    SKIPPED,
    UID_BASE,
    UID_SPAN,
    GradingReport,
    StudentResult,
    exposure_warnings,
    grade,
    notebook_imports,
    parse_shard,
    run_directory,
    select_students,
    shard_of,
    write_report,
)

__all__ = [
    "DEFAULT_COURSE",
    "FAILED",
    "GRADED",
    "MANUAL",
    "REPORT_COLUMNS",
    "SKIPPED",
    "UID_BASE",
    "UID_SPAN",
    "GradingReport",
    "StudentResult",
    "exposure_warnings",
    "grade",
    "notebook_imports",
    "parse_shard",
    "run_directory",
    "select_students",
    "shard_of",
    "write_report",
]
