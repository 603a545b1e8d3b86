"""Coverage: for each member of staff and each competency their role requires, a status.

The rules (the contract in ARCHITECTURE.md), for one person and one
requirement of level L:

* evidence expires on ``achieved_on`` plus the refresher period in calendar
  years (29 February becomes 28 February when the target year has none) and is
  valid on the as-of date when ``achieved_on <= as_of < expires_on``; evidence
  dated after the as-of date is ignored;
* ``held_level`` is the highest level of valid evidence (empty if none);
* if valid evidence of level >= L exists, the one expiring last (then the
  higher level, then the later ``achieved_on``) decides: ``expiring`` when it
  expires within the window (``expires_on - as_of <= expiring_days``), else
  ``met``;
* otherwise ``expired`` if expired evidence of level >= L exists (the one
  achieved last, then the higher level), else ``below_level`` if valid lower
  evidence exists (the highest level, then expiring last, then achieved
  last), else ``missing``;
* ``achieved_on`` and ``expires_on`` describe the evidence the status rests on.

The current statuses are judged in columns (:mod:`competency.coverage.slots`):
each piece of evidence goes straight to its requirement's slot, which keeps the
maximum of one integer packing the class and the tie-breaks, so that a workforce
the size of the NHS in England (1.5 million staff, 10 million evidence rows) is
covered in seconds and under 2 GB. ``competency coverage`` reads clean CSV files
in one typed pass each (:func:`write_coverage_files`), checking each distinct
value once, and falls back on the full readers, whose errors name the file, row
and value, for anything else (:func:`judge_files`, which ``competency report``
reads its files with too). The statuses on many dates (the reports' trend) are
judged in the same layout from one sort of the evidence
(:mod:`competency.coverage.trend`), held to the same results by the tests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from competency.coverage.slots import Slots
from competency.errors import CompetencyError
from competency.evidence.records import (
    COMPETENCY,
    EvidenceCodes,
    EvidenceTable,
    UncleanEvidence,
    evidence_codes,
    load_evidence,
    scan_evidence,
)
from competency.framework.model import Framework, load_framework
from competency.hr.roles import Roles, load_roles
from competency.hr.staff import ROLE, STAFF_ID, Staff, load_staff, scan_staff

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

T = TypeVar("T")
STATUSES: tuple[str, ...] = ("met", "expiring", "expired", "below_level", "missing")
COLUMNS: tuple[str, ...] = ("staff_id", "competency", "required_level", "priority",
                            "held_level", "achieved_on", "expires_on", "status")
DEFAULT_REFRESHER_YEARS = 3
DEFAULT_EXPIRING_DAYS = 90
WARNING_EXAMPLES = 5
DUCKDB_MEMORY_LIMIT = "3GB"
"""DuckDB's working-memory cap for the coverage query (it spills to disk beyond it)."""


@dataclass(frozen=True)
class CoverageOptions:
    """How coverage is judged."""

    as_of: dt.date
    """The date statuses are judged on."""
    refresher_years: int = DEFAULT_REFRESHER_YEARS
    """Evidence expires this many calendar years after it was achieved."""
    expiring_days: int = DEFAULT_EXPIRING_DAYS
    """Valid evidence expiring within this many days of as-of is ``expiring``."""

    def __post_init__(self) -> None:
        if self.refresher_years < 1:
            raise CompetencyError(f"refresher years must be at least 1 "
                                  f"({self.refresher_years})")
        if self.expiring_days < 0:
            raise CompetencyError(f"expiring days must not be negative ({self.expiring_days})")


