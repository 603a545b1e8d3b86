"""competency.toml: the schema, validation with line numbers, defaults, and the flags."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from competency.config import (
    CONFIG_NAME,
    SETTINGS,
    Config,
    DataFiles,
    find_config,
    load_config,
    parse_config,
    render_config,
    value_of,
)
from competency.errors import ConfigError
from conftest import REPO, CliResult

Cli = Callable[..., CliResult]
SAMPLE = REPO / "src" / "competency" / "data" / "sample-org"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "org" / CONFIG_NAME,
                 'framework = "fw/framework.yaml"\ncourse = "../course"\npass_mark = 0.75\n'
                 '\n[data]\nroles = "roles.csv"\nstaff = "hr/staff.xlsx"\n')
    config = load_config(path)
    org = (tmp_path / "org").resolve()
    assert config == Config(path=path, framework=org / "fw" / "framework.yaml",
                            course=tmp_path.resolve() / "course", pass_mark=0.75,
                            data=DataFiles(roles=org / "roles.csv",
                                           staff=org / "hr" / "staff.xlsx"))
    assert config.store_url == f"sqlite:///{org / 'competency.db'}"
    assert config.gradebook_url() == f"sqlite:///{tmp_path.resolve() / 'course' / 'gradebook.db'}"


@pytest.mark.parametrize(("value", "expected"), [
    ("sqlite:///data/competency.db", "sqlite:///{org}/data/competency.db"),
    ("store.db", "sqlite:///{org}/store.db"),
    ("sqlite:////abs/competency.db", "sqlite:////abs/competency.db"),
    ("postgresql+psycopg://hr@db.example:5432/competency",
     "postgresql+psycopg://hr@db.example:5432/competency"),
])
def test_store_urls(tmp_path: Path, value: str, expected: str) -> None:
    config = parse_config(f'store = "{value}"\n', tmp_path / CONFIG_NAME)
    assert config.store_url == expected.format(org=tmp_path.resolve())


def test_inline_and_dotted_tables(tmp_path: Path) -> None:
    a = parse_config('data = { roles = "r.csv" }\n', tmp_path / CONFIG_NAME)
    b = parse_config('data.roles = "r.csv"\n', tmp_path / CONFIG_NAME)
    assert a.data.roles == b.data.roles == (tmp_path / "r.csv").resolve()


@pytest.mark.parametrize(("text", "message"), [
    ('course = "c"\nstor = "x"\n', "line 2: unknown setting; see competency config show (stor)"),
    ('course = "c"\n\n[data]\nroles = "r.csv"\nrole = "r.csv"\n',
     "line 5: unknown setting; see competency config show (data.role)"),
    ("[data]\nroles = 3\n", "line 2: data.roles: must be a non-empty string (3)"),
    ('course = ""\n', "line 1: course: must be a non-empty string ()"),
    ("pass_mark = 80\n", "line 1: pass_mark: must be a number above 0 and at most 1 (80)"),
    ('pass_mark = "0.8"\n', "line 1: pass_mark: must be a number above 0 and at most 1 (0.8)"),
    ("pass_mark = true\n", "line 1: pass_mark: must be a number above 0 and at most 1 (True)"),
    ('course = "c"\nstore = sqlite\n', "line 2: invalid TOML: Invalid value"),
    ('course = "c"\ncourse = "d"\n', "line 2: invalid TOML: Cannot overwrite a value"),
    ("[other]\nx = 1\n", "line 1: unknown setting; see competency config show (other)"),
])
def test_bad_files_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / CONFIG_NAME, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}, {message}"


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nothere\.toml: file not found$"):
        load_config(tmp_path / "nothere.toml")
    path = tmp_path / CONFIG_NAME
    path.write_bytes(b'course = "\xff"\n')
    with pytest.raises(ConfigError, match=r"competency\.toml, line 1: not UTF-8 text$"):
        load_config(path)


def test_find_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config() == Config()
    assert Config().store_url == f"sqlite:///{tmp_path.resolve() / 'competency.db'}"
    write(tmp_path / CONFIG_NAME, 'course = "here"\n')
    assert find_config().course == (tmp_path / "here").resolve()
    other = write(tmp_path / "elsewhere" / "x.toml", 'course = "there"\n')
    assert find_config(other).course == (tmp_path / "elsewhere" / "there").resolve()


def test_every_setting_has_help_and_a_field() -> None:
    for setting in SETTINGS:
        assert setting.help.endswith(".")
        assert value_of(Config(), setting.key) == setting.default or setting.key in (
            "store", "gradebook")


def test_the_sample_configuration_is_valid() -> None:
    config = load_config(SAMPLE / CONFIG_NAME)
    assert config.data.catalogue == (SAMPLE / "catalogue.csv").resolve()
    assert config.data.reviews == (SAMPLE / "reviews.csv").resolve()
    assert config.data.roles == (SAMPLE / "roles.csv").resolve()
    assert config.data.staff == (SAMPLE / "staff.csv").resolve()
    assert config.data.evidence == (SAMPLE / "evidence.csv").resolve()
    assert config.pass_mark == 0.8
    assert config.store_url == f"sqlite:///{(SAMPLE / 'competency.db').resolve()}"
    assert config.coverage.as_of == dt.date(2026, 11, 26)  # its figures never age


def test_config_show(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / CONFIG_NAME, '[data]\nroles = "roles.csv"\n')
    result = cli("config", "show", "--config", path)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == f"# {path}"
    assert f"data.roles = {(tmp_path / 'roles.csv').resolve()}" in lines
    assert "data.staff = (not set)" in lines
    assert render_config(Config()).startswith("# no competency.toml found: built-in defaults\n")


ROLES = "role,competency,level,priority,assessed_by\nNurse,LAW-1,1,essential,training\n"
STAFF = "staff_id,role,team\ns1,Nurse,A\n"
EVIDENCE = "staff_id,competency,level,achieved_on,source\ns1,LAW-1,1,2025-01-10,x\n"


def test_coverage_takes_its_files_from_the_config(cli: Cli, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    org = tmp_path / "org"
    write(org / "roles.csv", ROLES)
    write(org / "staff.csv", STAFF)
    write(org / "evidence.csv", EVIDENCE)
    config = write(org / CONFIG_NAME, '[data]\nroles = "roles.csv"\nstaff = "staff.csv"\n'
                   'evidence = "evidence.csv"\n')
    out = tmp_path / "coverage.csv"
    result = cli("coverage", "--config", config, "--as-of", "2025-06-01", "--out", out)
    assert result.code == 0, result.err
    assert out.read_text("utf-8").splitlines()[1] == \
        "s1,LAW-1,1,essential,1,2025-01-10,2028-01-10,met"
    # a flag wins over the config
    none = write(tmp_path / "none.csv", "staff_id,competency,level,achieved_on,source\n")
    assert cli("coverage", "--config", config, "--evidence", none, "--as-of", "2025-06-01",
               "--out", out).code == 0
    assert out.read_text("utf-8").splitlines()[1] == "s1,LAW-1,1,essential,,,,missing"
    # ./competency.toml is found in the working directory
    monkeypatch.chdir(org)
    assert cli("coverage", "--as-of", "2025-06-01", "--out", out).code == 0
    assert out.read_text("utf-8").splitlines()[1].endswith(",met")


def test_coverage_without_files_or_config(cli: Cli, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("coverage", "--out", "c.csv")
    assert (result.code, result.err) == (
        2, "competency: Missing option '--roles' (or set data.roles in competency.toml)\n")
    config = write(tmp_path / "org.toml", '[data]\nroles = "roles.csv"\n')
    result = cli("coverage", "--config", config, "--out", "c.csv")
    assert result.err == (f"competency: Missing option '--staff' (or set data.staff in "
                          f"{config})\n")


def test_a_broken_config_stops_the_command(cli: Cli, tmp_path: Path) -> None:
    config = write(tmp_path / CONFIG_NAME, "[data]\nroles = 1\n")
    result = cli("coverage", "--config", config, "--out", tmp_path / "c.csv")
    assert (result.code, result.err) == (
        2, f"{config}, line 2: data.roles: must be a non-empty string (1)\n")


def test_sample_org_copy_runs_coverage(cli: Cli, tmp_path: Path) -> None:
    org = tmp_path / "org"
    shutil.copytree(SAMPLE, org)
    write(org / "staff.csv", "staff_id,role,team\ns1,Receptionist,Front desk\n")
    write(org / "evidence.csv", EVIDENCE)
    result = cli("coverage", "--config", org / CONFIG_NAME, "--as-of", "2025-06-01",
                 "--out", tmp_path / "c.csv")
    assert result.code == 0, result.err
    assert "s1,LAW-1,1,essential,1,2025-01-10,2028-01-10,met" in \
        (tmp_path / "c.csv").read_text("utf-8").splitlines()


def test_sections_are_typed_and_take_their_defaults_from_the_api(tmp_path: Path) -> None:
    from competency.course.lab import DEFAULT_PORT
    from competency.coverage.statuses import DEFAULT_REFRESHER_YEARS
    from competency.grading.sandbox import Limits

    assert Config().coverage.refresher_years == DEFAULT_REFRESHER_YEARS
    assert Config().lab.port == DEFAULT_PORT
    assert Config().grading.memory_bytes == Limits().memory_bytes
    config = parse_config('[coverage]\nrefresher_years = 2\n\n[grading]\njobs = 3\n'
                          'memory_gb = 1.5\n\n[report]\nsuppress = false\n',
                          tmp_path / CONFIG_NAME)
    assert config.coverage.refresher_years == 2
    assert (config.grading.jobs, config.grading.memory_gb) == (3, 1.5)
    assert config.report.suppress is False
    assert config.report.threshold == Config().report.threshold


@pytest.mark.parametrize(("text", "message"), [
    ("[grading]\njobs = 0\n", "line 2: grading.jobs: must be a whole number, at least 1 (0)"),
    ("[grading]\n\nmemory_gb = -1\n",
     "line 3: grading.memory_gb: must be a number above 0 (-1)"),
    ("[coverage]\nrefresher_years = 1.5\n",
     "line 2: coverage.refresher_years: must be a whole number, at least 1 (1.5)"),
    ("lab.port = 70000\n", "line 1: lab.port: must be a port number, 1 to 65535 (70000)"),
    ('[report]\nsuppress = "yes"\n', "line 2: report.suppress: must be true or false (yes)"),
    ('[coverage]\nas_of = "26/11/2026"\n',
     "line 2: coverage.as_of: must be a date, YYYY-MM-DD (26/11/2026)"),
    ("[coverage]\nas_of = 2026-11-26T10:00:00\n",
     "line 2: coverage.as_of: must be a date, YYYY-MM-DD (2026-11-26 10:00:00)"),
])
def test_bad_values_in_sections(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / CONFIG_NAME, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}, {message}"


def test_as_of_is_a_toml_date_or_iso_text(tmp_path: Path) -> None:
    assert Config().coverage.as_of is None  # today
    for text in ("as_of = 2026-11-26\n", 'as_of = "2026-11-26"\n'):
        config = parse_config("[coverage]\n" + text, tmp_path / CONFIG_NAME)
        assert config.coverage.as_of == dt.date(2026, 11, 26)


def test_commands_judge_on_the_configs_as_of_date(cli: Cli, tmp_path: Path) -> None:
    org = tmp_path / "org"
    write(org / "roles.csv", ROLES)
    write(org / "staff.csv", STAFF)
    write(org / "evidence.csv", EVIDENCE)
    config = write(org / CONFIG_NAME, '[data]\nroles = "roles.csv"\nstaff = "staff.csv"\n'
                   'evidence = "evidence.csv"\n\n[coverage]\nas_of = 2024-06-01\n')
    out = tmp_path / "coverage.csv"
    assert cli("coverage", "--config", config, "--out", out).code == 0
    assert out.read_text("utf-8").splitlines()[1].endswith(",missing")  # before 2025-01-10
    assert cli("coverage", "--config", config, "--as-of", "2025-06-01", "--out", out).code == 0
    assert out.read_text("utf-8").splitlines()[1].endswith(",met")  # the flag wins


def test_with_values_checks_like_the_file() -> None:
    from competency.config import SettingError, with_values

    grading = with_values(Config().grading, jobs=2, memory_gb=None)
    assert (grading.jobs, grading.memory_gb) == (2, Config().grading.memory_gb)
    assert with_values(Config(), pass_mark=1).pass_mark == 1.0
    with pytest.raises(SettingError, match=r"^grading\.memory_gb: must be a number above 0 \(0\)$"):
        with_values(Config().grading, memory_gb=0)
    with pytest.raises(SettingError, match=r"^pass_mark: .* \(2\)$"):
        with_values(Config(), pass_mark=2)


def test_config_show_lists_every_setting_with_its_help(cli: Cli, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines = cli("config", "show").out.splitlines()
    for setting in SETTINGS:
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{setting.key} = "))
        assert lines[at + 1] == f"    {setting.help}"
    assert "grading.memory_gb = 2.0" in lines
    assert "report.suppress = true" in lines
