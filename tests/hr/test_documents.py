"""documents: text out of .docx / .pdf / .txt / .md, with exact one-line errors."""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from competency.errors import CompetencyError, DocumentError
from competency.hr.documents import MAX_BYTES, Document, read_document
from conftest import REPO

SAMPLE_JDS = REPO / "src" / "competency" / "data" / "sample-org" / "job-descriptions"


def make_pdf(pages: list[list[str]], *, user_password: str | None = None,
             owner_password: str = "owner") -> bytes:
    """A small PDF: one page per list, each string a line of Helvetica text (empty = blank)."""
    writer = PdfWriter()
    for lines in pages:
        page = writer.add_blank_page(width=612, height=792)
        if not lines:
            continue
        font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                 NameObject("/Subtype"): NameObject("/Type1"),
                                 NameObject("/BaseFont"): NameObject("/Helvetica")})
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
        ops = ["BT /F1 12 Tf 72 720 Td 14 TL"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = DecodedStreamObject()
        stream.set_data("\n".join(ops).encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    if user_password is not None:
        writer.encrypt(user_password, owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write(path: Path, data: bytes | str) -> Path:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- .txt and .md


def test_txt_utf8(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path / "jd.txt", "Use interpreters – café.\nSecond line\n"))
    assert doc == Document(tmp_path / "jd.txt", "Use interpreters – café.\nSecond line\n",
                           "txt", "utf-8")


def test_txt_byte_order_mark_dropped_and_newlines_normalised(tmp_path: Path) -> None:
    path = write(tmp_path / "jd.txt", "\ufeffOne\r\nTwo\rThree".encode())
    doc = read_document(path)
    assert doc.text == "One\nTwo\nThree"
    assert doc.encoding == "utf-8"


def test_txt_windows_1252(tmp_path: Path) -> None:
    path = write(tmp_path / "jd.txt", "Salary £30,000 – café".encode("cp1252"))
    doc = read_document(path)
    assert doc.text == "Salary £30,000 – café"
    assert doc.encoding == "cp1252"


@pytest.mark.parametrize("data", [b"caf\xe9 \x81 not text", b"\xff\xfeU\x00T\x00F\x00"],
                         ids=["undefined-cp1252-byte", "nul-bytes"])
def test_txt_undecodable(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "jd.txt", data)
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert str(info.value) == (f"{path}: cannot decode the text "
                               "(neither UTF-8 nor Windows-1252)")


def test_markdown_kept_as_written(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path / "jd.md", "# Nurse\n\n- **Use** interpreters\n"))
    assert doc.kind == "md"
    assert doc.text == "# Nurse\n\n- **Use** interpreters\n"


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"], ids=["zero-bytes", "whitespace"])
def test_empty_text_file(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path / "jd.txt", content)
    with pytest.raises(DocumentError, match=r": empty file$") as info:
        read_document(path)
    assert str(info.value) == f"{path}: empty file"


def test_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:  # sparse: costs no disk space
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: file too large (20.0 MB; the limit is 20 MB)"


def test_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "edge.txt", b"a" * MAX_BYTES)
    assert len(read_document(path).text) == MAX_BYTES


@pytest.mark.parametrize(
    ("name", "message"),
    [("jd.rtf", "unsupported file type ('.rtf'); use .docx, .pdf, .txt or .md"),
     ("jd", "unsupported file type (no extension); use .docx, .pdf, .txt or .md"),
     ("jd.doc", "old Word .doc format is not supported; save it as .docx")],
)
def test_unsupported_extension(tmp_path: Path, name: str, message: str) -> None:
    path = write(tmp_path / name, "text")
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: {message}"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as info:
        read_document(tmp_path / "nope.txt")
    assert str(info.value) == f"{tmp_path / 'nope.txt'}: file not found"


