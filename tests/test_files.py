from __future__ import annotations

from pathlib import Path

import pytest

import competency.files as files
from competency.files import atomic_write_bytes, atomic_write_text


def test_atomic_write_text_creates_folders_and_writes_utf8(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "note.txt"
    assert atomic_write_text(target, "Māori · café\n") == target
    assert target.read_bytes() == "Māori · café\n".encode()
    assert sorted(p.name for p in target.parent.iterdir()) == ["note.txt"]


def test_atomic_write_bytes_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    target.write_bytes(b"old contents")
    atomic_write_bytes(str(target), b"\x00new")
    assert target.read_bytes() == b"\x00new"
    assert list(tmp_path.iterdir()) == [target]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.csv"
    target.write_text("complete old report\n")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(target, "half of a new rep")
    assert target.read_text() == "complete old report\n"
    assert list(tmp_path.iterdir()) == [target]


def test_an_interrupted_first_write_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "new.txt"

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(target, b"payload")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- append-only logs

def test_append_csv_creates_the_log_and_keeps_its_own_column_order(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    assert files.append_csv(log, ("a", "b"), [{"a": "1", "b": "x,y"}]) == 1
    assert log.read_text() == 'a,b\n1,"x,y"\n'
    log.write_text("b,a,extra\n2,3,4\n")
    assert files.append_csv(log, ("a", "b"), [{"a": "5", "b": "6"}]) == 1
    assert log.read_text() == "b,a,extra\n2,3,4\n6,5,\n"
    assert files.lock_file(log).name == ".log.csv.lock"


def test_append_csv_calls_a_function_under_the_lock(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    assert files.append_csv(log, ("a",), list) == 0
    assert not log.exists()
    assert files.append_csv(log, ("a",), lambda: [{"a": "1"}]) == 1
    assert log.read_text() == "a\n1\n"


def test_append_csv_ends_a_whole_last_line_and_refuses_a_torn_one(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("a,b\n1,2")  # a hand edit: a whole record without its newline
    files.append_csv(log, ("a", "b"), [{"a": "3", "b": "4"}])
    assert log.read_text() == "a,b\n1,2\n3,4\n"
    log.write_text('a,b\n1,"unfinished')  # a torn write
    with pytest.raises(files.TableError, match="the last line is incomplete"):
        files.append_csv(log, ("a", "b"), [{"a": "3", "b": "4"}])
    assert log.read_text() == 'a,b\n1,"unfinished'


def test_append_csv_refuses_another_kind_of_file(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("x,y\n1,2\n")
    with pytest.raises(files.TableError) as caught:
        files.append_csv(log, ("a", "b"), [{"a": "3"}], kind="test log")
    assert str(caught.value) == f"{log}, row 1: not a test log; the header must be a,b (x,y)"


def test_rewrite_locked_sees_the_old_file_and_clears_stale_temporaries(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    stale = tmp_path / ".report.csv.abc123.tmp"
    stale.write_text("left by a killed writer")
    files.rewrite_locked(target, lambda old: b"1\n" if old is None else old + b"2\n")
    files.rewrite_locked(target, lambda old: b"1\n" if old is None else old + b"2\n")
    assert target.read_text() == "1\n2\n"
    assert not stale.exists()
