"""CLI: argument translation, exit codes and the exact one-line error messages."""

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


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["framework", "bogus"], "competency: No such command 'bogus'. (try --help)\n"),
        (["framework", "export", "--format", "pdf"], "competency: Invalid value for '--format'"),
        (["framework", "import", "x.csv"], "competency: Missing option '--out'"),
        (["--nope"], "competency: No such option: --nope"),
    ],
)
def test_usage_errors_are_one_line_exit_2(cli: Cli, args: list[str], expected: str) -> None:
    result = cli(*args)
    assert result.code == 2
    assert result.err.startswith(expected)
    assert result.err.count("\n") == 1
    assert "╭" not in result.err


def test_console_script_entry_point() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "competency.cli", "framework", "validate",
                           "/nonexistent.yaml"], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr == "/nonexistent.yaml: file not found\n"


@pytest.mark.parametrize(("args", "message"), [
    (("grade", "01-x", "--memory-gb", "0"),
     "competency: Invalid value for '--memory-gb': must be a number above 0 (0.0)"),
    (("grade", "01-x", "--jobs", "0"),
     "competency: Invalid value for '--jobs': must be a whole number, at least 1 (0)"),
    (("grade", "01-x", "--notebook-timeout", "-1"),
     "competency: Invalid value for '--notebook-timeout': must be a number above 0 (-1.0)"),
    (("evidence", "gradebook", "--pass-mark", "2"),
     "competency: Invalid value for '--pass-mark': must be a number above 0 and at most 1 (2.0)"),
    (("coverage", "--out", "c.csv", "--refresher-years", "0"),
     "competency: Invalid value for '--refresher-years': must be a whole number, at least 1 (0)"),
    (("report", "--out", "r.html", "--round-to", "0"),
     "competency: Invalid value for '--round-to': must be a whole number, at least 1 (0)"),
    (("lab", "--port", "0"),
     "competency: Invalid value for '--port': must be a port number, 1 to 65535 (0)"),
    (("dashboard", "--port", "70000"),
     "competency: Invalid value for '--port': must be a port number, 1 to 65535 (70000)"),
])
def test_bad_option_values_are_one_line_and_exit_2(cli: Cli, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    args: tuple[str, ...], message: str) -> None:
    monkeypatch.chdir(tmp_path)  # no competency.toml here
    result = cli(*args)
    assert (result.code, result.err, result.out) == (2, message + "\n", "")


def test_a_bad_config_value_stops_grade_and_feedback(cli: Cli, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "competency.toml").write_text("[grading]\nmemory_gb = 0\n", encoding="utf-8")
    result = cli("grade", "01-x")
    assert (result.code, result.err) == (
        2, f"{tmp_path / 'competency.toml'}, line 2: grading.memory_gb: must be a number above "
        "0 (0)\n")
    (tmp_path / "competency.toml").write_text('course = "nowhere"\n', encoding="utf-8")
    for command in ("grade", "feedback"):
        result = cli(command, "01-x")
        assert (result.code, result.err) == (
            2, f"{(tmp_path / 'nowhere').resolve()}: no such course directory\n"), command


def test_grade_and_feedback_flags_win_over_the_config(cli: Cli, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "competency.toml").write_text('course = "nowhere"\n[grading]\njobs = 2\n',
                                              encoding="utf-8")
    result = cli("feedback", "01-x", "--course", tmp_path / "elsewhere")
    assert result.err == f"{(tmp_path / 'elsewhere').resolve()}: no such course directory\n"
    result = cli("grade", "01-x", "--course", tmp_path / "elsewhere", "--jobs", "0")
    assert result.err.startswith("competency: Invalid value for '--jobs'")


def test_library_messages_are_not_worded_as_flags() -> None:
    import re

    src = Path(__file__).resolve().parents[2] / "src" / "competency"
    offenders = []
    for path in src.rglob("*.py"):
        if "cli" in path.relative_to(src).parts:
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if "Invalid value for" in line or re.search(
                    r"Error\(f?[\"'][^\"']*--[a-z]", line):
                offenders.append(f"{path.relative_to(src)}:{number}: {line.strip()}")
    assert offenders == []
