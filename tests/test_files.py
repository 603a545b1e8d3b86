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
