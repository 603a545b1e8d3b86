"""Plain text out of job descriptions: ``.docx``, ``.pdf``, ``.txt`` and ``.md``.

:func:`read_document` returns a :class:`Document` whose ``text`` is what the
suggester reads; every offset the toolkit reports (for example the evidence
of a suggestion) indexes that string, so ``text[start:end]`` is the quoted span.

How the text is built:

* ``.docx`` (python-docx): the body in document order. Each paragraph is one
  line. A table contributes one line per row, the row's cells separated by
  ``" | "`` (space, vertical bar, space); a cell holding several paragraphs
  contributes them as separate lines, and a nested table is read the same way
  where it stands. Lines are joined with ``"\\n"``; empty paragraphs give empty
  lines. Content controls are read where they stand; headers, footers, comments,
  footnotes and text boxes are not read. Tabs and line breaks inside a paragraph
  become ``"\\t"`` and ``"\\n"`` as python-docx gives them.
* ``.pdf`` (pypdf): the text layer of each page, pages joined with ``"\\f"``
  (form feed). A PDF with no text layer (a scan) is refused: it needs OCR first.
  A PDF encrypted with an empty user password (restrictions only) is read.
* ``.txt`` and ``.md``: the file decoded as UTF-8 (a byte-order mark is dropped),
  else as Windows-1252; Markdown is kept as written.

In every format ``"\\r\\n"`` and ``"\\r"`` become ``"\\n"``. Files over
:data:`MAX_BYTES` (20 MB) and empty files are refused. Every failure is a
:class:`~competency.errors.DocumentError` reading ``FILE: problem``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from competency.errors import DocumentError

MAX_BYTES = 20 * 1024 * 1024
"""The largest file :func:`read_document` reads (20 MB)."""

CELL_SEPARATOR = " | "
"""Between the cells of one table row in text from ``.docx`` files."""

PAGE_SEPARATOR = "\f"
"""Between the pages of text from ``.pdf`` files."""

Kind = Literal["docx", "pdf", "txt", "md"]
SUFFIXES: dict[str, Kind] = {".docx": "docx", ".pdf": "pdf", ".txt": "txt", ".md": "md"}

NOT_DOCX = "not a Word .docx file (corrupt or another format)"
NOT_PDF = "not a readable PDF file (corrupt or another format)"
ENCRYPTED_PDF = "encrypted PDF; remove the password and try again"
NO_TEXT_LAYER = "no text layer; scanned documents need OCR first"
EMPTY = "empty file"
NO_TEXT = "no text in the document"
UNDECODABLE = "cannot decode the text (neither UTF-8 nor Windows-1252)"


@dataclass(frozen=True)
class Document:
    """The text of one document, ready for the suggester."""

    path: Path
    """The file it was read from, as given."""
    text: str
    """The extracted text; offsets reported elsewhere index this string."""
    kind: Kind
    """The format it was read as: ``docx``, ``pdf``, ``txt`` or ``md``."""
    encoding: str = ""
    """For ``.txt``/``.md``: ``utf-8`` or ``cp1252``; empty for the other formats."""


def read_document(path: str | Path) -> Document:
    """Read ``path`` (``.docx``, ``.pdf``, ``.txt``, ``.md``) into a :class:`Document`.

    Raises :class:`DocumentError` (``FILE: problem``) for a missing, empty,
    oversized, corrupt, encrypted, scanned, undecodable or unsupported file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    kind = SUFFIXES.get(suffix)
    if kind is None:
        if suffix == ".doc":
            raise DocumentError(path, "old Word .doc format is not supported; save it as .docx")
        shown = f"'{suffix}'" if suffix else "no extension"
        raise DocumentError(path, f"unsupported file type ({shown}); use .docx, .pdf, .txt "
                            "or .md")
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise DocumentError(path, "file not found") from exc
    except OSError as exc:
        raise DocumentError(path, f"cannot read: {exc.strerror}") from exc
    if path.is_dir():
        raise DocumentError(path, "is a folder, not a file")
    if size == 0:
        raise DocumentError(path, EMPTY)
    if size > MAX_BYTES:
        raise DocumentError(path, f"file too large ({size / 1024 / 1024:.1f} MB; "
                            f"the limit is {MAX_BYTES // 1024 // 1024} MB)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(path, f"cannot read: {exc.strerror}") from exc
    if kind == "docx":
        return Document(path, _normalise(_docx_text(path, data)), kind)
    if kind == "pdf":
        return Document(path, _normalise(_pdf_text(path, data)), kind)
    text, encoding = decode_text(path, data)
    if not text.strip():
        raise DocumentError(path, EMPTY)
    return Document(path, _normalise(text), kind, encoding)


def decode_text(path: str | Path, data: bytes) -> tuple[str, str]:
    """Decode file bytes as UTF-8 (dropping a byte-order mark), else as Windows-1252."""
    if b"\x00" in data:  # UTF-16 or a binary file: not text we can use
        raise DocumentError(path, UNDECODABLE)
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        pass
    raise DocumentError(path, UNDECODABLE)


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- .docx


def _docx_text(path: Path, data: bytes) -> str:
    import io
    import zipfile
    import zlib

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, EOFError,
            zlib.error, SyntaxError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        raise DocumentError(path, NOT_DOCX) from exc
    lines: list[str] = []
    _read_blocks(document.element.body, lines)
    text = "\n".join(lines)
    if not text.strip():
        raise DocumentError(path, NO_TEXT)
    return text


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _read_blocks(parent: Any, lines: list[str]) -> None:
    """Append the lines of the paragraphs and tables under ``parent``, in order."""
    for child in parent.iterchildren():
        tag = child.tag
        if tag == f"{_W}p":
            lines.append(child.text)  # python-docx's CT_P.text: runs, hyperlinks, tabs, breaks
        elif tag == f"{_W}tbl":
            _read_table(child, lines)
        elif tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                _read_blocks(content, lines)


def _read_table(table: Any, lines: list[str]) -> None:
    for row in table.iterchildren(f"{_W}tr", f"{_W}sdt"):
        if row.tag == f"{_W}sdt":  # a row inside a content control
            content = row.find(f"{_W}sdtContent")
            if content is not None:
                _read_table(content, lines)
            continue
        cells: list[str] = []
        for cell in row.iterchildren(f"{_W}tc"):
            cell_lines: list[str] = []
            _read_blocks(cell, cell_lines)
            cells.append("\n".join(cell_lines))
        lines.append(CELL_SEPARATOR.join(cells))


# --------------------------------------------------------------------------- .pdf


def _pdf_text(path: Path, data: bytes) -> str:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    logger = logging.getLogger("pypdf")
    if not logger.handlers:  # pypdf logs repairs of damaged files; keep stderr to one line
        logger.addHandler(logging.NullHandler())
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise DocumentError(path, ENCRYPTED_PDF) from exc
            if not opened:
                raise DocumentError(path, ENCRYPTED_PDF)
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError as exc:
        raise DocumentError(path, ENCRYPTED_PDF) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            EOFError) as exc:
        raise DocumentError(path, NOT_PDF) from exc
    text = PAGE_SEPARATOR.join(pages)
    if not text.strip():
        raise DocumentError(path, NO_TEXT_LAYER)
    return text