@dataclass
class CoverageResult:
    """The coverage rows (contract columns, sorted) and the warnings found."""

    table: pa.Table
    """One row per member of staff and required competency."""
    warnings: list[str] = field(default_factory=list)
    """Data problems that do not stop the run, with counts."""

    def to_pandas(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame (dates as ``datetime64``/NaT, levels nullable)."""
        frame: pd.DataFrame = self.table.to_pandas(types_mapper=_pandas_types)
        return frame


def _pandas_types(arrow_type: Any) -> Any:
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    return None


def coverage_warnings(roles_without: Sequence[tuple[str, int]], unknown_rows: int,
                      unknown_people: int, unknown_names: Sequence[str]) -> list[str]:
    """The coverage command's warnings, worded once: staff whose role has no
    requirements (``(role, staff)`` by count, largest first) and evidence rows naming
    staff not in the staff table (the first :data:`WARNING_EXAMPLES` IDs, sorted)."""
    out: list[str] = []
    if roles_without:
        total = sum(n for _, n in roles_without)
        examples = ", ".join(f"{role or '(empty)'}: {n}"
                             for role, n in roles_without[:WARNING_EXAMPLES])
        more = ", …" if len(roles_without) > WARNING_EXAMPLES else ""
        out.append(f"{total} staff have a role with no requirements ({examples}{more}); "
                   "they get no coverage rows")
    if unknown_rows:
        more = ", …" if unknown_people > WARNING_EXAMPLES else ""
        out.append(f"{unknown_rows} evidence rows name {unknown_people} staff_id not in the "
                   f"staff table (e.g. {', '.join(unknown_names)}{more}); they are ignored")
    return out


def slots_warnings(slots: Slots) -> list[str]:
    """The coverage warnings of the staff and evidence judged into ``slots``."""
    return coverage_warnings(slots.roles_without_requirements(),
                             *slots.unknown_staff(WARNING_EXAMPLES))


class Judge(Protocol):
    """What evidence is judged into: :class:`Slots`, or a judge of its layout."""

    def add(self, batch: EvidenceCodes) -> None:
        """Take a batch of evidence."""


J = TypeVar("J", bound=Judge)


def evidence_slots(roles: Roles, staff: Staff, evidence: EvidenceTable,
                   options: CoverageOptions, judge: Callable[[Slots], J]) -> J:
    """The evidence of checked tables judged into ``judge(slots)``, ``slots`` being the
    layout of the staff's requirements (as-of date, refresher period and expiring window
    those of ``options``)."""
    import pyarrow.compute as pc

    ids = staff.table.column(STAFF_ID).combine_chunks()
    competencies = [str(c) for c in pc.unique(evidence.table.column(COMPETENCY)).to_pylist()]
    slots = Slots(roles, ids, staff.table.column(ROLE), competencies, options.as_of,
                  options.refresher_years, options.expiring_days)
    judged = judge(slots)
    for codes in evidence_codes(evidence.table, ids, slots.competencies):
        judged.add(codes)
    return judged


def _slots(roles: Roles, staff: Staff, evidence: EvidenceTable,
           options: CoverageOptions) -> Slots:
    return evidence_slots(roles, staff, evidence, options, lambda slots: slots)


def compute_coverage(roles: Roles, staff: Staff, evidence: EvidenceTable,
                     options: CoverageOptions) -> CoverageResult:
    """Coverage rows for every member of staff and required competency."""
    slots = _slots(roles, staff, evidence, options)
    return CoverageResult(slots.table(encoded=False), slots_warnings(slots))


@dataclass(frozen=True)
class CoverageInputs:
    """The three validated input tables."""

    roles: Roles
    """Role requirements."""
    staff: Staff
    """The staff table."""
    evidence: EvidenceTable
    """The evidence table."""


def load_inputs(roles: str | Path, staff: str | Path, evidence: str | Path,
                framework: Framework | None = None) -> CoverageInputs:
    """Read and validate the roles, staff and evidence files."""
    framework = framework or load_framework()
    return CoverageInputs(load_roles(roles, framework), load_staff(staff),
                          load_evidence(evidence, framework))


def write_coverage(inputs: CoverageInputs, options: CoverageOptions,
                   out: str | Path) -> list[str]:
    """Compute coverage and write it as CSV (atomically); returns the warnings.

    The CSV has the contract's header and one row per member of staff and
    required competency, sorted by staff_id then competency.
    """
    _check_out(out)
    slots = _slots(inputs.roles, inputs.staff, inputs.evidence, options)
    _write_rows(slots, Path(out))
    return slots_warnings(slots)


def write_coverage_files(roles: str | Path, staff: str | Path, evidence: str | Path,
                         options: CoverageOptions, out: str | Path,
                         framework: Framework | None = None) -> list[str]:
    """:func:`load_inputs` then :func:`write_coverage`, with the same checks, errors,
    warnings and output, in one pass over each file: ``competency coverage``.

    Clean CSV staff and evidence tables (nothing to trim, map or report) are
    read with their columns typed and their repeated values dictionary-encoded,
    each distinct value checked once, and the evidence is judged chunk by chunk
    without building its table; any other file is read by :func:`load_staff` or
    :func:`load_evidence`, whose errors name the file, row and value.
    """
    slots = judge_files(roles, staff, evidence, options, framework or load_framework(),
                        lambda slots: slots)[0]
    _check_out(out)
    _write_rows(slots, Path(out))
    return slots_warnings(slots)


def judge_files(roles: str | Path, staff: str | Path, evidence: str | Path,
                options: CoverageOptions, framework: Framework,
                judge: Callable[[Slots], J], staff_columns: Sequence[str] = ()
                ) -> tuple[J, pa.Table]:
    """The roles, staff and evidence files read and checked as :func:`load_inputs` does
    (the same errors), the evidence judged into ``judge(slots)`` (see
    :func:`evidence_slots`) in one pass over each file where it is clean (see
    :func:`write_coverage_files`); and the staff table's ``staff_columns`` (those it
    has; cells of a clean file as read, not trimmed, ethnic_category perhaps
    dictionary-encoded), the others let go before the evidence is read."""
    requirements = load_roles(roles, framework)
    scanned = scan_staff(staff)
    if scanned is None:
        table = load_staff(staff).table
        ids, staff_roles = table.column(STAFF_ID).combine_chunks(), table.column(ROLE)
        order = None
    else:
        table = scanned.table
        ids, staff_roles, order = scanned.ids, scanned.roles, scanned.order
    del scanned
    table = table.select([name for name in staff_columns if name in table.column_names])

    def fresh() -> tuple[Slots, J]:
        slots = Slots(requirements, ids, staff_roles, framework.ids, options.as_of,
                      options.refresher_years, options.expiring_days, order)
        return slots, judge(slots)

    slots, judged = fresh()
    chunks = scan_evidence(evidence, framework, ids, slots.competencies)
    try:
        if chunks is None:
            raise UncleanEvidence(str(evidence))
        for codes in _ahead(chunks):
            judged.add(codes)
    except UncleanEvidence:
        del chunks
        checked = load_evidence(evidence, framework).table
        del slots, judged
        slots, judged = fresh()
        for codes in evidence_codes(checked, ids, slots.competencies):
            judged.add(codes)
    return judged, table


def _ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """The items, produced on a worker thread up to ``depth`` ahead of the caller (its
    exception raised here): reading the next chunk of evidence, mostly Arrow kernels
    that release the GIL, overlaps judging this one."""
    import queue
    import threading

    box: queue.Queue[tuple[bool, Any]] = queue.Queue(depth)
    stop = threading.Event()

    def work() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                box.put((True, item))
            box.put((False, None))
        except BaseException as exc:  # handed to the caller
            box.put((False, exc))

    worker = threading.Thread(target=work, name="evidence-reader", daemon=True)
    worker.start()
    try:
        while True:
            more, item = box.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            with contextlib.suppress(queue.Empty):
                box.get(timeout=0.05)
        worker.join()


def _check_out(out: str | Path) -> None:
    if Path(out).suffix.lower() != ".csv":
        raise CompetencyError(f"{out}: coverage is written as .csv")


WRITE_PART_ROWS = 500_000
"""Rows rendered as CSV per task when writing in parallel."""


def _write_rows(slots: Slots, out: Path) -> None:
    """Write the rows as DuckDB's CSV writer would (the contract's header, no quotes
    unless needed, dates YYYY-MM-DD, empty for none), atomically.

    Rendering is shared among the cores: parts of the rows are built and rendered
    by Arrow's CSV writer on worker threads and written in order. Staff IDs that
    would need quoting leave the whole file to DuckDB's writer.
    """
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    import pyarrow.compute as pc

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        if pc.any(pc.match_substring_regex(slots.staff_ids, '[,"\r\n]')).as_py():
            os.close(fd)
            _write_with_duckdb(slots.table(encoded=True), tmp)
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write((",".join(COLUMNS) + "\n").encode())
                workers = os.cpu_count() or 1
                with ThreadPoolExecutor(workers) as pool:
                    pending: deque[Future[Any]] = deque()
                    for part in slots.parts(WRITE_PART_ROWS):
                        pending.append(pool.submit(_render, slots, part))
                        if len(pending) > workers:
                            handle.write(pending.popleft().result())
                    while pending:
                        handle.write(pending.popleft().result())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _render(slots: Slots, part: tuple[int, int]) -> Any:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    sink = pa.BufferOutputStream()
    pacsv.write_csv(slots.table(encoded=True, part=part), sink,
                    pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return sink.getvalue()


def _write_with_duckdb(table: pa.Table, tmp: str) -> None:
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.register("coverage_rows", table)
        quoted = tmp.replace("'", "''")
        con.execute(f"COPY coverage_rows TO '{quoted}' "
                    "(FORMAT csv, HEADER true, DELIMITER ',', DATEFORMAT '%Y-%m-%d')")
    finally:
        con.close()


def coverage_rows(result: CoverageResult) -> list[dict[str, Any]]:
    """The rows as plain dicts with the contract's text formatting ("" for empty)."""
    def text(value: Any) -> str:
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    return [{k: text(row[k]) for k in COLUMNS} for row in result.table.to_pylist()]


