from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from competency.errors import FrameworkError
from competency.framework.model import Framework, parse_framework
from competency.framework.moodle import HEADER, export_moodle_csv, import_moodle_csv

OLD_HEADER = ('"Parent id number","Id number",Shortname,Description,"Description format",'
              '"Scale values","Scale configuration","Rule type (optional)",'
              '"Rule outcome (optional)","Rule config (optional)",'
              '"Cross referenced competency id numbers","Exported id (optional)",'
              '"Is framework",Taxonomy')


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_export_has_moodles_fourteen_column_header(framework: Framework) -> None:
    table = rows(export_moodle_csv(framework))
    assert tuple(table[0]) == HEADER
    assert len(HEADER) == 14
    assert all(len(r) == 14 for r in table)


def test_first_data_row_is_the_framework(framework: Framework) -> None:
    table = rows(export_moodle_csv(framework))
    first = dict(zip(HEADER, table[1], strict=True))
    assert first["Is framework"] == "1"
    assert first["ID number"] == framework.id
    assert first["Scale values"] == "Foundation,Practitioner,Lead,Strategic"
    config = json.loads(first["Scale configuration"])
    assert config[0] == {"scaleid": "0"}
    assert [c["id"] for c in config[1:]] == [1, 2, 3, 4]
    assert [r[1] for r in table[2:]] == list(framework.ids)


def test_round_trip_keeps_ids_names_descriptions_levels_indicators(
        framework: Framework, tmp_path: Path) -> None:
    path = tmp_path / "fw.csv"
    path.write_text(export_moodle_csv(framework), encoding="utf-8")
    again = import_moodle_csv(path)
    assert again.ids == framework.ids
    assert again.levels == framework.levels
    assert again.version == framework.version
    assert again.description == framework.description
    for a, b in zip(framework, again, strict=True):
        assert (a.name, a.description, dict(a.indicators)) == (b.name, b.description,
                                                                dict(b.indicators))


def test_special_characters_survive(tmp_path: Path) -> None:
    fw = parse_framework("""\
id: x
name: "Ampersands & <angles>"
version: "2"
levels: [{level: 1, name: "One, first"}]
competencies:
  - id: X-1
    name: 'Quotes "and" commas, too'
    description: "Line one & two"
    indicators: {1: ["Uses <b>bold</b> text & more"]}
""")
    path = tmp_path / "x.csv"
    path.write_text(export_moodle_csv(fw), encoding="utf-8")
    again = import_moodle_csv(path)
    assert again.get("X-1").name == 'Quotes "and" commas, too'
    assert again.get("X-1").indicators_for(1) == ("Uses <b>bold</b> text & more",)
    assert again.name == "Ampersands & <angles>"


def test_import_accepts_older_moodle_header_spellings(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text(
        OLD_HEADER + "\n"
        ',OLD-FW,Old framework,"<p>From an old site.</p>",1,"Not yet competent,Competent",'
        '"[{""scaleid"":""2""}]",,,,,,1,"competency"\n'
        ',C-1,First competency,"<p>Plain description.</p>",1,,,,0,null,,2,,\n',
        encoding="utf-8")
    fw = import_moodle_csv(path)
    assert fw.id == "OLD-FW"
    assert [lv.name for lv in fw.levels] == ["Not yet competent", "Competent"]
    assert fw.get("C-1").description == "Plain description."
    assert fw.version == "1.0"


def write(tmp_path: Path, body: str, header: str = ",".join(HEADER)) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(header + "\n" + body, encoding="utf-8")
    return path


FW_ROW = ',FW,Framework,"",1,"One,Two","",,,,,1,1,competency\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (FW_ROW + ',C-1,One,"",1,,,,0,null,,2,,\n,C-1,Two,"",1,,,,0,null,,3,,\n',
         r"in\.csv, row 4: duplicate ID number \(first on row 3\) \(C-1\)$"),
        (FW_ROW + ',C-1,,"",1,,,,0,null,,2,,\n', r"in\.csv, row 3: missing short name \(C-1\)$"),
        (',C-1,One,"",1,,,,0,null,,2,,\n', r"in\.csv, row 2: no framework row"),
        (FW_ROW + ',C 1,One,"",1,,,,0,null,,2,,\n',
         r"in\.csv, row 3: bad competency ID number \(C 1\)$"),
        (FW_ROW + ',C-1,One,"<h4>Level 7: Nope</h4><ul><li>x</li></ul>",1,,,,0,null,,2,,\n',
         r"in\.csv, row 3: unknown level in description \(Level 7: Nope\)$"),
        (FW_ROW.replace('"One,Two"', '""'), r"in\.csv, row 2: framework row has no scale"),
    ],
    ids=["duplicate", "no-name", "no-framework", "bad-id", "bad-level", "no-levels"],
)
def test_broken_csv_names_file_and_row(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(FrameworkError, match=message):
        import_moodle_csv(write(tmp_path, body))


def test_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "x,y\n", header="Parent ID number,Description")
    with pytest.raises(FrameworkError,
                       match=r"row 1: missing column \(ID number, Short name, Is framework\)"):
        import_moodle_csv(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"empty\.csv, row 1: empty file$"):
        import_moodle_csv(path)
