from __future__ import annotations

import math

from competency.grading.shellrun import Capture, clean


def test_clean_makes_plain_json() -> None:
    assert clean({"a": (1, b"\x00\x01", math.inf), 2: None, "o": object}) == {
        "a": [1, "AAE=", "inf"], "2": None, "o": repr(object)}


def test_capture_joins_streams_and_caps_the_output() -> None:
    capture = Capture(10)
    capture.stream("stdout", "hello ")
    capture.stream("stdout", "world, and more")
    capture.stream("stdout", "dropped")
    outputs = capture.finished()
    assert outputs[0] == {"output_type": "stream", "name": "stdout", "text": "hello worl"}
    assert "output truncated by the grader" in outputs[1]["text"]
    assert len(outputs) == 2


def test_capture_displays_updates_clears_and_errors() -> None:
    capture = Capture(1000)
    capture.display({"text/plain": "1"}, None, {"display_id": "d"})
    capture.display({"text/plain": "2"}, None, {"display_id": "d"}, update=True)
    assert [o["data"] for o in capture.outputs] == [{"text/plain": "2"}]
    capture.clear(wait=True)
    assert len(capture.outputs) == 1  # cleared only when the next output comes
    capture.result({"text/plain": "3"}, None, 7)
    capture.error("ZeroDivisionError", "division by zero", ["tb"])
    assert capture.has_error
    outputs = capture.finished()
    assert [o["output_type"] for o in outputs] == ["execute_result", "error"]
    assert "transient" not in outputs[0]
    capture.reset()
    assert capture.outputs == []
    assert not capture.has_error