def test_document_error_is_a_competency_error_and_document_is_frozen(tmp_path: Path) -> None:
    assert issubclass(DocumentError, CompetencyError)
    doc = read_document(write(tmp_path / "a.txt", "x"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.text = "y"  # type: ignore[misc]


# --------------------------------------------------------------------------- .docx


def test_docx_paragraphs_and_tables_in_document_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Community Nurse", level=1)
    document.add_paragraph("Use professional interpreters.")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Criterion", "E/D", "How"], strict=True):
        cell.text = text
    table.cell(1, 0).text = "Works with interpreters"
    table.cell(1, 1).text = "Essential"
    table.cell(1, 2).add_paragraph("Interview")  # a cell of two paragraphs: "" and "Interview"
    document.add_paragraph("")
    document.add_paragraph("After the table")
    path = tmp_path / "jd.docx"
    document.save(str(path))
    doc = read_document(path)
    assert doc.kind == "docx"
    assert doc.text == ("Community Nurse\nUse professional interpreters.\n"
                        "Criterion | E/D | How\n"
                        "Works with interpreters | Essential | \nInterview\n"
                        "\nAfter the table")
    start = doc.text.index("Works")
    assert doc.text[start:start + len("Works with interpreters")] == "Works with interpreters"


def test_docx_nested_table_and_merged_cells(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Person specification"
    inner = table.cell(1, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "A"
    inner.cell(0, 1).text = "B"
    table.cell(1, 0).text = "Left"
    path = tmp_path / "nested.docx"
    document.save(str(path))
    assert read_document(path).text == "Person specification\nLeft | \nA | B\n"


@pytest.mark.parametrize(
    "content",
    [b"this is not a zip file", b"PK\x03\x04 truncated", "zip-without-word-parts"],
    ids=["text", "truncated-zip", "other-zip"],
)
def test_docx_corrupt_or_other_format(tmp_path: Path, content: bytes | str) -> None:
    path = tmp_path / "jd.docx"
    if content == "zip-without-word-parts":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("notes.txt", "hello")
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: not a Word .docx file (corrupt or another format)"


def test_docx_without_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: no text in the document"


# --------------------------------------------------------------------------- .pdf


def test_pdf_text_layer_pages_joined_by_form_feed(tmp_path: Path) -> None:
    path = write(tmp_path / "jd.pdf", make_pdf([["Use interpreters (always).", "Line two"],
                                                ["Page two"]]))
    doc = read_document(path)
    assert doc.kind == "pdf"
    assert doc.text == "Use interpreters (always).\nLine two\n\fPage two\n"


def test_pdf_encrypted(tmp_path: Path) -> None:
    path = write(tmp_path / "locked.pdf", make_pdf([["secret"]], user_password="pw"))
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: encrypted PDF; remove the password and try again"


def test_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "restricted.pdf", make_pdf([["Readable"]], user_password=""))
    assert read_document(path).text.strip() == "Readable"


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = write(tmp_path / "scan.pdf", make_pdf([[], []]))
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: no text layer; scanned documents need OCR first"


def test_pdf_corrupt(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "bad.pdf", b"%PDF-1.4 this is not really a PDF")
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: not a readable PDF file (corrupt or another format)"
    assert capfd.readouterr().err == ""  # pypdf's repair log stays quiet


# --------------------------------------------------------------------------- sample JDs


def test_sample_job_descriptions_docx_and_txt_agree() -> None:
    docxs = sorted(SAMPLE_JDS.glob("*.docx"))
    assert len(docxs) >= 12
    for path in docxs:
        text = read_document(path).text
        assert text + "\n" == path.with_suffix(".txt").read_text(encoding="utf-8"), path.name
        assert " | " in text  # the person specification table


def test_sample_job_descriptions_are_what_the_generator_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("make_sample_jds",
                                                  REPO / "tools" / "make_sample_jds.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    module.main(["--out", str(tmp_path)])
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in SAMPLE_JDS.iterdir() if p.suffix in {".docx",
                                                                                  ".txt"})
    for name in written:
        assert (tmp_path / name).read_bytes() == (SAMPLE_JDS / name).read_bytes(), name
