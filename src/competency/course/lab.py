"""Start JupyterLab for the toolkit: the course and the notebooks, nbgrader enabled.

``competency lab`` runs ``jupyter lab`` on 127.0.0.1 with the repository (or
any folder holding ``course/`` and ``notebooks/``) as its root, nbgrader's
course directory set so that the formgrader and Validate work, and a fresh
token; it prints the URL to open and runs until Ctrl-C, which ends it with
exit status 0.

Learners start from their own copies: the release copies in
``course/release/<module>/``, made by nbgrader's ``generate_assignment`` from
the instructor copy in ``course/source/`` when they are missing (never
overwritten, so a learner's work stays). The URL opens JupyterLab's file
browser on ``course/release/``. The nbgrader server extensions read
``course/local/nbgrader_config.py`` (the course's config plus a local exchange
folder, ``course/exchange/``), so the log carries no warning about a missing
config or an unwritable system exchange.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from competency.errors import CompetencyError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8888
RELEASE = "release"
"""The learners' copies, under the course directory (nbgrader's release folder)."""
LOCAL_CONFIG = "local"
"""Folder under the course directory holding the local lab's ``nbgrader_config.py``."""
EXCHANGE = "exchange"
"""The local lab's nbgrader exchange folder, under the course directory."""


@dataclass(frozen=True)
class LabSettings:
    """How to start JupyterLab."""

    root: Path
    """Folder shown in JupyterLab's file browser (holds ``course/`` and ``notebooks/``)."""
    course: Path
    """The nbgrader course directory."""
    host: str = DEFAULT_HOST
    """Interface to listen on; loopback by default."""
    port: int = DEFAULT_PORT
    """Port to listen on (the next free one is used if it is taken)."""
    token: str = ""
    """Access token; a random one when empty."""
    open_browser: bool = False
    """Whether to ask the OS to open a browser."""


