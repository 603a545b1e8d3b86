from __future__ import annotations

import os
from pathlib import Path

import pytest

from competency.grading.sandbox import (
    Limits,
    SandboxSetupError,
    choose_reaper,
    copy_back,
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


def test_copy_back_keeps_what_the_notebook_wrote_and_nothing_else(tmp_path: Path) -> None:
    dest = tmp_path / "autograded"
    (dest / "data").mkdir(parents=True)
    (dest / "p1.ipynb").write_text("{}")
    (dest / "data" / "in.csv").write_text("a,b\n")
    (dest / "gone.txt").write_text("x")
    (tmp_path / "work").mkdir()
    work = make_workdir(tmp_path / "work", 1, dest, None)
    (work / "gone.txt").unlink()
    (work / "data" / "in.csv").write_text("changed\n")
    (work / "out" / "deep").mkdir(parents=True)
    (work / "out" / "deep" / "result.txt").write_text("42")
    secret = tmp_path / "secret.txt"
    secret.write_text("not the notebook's")
    (work / "link.txt").symlink_to(secret)
    os.mkfifo(work / "pipe")
    (work / "big.bin").write_bytes(b"x" * 2048)
    back = copy_back(work, dest, None, max_bytes=1024)
    assert sorted(back.copied) == ["data/in.csv", "out/deep/result.txt"]
    assert back.removed == ("gone.txt",)
    assert sorted(back.left) == ["big.bin", "link.txt", "pipe"]
    assert (dest / "data" / "in.csv").read_text() == "changed\n"
    assert (dest / "out" / "deep" / "result.txt").read_text() == "42"
    assert not (dest / "link.txt").exists()
    assert not (dest / "pipe").exists()
    assert (dest / "p1.ipynb").read_text() == "{}"  # notebooks are not in the working copy
