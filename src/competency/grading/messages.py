"""What the grading processes tell each other: typed messages on a JSON-lines wire.

Three hops, each one JSON document per line:

* parent -> warm worker: a :class:`Ticket` on the worker's stdin naming a job file,
  which holds the :class:`Job` (written by the parent, read by the supervisor);
* sandboxed child -> supervisor, on a pipe: :class:`Pid`, :class:`Isolation`,
  :class:`KernelInfo`, :class:`CellStarted`, :class:`CellDone`, :class:`NotebookEnd`,
  :class:`SetupFailed`, :class:`Crashed` (:data:`ChildMessage`);
* supervisor (through the worker's stdout) -> parent: :class:`JobDone`, holding one
  :class:`NotebookResult` per notebook, or :class:`JobFailed` (:data:`JobResult`).

The wire stays JSON, not pickle, on purpose: the child runs learners' code, which
can write anything to the pipe, and unpickling it in the supervisor would run that
code outside the sandbox. The decoders check every field and raise
:class:`ProtocolError` (a ``ValueError``) on anything malformed. The dataclasses are
frozen, module-level and hold only plain data, so they also pickle.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TypeAlias

from competency.grading.sandbox import Limits

JSON: TypeAlias = "str | int | float | bool | list[JSON] | dict[str, JSON] | None"
"""A JSON value."""
Output: TypeAlias = "dict[str, JSON]"
"""One nbformat output (``stream``, ``display_data``, ``execute_result``, ``error``)."""


class ProtocolError(ValueError):
    """A line on the wire is not a valid message."""


# ------------------------------------------------------------------- field checks


def _obj(value: JSON, what: str) -> dict[str, JSON]:
    if not isinstance(value, dict):
        raise ProtocolError(f"{what} is not an object")
    return value


def _int(value: JSON, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ProtocolError(f"{what} is not a number ({value!r:.40})")
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ProtocolError(f"{what} is not a number ({value!r:.40})") from exc


def _float(value: JSON, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"{what} is not a number ({value!r:.40})")
    return float(value)


def _list(value: JSON, what: str) -> list[JSON]:
    if not isinstance(value, list):
        raise ProtocolError(f"{what} is not a list")
    return value


def _load(line: bytes | str) -> dict[str, JSON]:
    try:
        raw: JSON = json.loads(line)
    except ValueError as exc:
        raise ProtocolError(f"not JSON: {exc}") from exc
    return _obj(raw, "the message")


def _dump(raw: Mapping[str, JSON]) -> bytes:
    return (json.JSONEncoder(allow_nan=False).encode(raw) + "\n").encode("ascii")


# ------------------------------------------------------------- parent -> worker


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to run: its name and its code cells."""

    name: str
    """Notebook name without ``.ipynb``."""
    cells: list[tuple[int, str]]
    """``(cell index, source)`` of each code cell to run, in order."""
    kernel: dict[str, JSON] | None = None
    """The kernelspec (``name``, ``argv``, ``env``, ``language``) of a notebook that runs in
    a real Jupyter kernel (:mod:`competency.grading.kernelrun`); None: the warm shell."""


