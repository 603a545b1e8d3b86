"""Coverage: statuses per requirement (in columns), disclosure control, reports, dashboard.

The names of the former module ``competency.coverage`` are re-exported here, so
``from competency.coverage import ...`` keeps working.
"""

from competency.coverage.statuses import (
    COLUMNS,
    DEFAULT_EXPIRING_DAYS,
    DEFAULT_REFRESHER_YEARS,
    DUCKDB_MEMORY_LIMIT,
    STATUSES,
    WARNING_EXAMPLES,
    CoverageInputs,
    CoverageOptions,
    CoverageResult,
    compute_coverage,
    coverage_rows,
    load_inputs,
    sample_summary,
    summarise,
    write_coverage,
)

__all__ = [
    "COLUMNS",
    "DEFAULT_EXPIRING_DAYS",
    "DEFAULT_REFRESHER_YEARS",
    "DUCKDB_MEMORY_LIMIT",
    "STATUSES",
    "WARNING_EXAMPLES",
    "CoverageInputs",
    "CoverageOptions",
    "CoverageResult",
    "compute_coverage",
    "coverage_rows",
    "load_inputs",
    "sample_summary",
    "summarise",
    "write_coverage",
]
