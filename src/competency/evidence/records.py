"""Evidence that a member of staff holds a competency at a level from a date.

The evidence table has the columns ``staff_id,competency,level,achieved_on,source``
(``achieved_on`` as YYYY-MM-DD). Evidence comes from CSV/XLSX files (external
training) and from the course's nbgrader gradebook.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from competency.arrowtables import (
    Check,
    TextTable,
    first_bad,
    map_values,
    parse_dates,
    read_csv_columns,
    read_text_table,
)
from competency.course.coursemap import GradedCell, course_map
from competency.dates import EPOCH, ISO_DATE, parse_cell
from competency.dates import ISO_FORMAT as ISO_FORMAT
from competency.dates import date_format as date_format
from competency.errors import GradebookError, UsageError
from competency.framework.model import Framework, load_framework
from competency.hr.staff import USERNAME, Staff
from competency.tables import check_columns, write_table

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from competency.store.database import ImportResult, Store

STAFF_ID = "staff_id"
COMPETENCY = "competency"
LEVEL = "level"
ACHIEVED_ON = "achieved_on"
SOURCE = "source"
COLUMNS: tuple[str, ...] = (STAFF_ID, COMPETENCY, LEVEL, ACHIEVED_ON, SOURCE)
EXAMPLES = 5


@dataclass(frozen=True)
class EvidenceTable:
    """Validated evidence: typed columns, in file order."""

    path: Path
    """Where it was read from."""
    table: pa.Table
    """Columns staff_id (text), competency (text), level (int8), achieved_on (date32),
    source (text)."""

    def __len__(self) -> int:
        return int(self.table.num_rows)


def load_evidence(path: str | Path, framework: Framework) -> EvidenceTable:
    """Read and check an evidence table against the framework's IDs and levels.

    The rules are those of ``evidence import`` (:func:`check_evidence`).
    """
    path = Path(path)
    return EvidenceTable(path, check_evidence(read_text_table(path, ()), framework))


def check_evidence(text: TextTable, framework: Framework, *,
                   mapping: Mapping[str, str] | None = None, date_spelling: str | None = None,
                   level: int | None = None, source: str | None = None,
                   latest: dt.date | None = None) -> pa.Table:
    """The evidence rules, for every path that reads evidence (coverage and import).

    ``mapping`` names the file's column for each field (default: the field's
    own name). Competencies may be given by ID or by the framework's name for
    them, case aside; levels by number or name. Without a level column every
    row gets ``level``; without a source column, ``source`` or else the
    file's name. Dates follow ``date_spelling`` (default YYYY-MM-DD; a
    spreadsheet's date cells are accepted too). With ``latest`` (``evidence
    import``: today or its as-of date), a date after it is refused; ``coverage``
    gives none and ignores such evidence instead. The first row breaking a rule
    is reported as ``FILE, row N: problem (value)``, with how many other rows
    break one (each listed by ``--all-errors``); within a row the rules are
    checked in this order: empty staff_id, unknown competency, unknown level,
    malformed date, date after ``latest``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = {name: (mapping or {}).get(name, name) for name in FIELDS}
    header = text.table.column_names
    optional = {LEVEL: level is not None, SOURCE: True}
    check_columns(text.path, header, [columns[f] for f in FIELDS if not optional.get(f)])
    rows = text.table.num_rows
    staff = text.column(columns[STAFF_ID])
    raw_cid = text.column(columns[COMPETENCY])
    ids = pa.array(list(framework.ids), pa.string())
    if first_bad(pc.invert(pc.is_in(raw_cid, value_set=ids))) is None:
        competency = raw_cid  # fast path: every value is an ID
    else:
        by_name = _competency_names(framework)
        competency = map_values(raw_cid, lambda v: by_name.get(v.casefold()), pa.string())
    checks: list[Check] = [
        (pc.equal(staff, ""), "empty staff_id", staff),
        (pc.is_null(competency), "unknown competency", raw_cid),
    ]
    if columns[LEVEL] in header:
        raw_level = text.column(columns[LEVEL])
        numbers = pa.array([str(n) for n in framework.level_numbers], pa.string())
        if first_bad(pc.invert(pc.is_in(raw_level, value_set=numbers))) is None:
            levels = pc.cast(raw_level, pa.int8())
        else:
            levels = map_values(raw_level, _level_reader(framework), pa.int8())
        checks.append((pc.is_null(levels), "unknown level", raw_level))
    else:
        levels = pa.chunked_array([pa.repeat(pa.scalar(level or 0, pa.int8()), rows)])
    raw_day = text.column(columns[ACHIEVED_ON])
    dates, bad_dates = parse_dates(raw_day, date_format(date_spelling))
    checks.append((bad_dates, f"malformed date; use {date_spelling or ISO_DATE}", raw_day))
    if latest is not None:
        future = pc.greater(dates, pa.scalar(latest, pa.date32()))
        checks.append((future, f"achieved_on is after the as-of date {latest.isoformat()}",
                       raw_day))
    text.report_first(checks)
    fallback = source or text.path.name
    if columns[SOURCE] in header:
        sources = text.column(columns[SOURCE])
        if source is not None:
            sources = pc.if_else(pc.equal(sources, ""), fallback, sources)
    else:
        sources = pa.chunked_array([pa.repeat(pa.scalar(fallback), rows)])
    return pa.table({STAFF_ID: staff, COMPETENCY: competency, LEVEL: levels,
                     ACHIEVED_ON: dates, SOURCE: sources})