@dataclass(frozen=True)
class Job:
    """One submission to run (sent to a worker as a JSON file)."""

    id: int
    """Unique within a grading run."""
    student: str
    """The learner's nbgrader id."""
    files: str
    """Folder whose files make the working copy (the autograded folder)."""
    notebooks: list[NotebookJob]
    """The notebooks, in grading order."""
    limits: Limits = field(default_factory=Limits)
    """Limits per notebook."""
    protect: list[str] = field(default_factory=list)
    """Paths the notebook must not read (course root, gradebook)."""
    uid: int | None = None
    """When run as root: the uid (and gid) the notebook runs as."""
    reaper: str = "auto"
    """How leftover processes are killed: ``auto``, ``cgroup``, ``pidns`` or ``subreaper``."""
    workroot: str = ""
    """Folder under which the private working copy is made."""

    def to_json(self) -> str:
        """The job as JSON."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Job:
        """Read :meth:`to_json` back (the file is the parent's, in a private folder)."""
        raw = json.loads(text)
        raw["limits"] = Limits(**raw["limits"])
        raw["notebooks"] = [NotebookJob(n["name"], [(int(i), str(s)) for i, s in n["cells"]],
                                        n.get("kernel"))
                            for n in raw["notebooks"]]
        return cls(**raw)


@dataclass(frozen=True)
class Ticket:
    """A line on a warm worker's stdin: run the job in ``path``."""

    job: int
    """The job's id."""
    path: str
    """The job file (:meth:`Job.to_json`)."""

    def encode(self) -> bytes:
        """``ID PATH`` and a newline."""
        return f"{self.job} {self.path}\n".encode()

    @classmethod
    def decode(cls, line: str) -> Ticket | None:
        """Read :meth:`encode` back; None for a blank or incomplete line."""
        job_id, _, path = line.strip().partition(" ")
        return cls(int(job_id), path) if path else None


# ---------------------------------------------------------- child -> supervisor


@dataclass(frozen=True)
class Pid:
    """The notebook runs as init of a PID namespace; its pid as the supervisor sees it."""

    pid: int
    """The pid to interrupt."""


@dataclass(frozen=True)
class Isolation:
    """The sandbox is in place; learner code runs next."""

    applied: tuple[str, ...]
    """What was applied, one phrase each (e.g. ``Landlock ABI 6``)."""


@dataclass(frozen=True)
class KernelInfo:
    """A real Jupyter kernel started (:mod:`competency.grading.kernelrun`) and described
    its language, as nbclient records it in the notebook under nbgrader."""

    language_info: dict[str, JSON]
    """The ``language_info`` of the kernel's ``kernel_info_reply``."""


@dataclass(frozen=True)
class CellStarted:
    """A cell started running."""

    cell: int
    """Its index in the notebook."""


@dataclass(frozen=True)
class CellDone:
    """A cell finished."""

    cell: int
    """Its index in the notebook."""
    outputs: tuple[Output, ...]
    """Its outputs, as a kernel would have sent them."""
    count: JSON
    """Its execution count (an int unless the child misbehaves; checked when applied)."""
    truncated: bool
    """Whether its output went over the limit and was cut."""


@dataclass(frozen=True)
class NotebookEnd:
    """The last cell finished."""


@dataclass(frozen=True)
class SetupFailed:
    """The sandbox could not be set up; no learner code ran."""

    reason: str
    """Why."""


@dataclass(frozen=True)
class Crashed:
    """The child failed outside learner code."""

    reason: str
    """``ExceptionName: message``."""


ChildMessage: TypeAlias = (
    "Pid | Isolation | KernelInfo | CellStarted | CellDone | NotebookEnd | SetupFailed "
    "| Crashed")
"""What a sandboxed child sends its supervisor."""

_TAGS: dict[type, str] = {Pid: "pid", Isolation: "isolation", KernelInfo: "kernel-info",
                          CellStarted: "start", CellDone: "done", NotebookEnd: "end",
                          SetupFailed: "setup-failed", Crashed: "crashed"}


def encode_child(message: ChildMessage) -> bytes:
    """One JSON line for the supervisor."""
    raw: dict[str, JSON] = {"t": _TAGS[type(message)]}
    if isinstance(message, Pid):
        raw["pid"] = message.pid
    elif isinstance(message, Isolation):
        raw["applied"] = list(message.applied)
    elif isinstance(message, KernelInfo):
        raw["language_info"] = message.language_info
    elif isinstance(message, CellStarted):
        raw["cell"] = message.cell
    elif isinstance(message, CellDone):
        raw.update({"cell": message.cell, "outputs": list(message.outputs),
                    "count": message.count, "truncated": message.truncated})
    elif isinstance(message, SetupFailed | Crashed):
        raw["reason"] = message.reason
    return _dump(raw)


def decode_child(line: bytes) -> ChildMessage | None:
    """A child's line as a message; None for a kind this supervisor does not know."""
    raw = _load(line)
    kind = raw.get("t")
    if kind == "start":
        return CellStarted(_int(raw.get("cell"), "cell"))
    if kind == "done":
        outputs = tuple(o for o in _list(raw.get("outputs", []), "outputs")
                        if isinstance(o, dict))
        return CellDone(_int(raw.get("cell"), "cell"), outputs, raw.get("count"),
                        bool(raw.get("truncated")))
    if kind == "isolation":
        return Isolation(tuple(str(a) for a in _list(raw.get("applied", []), "applied")))
    if kind == "pid":
        return Pid(_int(raw.get("pid"), "pid"))
    if kind == "kernel-info":
        return KernelInfo(_obj(raw.get("language_info"), "language_info"))
    if kind == "end":
        return NotebookEnd()
    if kind == "setup-failed":
        return SetupFailed(str(raw.get("reason", "")))
    if kind == "crashed":
        return Crashed(str(raw.get("reason", "")))
    return None


# ---------------------------------------------------------- supervisor -> parent


@dataclass(frozen=True)
class CellResult:
    """How one cell ran."""

    outputs: tuple[Output, ...]
    """Its outputs (a timeout error appended when it was interrupted)."""
    count: JSON
    """Its execution count as the child reported it."""
    state: str
    """``ran``, or ``timeout`` when it was interrupted."""


@dataclass(frozen=True)
class NotebookResult:
    """How one notebook ran in its sandbox."""

    name: str
    """Notebook name without ``.ipynb``."""
    cells: dict[int, CellResult]
    """The cells that finished, by index."""
    reason: str
    """Why the notebook failed (empty when it did not)."""
    isolation: tuple[str, ...]
    """What the sandbox applied."""
    reaper: str
    """How leftover processes were killed."""
    stopped_in: int | None
    """The cell running when the notebook was stopped (None when it ended)."""
    interrupted: tuple[int, ...]
    """Cells interrupted for going over the cell time limit."""
    setup: float | None
    """Seconds from fork to the sandbox being in place (None when it never was)."""
    cpu: float
    """CPU seconds used."""
    seconds: float
    """Wall seconds."""
    language_info: dict[str, JSON] | None = None
    """What the notebook's real Jupyter kernel reported of its language (as nbclient
    writes it to the notebook's metadata); None on the warm shell's fast path."""

    def to_wire(self) -> dict[str, JSON]:
        """As a JSON object."""
        return {"name": self.name,
                "cells": {str(k): {"outputs": list(c.outputs), "count": c.count,
                                   "state": c.state} for k, c in self.cells.items()},
                "reason": self.reason, "isolation": list(self.isolation),
                "reaper": self.reaper, "stopped_in": self.stopped_in,
                "interrupted": list(self.interrupted), "setup": self.setup, "cpu": self.cpu,
                "seconds": self.seconds, "language_info": self.language_info}

    @classmethod
    def from_wire(cls, raw: dict[str, JSON]) -> NotebookResult:
        """Read :meth:`to_wire` back."""
        cells = {}
        for key, value in _obj(raw.get("cells", {}), "cells").items():
            cell = _obj(value, f"cell {key}")
            cells[_int(key, "cell")] = CellResult(
                tuple(o for o in _list(cell.get("outputs", []), "outputs")
                      if isinstance(o, dict)), cell.get("count"), str(cell.get("state", "")))
        stopped, setup, info = raw.get("stopped_in"), raw.get("setup"), raw.get("language_info")
        return cls(str(raw.get("name", "")), cells, str(raw.get("reason", "")),
                   tuple(str(a) for a in _list(raw.get("isolation", []), "isolation")),
                   str(raw.get("reaper", "")),
                   None if stopped is None else _int(stopped, "stopped_in"),
                   tuple(_int(i, "interrupted") for i in _list(raw.get("interrupted", []),
                                                                "interrupted")),
                   None if setup is None else _float(setup, "setup"),
                   _float(raw.get("cpu", 0.0), "cpu"), _float(raw.get("seconds", 0.0),
                                                                "seconds"),
                   None if info is None else _obj(info, "language_info"))


@dataclass(frozen=True)
class JobDone:
    """A job ran: one result per notebook."""

    job: int
    """The job's id."""
    notebooks: tuple[NotebookResult, ...]
    """In grading order."""


@dataclass(frozen=True)
class JobFailed:
    """A job could not be run (supervisor error, worker died)."""

    job: int
    """The job's id."""
    error: str
    """Why."""


JobResult: TypeAlias = "JobDone | JobFailed"
"""What the parent gets back for a job."""


def encode_result(result: JobResult) -> bytes:
    """One JSON line for the parent."""
    if isinstance(result, JobFailed):
        return _dump({"job": result.job, "error": result.error})
    return _dump({"job": result.job, "notebooks": [nb.to_wire() for nb in result.notebooks]})


def decode_result(line: bytes) -> JobResult:
    """A worker's line as a job result."""
    raw = _load(line)
    job = _int(raw.get("job"), "job")
    if "error" in raw:
        return JobFailed(job, str(raw["error"]))
    return JobDone(job, tuple(NotebookResult.from_wire(_obj(nb, "notebook"))
                              for nb in _list(raw.get("notebooks", []), "notebooks")))

