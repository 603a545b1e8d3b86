from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import termios
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from competency.course.lab import (
    LabSettings,
    course_modules,
    free_port,
    generate_releases,
    lab_command,
    lab_env,
    missing_releases,
    start_path,
)
from competency.errors import CompetencyError
from conftest import COURSE, make_cell, wait


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


# --------------------------------------------------------------------------- the learner's way in


def tiny_course(write_course: Callable[[dict[str, list[Any]]], Path]) -> Path:
    """A course of one module, with the repository's nbgrader configs (course and local)."""
    course = write_course({"01-tiny": [make_cell("x = 1")]})
    shutil.copy(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "local", course / "local",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return course


def test_modules_and_missing_releases(write_course: Callable[[dict[str, list[Any]]], Path]
                                      ) -> None:
    course = tiny_course(write_course)
    (course / "source" / "notes").mkdir()  # a folder without a notebook is no module
    assert course_modules(course) == ["01-tiny"]
    assert missing_releases(course) == ["01-tiny"]
    (course / "release" / "01-tiny").mkdir(parents=True)
    assert missing_releases(course) == []
    assert generate_releases(course, say=pytest.fail) == []  # never touches a release


def test_the_url_opens_the_learners_copies(tmp_path: Path) -> None:
    course = tmp_path / "course"
    settings = LabSettings(tmp_path, course)
    assert start_path(settings) == "lab"
    (course / "release").mkdir(parents=True)
    assert start_path(settings) == "lab/tree/course/release"
    assert start_path(LabSettings(tmp_path / "elsewhere", course)) == "lab"


def test_nbgrader_finds_the_local_config_and_exchange(
        write_course: Callable[[dict[str, list[Any]]], Path]) -> None:
    from traitlets.config.loader import PyFileConfigLoader

    course = tiny_course(write_course)
    env = lab_env(course)
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0] == str(course.resolve() / "local")
    config = PyFileConfigLoader("nbgrader_config.py", str(course / "local")).load_config()
    assert config.Exchange.root == str(course.resolve() / "exchange")
    assert config.CourseDirectory.root == str(course.resolve())
    assert config.CourseDirectory.course_id == "cultural-capability"
    assert config.ClearSolutions.code_stub == {"python": "...  # YOUR ANSWER HERE"}


def test_ctrl_c_stops_the_server_with_status_0(tmp_path: Path) -> None:
    # Ctrl-C as a terminal gives it: SIGINT unblocked, with its default handling,
    # whatever this test process inherited (a process that ignores or blocks SIGINT
    # passes that on to its children, and then nothing stops them)
    ready = ("import signal\nsignal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})\n"
             "signal.signal(signal.SIGINT, signal.default_int_handler)\n")
    script = (f"{ready}import sys\nfrom pathlib import Path\n"
              "from competency.course.lab import run_foreground\n"
              f"sys.exit(run_foreground([sys.executable, '-c', {ready + 'import time'!r} + "
              "'\\nprint(\"up\", flush=True)\\ntime.sleep(60)'], Path('.')))\n")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path,
                               stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert process.stdout is not None
    try:
        assert process.stdout.readline().strip() == "up"
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole group
        assert process.wait(timeout=wait(30)) == 0
        assert "JupyterLab stopped." in process.stdout.read()
    finally:  # never leave the group running into other tests
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()


@pytest.mark.nbgrader
def test_lab_starts_clean_from_a_terminal_and_ctrl_c_ends_it_with_0(
        write_course: Callable[[dict[str, list[Any]]], Path], tmp_path: Path) -> None:
    """``competency lab`` on a terminal, as ``make start`` runs it: fresh home, fresh course."""
    course = tiny_course(write_course)
    home = tmp_path / "home"
    home.mkdir()
    port = free_port("127.0.0.1", 19400)
    env = dict(os.environ, HOME=str(home), JUPYTER_PLATFORM_DIRS="1",
               PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]))
    env.pop("JUPYTER_CONFIG_PATH", None)
    master, slave = pty.openpty()

    def take_terminal() -> None:  # a session of its own with the pty as its terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [sys.executable, "-m", "competency.cli", "lab", "--root", str(tmp_path), "--course",
         str(course), "--port", str(port), "--no-open"],
        stdin=slave, stdout=slave, stderr=slave, env=env, cwd=tmp_path,
        start_new_session=True, preexec_fn=take_terminal)
    os.close(slave)
    log = b""

    def read_until(marker: bytes, seconds: float) -> None:
        nonlocal log
        end = time.monotonic() + seconds
        while marker not in log and time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                log += chunk

    def get(url: str) -> bytes:  # the server may print its URL just before it answers
        for _ in range(60):
            try:
                with urllib.request.urlopen(url, timeout=60) as reply:
                    body: bytes = reply.read()
                    return body
            except urllib.error.URLError:
                read_until(b"\x00", 0.5)
        raise AssertionError(f"no answer from {url}")

    try:
        read_until(b"is running at", 240)
        assert b"is running at" in log, log.decode(errors="replace")
        opened = re.search(rb"Open (http://[0-9.]+:[0-9]+)/\S*token=([0-9a-f]+)", log)
        assert opened is not None, log.decode(errors="replace")
        base, token = (group.decode() for group in opened.groups())
        url = f"{base}/assignments?course_id=cultural-capability&token={token}"
        assert json.loads(get(url))["success"] is True  # the Assignments tab works
        read_until(b"\x00", 1)
        os.write(master, b"\x03")  # Ctrl-C: Jupyter asks whether to stop
        read_until(b"(y/[n])", 10)
        os.write(master, b"\x03")  # Ctrl-C again: it stops
        assert process.wait(timeout=60) == 0
        read_until(b"JupyterLab stopped.", 5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    text = log.decode(errors="replace")
    assert (course / "release" / "01-tiny" / "01-tiny.ipynb").is_file()
    assert "/lab/tree/course/release?token=" in text
    assert (course / "exchange").is_dir()
    for bad in ("No nbgrader_config.py", "Unwritable", "/usr/local/share/nbgrader",
                "Traceback"):
        assert bad not in text, bad
    before_stop = text.split("Shut down this Jupyter server")[0]
    assert "[C " not in before_stop
    assert "[E " not in before_stop
