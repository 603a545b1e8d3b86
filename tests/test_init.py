"""The package facade: old module paths, lazy public names, and a light learner import."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import competency
from conftest import REPO

BACK_OFFICE = ("sqlalchemy", "duckdb", "pyarrow", "openpyxl", "docx")
"""Libraries a learner's notebook must not pay for."""


def _notebook_imports() -> set[tuple[str, str | None]]:
    """(module, name) for every ``competency`` import in the repository's notebooks."""
    found: set[tuple[str, str | None]] = set()
    paths = [*REPO.glob("course/source/**/*.ipynb"), *REPO.glob("notebooks/**/*.ipynb")]
    assert paths
    for path in paths:
        cells = json.loads(path.read_text("utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            try:
                tree = ast.parse(source)
            except SyntaxError:  # IPython magics: not Python
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                        "competency"):
                    found.update((str(node.module), a.name) for a in node.names)
                elif isinstance(node, ast.Import):
                    found.update((a.name, None) for a in node.names
                                 if a.name.startswith("competency"))
    return found


NOTEBOOK_IMPORTS = sorted(_notebook_imports(), key=str)


def test_the_notebooks_import_something_from_competency() -> None:
    modules = {m for m, _ in NOTEBOOK_IMPORTS}
    assert "competency.exercises" in modules
    assert "competency.widgets" in modules


@pytest.mark.parametrize(("module", "name"), NOTEBOOK_IMPORTS, ids=str)
def test_every_import_a_notebook_makes_still_works(module: str, name: str | None) -> None:
    imported = importlib.import_module(module)
    if name is not None:
        assert hasattr(imported, name), f"{module} has no {name}"


@pytest.mark.parametrize("old", sorted(competency.MOVED_MODULES))
def test_a_moved_module_is_the_same_module_under_its_old_name(old: str) -> None:
    before = importlib.import_module(f"competency.{old}")
    after = importlib.import_module(competency.MOVED_MODULES[old])
    assert before is after
    assert getattr(competency, old) is after


def test_old_paths_work_in_a_fresh_interpreter() -> None:
    code = ("from competency.exercises import answer, check\n"
            "from competency.widgets import practice\n"
            "import competency.roles as roles\n"
            "from competency.reports import make_report\n"
            "print(answer.__module__, practice.__module__, roles.__name__, "
            "make_report.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["competency.course.exercises", "competency.course.widgets",
                   "competency.hr.roles", "competency.coverage.reports"]


def test_the_directorys_former_module_path_does_not_take_its_functions_name() -> None:
    """``competency.directory.organisations`` was the entries module for a while and is
    still importable as it (``from ... import``, ``importlib``); as a name of the package
    it is the function ``organisations()`` (the former flat module's), however it is
    reached and whichever comes first."""
    code = ("import importlib\n"
            "from competency.directory.organisations import Organisation, search\n"
            "import competency.directory.organisations as by_import\n"
            "import competency.directory as package\n"
            "from competency.directory import organisations\n"
            "old = importlib.import_module('competency.directory.organisations')\n"
            "print(by_import is organisations is package.organisations, "
            "organisations.__module__, old is package.entries, search is old.search, "
            "Organisation.__module__, old.__spec__.name)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "competency.directory.entries", "True", "True",
                   "competency.directory.entries", "competency.directory.entries"]


def test_a_moved_module_keeps_its_own_spec() -> None:
    """The import system gives a module loaded under a former path that path's spec;
    the module gets its own back, so ``importlib.reload`` works on it."""
    moved = importlib.import_module("competency.exercises")
    assert moved.__spec__ is not None
    assert moved.__spec__.name == "competency.course.exercises"
    assert importlib.reload(moved) is importlib.import_module("competency.course.exercises")


@pytest.mark.parametrize("name", sorted(set(competency.__all__) - {"__version__"}))
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(competency, name)
    assert getattr(value, "__name__", name) == name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nonsense'"):
        competency.nonsense  # noqa: B018


def test_importing_the_learner_helpers_loads_no_back_office_library() -> None:
    code = ("import sys\nimport competency\nfrom competency.exercises import answer, check\n"
            "from competency.widgets import practice\n"
            f"print([m for m in {BACK_OFFICE!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_the_facade_lists_no_area_module_at_import() -> None:
    code = ("import sys\nimport competency\n"
            "print(sorted(m for m in sys.modules if m.startswith('competency.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_the_package_data_is_where_the_modules_look() -> None:
    root = Path(competency.__file__).parent
    assert (root / "data" / "framework.yaml").is_file()
    assert (root / "data" / "sample-org" / "competency.toml").is_file()
