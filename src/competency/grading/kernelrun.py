"""The slow path: a notebook for another kernel, run in a real Jupyter kernel of that name.

The warm workers run notebooks of the native Python kernel in-process
(:mod:`competency.grading.shellrun`). A notebook whose kernelspec names another
installed kernel (R, Julia, a second Python environment) runs, as under nbgrader, in
a kernel started from that kernelspec. It is started *inside* the sandboxed child
(after :func:`competency.grading.sandbox.isolate`), so it gets the same working copy,
uid, namespaces, Landlock rules, rlimits and reaping; it talks to the child over
ZeroMQ ``ipc`` sockets in the working copy (TCP is closed by Landlock). Once the
kernel answers, the child asks for its ``kernel_info`` and sends its ``language_info``
(:class:`KernelInfo`), which the autograded notebook records, as nbclient does under
nbgrader. The child reports cells as the fast path does (:class:`CellStarted`,
:class:`CellDone`), so the supervisor's time limits apply unchanged: on a cell's time
limit the supervisor interrupts the child, which interrupts the kernel.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from competency.grading.messages import (
    JSON,
    CellDone,
    CellStarted,
    ChildMessage,
    KernelInfo,
    NotebookEnd,
    Output,
)

STARTUP_SECONDS = 60.0
"""How long a kernel may take to start and answer."""
IOPUB_GRACE_SECONDS = 4.0
"""How long a cell's outputs may still come after the kernel's reply to it (as nbclient's
``iopub_timeout``): the end of a cell is the kernel's "idle" status on the iopub
channel, and if that message is lost (ZeroMQ drops iopub messages when a subscriber
falls behind) the cell ends this long after the reply instead of never."""


class KernelDied(RuntimeError):
    """The kernel did not start, did not describe its language, or died while a cell ran."""


def _output(msg: Mapping[str, Any]) -> Output | None:
    kind = msg["header"]["msg_type"]
    content = msg["content"]
    if kind == "stream":
        return {"output_type": "stream", "name": str(content.get("name", "stdout")),
                "text": str(content.get("text", ""))}
    if kind in ("display_data", "execute_result"):
        out: Output = {"output_type": kind, "data": content.get("data", {}),
                       "metadata": content.get("metadata", {})}
        if kind == "execute_result":
            out["execution_count"] = content.get("execution_count")
        return out
    if kind == "error":
        return {"output_type": "error", "ename": str(content.get("ename", "")),
                "evalue": str(content.get("evalue", "")),
                "traceback": [str(x) for x in content.get("traceback", [])]}
    return None


def _append(outputs: list[Output], out: Output, limit: int, size: list[int]) -> bool:
    """Add ``out`` (streams merged, as nbclient does); False once over the output limit."""
    text = str(out.get("text", "")) if out["output_type"] == "stream" else ""
    size[0] += len(text) if text else len(str(out.get("data", out.get("traceback", ""))))
    if size[0] > limit:
        return False
    last = outputs[-1] if outputs else None
    if text and last is not None and last["output_type"] == "stream" \
            and last.get("name") == out.get("name"):
        last["text"] = str(last["text"]) + text
    else:
        outputs.append(out)
    return True


def run_cells(kernel: Mapping[str, JSON], cells: list[tuple[int, str]], workdir: Path,
              emit: Callable[[ChildMessage], None], output_limit: int) -> None:
    """Start the kernel described by ``kernel`` in ``workdir`` and run ``cells`` in it.

    ``kernel`` holds the kernelspec the parent resolved: ``name``, ``argv``, ``env``,
    ``language``. Raises :class:`KernelDied` when the kernel does not start or dies.
    """
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import KernelManager

    argv = kernel.get("argv")
    env = kernel.get("env")
    spec = KernelSpec(argv=[str(a) for a in argv] if isinstance(argv, list) else [],
                      env={str(k): str(v) for k, v in env.items()}
                      if isinstance(env, dict) else {},
                      display_name=str(kernel.get("name", "")),
                      language=str(kernel.get("language", "")),
                      resource_dir=str(workdir))
    # the kernel's own files (sockets, connection file, IPython profile) in a folder of
    # the working copy that is removed before the notebook's files are brought back
    private = workdir / f".competency-kernel-{os.getpid()}"
    private.mkdir(mode=0o700)
    spec.env.setdefault("IPYTHONDIR", str(private / "ipython"))
    manager = KernelManager(kernel_name=str(kernel.get("name", "")), transport="ipc",
                            ip=str(private / "kernel"))
    manager._kernel_spec = spec  # resolved by the parent (the sandbox cannot read JUPYTER_PATH)
    manager.connection_file = str(private / "kernel.json")
    extra = ["--HistoryManager.hist_file=:memory:"] if spec.language == "python" else []
    try:
        try:
            manager.start_kernel(cwd=str(workdir), extra_arguments=extra)
        except Exception as exc:
            raise KernelDied(f"kernel {kernel.get('name')} did not start: {exc}") from exc
        _run(manager, kernel, cells, emit, output_limit)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _run(manager: Any, kernel: Mapping[str, JSON], cells: list[tuple[int, str]],
         emit: Callable[[ChildMessage], None], output_limit: int) -> None:
    client = manager.client()
    client.start_channels()
    try:
        try:
            client.wait_for_ready(timeout=STARTUP_SECONDS)
        except RuntimeError as exc:
            raise KernelDied(f"kernel {kernel.get('name')} did not start: {exc}") from exc
        emit(KernelInfo(_language_info(client, str(kernel.get("name", "")))))
        for index, source in cells:
            emit(CellStarted(index))
            outputs, count, truncated = _run_cell(manager, client, source, output_limit)
            emit(CellDone(index, tuple(outputs), count, truncated))
        emit(NotebookEnd())
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        manager.cleanup_resources()


def _language_info(client: Any, name: str) -> dict[str, JSON]:
    """The ``language_info`` of the kernel's ``kernel_info_reply``, which nbclient writes
    to the notebook's metadata (and without which it stops, as this does)."""
    msg_id = client.kernel_info()
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            reply = client.get_shell_msg(timeout=1.0)
        except Exception:  # queue.Empty
            continue
        if reply.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        info = reply["content"].get("language_info")
        if not isinstance(info, dict):
            raise KernelDied(f"kernel {name} sent no language_info in its kernel_info reply")
        return info
    raise KernelDied(f"kernel {name} did not answer kernel_info in {STARTUP_SECONDS:g} s")


