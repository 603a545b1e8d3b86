from __future__ import annotations

import pickle

import pytest

from competency.errors import AnswerError, CompetencyError, FrameworkError, InputFileError


def test_input_file_error_names_file_row_and_value() -> None:
    error = InputFileError("roles.csv", "unknown competency", row=3, value="LAW-9")
    assert str(error) == "roles.csv, row 3: unknown competency (LAW-9)"


def test_input_file_error_with_line_and_no_value() -> None:
    error = FrameworkError("fw.yaml", "missing 'name'", line=7)
    assert str(error) == "fw.yaml, line 7: missing 'name'"
    assert isinstance(error, CompetencyError)


def test_input_file_errors_survive_pickling() -> None:
    error = FrameworkError("fw.yaml", "duplicate key", line=2, value="id")
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is FrameworkError
    assert str(clone) == str(error)


def test_answer_error_renders_as_one_friendly_line() -> None:
    error = AnswerError("'rase' is not an option for q5.")
    assert error._render_traceback_() == ["Not yet: 'rase' is not an option for q5."]
    with pytest.raises(ValueError, match="not an option"):
        raise error
