from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from competency.errors import FrameworkError
from competency.framework.model import (
    Framework,
    MoodleText,
    Rule,
    Scale,
    dump_framework,
    parse_framework,
)
from competency.framework.moodle import (
    HEADER,
    export_moodle_csv,
    import_moodle_csv,
    read_moodle_csv,
)
from conftest import CliResult

Cli = Callable[..., CliResult]

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
    again = read_moodle_csv(path).framework
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
    again = read_moodle_csv(path).framework
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
    fw = read_moodle_csv(path).framework
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
        read_moodle_csv(write(tmp_path, body))


def test_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "x,y\n", header="Parent ID number,Description")
    with pytest.raises(FrameworkError,
                       match=r"row 1: missing column \(ID number, Short name, Is framework\)"):
        read_moodle_csv(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"empty\.csv, row 1: empty file$"):
        read_moodle_csv(path)


# --------------------------------------------------------------------------- nested frameworks

NESTED = Path(__file__).parent / "data" / "nested-framework.csv"


def nested() -> Framework:
    result = read_moodle_csv(NESTED)
    assert result.warnings == ()
    return result.framework


def test_nested_framework_keeps_tree_cross_references_scales_rules_taxonomy() -> None:
    fw = nested()
    assert len(fw) == 11
    assert fw.taxonomy == ("domain", "competency", "behaviour")
    assert [c.id for c in fw.children(None)] == ["D-LISTEN", "D-ACT"]
    assert [c.id for c in fw.children("D-LISTEN")] == ["C-LISTEN-1", "C-LISTEN-2"]
    assert [c.id for c in fw.children("C-LISTEN-1")] == ["B-LISTEN-1a", "B-LISTEN-1b"]
    assert fw.get("B-ACCESS-1a").parent == "C-ACCESS-1"
    related = {c.id: c.related for c in fw if c.related}
    assert related == {"C-LISTEN-1": ("C-DATA-1",), "B-LISTEN-1b": ("C-ACCESS-1",),
                       "C-DATA-1": ("C-LISTEN-1", "C-ACCESS-1"),
                       "C-ACCESS-1": ("B-LISTEN-1b",)}
    # the framework's scale and its configuration
    assert [lv.name for lv in fw.levels] == ["Not yet", "Developing", "Competent", "Expert"]
    assert [lv.proficient for lv in fw.levels] == [False, False, True, True]
    assert fw.default_level == 1
    # a competency's own scale
    assert fw.get("C-DATA-1").scale == Scale(("No", "Yes"), 2, (2,))
    assert fw.get("C-DATA-1").indicators == {
        2: ("Finds the local ethnicity figures.",),
        3: ("Compares uptake by group.", "Explains gaps to colleagues.")}
    # rules: exported IDs in the points configuration become competency IDs
    assert fw.get("D-ACT").rule == Rule("core_competency\\competency_rule_all", 1, None)
    points = fw.get("C-LISTEN-2").rule
    assert points is not None
    assert points.outcome == 2
    assert points.config == {"base": {"points": 2}, "competencies": [
        {"id": "B-LISTEN-2a", "points": 1, "required": 1},
        {"id": "B-LISTEN-2b", "points": 1, "required": 0}]}
    # multi-line HTML is kept verbatim; the description reads as text
    comp = fw.get("C-ACCESS-1")
    assert comp.description == ("Makes services usable by everyone: easy read, large print, "
                                "the standard.")
    assert comp.moodle_description is not None
    assert comp.moodle_description.text.startswith(
        "<p>Makes services usable by everyone:\neasy read")
    assert fw.get("B-LISTEN-1b").moodle_description == MoodleText(
        "Budgets for interpreters *before* the meeting.\n\n"
        "Checks the language with the community first.", 4)
    assert fw.get("C-DATA-1").moodle_description is None  # our own HTML: nothing to keep
    assert fw.moodle_description is not None
    assert fw.version == "1.0"


def test_nested_import_export_import_gives_the_same_model(tmp_path: Path) -> None:
    fw = nested()
    path = tmp_path / "again.csv"
    path.write_text(export_moodle_csv(fw), encoding="utf-8")
    again = read_moodle_csv(path)
    assert again.warnings == ()
    assert again.framework == fw
    assert [c.__dict__ for c in again.framework] == [c.__dict__ for c in fw]


def test_nested_export_import_export_is_byte_identical(tmp_path: Path) -> None:
    first = export_moodle_csv(nested())
    path = tmp_path / "first.csv"
    path.write_bytes(first.encode("utf-8"))
    assert export_moodle_csv(read_moodle_csv(path).framework).encode("utf-8") == \
        first.encode("utf-8")


NORMALISED = ("Exported ID (optional)", "Scale configuration", "Rule config (optional)")


def test_export_matches_moodles_file_but_for_the_documented_normalisation() -> None:
    """Only the exported IDs (renumbered), the scale configurations (every item listed,
    scale id 0) and the rule configurations (renumbered IDs) differ from the source file."""
    source = [dict(zip(HEADER, r, strict=True))
              for r in rows(NESTED.read_text(encoding="utf-8"))[1:]]
    ours = [dict(zip(HEADER, r, strict=True)) for r in rows(export_moodle_csv(nested()))[1:]]
    assert len(source) == len(ours)
    for a, b in zip(source, ours, strict=True):
        assert {k: v for k, v in a.items() if k not in NORMALISED} == \
            {k: v for k, v in b.items() if k not in NORMALISED}
    assert ours[1]["Exported ID (optional)"] == "2"


