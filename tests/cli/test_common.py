"""cli/_common.py: the helpers every command shares (warnings, dates, required paths,
flags merged over the config)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from competency.cli._common import _parse_date, merged, required, warn
from competency.config import find_config
from competency.errors import UsageError


def test_warn_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    warn("3 staff have no role requirements")
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "warning: 3 staff have no role requirements\n")


def test_dates_default_to_today_and_are_strict() -> None:
    assert _parse_date(None, "--as-of") == dt.date.today()
    assert _parse_date("2024-02-29", "--as-of") == dt.date(2024, 2, 29)
    with pytest.raises(UsageError, match=r"^competency: Invalid value for '--as-of': "
                                         r"'2023-02-29' is not a date"):
        _parse_date("2023-02-29", "--as-of")


def test_required_takes_the_flag_then_the_config(tmp_path: Path) -> None:
    (tmp_path / "competency.toml").write_text('[data]\nroles = "r.csv"\n', "utf-8")
    config = find_config(tmp_path / "competency.toml")
    assert required(Path("mine.csv"), config, "data.roles", "--roles") == Path("mine.csv")
    assert required(None, config, "data.roles", "--roles") == tmp_path / "r.csv"
    with pytest.raises(UsageError) as info:
        required(None, config, "data.staff", "--staff")
    assert str(info.value) == (f"competency: Missing option '--staff' (or set data.staff in "
                               f"{tmp_path / 'competency.toml'})")


def test_merged_flags_win_and_bad_values_name_the_flag(tmp_path: Path) -> None:
    (tmp_path / "competency.toml").write_text("[coverage]\nrefresher_years = 2\n", "utf-8")
    section = find_config(tmp_path / "competency.toml").coverage
    assert merged(section).refresher_years == 2
    assert merged(section, refresher_years=None).refresher_years == 2
    assert merged(section, refresher_years=5).refresher_years == 5
    with pytest.raises(UsageError, match=r"^competency: Invalid value for '--refresher-years': "
                                         r".*\(0\)$"):
        merged(section, refresher_years=0)
    with pytest.raises(UsageError, match=r"Invalid value for '--years': "):
        merged(section, {"refresher_years": "--years"}, refresher_years=0)
