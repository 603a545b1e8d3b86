"""Fast reading and checking of large organisation tables with pyarrow.

Staff and evidence tables can hold millions of rows (the whole NHS in
England), so they are read with pyarrow's multi-threaded CSV reader into
all-text columns and checked with vectorised kernels. A problem is reported
as ``FILE, row N: problem (value)``, the header being row 1 and data row
``i`` (from 0) being row ``i + 2``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from competency.errors import TableError
from competency.tables import FIRST_DATA_ROW, TABLE_SUFFIXES, read_table

if TYPE_CHECKING:
    import pyarrow as pa

DATE_FORMAT = "%Y-%m-%d"


def _header(path: Path) -> list[str]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            return [h.strip() for h in next(csv.reader(handle))]
        except StopIteration:
            raise TableError(path, "empty file", row=1) from None
        except UnicodeDecodeError as exc:
            raise TableError(path, "not UTF-8 text; save the file as CSV UTF-8", row=1) from exc


def read_text_table(path: str | Path, required: Sequence[str]) -> pa.Table:
    """Read CSV (fast path) or XLSX into a table of stripped text columns."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise TableError(path, "unsupported table format; use .csv or .xlsx", value=suffix)
    if not path.is_file():
        raise TableError(path, "file not found")
    if suffix == ".xlsx":
        frame = read_table(path, required)
        return pa.Table.from_pandas(frame, preserve_index=False)
    if path.stat().st_size == 0:
        raise TableError(path, "empty file", row=1)
    header = _header(path)
    missing = [c for c in required if c not in header]
    if missing:
        raise TableError(path, "missing column", row=1, value=", ".join(missing))
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid as exc:
        message = str(exc)
        if "UTF8" in message or "utf8" in message.lower():
            read_table(path, required)  # locates the bad byte and raises with its row
        raise TableError(path, f"malformed CSV: {message.splitlines()[0]}") from exc
    columns = [pc.utf8_trim_whitespace(table.column(name)) for name in header]
    return pa.table(columns, names=header)


def first_bad(mask: Any) -> int | None:
    """Index of the first true value of a boolean array, or None."""
    import pyarrow.compute as pc

    index = pc.index(mask, True).as_py()
    return None if index is None or index < 0 else int(index)


def parse_dates(values: Any) -> tuple[Any, Any]:
    """``(dates, bad mask)``: strict YYYY-MM-DD to date32; anything else is bad.

    A value is good only when it parses and prints back identically, which
    rejects ``2024-1-5`` and impossible dates such as ``2023-02-30``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:  # fast path: Arrow's cast is strict ISO 8601 (YYYY-MM-DD, real dates only)
        return pc.cast(values, pa.date32()), pa.repeat(pa.scalar(False), len(values))
    except pa.ArrowInvalid:
        pass
    stamps = pc.strptime(values, format=DATE_FORMAT, unit="s", error_is_null=True)
    printed = pc.strftime(stamps, format=DATE_FORMAT)
    good = pc.fill_null(pc.equal(printed, values), False)
    dates = pc.cast(stamps, pa.date32())
    return dates, pc.invert(good)


def report_first(path: Path, checks: Sequence[tuple[Any, str, Any]]) -> None:
    """Raise for the earliest row failing any check: ``(mask, problem, values)``."""
    worst: tuple[int, str, Any] | None = None
    for mask, problem, values in checks:
        index = first_bad(mask)
        if index is not None and (worst is None or index < worst[0]):
            worst = (index, problem, values[index].as_py())
    if worst is not None:
        index, problem, value = worst
        if value == "":
            value = "empty"
        raise TableError(path, problem, row=index + FIRST_DATA_ROW, value=value)