def summarise(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Counts and percentages of each status by the given columns.

    ``frame`` is coverage rows joined with whatever columns ``by`` names
    (team, role, competency, ...). Percentages are of the group's rows.
    """
    import pandas as pd

    counts = (frame.groupby(list(by), observed=True)["status"].value_counts()
              .unstack(fill_value=0).reindex(columns=list(STATUSES), fill_value=0))
    counts["total"] = counts.sum(axis=1)
    shares = counts[list(STATUSES)].div(counts["total"].where(counts["total"] > 0), axis=0)
    shares = (shares * 100).round(1).add_suffix("_pct")
    result: pd.DataFrame = pd.concat([counts, shares], axis=1).reset_index()
    return result


def sample_summary() -> str:
    """One paragraph on the bundled sample organisation's coverage today (aggregate only)."""
    from importlib import resources

    folder = Path(str(resources.files("competency").joinpath("data", "sample-org")))
    inputs = load_inputs(folder / "roles.csv", folder / "staff.csv", folder / "evidence.csv")
    result = compute_coverage(inputs.roles, inputs.staff, inputs.evidence,
                              CoverageOptions(dt.date.today()))
    statuses = result.table.column("status").to_pylist()
    total = len(statuses) or 1
    shares = ", ".join(f"{s} {100 * statuses.count(s) / total:.0f}%" for s in STATUSES)
    return (f"Sample organisation (fictional Northmoor Rural Health NHS Trust): "
            f"{len(inputs.staff)} staff, {len(inputs.roles.names)} roles, "
            f"{len(statuses)} role requirements to cover.\nCoverage today: {shares}.\n"
            f"Data: {folder}")
