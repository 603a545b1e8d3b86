"""cli/grading.py: how `grade` and `feedback` translate flags and the config into API calls."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from competency.grading import feedback as feedback_module
from competency.grading import grader
from competency.grading.grader import GradingReport
from conftest import CliResult

Cli = Callable[..., CliResult]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """Replace grade() and feedback() by recorders; the CLI's calls, in order."""
    seen: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def fake_grade(*args: Any, **kwargs: Any) -> GradingReport:
        seen.append(("grade", args, kwargs))
        return GradingReport(assignment=args[0], results=(), seconds=0.0, jobs=1,
                             warnings=("sandbox: a test warning",))

    def fake_feedback(*args: Any, **kwargs: Any) -> list[Path]:
        seen.append(("feedback", args, kwargs))
        return [Path("feedback/amy/01/01.html")]

    monkeypatch.setattr(grader, "grade", fake_grade)
    monkeypatch.setattr(feedback_module, "feedback", fake_feedback)
    return seen


def test_grade_passes_flags_through(cli: Cli, calls: list[Any], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no competency.toml here
    result = cli("grade", "01-equality-law", "--course", tmp_path / "c", "--jobs", "3",
                 "--student", "amy", "--student", "bo", "--shard", "1/4", "--force",
                 "--cell-timeout", "5", "--notebook-timeout", "60", "--memory-gb", "1.5",
                 "--no-progress")
    assert result.code == 0, result.err
    [(name, args, kwargs)] = calls
    assert (name, args) == ("grade", ("01-equality-law", tmp_path / "c"))
    assert kwargs["jobs"] == 3
    assert list(kwargs["students"]) == ["amy", "bo"]
    assert kwargs["shard"] == (1, 4)
    assert kwargs["force"] is True
    assert kwargs["progress"] is False
    assert kwargs["cell_timeout"] == 5
    assert kwargs["notebook_timeout"] == 60
    assert kwargs["memory_bytes"] == int(1.5 * 1024**3)
    assert "warning: sandbox: a test warning" in result.err


def test_grade_reads_the_config_and_flags_win(cli: Cli, calls: list[Any], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "competency.toml").write_text(
        'course = "mycourse"\n[grading]\njobs = 2\ncell_timeout = 7\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli("grade", "01-equality-law", "--no-progress").code == 0
    assert cli("grade", "01-equality-law", "--jobs", "5", "--no-progress").code == 0
    (_, args1, first), (_, _, second) = calls
    assert Path(args1[1]).name == "mycourse"
    assert (first["jobs"], first["cell_timeout"]) == (2, 7)
    assert (second["jobs"], second["cell_timeout"]) == (5, 7)


@pytest.mark.parametrize(("flag", "value"), [("--jobs", "0"), ("--memory-gb", "0"),
                                             ("--cell-timeout", "-1"), ("--shard", "4/4")])
def test_grade_refuses_bad_values_before_grading(cli: Cli, calls: list[Any], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch, flag: str,
                                                 value: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("grade", "01-equality-law", flag, value, "--no-progress")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert "Traceback" not in result.err
    assert calls == []


def test_feedback_passes_flags_through(cli: Cli, calls: list[Any], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("feedback", "01-equality-law", "--course", tmp_path / "c",
                 "--hide-hidden-tests", "--student", "amy", "--force")
    assert result.code == 0, result.err
    [(name, args, kwargs)] = calls
    assert (name, args) == ("feedback", ("01-equality-law", tmp_path / "c"))
    assert kwargs == {"hide_hidden_tests": True, "students": ["amy"], "force": True}
    assert result.out.splitlines()[0] == ("01-equality-law: 1 feedback file(s) without hidden "
                                          "tests")
