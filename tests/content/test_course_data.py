"""The course's bundled data sets are exactly what their seeded scripts produce."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO


@pytest.mark.parametrize("script", ["make_module_data.py", "make_workforce_data.py"])
def test_committed_course_data_is_reproducible(script: str) -> None:
    done = subprocess.run([sys.executable, str(REPO / "course" / "tools" / script), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
