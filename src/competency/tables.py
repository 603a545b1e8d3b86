"""Reading and writing the organisation's tables (CSV or XLSX, header row, UTF-8).

Every table problem is reported as ``FILE, row N: problem (value)`` with the
header as row 1, through :class:`~competency.errors.TableError`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from competency.errors import TableError
from competency.files import atomic_write_bytes

if TYPE_CHECKING:
    import pandas as pd

TABLE_SUFFIXES = (".csv", ".xlsx")
FIRST_DATA_ROW = 2
"""Row number of the first data row: the header is row 1."""


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start: exc.start + 1].hex()
        raise TableError(path, "not UTF-8 text; save the file as CSV UTF-8", row=row,
                         value=f"byte 0x{bad}") from exc


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; a missing, unreadable or blank file is a TableError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise TableError(path, "file not found") from exc
    except OSError as exc:
        raise TableError(path, f"cannot read: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise TableError(path, "empty file", row=1)
    return raw


def _after_blank_lines(text: str) -> tuple[str, int]:
    """The text from its first non-blank line, and how many blank lines came before it."""
    lead = 0
    while True:
        end = text.find("\n")
        if end < 0 or text[:end].strip():
            return text, lead
        text = text[end + 1:]
        lead += 1


def read_table(path: str | Path, required: Sequence[str]) -> pd.DataFrame:
    """Read a CSV or XLSX table as text columns; checks that ``required`` columns exist.

    Values are stripped strings ("" for empty cells). The frame's index is
    the file's row number (header = row 1, blank lines counted), so errors can
    name the row; rows that are entirely empty are dropped.
    """
    import pandas as pd

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise TableError(path, "unsupported table format; use .csv or .xlsx", value=suffix)
    raw = _read_bytes(path)
    try:
        if suffix == ".csv":
            text, lead = _after_blank_lines(_decode(path, raw))
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                                na_filter=False, skipinitialspace=False,
                                skip_blank_lines=False)
        else:
            frame = pd.read_excel(io.BytesIO(raw), dtype=str, keep_default_na=False,
                                  na_filter=False, engine="openpyxl")
    except TableError:
        raise
    except pd.errors.ParserError as exc:
        raise TableError(path, f"malformed CSV: {exc}".split("\n")[0]) from exc
    except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:  # not a workbook
        raise TableError(path, f"cannot read as {suffix[1:].upper()}: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    check_columns(path, list(frame.columns), required)
    frame = frame.astype(str).apply(lambda col: col.str.strip())
    first = FIRST_DATA_ROW + (lead if suffix == ".csv" else 0)
    frame.index = range(first, first + len(frame))
    # drop rows that are entirely empty (trailing blank lines in spreadsheets)
    empty = (frame == "").all(axis=1)
    result: pd.DataFrame = frame.loc[~empty]
    return result


@dataclass(frozen=True)
class TableRows:
    """A table read as text columns, without pandas: what :func:`read_rows` returns."""

    rows: tuple[int, ...]
    """The file's row number of each record (header = row 1)."""
    columns: dict[str, tuple[str, ...]]
    """Each column's stripped values, one per record."""

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, column: str) -> tuple[str, ...]:
        return self.columns[column]


def read_rows(path: str | Path, required: Sequence[str]) -> TableRows:
    """Like :func:`read_table`, but a CSV file is read with the standard library (pandas
    and pyarrow stay unloaded: quick command-line checks); XLSX goes through pandas."""
    path = Path(path)
    if path.suffix.lower() != ".csv":
        frame = read_table(path, required)
        return TableRows(tuple(int(i) for i in frame.index),
                         {str(c): tuple(frame[c]) for c in frame.columns})
    raw = _read_bytes(path)
    text = _decode(path, raw)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise TableError(path, f"malformed CSV: {exc}") from exc
    numbered = [(n, r) for n, r in enumerate(records, start=1) if r]  # blank: no record
    header = [c.strip() for c in numbered[0][1]]
    names: list[str] = []
    for name in header:  # pandas' names for repeated columns: a, a.1, a.2
        count = sum(1 for n in names if n == name or n.startswith(f"{name}."))
        names.append(name if count == 0 else f"{name}.{count}")
    check_columns(path, names, required)
    rows: list[int] = []
    values: list[list[str]] = []
    for record, cells in numbered[1:]:  # row numbers count blank lines, as read_table's
        if len(cells) > len(names):
            raise TableError(path, f"malformed CSV: Error tokenizing data. C error: Expected "
                             f"{len(names)} fields in line {record}, saw {len(cells)}")
        stripped = [c.strip() for c in cells] + [""] * (len(names) - len(cells))
        if any(stripped):
            rows.append(record)
            values.append(stripped)
    return TableRows(tuple(rows), {name: tuple(v[i] for v in values)
                                   for i, name in enumerate(names)})


def check_columns(path: Path, header: Sequence[str], required: Sequence[str]) -> None:
    """Raise ``FILE, row 1: missing column (A, B)`` unless ``header`` has every required one."""
    missing = [c for c in required if c not in header]
    if missing:
        raise TableError(path, "missing column", row=1, value=", ".join(missing))


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table atomically as CSV (UTF-8) or XLSX, by the file's suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    elif suffix == ".xlsx":
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False, engine="openpyxl")
        data = buffer.getvalue()
    else:
        raise TableError(path, "unsupported table format; use .csv or .xlsx", value=suffix)
    return atomic_write_bytes(path, data)