@dataclass(frozen=True)
class EvidenceCodes:
    """A batch of evidence rows as numbers, for judging coverage in columns."""

    staff: np.ndarray
    """Row of the member of staff in the staff IDs given (int64; -1 when not there)."""
    competency: np.ndarray
    """Index of the competency in the competencies given (int64)."""
    level: np.ndarray
    """Level (int64)."""
    day: np.ndarray
    """``achieved_on`` as days since 1970-01-01 (int64)."""
    unknown: pa.Array
    """The staff_id of the rows whose member of staff is not there."""


class UncleanEvidence(Exception):
    """A value :func:`scan_evidence` leaves to :func:`load_evidence` (to map, trim or
    report)."""


def scan_evidence(path: str | Path, framework: Framework, staff_ids: pa.Array,
                  competencies: Sequence[str]) -> Iterator[EvidenceCodes] | None:
    """The rows of a CSV evidence table as codes, chunk by chunk, in one pass: the
    national-scale path of ``competency coverage``.

    Every distinct value of the competency, level and date columns goes once
    through the rules of :func:`check_evidence` (the columns are read
    dictionary-encoded), and each staff_id is looked up in ``staff_ids``. None
    when the file cannot be read this way; the iterator raises
    :class:`UncleanEvidence` at the first chunk holding a value that is not
    already clean (a competency name, a blank or untrimmed staff_id, a bad
    value), leaving the file to :func:`load_evidence`, which trims, maps or
    reports the file, row and value.
    """
    import pyarrow as pa

    text = pa.dictionary(pa.int32(), pa.string())
    table = read_csv_columns(path, (STAFF_ID, COMPETENCY, LEVEL, ACHIEVED_ON),
                             lambda name: pa.string() if name == STAFF_ID else text)
    if table is None:
        return None
    return _scan_chunks(table, framework, staff_ids, competencies)