def test_nested_yaml_round_trip_validates_against_the_schema() -> None:
    fw = nested()
    text = dump_framework(fw)
    assert parse_framework(text, check_schema=True) == fw
    assert "parent: D-LISTEN" in text


@pytest.mark.parametrize("spelling", ["old", "lower"])
def test_old_header_spellings_read_the_same(tmp_path: Path, spelling: str) -> None:
    text = NESTED.read_text(encoding="utf-8")
    body = text.split("\n", 1)[1]
    header = OLD_HEADER if spelling == "old" else ",".join(
        h.lower().replace("-", " ") for h in HEADER)
    path = tmp_path / "old.csv"
    path.write_text(header + "\n" + body, encoding="utf-8")
    result = read_moodle_csv(path)
    assert result.warnings == ()
    assert result.framework == nested()


UNREPRESENTABLE = (
    ',FW,Framework,"",1,"One,Two","",,,,X-1,1,1,competency\n'
    ',A,Top,"",1,,,,0,null,"B,NOPE",2,,\n'
    'GONE,B,Orphan,"",1,,,,0,null,,3,,\n'
    'A,C,Child,"",1,,,core_competency\\competency_rule_points,1,'
    '"{""base"":{""points"":1},""competencies"":[{""id"":2,""points"":1},'
    '{""id"":99,""points"":1}]}",,4,,skill\n'
    'A,D,No rule,"",1,,,,3,null,,5,,\n'
    'E,E,Self,"",1,,"[{""scaleid"":""1""}]",,0,null,E,6,,\n'
)


def test_what_cannot_be_represented_warns_with_the_row(tmp_path: Path) -> None:
    result = read_moodle_csv(write(tmp_path, UNREPRESENTABLE))
    assert [w.replace(f"{tmp_path}/", "") for w in result.warnings] == [
        "in.csv, row 2: Cross-referenced competency ID numbers has no place on this row; "
        "dropped (X-1)",
        "in.csv, row 3: cross-reference to an ID number not among the other competencies; "
        "dropped (NOPE)",
        "in.csv, row 4: parent ID number not among the competencies; dropped, the "
        "competency is placed at the top level (GONE)",
        "in.csv, row 5: rule config names an exported ID no row has; dropped from the rule "
        "(99)",
        "in.csv, row 5: Taxonomy has no place on this row; dropped (skill)",
        "in.csv, row 6: Rule outcome (optional) has no place on this row; dropped (3)",
        "in.csv, row 7: parent ID number not among the competencies; dropped, the "
        "competency is placed at the top level (E)",
        "in.csv, row 7: cross-reference to an ID number not among the other competencies; "
        "dropped (E)",
        "in.csv, row 7: Scale configuration has no place on this row; dropped "
        '([{"scaleid":"1"}])',
    ]
    fw = result.framework
    assert fw.get("A").related == ("B",)
    assert fw.get("B").parent is None
    rule = fw.get("C").rule
    assert rule is not None
    assert rule.config == {"base": {"points": 1},
                                                "competencies": [{"id": "A", "points": 1}]}
    assert fw.get("D").rule is None
    # what was kept survives the round trip without further warnings
    path = tmp_path / "again.csv"
    path.write_text(export_moodle_csv(fw), encoding="utf-8")
    assert read_moodle_csv(path) == type(result)(fw, ())


def test_parent_loop_warns_and_is_broken(tmp_path: Path) -> None:
    body = (FW_ROW + 'B,A,One,"",1,,,,0,null,,2,,\n'
            'A,B,Two,"",1,,,,0,null,,3,,\n')
    result = read_moodle_csv(write(tmp_path, body))
    assert result.warnings == (f"{tmp_path}/in.csv, row 3: parent ID number makes a loop; "
                               "dropped (B)",)
    assert [c.parent for c in result.framework] == [None, "A"]


def test_cli_import_prints_warnings_and_writes_yaml(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, UNREPRESENTABLE)
    out = tmp_path / "fw.yaml"
    result = cli("framework", "import", str(path), "--out", str(out))
    assert result.code == 0
    warnings = [line for line in result.err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 9
    assert warnings[1] == (f"warning: {path}, row 3: cross-reference to an ID number not "
                           "among the other competencies; dropped (NOPE)")
    assert parse_framework(out.read_text(encoding="utf-8")).get("C").parent == "A"


def test_cli_round_trip_of_the_nested_framework(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "nested.yaml"
    assert cli("framework", "import", str(NESTED), "--out", str(out)).code == 0
    result = cli("framework", "export", str(out), "--format", "moodle-csv")
    assert result.code == 0
    assert result.out == export_moodle_csv(nested())
    show = cli("framework", "show", str(out), "--competency", "C-DATA-1").out
    assert "  Under: D-ACT\n  Related: C-LISTEN-1, C-ACCESS-1\n" in show


def test_import_moodle_csv_keeps_its_old_signature() -> None:
    """The public API as before: import_moodle_csv gives the Framework itself."""
    assert import_moodle_csv(NESTED) == read_moodle_csv(NESTED).framework
