"""Job-description review decisions: the append-only log, applying it, status, CLI."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from competency.errors import DecisionError, RequirementChangeError, TableError
from competency.framework.model import Framework
from competency.hr.decisions import (
    COLUMNS,
    DEFAULT_ASSESSED_BY,
    Acceptance,
    Decision,
    append_decisions,
    apply_decisions,
    apply_log,
    jd_name,
    latest_decisions,
    list_jds,
    load_decisions,
    make_decisions,
    now_utc,
    parse_acceptance,
    render_status,
    review_status,
)
from competency.hr.roles import Requirement, Roles, load_roles, save_roles
from conftest import CliResult

Cli = Callable[..., CliResult]
HEADER = ",".join(COLUMNS) + "\n"
T1, T2, T3 = "2025-03-01T09:00:00Z", "2025-03-02T10:00:00Z", "2025-03-03T11:00:00Z"


def decide(jd: str, role: str, *, accept: tuple[str, ...] = (), reject: tuple[str, ...] = (),
           when: str = T1, by: str = "A. Patel") -> tuple[Decision, ...]:
    return make_decisions(jd, role, accept=accept, reject=reject, decided_by=by,
                          recorded_at=when)


@pytest.fixture
def roles_file(tmp_path: Path) -> Path:
    roles = Roles((
        Requirement("Receptionist", "LAW-1", 1, "essential", ("training",)),
        Requirement("Receptionist", "CUL-1", 1, "essential", ("interview",)),
    ))
    return save_roles(roles, tmp_path / "roles.csv")


# --------------------------------------------------------------------------- making decisions


def test_parse_acceptance(framework: Framework) -> None:
    assert parse_acceptance("LAW-1", framework) == Acceptance("LAW-1")
    assert parse_acceptance("LAW-1:3", framework) == Acceptance("LAW-1", 3)
    assert parse_acceptance("LAW-1:2:Desirable", framework) == Acceptance("LAW-1", 2,
                                                                          "desirable")
    assert parse_acceptance("LAW-1::essential", framework) == Acceptance("LAW-1", None,
                                                                         "essential")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("LAW-9", "unknown competency accepted (LAW-9)"),
        ("LAW-1:5", "unknown level accepted (LAW-1:5)"),
        ("LAW-1:x", "unknown level accepted (LAW-1:x)"),
        ("LAW-1:1:maybe", "bad priority accepted; use essential or desirable (LAW-1:1:maybe)"),
        ("LAW-1:1:essential:x", "bad acceptance; use ID[:LEVEL[:PRIORITY]] (LAW-1:1:essential:x)"),
        (":1", "bad acceptance; use ID[:LEVEL[:PRIORITY]] (:1)"),
    ],
)
def test_parse_acceptance_errors(framework: Framework, text: str, message: str) -> None:
    with pytest.raises(DecisionError) as info:
        parse_acceptance(text, framework)
    assert str(info.value) == message


def test_make_decisions_defaults(framework: Framework) -> None:
    made = make_decisions("jds/Receptionist.docx", " Receptionist ", accept=["LAW-2", "EIA-1:2"],
                          reject=["COMM-1"], decided_by="A.  Patel", reason=" too  senior ",
                          framework=framework, recorded_at=T1)
    assert made == (
        Decision(T1, "Receptionist.docx", "Receptionist", "LAW-2", "accept", 1, "essential",
                 DEFAULT_ASSESSED_BY, "A. Patel", "too senior"),
        Decision(T1, "Receptionist.docx", "Receptionist", "EIA-1", "accept", 2, "essential",
                 DEFAULT_ASSESSED_BY, "A. Patel", "too senior"),
        Decision(T1, "Receptionist.docx", "Receptionist", "COMM-1", "reject",
                 decided_by="A. Patel", reason="too senior"),
    )
    assert made[0].requirement() == Requirement("Receptionist", "LAW-2", 1, "essential",
                                                DEFAULT_ASSESSED_BY)
    with pytest.raises(ValueError, match="only acceptances"):
        made[2].requirement()


def test_acceptance_can_name_its_own_assessment(framework: Framework) -> None:
    made = make_decisions("x.txt", "Nurse", accept=[
        Acceptance("CUL-2", 2, "desirable", ("Training", "test")), Acceptance("LAW-1")],
        decided_by="B", assessed_by="interview", framework=framework)
    assert [d.assessed_by for d in made] == [("training", "test"), ("interview",)]
    with pytest.raises(DecisionError) as info:
        make_decisions("x.txt", "Nurse", accept=[Acceptance("CUL-2", assessed_by=("exam",))],
                       decided_by="B", framework=framework)
    assert str(info.value) == ("bad assessed_by for CUL-2; use application;interview;test;"
                               "training (exam)")


def test_make_decisions_assessed_by_and_clock(framework: Framework) -> None:
    (made,) = make_decisions("x.txt", "Nurse", accept=[Acceptance("CUL-2", 2, "desirable")],
                             decided_by="B", assessed_by=["test", "training"],
                             framework=framework)
    assert made.assessed_by == ("test", "training")
    assert made.priority == "desirable"
    assert len(made.recorded_at) == len("2025-03-01T09:00:00Z")
    assert made.recorded_at.endswith("Z")
    assert now_utc() >= made.recorded_at


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reject": ["NOPE"]}, "unknown competency rejected (NOPE)"),
        ({"accept": ["LAW-1"], "reject": ["LAW-1"]}, "competency named more than once (LAW-1)"),
        ({"accept": ["LAW-1:1", "LAW-1:2"]}, "competency named more than once (LAW-1)"),
        ({}, "nothing to record; accept or reject a competency"),
        ({"accept": ["LAW-1"], "decided_by": "  "}, "empty decided_by; name who decided"),
        ({"accept": ["LAW-1"], "role": ""},
         "empty role; name the role the job description is for"),
        ({"accept": ["LAW-1"], "assessed_by": "exam"},
         "bad assessed_by; use application;interview;test;training (exam)"),
        ({"accept": [Acceptance("LAW-1", 7)]}, "unknown level accepted (LAW-1:7)"),
        ({"accept": ["LAW-1"], "jd": " "}, "empty job description name (' ')"),
    ],
)
def test_make_decisions_errors(framework: Framework, kwargs: dict[str, object],
                               message: str) -> None:
    args: dict[str, object] = {"jd": "x.docx", "role": "Nurse", "decided_by": "A"}
    args.update(kwargs)
    jd, role = args.pop("jd"), args.pop("role")
    with pytest.raises(DecisionError) as info:
        make_decisions(jd, role, framework=framework, **args)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_jd_name() -> None:
    assert jd_name("a/b/Community nurse.docx") == "Community nurse.docx"
    assert jd_name(Path("x.txt")) == "x.txt"


# --------------------------------------------------------------------------- the log


def test_append_creates_the_log_with_its_header(tmp_path: Path) -> None:
    log = tmp_path / "sub" / "decisions.csv"
    append_decisions(log, decide("r.docx", "Receptionist", accept=("LAW-2:2:desirable",),
                                 reject=("COMM-1",)))
    assert log.read_text(encoding="utf-8") == (
        HEADER
        + f"{T1},r.docx,Receptionist,LAW-2,accept,2,desirable,application;interview,A. Patel,\n"
        + f"{T1},r.docx,Receptionist,COMM-1,reject,,,,A. Patel,\n")


def test_log_is_append_only(tmp_path: Path, framework: Framework) -> None:
    log = tmp_path / "decisions.csv"
    append_decisions(log, decide("r.docx", "Receptionist", accept=("LAW-2",)))
    before = log.read_bytes()
    append_decisions(log, make_decisions("r.docx", "Receptionist", reject=["LAW-2"],
                                         decided_by="C, Jones", reason='said "no", twice',
                                         recorded_at=T2, framework=framework))
    after = log.read_bytes()
    assert after.startswith(before)
    added = after[len(before):].decode("utf-8")
    assert added == f'{T2},r.docx,Receptionist,LAW-2,reject,,,,"C, Jones","said ""no"", twice"\n'
    assert [d.decision for d in load_decisions(log, framework)] == ["accept", "reject"]
    assert load_decisions(log, framework)[1].reason == 'said "no", twice'


def test_append_nothing_leaves_no_file(tmp_path: Path) -> None:
    log = tmp_path / "decisions.csv"
    append_decisions(log, ())
    assert not log.exists()


def test_append_refuses_a_foreign_file(tmp_path: Path) -> None:
    log = tmp_path / "decisions.csv"
    log.write_text("role,competency\nA,B\n", encoding="utf-8")
    with pytest.raises(TableError) as info:
        append_decisions(log, decide("r.docx", "R", accept=("LAW-1",)))
    assert str(info.value) == (f"{log}, row 1: not a decision log; the header must be "
                               f"{','.join(COLUMNS)} (role,competency)")
    assert log.read_text(encoding="utf-8") == "role,competency\nA,B\n"


def test_append_completes_a_whole_last_line_without_newline(tmp_path: Path,
                                                          framework: Framework) -> None:
    log = tmp_path / "decisions.csv"
    log.write_text(HEADER + f"{T1},r.docx,R,LAW-1,reject,,,,A,", encoding="utf-8")  # hand edit
    append_decisions(log, decide("r.docx", "R", accept=("LAW-2",)))
    assert [d.competency for d in load_decisions(log, framework)] == ["LAW-1", "LAW-2"]


def test_append_refuses_an_incomplete_last_line(tmp_path: Path) -> None:
    log = tmp_path / "decisions.csv"
    log.write_text(HEADER + f"{T1},r.docx,R,LAW-1,rej", encoding="utf-8")  # a torn write
    before = log.read_bytes()
    with pytest.raises(TableError) as info:
        append_decisions(log, decide("r.docx", "R", accept=("LAW-1",)))
    assert str(info.value) == (f"{log}: the last line is incomplete (no newline at the end); "
                               "check the log before appending")
    assert log.read_bytes() == before


def test_log_must_be_csv(tmp_path: Path, framework: Framework) -> None:
    for path in (tmp_path / "log.xlsx", tmp_path / "log"):
        with pytest.raises(TableError) as info:
            append_decisions(path, decide("r.docx", "R", accept=("LAW-1",)))
        assert str(info.value) == (f"{path}: a decision log must be a .csv file "
                                   f"({path.suffix or 'none'})")
        with pytest.raises(TableError):
            load_decisions(path, framework)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f"{T1},r.docx,R,LAW-1,maybe,,,,A,", "row 2: bad decision; use accept or reject (maybe)"),
        (f"{T1},r.docx,R,LAW-9,reject,,,,A,", "row 2: unknown competency (LAW-9)"),
        (f"{T1},r.docx,R,LAW-1,accept,,essential,test,A,", "row 2: unknown level ()"),
        (f"{T1},r.docx,R,LAW-1,accept,1,high,test,A,",
         "row 2: bad priority; use essential or desirable (high)"),
        (f"{T1},r.docx,R,LAW-1,accept,1,essential,exam,A,",
         "row 2: bad assessed_by; use application;interview;test;training (exam)"),
        (f"{T1},r.docx,R,LAW-1,reject,,,,,", "row 2: empty decided_by"),
        (",r.docx,R,LAW-1,reject,,,,A,", "row 2: empty recorded_at"),
        (f"{T1},,R,LAW-1,reject,,,,A,", "row 2: empty jd"),
        (f"{T1},r.docx,,LAW-1,reject,,,,A,", "row 2: empty role"),
    ],
)
def test_load_errors_are_exact(tmp_path: Path, framework: Framework, row: str,
                               message: str) -> None:
    log = tmp_path / "decisions.csv"
    log.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(TableError) as info:
        load_decisions(log, framework)
    assert str(info.value) == f"{log}, {message}"


def test_load_missing_column_and_missing_file(tmp_path: Path, framework: Framework) -> None:
    log = tmp_path / "decisions.csv"
    log.write_text("recorded_at,jd,role,competency,decision\n", encoding="utf-8")
    with pytest.raises(TableError) as info:
        load_decisions(log, framework)
    assert str(info.value) == (f"{log}, row 1: missing column (level, priority, assessed_by, "
                               "decided_by, reason)")
    with pytest.raises(TableError, match="file not found"):
        load_decisions(tmp_path / "none.csv", framework)


def test_latest_decision_per_jd_and_competency_wins() -> None:
    log = (decide("a.docx", "R", accept=("LAW-1:1", "CUL-1"), when=T1)
           + decide("b.docx", "N", accept=("LAW-1:2",), when=T1)
           + decide("a.docx", "R", accept=("LAW-1:3",), when=T2)
           + decide("a.docx", "R", reject=("CUL-1",), when=T3))
    latest = latest_decisions(log)
    assert list(latest) == [("b.docx", "LAW-1"), ("a.docx", "LAW-1"), ("a.docx", "CUL-1")]
    assert latest[("a.docx", "LAW-1")].level == 3
    assert latest[("a.docx", "CUL-1")].decision == "reject"


# --------------------------------------------------------------------------- applying


def test_apply_decisions() -> None:
    roles = Roles((Requirement("R", "LAW-1", 1, "essential", ("training",)),
                   Requirement("R", "DATA-1", 1, "essential", ("training",))))
    log = (decide("a.docx", "R", accept=("LAW-1:2", "CUL-1", "ENG-1:1:desirable"), when=T1)
           + decide("a.docx", "R", reject=("ENG-1", "DATA-1"), when=T2)
           + decide("n.docx", "New role", accept=("RACE-1:2",), when=T2))
    out = apply_decisions(roles, log)
    assert out.requirements == (
        Requirement("R", "LAW-1", 2, "essential", DEFAULT_ASSESSED_BY),
        Requirement("R", "DATA-1", 1, "essential", ("training",)),  # rejections never remove
        Requirement("R", "CUL-1", 1, "essential", DEFAULT_ASSESSED_BY),
        Requirement("New role", "RACE-1", 2, "essential", DEFAULT_ASSESSED_BY),
    )
    assert apply_decisions(roles, ()) == roles


def test_apply_decisions_from_a_log_file(tmp_path: Path) -> None:
    log = append_decisions(tmp_path / "decisions.csv", decide("a.docx", "R", accept=("LAW-2",)))
    assert apply_decisions(Roles(()), log) == apply_decisions(Roles(()), str(log))
    assert [r.competency for r in apply_decisions(Roles(()), log)] == ["LAW-2"]


def test_two_jds_for_one_role_later_acceptance_wins() -> None:
    log = (decide("a.docx", "R", accept=("LAW-1:3",), when=T1)
           + decide("b.docx", "R", accept=("LAW-1:2:desirable",), when=T2))
    (req,) = apply_decisions(Roles(()), log)
    assert (req.level, req.priority) == (2, "desirable")


def test_apply_log_writes_the_roles_table(tmp_path: Path, roles_file: Path,
                                          framework: Framework) -> None:
    log = tmp_path / "decisions.csv"
    append_decisions(log, decide("r.docx", "Receptionist", accept=("LAW-1:1", "CUL-2"),
                                 reject=("CUL-1",)))
    before = roles_file.read_bytes()
    out = tmp_path / "new-roles.xlsx"
    result = apply_log(log, roles_file, out, framework=framework, replace=True)
    assert roles_file.read_bytes() == before
    assert [r.competency for r in result.added] == ["CUL-2"]
    assert [r.competency for r in result.changed] == ["LAW-1"]  # training -> application;...
    assert [r.assessed_by for r in result.previous] == [("training",)]
    assert result.unchanged == 0
    assert result.warnings == ("r.docx rejects CUL-1 for Receptionist, which the roles table "
                               "requires (kept; remove it there if it is not needed)",)
    assert load_roles(out, framework) == result.roles
    again = apply_log(log, out, framework=framework)  # in place, idempotent
    assert (again.added, again.changed, again.unchanged) == ((), (), 2)


def test_apply_log_will_not_change_a_requirement_unless_told(
        tmp_path: Path, roles_file: Path, framework: Framework) -> None:
    log = tmp_path / "decisions.csv"
    append_decisions(log, decide("r.docx", "Receptionist",
                                 accept=("LAW-1:2:desirable", "CUL-2")))
    before = roles_file.read_bytes()
    out = tmp_path / "out.csv"
    with pytest.raises(RequirementChangeError) as info:
        apply_log(log, roles_file, out, framework=framework)
    assert str(info.value) == (f"{roles_file}: the decision log would change 1 existing "
                               "requirement(s); nothing written (replace them with --replace)")
    assert info.value.changes == (
        "Receptionist, LAW-1: level 1 -> 2; priority essential -> desirable; "
        "assessed_by training -> application;interview",)
    assert not out.exists()
    with pytest.raises(RequirementChangeError):
        apply_log(log, roles_file, framework=framework)  # in place: the table is kept
    assert roles_file.read_bytes() == before


def test_apply_log_writes_nothing_on_a_bad_log(tmp_path: Path, roles_file: Path) -> None:
    log = tmp_path / "decisions.csv"
    log.write_text(HEADER + f"{T1},r.docx,R,LAW-9,reject,,,,A,\n", encoding="utf-8")
    before = roles_file.read_bytes()
    out = tmp_path / "out.csv"
    with pytest.raises(TableError, match=r"row 2: unknown competency \(LAW-9\)$"):
        apply_log(log, roles_file, out)
    assert not out.exists()
    assert roles_file.read_bytes() == before


# --------------------------------------------------------------------------- status


def make_jds(tmp_path: Path) -> Path:
    folder = tmp_path / "jds"
    folder.mkdir()
    for name in ("receptionist.docx", "receptionist.txt", "nurse.pdf", "manager.md",
                 "README.md", ".hidden.txt", "notes.xlsx"):
        (folder / name).write_text("x", encoding="utf-8")
    (folder / "sub").mkdir()
    return folder


def test_list_jds(tmp_path: Path) -> None:
    folder = make_jds(tmp_path)
    assert [p.name for p in list_jds(folder)] == ["manager.md", "nurse.pdf",
                                                 "receptionist.docx", "receptionist.txt"]
    with pytest.raises(DecisionError) as info:
        list_jds(folder / "none")
    assert str(info.value) == f"{folder / 'none'}: not a folder of job descriptions"


def test_review_status(tmp_path: Path, roles_file: Path, framework: Framework) -> None:
    folder = make_jds(tmp_path)
    log = tmp_path / "decisions.csv"
    append_decisions(log, decide("receptionist.docx", "Receptionist", accept=("CUL-2:1",),
                                 reject=("ENG-1",), when=T1))
    append_decisions(log, decide("extra.txt", "Porter", accept=("LAW-1:1:desirable",),
                                 when=T2, by="B. Khan"))
    append_decisions(log, decide("receptionist.docx", "Receptionist", accept=("ENG-1:1",),
                                 when=T3))
    status = review_status(log, roles_file, folder, framework=framework)
    assert [(r.jd, r.roles, r.accepted, r.rejected, r.last_recorded_at, r.last_decided_by)
            for r in status.reviewed] == [
        ("receptionist.docx", ("Receptionist",), ("CUL-2", "ENG-1"), (), T3, "A. Patel"),
        ("extra.txt", ("Porter",), ("LAW-1",), (), T2, "B. Khan"),
    ]
    assert status.not_reviewed == ("manager.md", "nurse.pdf")  # .txt twin counts as reviewed
    assert status.pending == {("Receptionist", "CUL-2"), ("Receptionist", "ENG-1"),
                              ("Porter", "LAW-1")}
    assert status.roles.names == ("Receptionist", "Porter")
    assert render_status(status) == (
        "Reviewed job descriptions: 2\n"
        f"  receptionist.docx  (Receptionist): 2 accepted, 0 rejected; last {T3} by A. Patel\n"
        f"  extra.txt  (Porter): 1 accepted, 0 rejected; last {T2} by B. Khan\n"
        "Not reviewed: 2\n"
        "  manager.md\n"
        "  nurse.pdf\n"
        "\n"
        "Competencies each role embeds (level; E essential, D desirable; "
        "* from the log, not yet applied):\n"
        "role          LAW-1  CUL-1  CUL-2  ENG-1\n"
        "Receptionist  1E     1E     1E*    1E*\n"
        "Porter        1D*    .      .      .\n"
    )


def test_status_without_folder_or_decisions(tmp_path: Path, framework: Framework) -> None:
    log = tmp_path / "decisions.csv"
    log.write_text(HEADER, encoding="utf-8")
    roles = tmp_path / "roles.csv"
    roles.write_text("role,competency,level,priority,assessed_by\n", encoding="utf-8")
    status = review_status(log, roles, framework=framework)
    assert render_status(status) == (
        "Reviewed job descriptions: 0\nNot reviewed: 0\n\n"
        "Competencies each role embeds (level; E essential, D desirable; "
        "* from the log, not yet applied):\n  (no requirements)\n")


# --------------------------------------------------------------------------- CLI


def test_cli_decide_apply_status(cli: Cli, tmp_path: Path, roles_file: Path) -> None:
    log = tmp_path / "decisions.csv"
    jds = make_jds(tmp_path)
    result = cli("jd", "decide", jds / "receptionist.docx", "--role", "Receptionist",
                 "--accept", "CUL-2:1", "--accept", "DATA-1:1:desirable", "--reject", "COMM-1",
                 "--by", "A. Patel", "--reason", "front desk", "--assessed-by", "interview",
                 "--log", log)
    assert result.code == 0, result.err
    assert result.out == f"{log}: recorded 2 accepted, 1 rejected for receptionist.docx\n"
    rows = list(csv.DictReader(io.StringIO(log.read_text(encoding="utf-8"))))
    assert [(r["competency"], r["decision"], r["level"], r["priority"], r["assessed_by"],
             r["decided_by"], r["reason"]) for r in rows] == [
        ("CUL-2", "accept", "1", "essential", "interview", "A. Patel", "front desk"),
        ("DATA-1", "accept", "1", "desirable", "interview", "A. Patel", "front desk"),
        ("COMM-1", "reject", "", "", "", "A. Patel", "front desk"),
    ]

    result = cli("jd", "status", "--log", log, "--roles", roles_file, "--jds", jds)
    assert result.code == 0, result.err
    assert "Reviewed job descriptions: 1\n  receptionist.docx  (Receptionist)" in result.out
    assert "Not reviewed: 2\n  manager.md\n  nurse.pdf\n" in result.out
    assert result.out.endswith("role          LAW-1  DATA-1  CUL-1  CUL-2\n"
                               "Receptionist  1E     1D*     1E     1E*\n")

    out = tmp_path / "applied.csv"
    result = cli("jd", "apply", "--log", log, "--roles", roles_file, "--out", out)
    assert result.code == 0, result.err
    assert result.out == f"{out}: 2 added, 0 changed, 0 unchanged (4 requirements)\n"
    result = cli("jd", "apply", "--log", log, "--roles", roles_file)
    assert result.code == 0, result.err
    assert result.out == f"{roles_file}: 2 added, 0 changed, 0 unchanged (4 requirements)\n"
    result = cli("jd", "status", "--log", log, "--roles", roles_file)
    assert result.out.endswith("Receptionist  1E     1D      1E     1E\n")
    assert "*" not in result.out.split("\n\n")[1].split("\n", 1)[1]


def test_cli_apply_warns_on_rejected_requirement(cli: Cli, tmp_path: Path,
                                                 roles_file: Path) -> None:
    log = tmp_path / "decisions.csv"
    assert cli("jd", "decide", "r.txt", "--role", "Receptionist", "--reject", "CUL-1",
               "--by", "A", "--log", log).code == 0
    result = cli("jd", "apply", "--log", log, "--roles", roles_file)
    assert result.code == 0
    assert result.err == ("warning: r.txt rejects CUL-1 for Receptionist, which the roles table "
                          "requires (kept; remove it there if it is not needed)\n")


def test_cli_apply_prints_changes_and_needs_replace(cli: Cli, tmp_path: Path,
                                                    roles_file: Path) -> None:
    log = tmp_path / "decisions.csv"
    assert cli("jd", "decide", "r.txt", "--role", "Receptionist", "--accept", "CUL-1:1",
               "--assessed-by", "interview;test", "--by", "A", "--log", log).code == 0
    before = roles_file.read_bytes()
    result = cli("jd", "apply", "--log", log, "--roles", roles_file)
    assert result.code == 2
    assert result.out == ("would change: Receptionist, CUL-1: assessed_by interview -> "
                          "interview;test\n")
    assert result.err == (f"{roles_file}: the decision log would change 1 existing "
                          "requirement(s); nothing written (replace them with --replace)\n")
    assert roles_file.read_bytes() == before
    result = cli("jd", "apply", "--log", log, "--roles", roles_file, "--replace")
    assert result.code == 0, result.err
    assert result.out == f"{roles_file}: 0 added, 1 changed, 0 unchanged (2 requirements)\n"
    assert roles_file.read_bytes() != before


def test_cli_decide_error_leaves_the_log_unchanged(cli: Cli, tmp_path: Path) -> None:
    log = tmp_path / "decisions.csv"
    assert cli("jd", "decide", "r.txt", "--role", "R", "--accept", "LAW-1", "--by", "A",
               "--log", log).code == 0
    before = log.read_bytes()
    result = cli("jd", "decide", "r.txt", "--role", "R", "--accept", "LAW-1",
                 "--accept", "LAW-3:2", "--by", "A", "--log", log)
    assert result.code == 2
    assert result.out == ""
    assert result.err == "unknown competency accepted (LAW-3)\n"
    assert log.read_bytes() == before


def test_cli_decide_needs_by_and_log(cli: Cli) -> None:
    result = cli("jd", "decide", "r.txt", "--role", "R", "--accept", "LAW-1", "--log", "x.csv")
    assert result.code == 2
    assert result.err.startswith("competency: Missing option '--by'")


def test_every_bad_log_row_is_counted(tmp_path: Path, framework: Framework) -> None:
    log = tmp_path / "decisions.csv"
    log.write_text(HEADER + f"{T1},r.docx,R,LAW-1,maybe,,,,A,\n{T1},r.docx,R,LAW-1,reject,,,,A,\n"
                   f"{T1},r.docx,R,LAW-99,reject,,,,A,\n", encoding="utf-8")
    with pytest.raises(TableError) as caught:
        load_decisions(log, framework)
    assert str(caught.value) == (f"{log}, row 2: bad decision; use accept or reject (maybe) "
                                 "(and 1 more row with problems; --all-errors lists them)")
    assert caught.value.lines()[1] == f"{log}, row 4: unknown competency (LAW-99)"
