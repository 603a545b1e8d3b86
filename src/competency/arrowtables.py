"""Fast reading and checking of large organisation tables with pyarrow.

Staff and evidence tables can hold millions of rows (the whole NHS in
England), so they are read with pyarrow's multi-threaded CSV reader into
all-text columns and checked with vectorised kernels. The rules are those of
:mod:`competency.tables` and :mod:`competency.dates`: the same columns, the
same messages ``FILE, row N: problem (value)``, the header being row 1 and
blank rows skipped but counted, and the same accepted dates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from competency.dates import EPOCH, ISO_DATE_LENGTH, ISO_FORMAT, MIN_DATE, parse_cell
from competency.errors import TableError
from competency.tables import FIRST_DATA_ROW, TABLE_SUFFIXES, check_columns, read_table

if TYPE_CHECKING:
    import pyarrow as pa

BLANK_CHECK_BYTES = 1 << 16
"""Files smaller than this are checked for holding only blank space ("empty file")."""
Check = tuple[Any, str, Any]
"""``(bad mask, problem, values)``: one rule applied to one column."""


@dataclass(frozen=True)
class TextTable:
    """A table read as stripped text columns, with each row's number in the file."""

    path: Path
    """Where it was read from."""
    table: pa.Table
    """The columns as text ("" for empty cells); rows that are entirely empty are dropped."""
    rows: pa.Array | None = None
    """The file row number of each row (header = row 1); None when row ``i`` is ``i + 2``."""

    def row(self, index: int) -> int:
        """The file row number of row ``index`` (from 0)."""
        return index + FIRST_DATA_ROW if self.rows is None else int(self.rows[index].as_py())

    def column(self, name: str) -> pa.ChunkedArray:
        """A column by name."""
        return self.table.column(name)

    def report_first(self, checks: Sequence[Check]) -> None:
        """Raise for the earliest row failing any check (the first check listed wins a tie).

        Every other bad row is counted too, with vectorised masks: the error carries
        each one's first failing check (``--all-errors`` lists them), and its one
        line says how many there are.
        """
        import numpy as np

        if not checks:
            return
        which = np.full(self.table.num_rows, -1, dtype=np.int32)
        for number, (mask, _, _) in enumerate(checks):
            bad = _numpy_mask(mask)
            which[(which < 0) & bad] = number
        rows = np.flatnonzero(which >= 0)
        if not len(rows):
            return
        problems: list[tuple[int, str, Any]] = []
        for number, (_, problem, values) in enumerate(checks):
            at = rows[which[rows] == number]
            if len(at):
                found = values.take(at).to_pylist()
                problems.extend((int(i), problem, v) for i, v in zip(at, found, strict=True))
        problems.sort(key=lambda p: p[0])
        (index, problem, value), *rest = problems
        raise TableError(self.path, problem, row=self.row(index), value=_shown(value),
                         others=tuple((self.row(i), p, _shown(v)) for i, p, v in rest))


def _shown(value: Any) -> Any:
    return "empty" if value == "" else value


def _numpy_mask(mask: Any) -> Any:
    import numpy as np
    import pyarrow.compute as pc

    filled = pc.fill_null(mask, False)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def _header(path: Path) -> list[str]:
    import csv

    with path.open("rb") as handle:
        first = handle.readline()
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = first[exc.start: exc.start + 1].hex()
        raise TableError(path, "not UTF-8 text; save the file as CSV UTF-8", row=1,
                         value=f"byte 0x{bad}") from exc
    return [h.strip() for h in next(csv.reader([line]), [])]