def _poll_reply(client: Any, msg_id: str) -> dict[str, Any] | None:
    """The kernel's reply to ``msg_id`` if it is waiting on the shell channel (others
    there are dropped), else None; never blocks."""
    while True:
        try:
            reply = client.get_shell_msg(timeout=0)
        except Exception:  # queue.Empty
            return None
        if reply.get("parent_header", {}).get("msg_id") == msg_id:
            return dict(reply)


def _run_cell(manager: Any, client: Any, source: str, limit: int
              ) -> tuple[list[Output], JSON, bool]:
    msg_id = client.execute(source, store_history=True, allow_stdin=False)
    outputs: list[Output] = []
    size = [0]
    truncated = False
    count: JSON = None
    interrupted = False
    reply: dict[str, Any] | None = None
    give_up = float("inf")  # set once the reply is in: the idle status may be lost
    while time.monotonic() < give_up:
        try:
            msg = client.get_iopub_msg(timeout=1.0)
        except KeyboardInterrupt:  # the supervisor's cell time limit: interrupt the kernel
            if not interrupted:
                interrupted = True
                manager.interrupt_kernel()
            continue
        except Exception:  # queue.Empty: is the kernel still there, has it replied?
            if not manager.is_alive():
                raise KernelDied("the kernel died") from None
            if reply is None:
                reply = _poll_reply(client, msg_id)
                if reply is not None:
                    give_up = time.monotonic() + IOPUB_GRACE_SECONDS
            continue
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = msg["header"]["msg_type"]
        if kind == "status" and msg["content"].get("execution_state") == "idle":
            break
        if kind == "execute_input":
            count = msg["content"].get("execution_count")
        elif kind == "clear_output":
            outputs.clear()
            size = [0]
        else:
            out = _output(msg)
            if out is not None and not truncated and not _append(outputs, out, limit, size):
                truncated = True
                outputs.append({"output_type": "stream", "name": "stderr",
                                "text": f"[output over {limit:,} characters cut]\n"})
    deadline = time.monotonic() + 5
    while reply is None and time.monotonic() < deadline:  # for errors reported only there
        try:
            answer = client.get_shell_msg(timeout=1.0)
        except KeyboardInterrupt:
            continue
        except Exception:
            break
        if answer.get("parent_header", {}).get("msg_id") == msg_id:
            reply = answer
    if reply is not None:
        content = reply["content"]
        if content.get("status") == "error" and not any(
                o["output_type"] == "error" and o.get("ename") == content.get("ename")
                for o in outputs):
            outputs.append({"output_type": "error", "ename": str(content.get("ename", "")),
                            "evalue": str(content.get("evalue", "")),
                            "traceback": [str(x) for x in content.get("traceback", [])]
                            or ["ERROR: An error occurred while showtraceback was "
                                "disabled"]})
    return outputs, count, truncated