def _scan_chunks(table: pa.Table, framework: Framework, staff_ids: pa.Array,
                 competencies: Sequence[str]) -> Iterator[EvidenceCodes]:
    import numpy as np
    import pyarrow.compute as pc

    ids = set(framework.ids)
    by_name = _competency_names(framework)
    index = {c: i for i, c in enumerate(competencies)}
    read_level = _level_reader(framework)

    def competency(value: str) -> int | None:
        cid = value if value in ids else by_name.get(value.casefold())
        return None if cid is None else index.get(cid)

    def level(value: str) -> int | None:
        return read_level(value)

    def day(value: str) -> int | None:
        found = parse_cell(value)
        return None if found is None else (found - EPOCH).days

    def codes(chunk: Any, rule: Callable[[str], int | None]) -> np.ndarray:
        values = pc.utf8_trim_whitespace(chunk.dictionary).to_pylist()
        mapped = [rule(v) for v in values]
        if any(m is None for m in mapped):
            raise UncleanEvidence("a value to map or report")
        out: np.ndarray = np.array(mapped or [0], np.int64)[chunk.indices.to_numpy()]
        return out

    # one look-up table for the whole column (per chunk, it would be built per chunk)
    found_all = pc.index_in(table.column(STAFF_ID), value_set=staff_ids)
    offset = 0
    for batch in table.to_batches():
        names = batch.column(STAFF_ID)
        found = found_all.slice(offset, len(names))
        offset += len(names)
        unknown = names.filter(pc.is_null(found).combine_chunks())
        if len(unknown) and not (
                pc.min(pc.utf8_length(unknown)).as_py() > 0
                and pc.all(pc.equal(pc.utf8_trim_whitespace(unknown), unknown)).as_py()):
            raise UncleanEvidence(STAFF_ID)
        yield EvidenceCodes(
            staff=pc.fill_null(found, -1).to_numpy().astype(np.int64),
            competency=codes(batch.column(COMPETENCY), competency),
            level=codes(batch.column(LEVEL), level), day=codes(batch.column(ACHIEVED_ON), day),
            unknown=unknown)