def read_text_table(path: str | Path, required: Sequence[str]) -> TextTable:
    """Read CSV (fast path) or XLSX into stripped text columns; errors as :func:`read_table`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES or suffix == ".xlsx" or not path.is_file():
        return _slow(path, required)  # raises for the format and a missing file
    size = path.stat().st_size
    if size == 0 or (size < BLANK_CHECK_BYTES and not path.read_bytes().strip()):
        raise TableError(path, "empty file", row=1)
    header = _header(path)
    if not any(header):  # blank lines before the header: the general reader numbers them
        return _slow(path, required)
    check_columns(path, header, required)
    try:
        table = _read_csv(path, header, {name: pa.string() for name in header})
    except pa.ArrowInvalid:
        # Ragged rows, quoted line breaks, bad bytes: the general reader decides, so that
        # both paths accept the same files and name the same row.
        return _slow(path, required)
    columns = [pc.utf8_trim_whitespace(table.column(name)) for name in header]
    table = pa.table(columns, names=[str(i) for i in range(len(header))])
    empty = None
    for column in table.columns:
        blank = pc.equal(column, "")
        empty = blank if empty is None else pc.and_(empty, blank)
    rows = None
    if empty is not None and first_bad(empty) is not None:
        keep = pc.invert(empty)
        numbers = np.arange(FIRST_DATA_ROW, FIRST_DATA_ROW + table.num_rows, dtype=np.int64)
        rows = pc.filter(pa.array(numbers), keep)
        table = table.filter(keep)
    return TextTable(path, table.rename_columns(header), rows)


def _slow(path: Path, required: Sequence[str]) -> TextTable:
    import pyarrow as pa

    frame = read_table(path, required)
    return TextTable(path, pa.Table.from_pandas(frame, preserve_index=False),
                     pa.array(frame.index.to_list(), pa.int64()))


def first_bad(mask: Any) -> int | None:
    """Index of the first true value of a boolean array, or None."""
    import pyarrow.compute as pc

    index = pc.index(mask, True).as_py()
    return None if index is None or index < 0 else int(index)


def map_values(values: Any, convert: Callable[[str], Any], type_: pa.DataType) -> Any:
    """``convert`` applied to each distinct value (None where it fails), as an array.

    The vectorised way to apply a per-value Python rule: the work is done
    once per distinct value, which a column of dates, IDs or levels has few of.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(values)
    chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
    out = []
    for chunk in chunks:
        mapped = pa.array([convert(v) for v in chunk.dictionary.to_pylist()], type_)
        out.append(pc.take(mapped, chunk.indices))
    return pa.chunked_array(out, type_)


def parse_dates(values: Any, fmt: str | None = None) -> tuple[Any, Any]:
    """``(dates, bad mask)``: the rule of :func:`competency.dates.parse_cell`, vectorised.

    Fast path (ISO format): Arrow's cast to date32 succeeds, every value has
    :data:`~competency.dates.ISO_DATE_LENGTH` characters and no date is before
    :data:`~competency.dates.MIN_DATE`. Arrow's parser then accepts exactly the
    real dates matching :data:`~competency.dates.ISO_DATE_REGEX` (tests/test_dates.py
    holds both paths to the same strings). Otherwise each distinct value goes
    through :func:`~competency.dates.parse_cell`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if (fmt is None or fmt == ISO_FORMAT) and len(values) > 0:
        try:
            dates = pc.cast(values, pa.date32())
        except pa.ArrowInvalid:
            dates = None
        if dates is not None:
            lengths = pc.min_max(pc.utf8_length(values)).as_py()
            earliest = pc.min(pc.cast(dates, pa.int32())).as_py()
            if (lengths["min"] == lengths["max"] == ISO_DATE_LENGTH
                    and earliest >= (MIN_DATE - EPOCH).days):
                return dates, pa.repeat(pa.scalar(False), len(values))
    dates = map_values(values, lambda v: parse_cell(v, fmt or ISO_FORMAT), pa.date32())
    return dates, pc.is_null(dates)


def read_csv_columns(path: str | Path, required: Sequence[str],
                     types: Callable[[str], pa.DataType]) -> pa.Table | None:
    """A CSV table read in one multi-threaded pass with each column typed by ``types``
    (text or dictionary-encoded text), cells not trimmed; None where this fast path
    cannot answer: not a CSV file, an empty or blank file, a header with blank lines
    before it or a repeated name, a missing required column, a row that does not
    parse (ragged, a quoted line break, bytes that are not UTF-8).

    The callers check the values themselves and, when anything is not already
    clean, leave the file to :func:`read_text_table`, whose errors then name the
    file, row and value. Reading dictionary-encoded columns lets them check each
    distinct value once.
    """
    import pyarrow as pa

    path = Path(path)
    if path.suffix.lower() != ".csv" or not path.is_file():
        return None
    size = path.stat().st_size
    if size == 0 or (size < BLANK_CHECK_BYTES and not path.read_bytes().strip()):
        return None
    try:
        header = _header(path)
    except TableError:
        return None
    if not any(header) or len(set(header)) != len(header) or not set(required) <= set(header):
        return None
    try:
        return _read_csv(path, header, {name: types(name) for name in header})
    except pa.ArrowInvalid:
        return None


def _read_csv(path: Path, header: list[str], types: dict[str, Any]) -> Any:
    """Arrow's CSV reader as both fast paths use it: the header given (read separately),
    one line per row (a quoted line break or a ragged row raises ``ArrowInvalid`` and
    the caller falls back), blank lines kept (rows keep their numbers), no nulls."""
    import pyarrow.csv as pacsv

    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                             quoted_strings_can_be_null=False),
    )
