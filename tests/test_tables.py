"""Tables: the pandas-free CSV reader gives what the pandas one gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from competency.errors import TableError
from competency.tables import read_rows, read_table


@pytest.mark.parametrize("text", [
    "a,b,c\n1,2\n3,4,5\n",                      # a short row is padded with ""
    "a,b,c\n\n1,2,3\n,,\n4,5,6\n",              # blank lines skipped, empty rows dropped
    "a,a,b\n1,2,3\n",                           # repeated columns: a, a.1
    "\n\na,b\n1,2\n",                           # blank lines before the header
    " a , b \n x ,y\n",                         # names and values stripped
    '\ufeffa,b\n"x, y",2\n',                    # BOM and quoted commas
    "a,b,c\n1,2,3\n4,5,6,7\n",                  # too many fields
    'a,b\n"x\ny",2\n3,4,5\n',                   # too many fields after a quoted newline
    "b,c\n1,2\n",                               # missing column
])
def test_read_rows_matches_read_table(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")

    def read(reader: object) -> object:
        try:
            table = reader(path, ["a"])  # type: ignore[operator]
        except TableError as exc:
            return str(exc)
        rows = table.rows if hasattr(table, "rows") else list(table.index)
        columns = table.columns if isinstance(table.columns, dict) else list(table.columns)
        return list(rows), {str(c): list(table[c]) for c in columns}

    assert read(read_rows) == read(read_table)
