"""The roles table: load/save round trips, exact validation messages, role lookup, CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from competency.errors import RoleError, TableError
from competency.framework.model import Framework
from competency.hr.roles import (
    COLUMNS,
    Requirement,
    Roles,
    find_role,
    load_roles,
    parse_assessed_by,
    render_roles,
    save_roles,
)
from conftest import REPO, CliResult

Cli = Callable[..., CliResult]
SAMPLE_ROLES = REPO / "src" / "competency" / "data" / "sample-org" / "roles.csv"
HEADER = ",".join(COLUMNS) + "\n"
SAMPLE_ROLE_NAMES = (
    "Receptionist", "Healthcare assistant", "Community nurse", "GP practice manager",
    "Commissioning manager", "Public health analyst", "HR business partner",
    "Community development worker", "Equality and diversity lead", "Non-executive director",
    "Service manager", "Recruiting manager",
)


def write(tmp_path: Path, body: str, name: str = "roles.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


ROLES = Roles((
    Requirement("Nurse", "LAW-1", 2, "essential", ("application", "training")),
    Requirement("Nurse", "CUL-2", 3, "desirable", ("interview",)),
    Requirement("Receptionist, front desk", "CUL-1", 1, "essential", ("interview",)),
))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_save_then_load_round_trip(tmp_path: Path, suffix: str) -> None:
    path = save_roles(ROLES, tmp_path / f"roles{suffix}")
    assert load_roles(path) == ROLES


def test_saved_csv_has_the_contract_columns(tmp_path: Path) -> None:
    path = save_roles(ROLES, tmp_path / "roles.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "role,competency,level,priority,assessed_by"
    assert lines[1] == "Nurse,LAW-1,2,essential,application;training"
    assert lines[3] == '"Receptionist, front desk",CUL-1,1,essential,interview'


def test_load_normalises_case_spacing_and_separators(tmp_path: Path) -> None:
    path = tmp_path / "roles.csv"
    path.write_text(HEADER + 'Nurse,LAW-1,2,Essential," Interview ; application ;interview"\n'
                    "\n", encoding="utf-8")
    (req,) = load_roles(path)
    assert req == Requirement("Nurse", "LAW-1", 2, "essential", ("interview", "application"))


def test_load_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "roles.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "Nurse,LAW-1,1,desirable,test\n").encode())
    assert load_roles(path).names == ("Nurse",)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Nurse,NOPE-1,1,essential,interview\n", "row 2: unknown competency (NOPE-1)"),
        ("Nurse,LAW-1,1,essential,interview\nNurse,LAW-2,5,essential,interview\n",
         "row 3: unknown level (5)"),
        ("Nurse,LAW-1,two,essential,interview\n", "row 2: unknown level (two)"),
        ("Nurse,LAW-1,,essential,interview\n", "row 2: unknown level ()"),
        ("Nurse,LAW-1,1,critical,interview\n",
         "row 2: bad priority; use essential or desirable (critical)"),
        ("Nurse,LAW-1,1,essential,exam\n",
         "row 2: bad assessed_by; use application;interview;test;training (exam)"),
        ("Nurse,LAW-1,1,essential,\n",
         "row 2: bad assessed_by; use application;interview;test;training ()"),
        ("Nurse,LAW-1,1,essential,interview\nMidwife,LAW-1,1,essential,interview\n"
         "Nurse,LAW-1,2,desirable,test\n",
         "row 4: duplicate requirement (first on row 2) (Nurse, LAW-1)"),
        (",LAW-1,1,essential,interview\n", "row 2: empty role"),
    ],
    ids=["unknown-competency", "unknown-level", "level-not-number", "level-empty",
         "bad-priority", "bad-assessed-by", "empty-assessed-by", "duplicate", "empty-role"],
)
def test_validation_errors_are_exact(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(TableError) as info:
        load_roles(path)
    assert str(info.value) == f"{path}, {message}"


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "roles.csv"
    path.write_text("role,competency,level\nNurse,LAW-1,1\n", encoding="utf-8")
    with pytest.raises(TableError) as info:
        load_roles(path)
    assert str(info.value) == f"{path}, row 1: missing column (priority, assessed_by)"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "roles.csv"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(TableError) as info:
        load_roles(path)
    assert str(info.value) == f"{path}, row 1: empty file"


def test_header_only_is_an_empty_table(tmp_path: Path) -> None:
    assert len(load_roles(write(tmp_path, ""))) == 0


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "roles.csv"
    path.write_bytes(HEADER.encode() + "Caf\u00e9 worker,LAW-1,1,essential,test\n"
                     .encode("cp1252"))
    with pytest.raises(TableError) as info:
        load_roles(path)
    assert str(info.value) == (f"{path}, row 2: not UTF-8 text; save the file as CSV UTF-8 "
                               "(byte 0xe9)")


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = write(tmp_path, "Nurse,LAW-1,1,essential,test\n", name="roles.txt")
    with pytest.raises(TableError) as info:
        load_roles(path)
    assert str(info.value) == f"{path}: unsupported table format; use .csv or .xlsx (.txt)"


def test_save_to_unsupported_suffix_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "roles.json"
    with pytest.raises(TableError) as info:
        save_roles(ROLES, path)
    assert str(info.value) == f"{path}: unsupported table format; use .csv or .xlsx (.json)"
    assert list(tmp_path.iterdir()) == []


def test_file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "none.csv"
    with pytest.raises(TableError) as info:
        load_roles(path)
    assert str(info.value) == f"{path}: file not found"


def test_xlsx_errors_name_the_spreadsheet_row(tmp_path: Path) -> None:
    import pandas as pd

    path = tmp_path / "roles.xlsx"
    frame = pd.DataFrame([["Nurse", "LAW-1", "1", "essential", "test"],
                          ["Nurse", "LAW-9", "1", "essential", "test"]], columns=list(COLUMNS))
    frame.to_excel(path, index=False)
    with pytest.raises(TableError) as info:
        load_roles(path)
    assert str(info.value) == f"{path}, row 3: unknown competency (LAW-9)"


def test_a_trusts_own_framework_decides_what_is_valid(tmp_path: Path) -> None:
    from competency.framework.model import parse_framework

    own = parse_framework("id: own\nname: Own\nversion: '1'\nlevels:\n  - level: 1\n"
                          "    name: Basic\ncompetencies:\n  - id: X-1\n    name: X\n")
    path = write(tmp_path, "Nurse,X-1,1,essential,test\n")
    assert load_roles(path, own).names == ("Nurse",)
    path = write(tmp_path, "Nurse,X-1,2,essential,test\n")
    with pytest.raises(TableError, match=r"row 2: unknown level \(2\)$"):
        load_roles(path, own)


def test_parse_assessed_by() -> None:
    assert parse_assessed_by("Interview; test,training") == ("interview", "test", "training")
    assert parse_assessed_by("interview;;interview") == ("interview",)
    assert parse_assessed_by("") is None
    assert parse_assessed_by("interview;exam") is None


def test_roles_helpers() -> None:
    assert ROLES.names == ("Nurse", "Receptionist, front desk")
    assert [r.competency for r in ROLES.for_role("Nurse")] == ["LAW-1", "CUL-2"]
    assert ROLES.for_role("Porter") == ()
    changed = ROLES.with_requirements([
        Requirement("Nurse", "CUL-2", 2, "essential", ("test",)),
        Requirement("Porter", "LAW-1", 1, "essential", ("training",)),
    ])
    assert len(changed) == 4
    assert changed.for_role("Nurse")[1].level == 2
    assert changed.names[-1] == "Porter"
    assert len(ROLES) == 3  # unchanged


def test_find_role() -> None:
    assert find_role(ROLES, "Nurse") == "Nurse"
    assert find_role(ROLES, "  nurse ") == "Nurse"
    with pytest.raises(RoleError) as info:
        find_role(ROLES, "Nures", "roles.csv")
    assert str(info.value) == "roles.csv: unknown role (Nures); did you mean: Nurse?"
    with pytest.raises(RoleError) as info:
        find_role(ROLES, "front desk")
    assert str(info.value) == ("roles table: unknown role (front desk); "
                               "did you mean: Receptionist, front desk?")
    with pytest.raises(RoleError) as info:
        find_role(ROLES, "Porter")
    assert str(info.value) == ("roles table: unknown role (Porter); "
                               "roles are: Nurse, Receptionist, front desk")
    with pytest.raises(RoleError) as info:
        find_role(Roles(()), "Porter")
    assert str(info.value) == "roles table: unknown role (Porter); the table has no roles"


def test_render_roles(framework: Framework) -> None:
    text = render_roles(ROLES, framework, "nurse")
    assert text.splitlines() == [
        "Nurse",
        "  essential  LAW-1   level 2 Practitioner Equality law in practice  "
        "[application;training]",
        "  desirable  CUL-2   level 3 Lead         Culturally capable care and communication  "
        "[interview]",
    ]
    assert render_roles(ROLES, framework).count("\n\n") == 1


# --------------------------------------------------------------------------- sample organisation


def test_sample_roles_are_valid_and_cover_the_framework_roles(framework: Framework) -> None:
    roles = load_roles(SAMPLE_ROLES, framework)
    assert set(SAMPLE_ROLE_NAMES) <= set(roles.names)
    for name in roles.names:
        reqs = {r.competency: r for r in roles.for_role(name)}
        for cid in ("LAW-1", "CUL-1"):
            assert reqs[cid].priority == "essential", (name, cid)
            assert reqs[cid].level >= 1
        assert any(r.priority == "desirable" for r in reqs.values()), name
    assert {how for r in roles for how in r.assessed_by} == {"application", "interview",
                                                             "test", "training"}


def test_sample_levels_rise_with_responsibility(framework: Framework) -> None:
    roles = load_roles(SAMPLE_ROLES, framework)

    def top(name: str) -> int:
        return max(r.level for r in roles.for_role(name))

    assert top("Receptionist") == 1
    assert top("Healthcare assistant") <= top("Community nurse") < top("Service manager")
    assert top("Equality and diversity lead") == top("Non-executive director") == 4
    lead = {r.competency for r in roles.for_role("Equality and diversity lead")}
    assert lead == set(framework.ids)


# --------------------------------------------------------------------------- CLI


def test_cli_roles_validate(cli: Cli) -> None:
    result = cli("roles", "validate", SAMPLE_ROLES)
    assert result.code == 0, result.err
    assert result.out == f"{SAMPLE_ROLES}: valid (12 roles, 104 requirements)\n"
    assert result.err == ""


def test_cli_roles_validate_broken_is_one_line(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "Nurse,LAW-1,1,essential,test\nNurse,LAW-1,2,essential,test\n")
    result = cli("roles", "validate", path)
    assert result.code == 2
    assert result.out == ""
    assert result.err == f"{path}, row 3: duplicate requirement (first on row 2) (Nurse, LAW-1)\n"


def test_cli_roles_validate_with_framework(cli: Cli, tmp_path: Path) -> None:
    fw = tmp_path / "fw.yaml"
    fw.write_text("id: own\nname: Own\nversion: '1'\nlevels:\n  - level: 1\n    name: Basic\n"
                  "competencies:\n  - id: X-1\n    name: X\n", encoding="utf-8")
    path = write(tmp_path, "Nurse,X-1,1,essential,test\n")
    result = cli("roles", "validate", path, "--framework", fw)
    assert result.code == 0, result.err
    assert result.out == f"{path}: valid (1 roles, 1 requirements)\n"


def test_cli_roles_show(cli: Cli) -> None:
    result = cli("roles", "show", SAMPLE_ROLES)
    assert result.code == 0, result.err
    for name in SAMPLE_ROLE_NAMES:
        assert f"\n{name}\n" in f"\n{result.out}"


def test_cli_roles_show_one_role(cli: Cli) -> None:
    result = cli("roles", "show", SAMPLE_ROLES, "--role", "receptionist")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Receptionist"
    assert lines[1].split()[:5] == ["essential", "LAW-1", "level", "1", "Foundation"]
    assert "Community nurse" not in result.out


def test_cli_roles_show_unknown_role(cli: Cli) -> None:
    result = cli("roles", "show", SAMPLE_ROLES, "--role", "Comunity nurse")
    assert result.code == 2
    assert result.out == ""
    assert result.err == (f"{SAMPLE_ROLES}: unknown role (Comunity nurse); "
                          "did you mean: Community nurse?\n")


def test_every_bad_row_is_counted_in_one_line(tmp_path: Path, framework: Framework) -> None:
    path = tmp_path / "roles.csv"
    path.write_text("role,competency,level,priority,assessed_by\n"
                    "Nurse,LAW-1,1,essential,interview\n"
                    ",LAW-1,1,essential,interview\n"
                    "Nurse,LAW-99,1,essential,interview\n"
                    "Nurse,LAW-1,1,essential,interview\n", encoding="utf-8")
    with pytest.raises(TableError) as caught:
        load_roles(path, framework)
    assert str(caught.value) == (f"{path}, row 3: empty role (and 2 more rows with problems; "
                                 "--all-errors lists them)")
    assert caught.value.lines()[1:] == [
        f"{path}, row 4: unknown competency (LAW-99)",
        f"{path}, row 5: duplicate requirement (first on row 2) (Nurse, LAW-1)"]


def test_requirements_may_name_any_competency_of_a_nested_framework(tmp_path: Path) -> None:
    from competency.framework.moodle import read_moodle_csv

    nested = read_moodle_csv(REPO / "tests" / "framework" / "data" /
                               "nested-framework.csv").framework
    path = write(tmp_path, "Advocate,D-LISTEN,1,essential,training\n"
                           "Advocate,B-LISTEN-2a,3,essential,training\n")
    roles = load_roles(path, nested)
    assert [r.competency for r in roles.requirements] == ["D-LISTEN", "B-LISTEN-2a"]
    assert nested.get("B-LISTEN-2a").parent == "C-LISTEN-2"
