"""CLI: argument translation, exit codes and the exact one-line error messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult

Cli = Callable[..., CliResult]


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
