"""cli/directory.py: search filters and the store reach the API; dates are checked first."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import CliResult

Cli = Callable[..., CliResult]


def test_search_passes_every_filter(cli: Cli, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    got: dict[str, Any] = {}

    def fake(store: Any, **kwargs: Any) -> list[Any]:
        got.update(kwargs, where=store.where)
        return []

    monkeypatch.setattr(importlib.import_module("competency.directory.entries"), "search",
                        fake)
    url = f"sqlite:///{tmp_path / 'd.db'}"
    (tmp_path / "d.db").touch()
    result = cli("directory", "search", "--store", url, "--language", "Farsi", "--skill",
                 "advocacy", "--area", "Kelham Haven", "--community", "Roma")
    assert result.code == 0, result.err
    assert (got["language"], got["skill"], got["area"], got["community"]) == (
        "Farsi", "advocacy", "Kelham Haven", "Roma")
    assert str(tmp_path / "d.db") in got["where"]


@pytest.mark.parametrize("day", ["2026-13-01", "01/12/2026"])
def test_add_refuses_a_bad_verified_date_in_one_line(cli: Cli, tmp_path: Path,
                                                     day: str) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    result = cli("directory", "add", "Moorhead Hub", "--store", url, "--verified-on", day,
                 "--verified-by", "Equality lead")
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert day in result.err
