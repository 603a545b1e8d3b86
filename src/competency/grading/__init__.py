"""Fast, nbgrader-compatible grading: the run, workers, sandbox, feedback.

The names of the former module ``competency.grading`` are re-exported here, so
``from competency.grading import ...`` keeps working. They are loaded on first use:
a grading worker imports this package for its own modules only, and should not pay
for the grader's.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    """The grader's names, imported on first use."""
    if name in __all__:
        from competency.grading import grader

        return getattr(grader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