def free_port(host: str, start: int, tries: int = 50) -> int:
    """The first port from ``start`` that nothing listens on."""
    for port in range(start, start + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    raise CompetencyError(f"no free port on {host} between {start} and {start + tries - 1}")


def course_modules(course: Path) -> list[str]:
    """The modules of the course: folders of ``source/`` holding a notebook, sorted."""
    source = course / "source"
    if not source.is_dir():
        raise CompetencyError(f"{course}: no source/ folder; is this an nbgrader course "
                              "directory?")
    return sorted(p.name for p in source.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb")))


def missing_releases(course: Path) -> list[str]:
    """Modules whose release copy (``release/<module>/``) is not there yet."""
    return [m for m in course_modules(course) if not (course / RELEASE / m).is_dir()]


def nbgrader_env() -> dict[str, str]:
    """The environment nbgrader's commands need (this Python's bin first: it runs alembic)."""
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    return dict(os.environ, JUPYTER_PLATFORM_DIRS="1", PATH=path)


def generate_releases(course: Path, say: Callable[[str], None] = print) -> list[str]:
    """Make the missing release copies with nbgrader's ``generate_assignment``; their names.

    Existing release copies are never touched (a learner may be working in
    them). Runs nbgrader once for all modules when none is released yet.
    """
    missing = missing_releases(course)
    if not missing:
        return []
    say(f"Making the learners' copies in {course / RELEASE} with nbgrader "
        f"({len(missing)} module(s); first start only) ...")
    every = len(missing) == len(course_modules(course))
    for target in (["*"] if every else missing):
        done = subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", target],
            cwd=course, env=nbgrader_env(), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            lines = [ln for ln in (done.stderr or done.stdout).splitlines() if ln.strip()]
            last = lines[-1] if lines else f"exit status {done.returncode}"
            raise CompetencyError(f"{course}: nbgrader generate_assignment {target} failed "
                                  f"({last})")
    still = missing_releases(course)
    if still:
        raise CompetencyError(f"{course}: nbgrader made no release copy of "
                              f"{', '.join(still)}")
    return missing


def lab_env(course: Path) -> dict[str, str]:
    """The lab's environment: nbgrader's extensions find the local config and exchange."""
    env = dict(os.environ)
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    local = course.resolve() / LOCAL_CONFIG
    if (local / "nbgrader_config.py").is_file():
        extra = env.get("JUPYTER_CONFIG_PATH", "")
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(p for p in (str(local), extra) if p)
    return env


def start_path(settings: LabSettings) -> str:
    """Where the URL opens JupyterLab: the learners' copies when they are under the root."""
    release = (settings.course / RELEASE).resolve()
    try:
        relative = release.relative_to(settings.root.resolve())
    except ValueError:
        return "lab"
    return f"lab/tree/{relative.as_posix()}" if release.is_dir() else "lab"


def lab_command(settings: LabSettings) -> list[str]:
    """The ``jupyter lab`` command line for these settings."""
    if not (settings.course / "nbgrader_config.py").is_file():
        raise CompetencyError(f"{settings.course}: not an nbgrader course directory "
                              "(no nbgrader_config.py)")
    argv = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.ip={settings.host}",
        f"--ServerApp.port={settings.port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={settings.root.resolve()}",
        f"--IdentityProvider.token={settings.token}",
        f"--CourseDirectory.root={settings.course.resolve()}",
        "--ServerApp.open_browser=" + ("True" if settings.open_browser else "False"),
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    return argv


def serve(settings: LabSettings, preamble: str = "") -> int:
    """Run JupyterLab until Ctrl-C (after printing ``preamble``); returns its exit code.

    Makes the missing release copies first; Ctrl-C is a normal way to stop (0).
    """
    if preamble:
        print(preamble, flush=True)
    if not (settings.course / "nbgrader_config.py").is_file():
        raise CompetencyError(f"{settings.course}: not an nbgrader course directory "
                              "(no nbgrader_config.py)")
    generate_releases(settings.course, say=lambda line: print(line, flush=True))
    (settings.course / EXCHANGE).mkdir(exist_ok=True)
    port = free_port(settings.host, settings.port)
    token = settings.token or secrets.token_hex(16)
    final = LabSettings(settings.root, settings.course, settings.host, port, token,
                        settings.open_browser)
    argv = lab_command(final)
    url = f"http://{final.host}:{port}/{start_path(final)}?token={token}"
    release = (final.course / RELEASE).resolve()
    print(f"Cultural Capability Toolkit: JupyterLab is starting.\n\n    Open {url}\n\n"
          f"Learners: your copies are in {release} (start with START-HERE.md).\n"
          f"Trainers: {(final.course / 'source').resolve()} is the instructor copy, with "
          "the answers.\nPress Ctrl-C to stop (twice to skip Jupyter's question).", flush=True)
    return run_foreground(argv, final.root, lab_env(final.course))


def _terminal() -> int | None:
    """stdin's terminal when this process is in its foreground group, else None."""
    try:
        fd = sys.stdin.fileno()
        if os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp():
            return fd
    except (AttributeError, OSError, ValueError):
        pass
    return None


def _hand_terminal(fd: int, group: int) -> None:
    """Make ``group`` the terminal's foreground process group (it gets Ctrl-C)."""
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(fd, group)
    except OSError:
        pass
    finally:
        signal.signal(signal.SIGTTOU, previous)


def run_foreground(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> int:
    """Run a Jupyter server until it exits or Ctrl-C stops it.

    Returns the server's exit code, or 0 when Ctrl-C stopped it (stopping is
    not a failure). On a terminal the server gets a process group of its own
    and the terminal's Ctrl-C, so that what started this command (``make
    start``) sees no interrupt and ends with the server's own status, 0.
    """
    if env is None:
        env = dict(os.environ)
        env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    terminal = _terminal() if hasattr(os, "tcsetpgrp") else None
    if terminal is None:
        process = subprocess.Popen(argv, cwd=cwd, env=env)
    else:
        process = subprocess.Popen(argv, cwd=cwd, env=env, process_group=0)
        _hand_terminal(terminal, process.pid)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        code = 0
    finally:
        if terminal is not None:
            _hand_terminal(terminal, os.getpgrp())
    print("JupyterLab stopped.", flush=True)
    return code
