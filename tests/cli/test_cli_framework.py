"""cli/framework.py: version, framework show/validate/export/import, course map."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from competency.framework.model import Framework, load_framework
from competency.framework.moodle import HEADER
from conftest import COURSE, CliResult

Cli = Callable[..., CliResult]


def test_version(cli: Cli) -> None:
    result = cli("version")
    assert result.code == 0
    assert result.out.strip() == "0.1.0"


def test_framework_show_default(cli: Cli) -> None:
    result = cli("framework", "show")
    assert result.code == 0
    assert result.out.startswith("Race Equality and Cultural Capability (version 1.0")
    assert "RECR-1  Inclusive recruitment and workforce development" in result.out


def test_framework_show_one_competency(cli: Cli) -> None:
    result = cli("framework", "show", "--competency", "EIA-1")
    assert result.code == 0
    assert "EIA-1  Equality impact assessment" in result.out
    assert "LAW-1" not in result.out


def test_framework_validate_ok(cli: Cli, tmp_path: Path, framework: Framework) -> None:
    from competency.framework.model import dump_framework

    path = tmp_path / "fw.yaml"
    path.write_text(dump_framework(framework), encoding="utf-8")
    result = cli("framework", "validate", path)
    assert result.code == 0
    assert result.out.strip() == f"{path}: valid (12 competencies, 4 levels, version 1.0)"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("id: x\nname: [\n", "line 3: invalid YAML"),
        ("id: x\nname: n\nversion: '1'\nlevels:\n  - level: 1\n    name: A\n"
         "competencies:\n  - id: C-1\n    name: c\n    indicators:\n      4: [nope]\n",
         "line 11: unknown level in indicators of C-1 (4)"),
        ("id: x\nname: n\nversion: '1'\nlevels:\n  - level: 1\n    name: A\n"
         "competencies:\n  - id: C-1\n    name: c\n  - id: C-1\n    name: d\n",
         "line 10: duplicate competency ID (first on line 8) (C-1)"),
        ("id: x\nname: n\nversion: '1'\nlevels:\n  - level: 1\n    name: A\n"
         "competencies:\n  - id: C-1\n",
         "line 8: missing 'name' in competencies[0]"),
    ],
    ids=["bad-yaml", "unknown-level", "duplicate-id", "missing-name"],
)
def test_framework_validate_broken(cli: Cli, tmp_path: Path, text: str, line: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("framework", "validate", path)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(f"{path}, {line}")
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err


def test_framework_export_moodle_csv(cli: Cli) -> None:
    result = cli("framework", "export", "--format", "moodle-csv")
    assert result.code == 0
    table = list(csv.reader(io.StringIO(result.out)))
    assert tuple(table[0]) == HEADER
    assert table[1][12] == "1"
    assert len(table) == 2 + 12


def test_framework_export_then_import_round_trip(cli: Cli, tmp_path: Path) -> None:
    exported = tmp_path / "fw.csv"
    assert cli("framework", "export", "--out", exported).code == 0
    out = tmp_path / "again.yaml"
    result = cli("framework", "import", exported, "--out", out)
    assert result.code == 0, result.err
    again = load_framework(out)
    original = load_framework()
    assert again.ids == original.ids
    assert [dict(c.indicators) for c in again] == [dict(c.indicators) for c in original]


def test_framework_import_broken_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(",".join(HEADER) + "\n" + ',C-1,One,"",1,,,,0,null,,2,,\n',
                      encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = cli("framework", "import", source, "--out", out)
    assert result.code == 2
    assert result.err == f"{source}, row 2: no framework row (Is framework = 1)\n"
    assert not out.exists()


def test_course_map_json(cli: Cli) -> None:
    result = cli("course", "map", COURSE, "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert "01-equality-law" in data
    assert all(isinstance(v, float) for per in data.values() for v in per.values())


def test_course_map_text_shows_levels(cli: Cli) -> None:
    result = cli("course", "map", COURSE)
    assert result.code == 0
    assert "01-equality-law" in result.out
    assert "level" in result.out


def test_course_map_unknown_tag_is_one_line(cli: Cli, write_course: Callable[..., Path]) -> None:
    from conftest import make_cell

    root = write_course({"m": [make_cell("assert 1", grade=True, points=1, grade_id="t",
                                         tags=["competency:NOPE"])]})
    result = cli("course", "map", root, "--json")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "m.ipynb, cell 0 (t): unknown competency in tag (competency:NOPE)" in result.err


def test_course_map_warning_on_stderr(cli: Cli, write_course: Callable[..., Path]) -> None:
    from conftest import make_cell

    root = write_course({"m": [make_cell("assert 1", grade=True, points=2, grade_id="t")]})
    result = cli("course", "map", root, "--json")
    assert result.code == 0
    assert json.loads(result.out) == {"m": {}}
    assert result.err.startswith("warning: ")
    assert "graded cell has no competency tag" in result.err
