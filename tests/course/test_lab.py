from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from competency.course.lab import LabSettings, free_port, lab_command
from competency.errors import CompetencyError


def test_free_port_skips_a_port_in_use() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        port = free_port("127.0.0.1", taken, tries=20)
        assert port != taken
        assert taken < port < taken + 20


def test_free_port_gives_up_with_the_range_it_tried() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        with pytest.raises(CompetencyError, match=f"between {taken} and {taken}"):
            free_port("127.0.0.1", taken, tries=1)


def test_lab_command_points_jupyter_at_the_course(tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    argv = lab_command(LabSettings(tmp_path, course, port=9123, token="abc"))
    assert argv[:3] == [sys.executable, "-m", "jupyterlab"]
    assert "--ServerApp.ip=127.0.0.1" in argv
    assert "--ServerApp.port=9123" in argv
    assert "--ServerApp.port_retries=0" in argv
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in argv
    assert f"--CourseDirectory.root={course.resolve()}" in argv
    assert "--IdentityProvider.token=abc" in argv
    assert "--ServerApp.open_browser=False" in argv


def test_lab_command_refuses_a_folder_without_nbgrader_config(tmp_path: Path) -> None:
    with pytest.raises(CompetencyError, match="not an nbgrader course directory"):
        lab_command(LabSettings(tmp_path, tmp_path))
