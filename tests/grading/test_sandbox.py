from __future__ import annotations

import os
from pathlib import Path

import pytest

from competency.grading.sandbox import (
    Limits,
    SandboxSetupError,
    choose_reaper,
    make_workdir,
    remove_tree,
)


def test_limits_must_be_positive() -> None:
    assert Limits().cell_timeout == 30.0
    with pytest.raises(ValueError, match=r"memory_bytes must be positive \(0\)"):
        Limits(memory_bytes=0)


def test_choose_reaper() -> None:
    assert choose_reaper("subreaper") == "subreaper"
    assert choose_reaper("auto") in ("cgroup", "pidns", "subreaper")
    with pytest.raises(SandboxSetupError, match=r"unknown reaper \(fork\)"):
        choose_reaper("fork")


def test_make_workdir_copies_the_files_but_not_notebooks(tmp_path: Path) -> None:
    files = tmp_path / "submitted" / "01-law"
    (files / "data").mkdir(parents=True)
    (files / "data" / "table.csv").write_text("a\n")
    (files / "01-law.ipynb").write_text("{}")
    (tmp_path / "work").mkdir()
    work = make_workdir(tmp_path / "work", 7, files, uid=None)
    assert work == tmp_path / "work" / "job-7" / "01-law"
    assert sorted(p.relative_to(work).as_posix() for p in work.rglob("*")) == [
        "data", "data/table.csv"]
    assert os.stat(work).st_mode & 0o777 == 0o700


def test_remove_tree_removes_folders_the_notebook_locked(tmp_path: Path) -> None:
    locked = tmp_path / "work" / "locked"
    locked.mkdir(parents=True)
    (locked / "f").write_text("x")
    locked.chmod(0o000)
    remove_tree(tmp_path / "work")
    assert not (tmp_path / "work").exists()
    remove_tree(tmp_path / "work")  # nothing to do
