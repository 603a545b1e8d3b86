"""The nbgrader internals competency relies on are checked, and named when they change."""

from __future__ import annotations

import json
import re
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbgrader.converters.base import BaseConverter
from nbgrader.preprocessors import ClearHiddenTests, saveautogrades

from competency.errors import GradingError
from competency.grading import nbgraderhooks
from competency.grading.feedback import feedback
from competency.grading.nbgraderhooks import (
    CHECKED_VERSION,
    HOOKS,
    Grader,
    check_hooks,
    describe,
    summarise,
)

INSTALLED = version("nbgrader")


def test_the_installed_nbgrader_has_every_hook() -> None:
    assert nbgraderhooks.hook_problems() == []
    check_hooks()


def test_the_hooks_are_listed_once_with_a_reason() -> None:
    names = [(h.module, h.attribute) for h in HOOKS]
    assert len(names) == len(set(names))
    assert all(h.why for h in HOOKS)
    assert CHECKED_VERSION == "0.9.6"
    assert ("nbgrader.converters.base", "BaseConverter._format_dest") in names
    assert ("nbgrader.converters.autograde", "Autograde._init_preprocessors") in names
    assert sum(h.attribute == "Gradebook" for h in HOOKS) == 5


def test_a_missing_name_is_named_with_the_installed_version(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(BaseConverter, "_format_dest")
    with pytest.raises(GradingError) as info:
        check_hooks()
    message = str(info.value)
    assert f"nbgrader {INSTALLED} is not compatible" in message
    assert f"checked against nbgrader {CHECKED_VERSION}" in message
    assert "nbgrader.converters.base.BaseConverter._format_dest is missing" in message


def test_a_module_without_gradebook_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(saveautogrades, "Gradebook")
    with pytest.raises(GradingError, match=re.escape(
            "nbgrader.preprocessors.saveautogrades.Gradebook is missing")):
        check_hooks()


def test_a_changed_signature_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def changed(self: ClearHiddenTests, cell: object, strict: bool) -> bool:
        return False

    monkeypatch.setattr(ClearHiddenTests, "_remove_hidden_test_region", changed)
    with pytest.raises(GradingError) as info:
        check_hooks()
    assert ("nbgrader.preprocessors.clearhiddentests.ClearHiddenTests."
            "_remove_hidden_test_region takes (self, cell, strict), not (self, cell)"
            ) in str(info.value)


def test_grading_and_feedback_check_the_hooks_first(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    monkeypatch.delattr(BaseConverter, "_format_source")
    with pytest.raises(GradingError, match=r"BaseConverter\._format_source is missing"), \
            Grader.open(tmp_path, "m", force=False):
        pass
    with pytest.raises(GradingError, match=r"BaseConverter\._format_source is missing"):
        feedback("m", tmp_path)


def test_the_former_module_path_still_resolves() -> None:
    import importlib

    assert importlib.import_module("competency.nbgraderglue") is nbgraderhooks


def test_describe_gives_one_line() -> None:
    assert describe(ValueError("bad value\nmore detail")) == "ValueError: bad value"
    assert describe(json.JSONDecodeError("x", "{", 0)) == (
        "the notebook is not valid JSON (truncated or damaged)")
    assert len(describe(RuntimeError("x" * 1000))) == 300


def test_summarise_counts_restored_locked_cells_once() -> None:
    notes = ["Attribute 'checksum' for cell a has changed!",
             "Attribute 'checksum' for cell b has changed!",
             "Removing existing submission", "Updating existing notebook",
             "cell x has no id", "cell x has no id"]
    assert summarise(notes) == ("2 locked cell(s) restored from the gradebook",
                                "cell x has no id")
    assert summarise([]) == ()


def _kernel_notebook(name: str | None) -> Any:
    nb = nbformat.v4.new_notebook()
    if name is not None:
        nb.metadata.kernelspec = {"name": name, "display_name": name, "language": "python"}
    return nb


def test_kernels_resolve_as_nbclient_and_other_kernels_get_their_spec(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_client.kernelspec import NoSuchKernel

    spec = tmp_path / "kernels" / "other-python"
    spec.mkdir(parents=True)
    spec.joinpath("kernel.json").write_text(json.dumps({
        "argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Another Python", "language": "python", "env": {"MARK": "other"}}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    for name in (None, "", "python", "python3"):
        assert nbgraderhooks.kernel_name(_kernel_notebook(name)) == "python3"
        assert nbgraderhooks.kernel_for(_kernel_notebook(name)) is None
    with pytest.raises(NoSuchKernel, match="No such kernel named blarg"):
        nbgraderhooks.kernel_for(_kernel_notebook("blarg"))
    assert nbgraderhooks.kernel_for(_kernel_notebook("other-python")) == {
        "name": "other-python", "language": "python", "env": {"MARK": "other"},
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]}


IMPORT_CHECK = """
import sys
from competency.grading.nbgraderhooks import _DEFERRED, import_nbgrader
import_nbgrader()
left = sorted(m for m in _DEFERRED if m in sys.modules)
server = "jupyter_server" in sys.modules
import nbgrader, nbgrader.utils
from nbgrader.api import Gradebook
from nbgrader.apps.autogradeapp import AutogradeApp
import jsonschema
iri = jsonschema.FormatChecker().conforms("http://a.b/c d", "iri")
import nbgrader.server_extensions.formgrader as real
from nbconvert.exporters import html
soup = html.BeautifulSoup("<p>x</p>", features="html.parser").p.text
print(left, server, iri, nbgrader.utils.unpack_zipfile.__name__,
      type(real).__name__, callable(nbgrader.load_formgrader), soup)
"""


def test_nbgrader_is_imported_without_what_grading_never_calls() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", IMPORT_CHECK], capture_output=True, text=True,
                          check=True)
    # none of the stood-in modules was loaded; used later, each is the real one
    assert done.stdout.split() == ["[]", "False", "False", "unpack_zipfile", "module", "True",
                                   "x"]
