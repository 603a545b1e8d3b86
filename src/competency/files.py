"""Small file helpers: atomic writes, so no reader ever sees a half-written file, and
the one write discipline of append-only logs (:func:`append_csv`)."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from competency.errors import TableError

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks
    fcntl = None

TAIL_BYTES = 1 << 16
"""How much of a log's end is read to check its last line."""


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` atomically (see :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


# --------------------------------------------------------------------------- append-only logs
#
# The one write discipline of the append-only CSV logs (the review log, the decision log)
# and of files rewritten by several writers (the grading report):
#
# * a writer holds an exclusive ``flock`` on a sidecar lock file (``.NAME.lock`` beside
#   the log) for the whole read-check-write, so concurrent writers take turns and a
#   check for duplicates sees every record written before;
# * a log gets each record in ONE ``os.write`` of complete, newline-terminated lines to
#   a descriptor opened with ``O_APPEND``, then ``fsync``; only then does the writer
#   report the record saved. A SIGKILL cannot split a ``write`` to a local file, so a
#   killed writer leaves its record whole or not at all;
# * a last line without its newline is a hand edit or a torn write (power cut, full
#   disk): when it parses as a record with the header's number of fields it is kept and
#   terminated; otherwise nothing is appended and the writer says so (never delete);
# * a file rewritten as a whole (the grading report) is written to a temporary file and
#   renamed over the old one, under the same lock; temporaries of killed writers are
#   removed by the next writer.


def lock_file(path: str | Path) -> Path:
    """The sidecar lock file of ``path``: ``.NAME.lock`` in the same folder."""
    path = Path(path)
    return path.with_name(f".{path.name}.lock")


@contextmanager
def exclusive(path: str | Path) -> Iterator[None]:
    """Hold the exclusive lock of ``path`` (its sidecar :func:`lock_file`) while inside."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield  # the lock goes with the descriptor, also when the process is killed
    finally:
        os.close(fd)


def csv_line(values: Sequence[str]) -> str:
    """``values`` as one CSV record with its newline (``\\n``)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def read_header(path: Path) -> list[str] | None:
    """The first line of a CSV file as stripped names (None for a missing or empty file)."""
    if not path.exists():
        return None
    with path.open("rb") as handle:
        first = handle.readline()
    text = first.decode("utf-8-sig", errors="replace")
    if not text.strip():
        return None
    return [h.strip() for h in next(csv.reader([text]), [])]


def _tail_fix(path: Path, size: int, fields: int) -> bytes:
    """b"" when the log ends with a newline; b"\\n" when its last line is a whole record
    without one (a hand edit); raises for a torn last line."""
    with path.open("rb") as handle:
        handle.seek(max(0, size - TAIL_BYTES))
        tail = handle.read()
    if tail.endswith(b"\n"):
        return b""
    last = tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    rows = list(csv.reader(io.StringIO(last)))
    if len(rows) == 1 and len(rows[0]) == fields and last.count('"') % 2 == 0:
        return b"\n"
    raise TableError(path, "the last line is incomplete (no newline at the end); "
                     "check the log before appending")


def append_csv(path: str | Path, header: Sequence[str],
               rows: Sequence[Mapping[str, str]] | Callable[[], Sequence[Mapping[str, str]]],
               *, kind: str | None = None) -> int:
    """Append records to the CSV log at ``path`` (created with ``header``); how many.

    The write discipline of this module: under the log's lock, one ``os.write`` of the
    records' lines to the file opened with ``O_APPEND``, then ``fsync``. ``rows`` may be
    a function, called under the lock, that returns the records to append (so that it
    can leave out records already in the log). Each record is written in the column
    order of the log's own header (columns it lacks are left out, columns it has and
    the record lacks are empty); with ``kind`` (e.g. "decision log") a log with
    another header is refused as not a ``kind``.
    """
    path = Path(path)
    with exclusive(path):
        records = rows() if callable(rows) else rows
        if not records:
            return 0
        found = read_header(path)
        columns = list(header) if found is None else found
        if kind is not None and found is not None and found != list(header):
            raise TableError(path, f"not a {kind}; the header must be " + ",".join(header),
                             row=1, value=",".join(found))
        size = path.stat().st_size if path.exists() else 0
        prefix = b"" if found is None else _tail_fix(path, size, len(columns))
        text = "".join(csv_line([str(r.get(c, "")) for c in columns]) for r in records)
        if found is None:
            text = csv_line(columns) + text
            prefix = b""
        data = prefix + text.encode("utf-8")
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if found is None and size:
                os.ftruncate(fd, 0)  # a file of blank space only: start it afresh
            written = os.write(fd, data)
            if written != len(data):  # pragma: no cover - a full disk
                raise OSError(f"{path}: short write ({written} of {len(data)} bytes)")
            os.fsync(fd)
        finally:
            os.close(fd)
    return len(records)


def rewrite_locked(path: str | Path, update: Callable[[bytes | None], bytes]) -> Path:
    """Replace ``path`` by ``update(old contents or None)`` under its lock, atomically.

    For files several writers rewrite as a whole (the grading report): each writer
    sees the previous writer's file, and a reader sees the old file or the new one.
    Temporary files left by killed writers are removed first.
    """
    path = Path(path)
    with exclusive(path):
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            stale.unlink(missing_ok=True)  # only a writer holding the lock makes these
        old = path.read_bytes() if path.exists() else None
        return atomic_write_bytes(path, update(old))
