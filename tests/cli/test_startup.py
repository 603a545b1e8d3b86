"""Start-up: the light commands and ``import competency.exercises`` load no heavy library.

Each case runs in a fresh interpreter (``sys.modules`` of this test process already holds
everything), through a tiny wrapper that runs the CLI and prints the heavy modules loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

HEAVY = ("sqlalchemy", "duckdb", "pyarrow", "openpyxl", "docx", "matplotlib")
SAMPLE_ROLES = REPO / "src" / "competency" / "data" / "sample-org" / "roles.csv"
WRAPPER = """
import contextlib, io, json, sys
heavy = {heavy!r}
code = 0
if sys.argv[1:] == ["--import", "competency.exercises"]:
    import competency.exercises
else:
    from competency.cli import main
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(sys.argv[1:])
print(json.dumps({{"code": code, "loaded": [m for m in heavy if m in sys.modules]}}))
"""


def loaded(*args: str | Path) -> tuple[int, list[str]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([sys.executable, "-c", WRAPPER.format(heavy=HEAVY),
                           *map(str, args)], capture_output=True, text=True, check=True,
                          env=env, timeout=120)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["code"], result["loaded"]


@pytest.mark.parametrize("args", [
    ("--help",),
    ("version",),
    ("framework", "show"),
    ("roles", "validate", SAMPLE_ROLES),
    ("--import", "competency.exercises"),
], ids=["help", "version", "framework-show", "roles-validate", "import-exercises"])
def test_light_commands_load_no_heavy_library(args: tuple[str | Path, ...]) -> None:
    code, heavy = loaded(*args)
    assert (code, heavy) == (0, [])
