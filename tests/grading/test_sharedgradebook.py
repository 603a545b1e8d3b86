from __future__ import annotations

from pathlib import Path

import pytest

from competency.errors import GradingError
from competency.grading.nbgraderhooks import shared_gradebook


def test_nbgrader_steps_share_one_gradebook_until_the_end(tmp_path: Path) -> None:
    import nbgrader.converters.autograde as autograde

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    original = autograde.Gradebook
    with shared_gradebook(url) as real:
        borrowed = autograde.Gradebook(url)
        assert borrowed.add_student("s1") is not None
        real.db.commit()  # deferred: a flush inside the shared transaction
        assert [s.id for s in borrowed.students] == ["s1"]
        with pytest.raises(GradingError, match="another gradebook"):
            autograde.Gradebook(f"sqlite:///{tmp_path / 'other.db'}")
        real.session.commit()
    assert autograde.Gradebook is original
    from nbgrader.api import Gradebook

    with Gradebook(url) as check:
        assert [s.id for s in check.students] == ["s1"]
