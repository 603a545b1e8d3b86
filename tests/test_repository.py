"""Checks on what is committed: notebooks without outputs, the README's two commands."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import REPO


def committed_notebooks() -> list[Path]:
    done = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=REPO, capture_output=True,
                          text=True, check=False)
    listed = [REPO / p for p in done.stdout.split()] if done.returncode == 0 else []
    found = [p for p in REPO.glob("**/*.ipynb")
             if ".venv" not in p.parts and ".ipynb_checkpoints" not in p.parts
             and not {"release", "submitted", "autograded", "feedback"} & set(p.parts)]
    return sorted(set(listed) | set(found))


def test_there_are_notebooks() -> None:
    assert any(p.parts[-3] == "source" for p in committed_notebooks())


@pytest.mark.parametrize("path", committed_notebooks(), ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_has_no_outputs_or_execution_counts(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert dirty == [], f"cells with outputs or execution counts: {dirty}"


def test_readme_first_section_has_the_two_commands() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    first = text.split("\n## ", 2)[1]
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", first, flags=re.S)
    commands = [line for block in blocks for line in block.splitlines()
                if line.strip() and not line.startswith("#")]
    assert commands == ["make start", "make test"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


SHARED_READERS = {"dates.py", "yamllines.py", "tables.py", "arrowtables.py"}
"""The only modules of src/competency that may call the parsers they wrap."""
BANNED_CALLS = re.compile(r"\.(strptime|fromisoformat|safe_load|load_all|compose|full_load)\(|"
                          r"\byaml\.load\(|\bread_(csv|excel)\(")
"""Parsers that ruff's banned-api rule (TID251) cannot see when called on an instance or
an alias of a class (``day.fromisoformat(...)``, ``type(x).strptime(...)``)."""


def test_inputs_are_read_only_through_the_shared_readers() -> None:
    src = REPO / "src" / "competency"
    found = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
             for path in sorted(src.rglob("*.py")) if path.name not in SHARED_READERS
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if BANNED_CALLS.search(line) and not line.lstrip().startswith("#")]
    assert found == []


def test_every_module_has_a_test_file_of_its_own() -> None:
    """tests/ mirrors src/: a module M of area A is tested in tests/A/test_M.py (or
    test_A_M.py, test_cli_M.py for the CLI, when the plain name is taken elsewhere)."""
    src = REPO / "src" / "competency"
    names = {p.name for p in (REPO / "tests").rglob("test_*.py")}
    missing = []
    for module in sorted(src.rglob("*.py")):
        rel = module.relative_to(src)
        if module.name in ("__init__.py", "__main__.py") or "migrations" in rel.parts:
            continue
        area = rel.parts[0] if len(rel.parts) > 1 else ""
        stem = module.stem.lstrip("_")
        if not {f"test_{stem}.py", f"test_{area}_{stem}.py", f"test_cli_{stem}.py"} & names:
            missing.append(str(rel))
    assert missing == []
