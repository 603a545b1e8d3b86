"""cli/grading.py: how `grade` and `feedback` translate flags and the config into API calls."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from competency.grading import feedback as feedback_module
from competency.grading import grader
from competency.grading.grader import GradingReport, StudentResult
from conftest import CliResult

Cli = Callable[..., CliResult]
MODULE = "01-equality-law"


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


# ---------------------------------------------- the same, with a fuller report


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    calls: dict[str, Any] = {}

    def fake_grade(assignment: str, course: Path, **kwargs: Any) -> GradingReport:
        calls["grade"] = (assignment, course, kwargs)
        return GradingReport(assignment, (StudentResult("alice", "graded", "", 1.0, 2.0),),
                             1.0, 1)

    def fake_feedback(assignment: str, course: Path, **kwargs: Any) -> list[Path]:
        calls["feedback"] = (assignment, course, kwargs)
        return [Path("feedback/alice/x.html")]

    monkeypatch.setattr("competency.grading.grader.grade", fake_grade)
    monkeypatch.setattr("competency.grading.feedback.feedback", fake_feedback)
    return calls


def test_cli_grade_translates_options(cli: Callable[..., CliResult],
                                      recorded: dict[str, Any]) -> None:
    result = cli("grade", MODULE, "--course", "c", "--jobs", "3", "--student", "a",
                 "--student", "b", "--shard", "1/4", "--force", "--cell-timeout", "5",
                 "--notebook-timeout", "60", "--memory-gb", "1", "--report", "r.csv",
                 "--nbgrader", "Execute.timeout=2", "--nbgrader", "no-execute",
                 "--keep-partial", "--no-progress")
    assert result.code == 0, result.err
    assignment, course, kwargs = recorded["grade"]
    assert (assignment, course) == (MODULE, Path("c"))
    assert kwargs == {"jobs": 3, "students": ["a", "b"], "shard": (1, 4), "force": True,
                      "report": Path("r.csv"), "progress": False, "cell_timeout": 5.0,
                      "notebook_timeout": 60.0, "memory_bytes": 1024**3,
                      "nbgrader_options": ["Execute.timeout=2", "no-execute"],
                      "keep_partial": True}
    assert "alice" in result.out
    assert "1/2" in result.out


def test_cli_grade_defaults(cli: Callable[..., CliResult], recorded: dict[str, Any]) -> None:
    assert cli("grade", MODULE).code == 0
    _, course, kwargs = recorded["grade"]
    assert course == Path("course")
    assert (kwargs["jobs"], kwargs["students"], kwargs["shard"]) == (None, (), None)
    assert (kwargs["progress"], kwargs["force"]) == (True, False)


def test_cli_grade_bad_shard(cli: Callable[..., CliResult], recorded: dict[str, Any]) -> None:
    result = cli("grade", MODULE, "--shard", "4/4")
    assert result.code == 2
    assert result.err.strip() == "shard must be I/N with 0 <= I < N, e.g. 0/4 (4/4)"
    assert "grade" not in recorded


def test_cli_feedback_translates_options(cli: Callable[..., CliResult],
                                         recorded: dict[str, Any]) -> None:
    result = cli("feedback", MODULE, "--course", "c", "--hide-hidden-tests", "--student", "a")
    assert result.code == 0, result.err
    assert recorded["feedback"] == (MODULE, Path("c"), {"hide_hidden_tests": True,
                                                        "students": ["a"], "force": False})
    assert result.out.startswith(f"{MODULE}: 1 feedback file(s) without hidden tests")


def test_cli_grade_exits_1_when_a_submission_failed(cli: Callable[..., CliResult],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_grade(assignment: str, course: Path, **kwargs: Any) -> GradingReport:
        return GradingReport(assignment, (
            StudentResult("alice", "graded", "", 1.0, 2.0),
            StudentResult("bob", "failed", "NoSuchKernel: No such kernel named blarg")), 1.0, 1)

    monkeypatch.setattr("competency.grading.grader.grade", fake_grade)
    result = cli("grade", MODULE, "--no-progress")
    assert result.code == 1  # as nbgrader autograde
    assert "failed: NoSuchKernel: No such kernel named blarg" in result.out
