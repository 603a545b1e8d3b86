"""Start JupyterLab for the toolkit: the course and the notebooks, nbgrader enabled.

``competency lab`` runs ``jupyter lab`` on 127.0.0.1 with the repository (or
any folder holding ``course/`` and ``notebooks/``) as its root, nbgrader's
course directory set so that the formgrader and Validate work, and a fresh
token; it prints the URL to open and runs until Ctrl-C.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from competency.errors import CompetencyError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8888


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
    """Run JupyterLab until Ctrl-C (after printing ``preamble``); returns its exit code."""
    if preamble:
        print(preamble, flush=True)
    port = free_port(settings.host, settings.port)
    token = settings.token or secrets.token_hex(16)
    final = LabSettings(settings.root, settings.course, settings.host, port, token,
                        settings.open_browser)
    argv = lab_command(final)
    url = f"http://{final.host}:{port}/lab?token={token}"
    print(f"Cultural Capability Toolkit: JupyterLab is starting.\n\n    Open {url}\n\n"
          f"Course: {final.course.resolve()}  (press Ctrl-C to stop)", flush=True)
    return run_foreground(argv, final.root)


def run_foreground(argv: list[str], cwd: Path) -> int:
    """Run a Jupyter server until it exits or Ctrl-C stops it; returns its exit code."""
    env = dict(os.environ)
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    process = subprocess.Popen(argv, cwd=cwd, env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            return process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()
