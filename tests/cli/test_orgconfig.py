"""cli/orgconfig.py: which competency.toml a notebook or the dashboard reads."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from competency.cli.orgconfig import (
    SAMPLE_CONFIG,
    config_dashboard,
    config_path,
    notebook_config,
)
from competency.coverage.dashboard import CONFIG_ENV
from competency.errors import ConfigError


def test_the_path_comes_from_the_argument_then_the_environment_then_the_sample(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert config_path() == SAMPLE_CONFIG
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "trust.toml"))
    assert config_path() == tmp_path / "trust.toml"
    assert config_path(tmp_path / "mine.toml") == tmp_path / "mine.toml"


def test_the_sample_config_pins_its_as_of_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    cfg = notebook_config()
    assert cfg.coverage.as_of == dt.date(2026, 11, 26)
    assert cfg.data.roles is not None
    assert Path(str(cfg.data.roles)).is_file()


def test_a_trust_config_without_data_files_names_what_is_missing(tmp_path: Path) -> None:
    config = tmp_path / "competency.toml"
    config.write_text('[data]\nroles = "roles.csv"\n', "utf-8")
    with pytest.raises(ConfigError, match=r"data\.staff, data\.evidence not set"):
        config_dashboard(config)


def test_a_trust_config_drives_the_dashboard(tmp_path: Path) -> None:
    org = tmp_path / "org"
    shutil.copytree(SAMPLE_CONFIG.parent, org)
    config = org / "competency.toml"
    text = config.read_text("utf-8").replace("2026-11-26", "2026-06-30")
    config.write_text(text, "utf-8")
    shown = list(_widgets(config_dashboard(config)))
    [picker] = [w for w in shown if type(w).__name__ == "DatePicker"]
    assert picker.value == dt.date(2026, 6, 30)
    assert any(str(config) in str(getattr(w, "value", "")) for w in shown
               if type(w).__name__ == "HTML")


def _widgets(widget: Any) -> Iterator[Any]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _widgets(child)
