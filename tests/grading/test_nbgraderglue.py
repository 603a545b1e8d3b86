from __future__ import annotations

import json

from competency.grading.nbgraderglue import describe, summarise


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
