"""The typed messages between the grading processes: JSON on the wire, and picklable."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from competency.grading.messages import (
    CellDone,
    CellResult,
    CellStarted,
    ChildMessage,
    Crashed,
    Isolation,
    Job,
    JobDone,
    JobFailed,
    KernelInfo,
    NotebookEnd,
    NotebookJob,
    NotebookResult,
    Pid,
    ProtocolError,
    SetupFailed,
    Ticket,
    decode_child,
    decode_result,
    encode_child,
    encode_result,
)
from competency.grading.sandbox import Limits

STREAM = {"output_type": "stream", "name": "stdout", "text": "hi\n"}
RESULT = NotebookResult(
    name="nb", cells={0: CellResult((STREAM,), 1, "ran"), 2: CellResult((), None, "timeout")},
    reason="cell 2 interrupted after 2 s", isolation=("Landlock ABI 6", "uid 1000000007"),
    reaper="cgroup", stopped_in=None, interrupted=(2,), setup=0.012, cpu=0.5, seconds=2.25)
LANGUAGE = {"name": "R", "version": "4.3.1", "mimetype": "text/x-r-source",
            "codemirror_mode": {"name": "r"}, "file_extension": ".r"}
CHILD: list[ChildMessage] = [
    Pid(42), Isolation(("Landlock ABI 6",)), KernelInfo(LANGUAGE), CellStarted(3),
    CellDone(3, (STREAM, {"output_type": "execute_result", "data": {"text/plain": "42"},
                          "metadata": {}, "execution_count": 2}), 2, False),
    NotebookEnd(), SetupFailed("no cgroup"), Crashed("MemoryError: ")]


@pytest.mark.parametrize("message", CHILD, ids=lambda m: type(m).__name__)
def test_child_messages_round_trip(message: ChildMessage) -> None:
    line = encode_child(message)
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    assert decode_child(line) == message
    assert pickle.loads(pickle.dumps(message)) == message


@pytest.mark.parametrize("result", [JobDone(7, (RESULT,)), JobDone(8, ()),
                                    JobDone(10, (dataclasses.replace(RESULT,
                                                                     language_info=LANGUAGE),)),
                                    JobFailed(9, "the grading worker died")])
def test_job_results_round_trip(result: JobDone | JobFailed) -> None:
    assert decode_result(encode_result(result)) == result
    assert pickle.loads(pickle.dumps(result)) == result


def test_jobs_and_tickets_round_trip() -> None:
    job = Job(id=3, student="s1", files="/x", notebooks=[NotebookJob("nb", [(0, "1 + 1")])],
              limits=Limits(cell_timeout=2), protect=["/course"], uid=5, reaper="pidns",
              workroot="/w")
    assert Job.from_json(job.to_json()) == job
    assert pickle.loads(pickle.dumps(job)) == job
    ticket = Ticket(3, "/run/jobs/3.json")
    assert Ticket.decode(ticket.encode().decode()) == ticket
    assert Ticket.decode("\n") is None


@pytest.mark.parametrize("line", [b"not json", b"[1]", b'{"t": "start"}',
                                  b'{"t": "done", "cell": "x", "outputs": []}',
                                  b'{"t": "done", "cell": 1, "outputs": {}}',
                                  b'{"t": "pid", "pid": true}',
                                  b'{"t": "kernel-info", "language_info": "R"}'])
def test_malformed_child_lines_are_protocol_errors(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_child(line)


def test_unknown_kinds_are_ignored_and_stray_outputs_dropped() -> None:
    assert decode_child(b'{"t": "hello"}') is None
    done = decode_child(b'{"t": "done", "cell": 1, "outputs": [1, "x", {"a": 1}]}')
    assert done == CellDone(1, ({"a": 1},), None, False)


def test_malformed_results_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError):
        decode_result(b'{"notebooks": []}')
    with pytest.raises(ProtocolError):
        decode_result(b'{"job": 1, "notebooks": [{"cells": {"0": 3}}]}')
    with pytest.raises(ProtocolError):
        decode_result(b'{"job": 1, "notebooks": [{"language_info": []}]}')
