"""cli/hr.py: suggest, roles, personspec and jd commands translate flags into API calls."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from competency.hr import decisions, personspec, suggest
from conftest import CliResult

Cli = Callable[..., CliResult]


def test_suggest_threshold_and_phrases_reach_the_api(cli: Cli, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Path, float, Any, Any]] = []

    def fake(path: Path, framework: Any, threshold: float, phrases: Any, model: Any) -> Any:
        seen.append((path, threshold, phrases, model))
        return SimpleNamespace(to_dict=lambda: {"file": str(path), "suggestions": []})

    monkeypatch.setattr(suggest, "suggest_file", fake)
    monkeypatch.setattr(suggest, "suggester_for", lambda *a: None)
    result = cli("suggest", "a.txt", "b.docx", "--json", "--threshold", "0.7",
                 "--phrases", "p.yaml")
    assert result.code == 0, result.err
    assert seen == [(Path("a.txt"), 0.7, Path("p.yaml"), None),
                    (Path("b.docx"), 0.7, Path("p.yaml"), None)]
    assert '"file": "a.txt"' in result.out
    cli("suggest", "a.txt", "--json")
    assert seen[-1][1] == suggest.DEFAULT_THRESHOLD
    cli("suggest", "a.txt", "--json", "--no-model")
    assert seen[-1][3] is False


def test_suggest_reports_a_bad_file_and_goes_on(cli: Cli, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("We value equality, diversity and inclusion.\n", "utf-8")
    result = cli("suggest", tmp_path / "missing.txt", good, "--json")
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert "missing.txt" in result.err
    assert '"file"' in result.out
    assert "good.txt" in result.out


@pytest.mark.parametrize("threshold", ["-0.1", "1.5"])
def test_suggest_threshold_out_of_range_is_a_usage_error(cli: Cli, threshold: str) -> None:
    result = cli("suggest", "a.txt", "--threshold", threshold)
    assert result.code == 2
    assert "--threshold" in result.err
    assert "Traceback" not in result.err


def test_personspec_passes_question_counts(cli: Cli, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    got: dict[str, Any] = {}

    def fake(role: str, roles: Path, out: Path, **kwargs: Any) -> Any:
        got.update(kwargs, role=role, roles=roles, out=out)
        return SimpleNamespace(role=role, essential=(1, 2), desirable=(3,), questions=(1,) * 5,
                               warnings=("a question bank note",))

    monkeypatch.setattr(personspec, "export_person_spec", fake)
    result = cli("personspec", "Community nurse", "--roles", "roles.csv", "--out", "n.md",
                 "--essential-questions", "3", "--desirable-questions", "0")
    assert result.code == 0, result.err
    assert (got["role"], got["roles"], got["out"]) == ("Community nurse", Path("roles.csv"),
                                                       Path("n.md"))
    assert (got["essential_questions"], got["desirable_questions"]) == (3, 0)
    assert result.err == "warning: a question bank note\n"
    assert result.out == ("n.md: person specification for Community nurse (2 essential, "
                          "1 desirable competencies, 5 questions)\n")


def test_jd_decide_translates_accept_and_reject(cli: Cli, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    got: dict[str, Any] = {}

    def fake_make(jd: str, role: str, **kwargs: Any) -> list[Any]:
        got.update(kwargs, jd=jd, role=role)
        return [SimpleNamespace(decision="accept", jd=jd),
                SimpleNamespace(decision="reject", jd=jd)]

    monkeypatch.setattr(decisions, "make_decisions", fake_make)
    monkeypatch.setattr(decisions, "append_decisions",
                        lambda log, ds: got.update(log=log, count=len(ds)))
    result = cli("jd", "decide", "nurse.docx", "--role", "Community nurse", "--by", "A. Patel",
                 "--log", tmp_path / "d.csv", "--accept", "CUL-2:2", "--accept",
                 "PART-1:2:desirable", "--reject", "COMM-1", "--reason", "fits")
    assert result.code == 0, result.err
    assert list(got["accept"]) == ["CUL-2:2", "PART-1:2:desirable"]
    assert list(got["reject"]) == ["COMM-1"]
    assert (got["decided_by"], got["reason"], got["count"]) == ("A. Patel", "fits", 2)
    assert result.out == f"{tmp_path / 'd.csv'}: recorded 1 accepted, 1 rejected for nurse.docx\n"