def evidence_codes(table: pa.Table, staff_ids: pa.Array,
                   competencies: Sequence[str]) -> Iterator[EvidenceCodes]:
    """The rows of a checked evidence table (:attr:`EvidenceTable.table`) as codes,
    batch by batch; its competencies must all be among ``competencies``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    index = {c: i for i, c in enumerate(competencies)}
    found_all = pc.index_in(table.column(STAFF_ID), value_set=staff_ids)
    offset = 0
    for batch in table.select([STAFF_ID, COMPETENCY, LEVEL, ACHIEVED_ON]).to_batches():
        names = batch.column(STAFF_ID)
        found = found_all.slice(offset, len(names))
        offset += len(names)
        encoded = pc.dictionary_encode(batch.column(COMPETENCY))
        lookup = np.array([index[c] for c in encoded.dictionary.to_pylist()] or [0], np.int64)
        yield EvidenceCodes(
            staff=pc.fill_null(found, -1).to_numpy().astype(np.int64),
            competency=lookup[encoded.indices.to_numpy(zero_copy_only=False)],
            level=batch.column(LEVEL).to_numpy(zero_copy_only=False).astype(np.int64),
            day=pc.cast(batch.column(ACHIEVED_ON), pa.int32()).to_numpy(
                zero_copy_only=False).astype(np.int64),
            unknown=names.filter(pc.is_null(found).combine_chunks()))


def _competency_names(framework: Framework) -> dict[str, str]:
    names = {c.name.casefold(): c.id for c in framework}
    names.update({c.id.casefold(): c.id for c in framework})
    return names


def _level_reader(framework: Framework) -> Callable[[str], int | None]:
    by_name = {lv.name.casefold(): lv.number for lv in framework.levels}
    by_name.update({str(n): n for n in framework.level_numbers})

    def read(value: str) -> int | None:
        number = (int(value) if value.isascii() and value.isdigit()
                  else by_name.get(value.casefold()))
        return number if number in framework.level_numbers else None

    return read


# --------------------------------------------------------------------------- records

@dataclass(frozen=True)
class EvidenceRecord:
    """One piece of evidence, as stored and exported."""

    staff_id: str
    """The member of staff (the staff table's ``staff_id``)."""
    competency: str
    """Competency ID of the framework."""
    level: int
    """Level held."""
    achieved_on: dt.date
    """When it was achieved (for course modules: the submission date, UTC)."""
    source: str
    """Where it comes from: a course, a provider, ``nbgrader:<module>``."""

    @property
    def key(self) -> str:
        """Hash of the content and source: the store keeps one record per key."""
        text = "\x1f".join((self.staff_id, self.competency, str(self.level),
                            self.achieved_on.isoformat(), self.source))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def row(self) -> dict[str, str]:
        """The record with the contract's columns, as text."""
        return {STAFF_ID: self.staff_id, COMPETENCY: self.competency, LEVEL: str(self.level),
                ACHIEVED_ON: self.achieved_on.isoformat(), SOURCE: self.source}


def store_records(store: Store, records: Iterable[EvidenceRecord], *, kind: str, origin: str,
                  pending: int = 0) -> ImportResult:
    """Store new records, skip those already there, and log the import; one transaction."""
    from competency.store.schema import evidence_table

    rows = [{"staff_id": r.staff_id, "competency": r.competency, "level": r.level,
             "achieved_on": r.achieved_on, "source": r.source, "import_key": r.key}
            for r in records]
    return store.append_logged(evidence_table, "import_key", rows, kind=kind, origin=origin,
                               pending=pending)


def stored_records(store: Store) -> list[EvidenceRecord]:
    """Every stored record, sorted by staff_id, competency, achieved_on, level, source."""
    from competency.store.schema import evidence_table

    rows = store.rows(evidence_table, "staff_id", "competency", "achieved_on", "level",
                      "source")
    return [EvidenceRecord(r["staff_id"], r["competency"], int(r["level"]), r["achieved_on"],
                           r["source"]) for r in rows]


# --------------------------------------------------------------------------- files

FIELDS: tuple[str, ...] = COLUMNS
"""Evidence fields a column mapping may name."""


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """``["staff_id=Assignment Number", ...]`` -> ``{field: column}`` (checked)."""
    mapping: dict[str, str] = {}
    for item in items:
        name, sep, column = item.partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not column:
            raise UsageError(f"column mapping: not FIELD=COLUMN ({item})")
        if name not in FIELDS:
            raise UsageError(f"column mapping: unknown field ({name}); "
                             f"use {', '.join(FIELDS)}")
        mapping[name] = column
    return mapping


def read_evidence_file(path: str | Path, framework: Framework, *,
                       mapping: Mapping[str, str] | None = None, date_spelling: str | None = None,
                       level: int | None = None, source: str | None = None,
                       latest: dt.date | None = None) -> list[EvidenceRecord]:
    """Evidence records from a CSV/XLSX file such as an ESR export.

    The file is checked by :func:`check_evidence`, the rules ``coverage``
    applies too; the options are those of :func:`check_evidence`.
    """
    path = Path(path)
    table = check_evidence(read_text_table(path, ()), framework, mapping=mapping,
                           date_spelling=date_spelling, level=level,
                           source=source if source is not None else path.name, latest=latest)
    return [EvidenceRecord(r[STAFF_ID], r[COMPETENCY], int(r[LEVEL]), r[ACHIEVED_ON],
                           r[SOURCE]) for r in table.to_pylist()]


def import_evidence_file(store: Store, path: str | Path, framework: Framework, *,
                         mapping: Mapping[str, str] | None = None,
                         date_spelling: str | None = None, level: int | None = None,
                         source: str | None = None, as_of: dt.date | None = None,
                         staff: Staff | None = None) -> ImportResult:
    """Read a file (see :func:`read_evidence_file`) and append its records to the store.

    Evidence achieved after ``as_of`` (default: today) is refused, like any bad row:
    nothing is stored. With ``staff``, the result warns how many of the file's staff
    ids that table lacks (they are stored all the same).
    """
    if level is not None and level not in framework.level_numbers:
        raise UsageError(f"level for every row: unknown level ({level}); the framework has "
                         f"{', '.join(map(str, framework.level_numbers))}")
    records = read_evidence_file(path, framework, mapping=mapping, date_spelling=date_spelling,
                                 level=level, source=source, latest=as_of or dt.date.today())
    warnings = () if staff is None else unknown_staff_warnings(records, staff, path)
    result = store_records(store, records, kind="file", origin=str(path))
    return dataclasses.replace(result, warnings=warnings)


def unknown_staff_warnings(records: Sequence[EvidenceRecord], staff: Staff,
                           path: str | Path) -> tuple[str, ...]:
    """A warning counting the records' staff ids the staff table lacks (none when all are
    there)."""
    known = set(staff.table.column(STAFF_ID).to_pylist())
    missing = sorted({r.staff_id for r in records} - known)
    if not missing:
        return ()
    rows = sum(1 for r in records if r.staff_id not in known)
    more = ", …" if len(missing) > EXAMPLES else ""
    return (f"{path}: {len(missing)} staff_id(s) on {rows} row(s) are not in the staff table "
            f"{staff.path} (e.g. {', '.join(missing[:EXAMPLES])}{more}); imported all the "
            "same",)


def export_evidence(store: Store, out: str | Path) -> int:
    """Write every stored record as an evidence table (the contract's columns); the count."""
    import pandas as pd

    records = stored_records(store)
    frame = pd.DataFrame.from_records([r.row() for r in records], columns=list(COLUMNS))
    write_table(frame, out)
    return len(records)


# --------------------------------------------------------------------------- gradebook

Outcome = Literal["held", "pending", "below"]
"""``held``: reached the pass mark; ``pending``: a tagged cell awaits manual grading;
``below``: graded and under the pass mark."""
GRADEBOOK_SOURCE = "nbgrader:"
DEFAULT_PASS_MARK = 0.8
"""Share of a competency's points in a module a learner needs to hold it."""
TOLERANCE = 1e-9


@dataclass(frozen=True)
class GradebookOutcome:
    """One learner's result on one competency in one module."""

    student_id: str
    """nbgrader's student id."""
    staff_id: str
    """The member of staff it maps to."""
    module: str
    """Module (nbgrader assignment) name."""
    competency: str
    """Competency ID."""
    level: int
    """The module's level for the competency (highest ``level:`` tag on its cells)."""
    submitted_on: dt.date
    """Submission date (UTC)."""
    score: float
    """Points scored on the module's cells tagged with the competency (graded ones)."""
    points: float
    """Points available on those cells."""
    outcome: Outcome
    """held, pending or below."""

    def record(self) -> EvidenceRecord:
        """The evidence a ``held`` outcome gives."""
        return EvidenceRecord(self.staff_id, self.competency, self.level, self.submitted_on,
                              f"{GRADEBOOK_SOURCE}{self.module}")


@dataclass(frozen=True)
class GradebookReport:
    """Every outcome read from a gradebook, and the warnings found on the way."""

    outcomes: tuple[GradebookOutcome, ...]
    """Sorted by staff_id, module, competency."""
    warnings: tuple[str, ...]
    """Problems that do not stop the import (unknown students, missing timestamps)."""

    def count(self, outcome: Outcome) -> int:
        """How many outcomes are ``outcome``."""
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    def records(self) -> list[EvidenceRecord]:
        """The evidence of the ``held`` outcomes."""
        return [o.record() for o in self.outcomes if o.outcome == "held"]


def _student_map(staff: Staff) -> dict[str, str]:
    """nbgrader student id -> staff_id: the ``username`` column where given, else staff_id."""
    ids = staff.table.column(STAFF_ID).to_pylist()
    names = (staff.table.column(USERNAME).to_pylist() if USERNAME in staff.table.column_names
             else [""] * len(ids))
    out = {sid: sid for sid, name in zip(ids, names, strict=True) if not name}
    out.update({name: sid for sid, name in zip(ids, names, strict=True) if name})
    return out


def _open_gradebook(url: str) -> Any:
    """nbgrader's Gradebook on ``url``, refusing to create one where there is none."""
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from competency.store.database import safe_url

    where = safe_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise GradebookError(f"{url}: not a database URL") from exc
    if parsed.get_backend_name() == "sqlite" and not Path(str(parsed.database or "")).is_file():
        raise GradebookError(f"{where}: no gradebook there (file not found); run nbgrader "
                             "autograde first, or give the gradebook's URL")
    try:
        engine = create_engine(parsed)
        try:
            tables = set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
    except (SQLAlchemyError, ModuleNotFoundError) as exc:
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()
        raise GradebookError(f"{where}: cannot open the gradebook "
                             f"({detail[0] if detail else type(exc).__name__})") from exc
    if not {"grade", "submitted_assignment"} <= tables:
        raise GradebookError(f"{where}: not an nbgrader gradebook (no grade table)")
    from nbgrader.api import Gradebook

    return Gradebook(url, course_id="")  # "" : read only, no course row is added


def read_gradebook(course_dir: str | Path, db_url: str | None = None, *,
                   framework: Framework | None = None, pass_mark: float = DEFAULT_PASS_MARK,
                   staff: Staff | None = None) -> GradebookReport:
    """Each learner's outcome per module and competency, from the course's gradebook.

    A learner holds competency X at the module's level from the submission
    date when the points scored on the module's cells tagged X reach
    ``pass_mark`` of the points those cells carry. Manually graded cells
    count once graded; while any of them awaits grading the outcome is
    ``pending``. Student ids are staff ids, or the staff table's ``username``.
    """
    if not 0 < pass_mark <= 1:
        raise UsageError(f"pass mark: must be a number above 0 and at most 1 ({pass_mark})")
    from nbgrader.api import MissingEntry

    course_dir = Path(course_dir)
    framework = framework or load_framework()
    cmap = course_map(course_dir, framework)
    url = db_url or f"sqlite:///{(course_dir / 'gradebook.db').resolve()}"
    students = _student_map(staff) if staff is not None else None
    outcomes: list[GradebookOutcome] = []
    warnings: list[str] = []
    unknown: set[str] = set()
    undated: list[str] = []
    with _open_gradebook(url) as gb:
        for module, levels in cmap.levels.items():
            cells = [c for c in cmap.cells if c.module == module]
            try:
                assignment = gb.find_assignment(module)
            except MissingEntry:
                continue  # not released yet
            known = {(nb.name, cell.name) for nb in assignment.notebooks
                     for cell in nb.grade_cells}
            absent = [c.grade_id for c in cells
                      if c.competencies and (Path(c.notebook).stem, c.grade_id) not in known]
            if absent:
                warnings.append(f"{module}: {len(absent)} tagged cell(s) are not in the "
                                f"gradebook ({', '.join(absent[:5])}); regenerate the "
                                "assignment? They count as 0 points")
            for submission in gb.assignment_submissions(module):
                student = str(submission.student_id)
                staff_id = student if students is None else students.get(student)
                if staff_id is None:
                    unknown.add(student)
                    continue
                if submission.timestamp is None:
                    undated.append(f"{module}/{student}")
                    continue
                grades = {(nb.name, g.name): g for nb in submission.notebooks
                          for g in nb.grades}
                for cid, level in levels.items():
                    outcomes.append(_outcome(cells, cid, level, grades, pass_mark,
                                             student, staff_id, module,
                                             submission.timestamp.date()))
    if unknown:
        more = ", …" if len(unknown) > 5 else ""
        warnings.append(f"{len(unknown)} gradebook student(s) match no staff_id or username "
                        f"in the staff table (e.g. {', '.join(sorted(unknown)[:5])}{more}); "
                        "their results are not imported")
    if undated:
        warnings.append(f"{len(undated)} submission(s) have no timestamp "
                        f"({', '.join(undated[:5])}); their results are not imported")
    outcomes.sort(key=lambda o: (o.staff_id, o.module, o.competency))
    return GradebookReport(tuple(outcomes), tuple(cmap.warnings) + tuple(warnings))


def _outcome(cells: Sequence[GradedCell], cid: str, level: int, grades: Mapping[Any, Any],
             pass_mark: float, student: str, staff_id: str, module: str,
             day: dt.date) -> GradebookOutcome:
    tagged = [c for c in cells if cid in c.competencies]
    points = sum(c.points for c in tagged)
    score = 0.0
    pending = False
    for cell in tagged:
        grade = grades.get((Path(cell.notebook).stem, cell.grade_id))
        if grade is None:
            continue
        if grade.needs_manual_grade and grade.manual_score is None:
            pending = True
        else:
            score += float(grade.score or 0.0)
    outcome: Outcome
    if pending:
        outcome = "pending"
    elif points > 0 and score >= pass_mark * points - TOLERANCE:
        outcome = "held"
    else:
        outcome = "below"
    return GradebookOutcome(student, staff_id, module, cid, level, day, score, points, outcome)


def import_gradebook(store: Store, report: GradebookReport, origin: str) -> ImportResult:
    """Append the ``held`` outcomes' evidence to the store, logging pending ones."""
    from competency.store.database import safe_url

    return store_records(store, report.records(), kind="gradebook", origin=safe_url(origin),
                         pending=report.count("pending"))
