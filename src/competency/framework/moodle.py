"""Moodle competency-framework CSV (``admin/tool/lpimportcsv``): export and import.

Where our data goes in Moodle's 14 columns:

* The first data row is the framework itself (``Is framework`` = 1). Its
  ``Scale values`` are the level names in order (``Foundation,Practitioner,…``),
  its ``Scale configuration`` marks the first level as default and every level
  as proficient, and its ``Description`` (HTML, ``Description format`` 1)
  holds the framework description, the version and the level descriptions.
* Each competency is one row under the framework (empty ``Parent ID number``)
  with its ID in ``ID number``, its name in ``Short name`` and, in
  ``Description``, its description followed by one heading and list of
  indicators per level.
* Keywords for the suggester are not part of Moodle's format and are not
  exported.

The importer accepts the header of current Moodle releases and the older
spellings of Moodle's own example file (``Parent id number``, ``Id number``,
``Shortname``, ``Cross referenced competency id numbers`` …): headers are
compared case-insensitively, ignoring spaces, hyphens and ``(optional)``.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from competency.errors import FrameworkError
from competency.framework.model import ID_PATTERN, Competency, Framework, Level

HEADER: tuple[str, ...] = (
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
)
_KEYS = (
    "parentidnumber", "idnumber", "shortname", "description", "descriptionformat",
    "scalevalues", "scaleconfiguration", "ruletype", "ruleoutcome", "ruleconfig",
    "relatedidnumbers", "exportid", "isframework", "taxonomy",
)
_ALIASES = {
    "crossreferencedcompetencyidnumbers": "relatedidnumbers",
    "exportedid": "exportid",
    "taxonomies": "taxonomy",
}
FORMAT_HTML = 1
_LEVEL_HEADING = re.compile(r"^Level\s+(\d+)\s*(?::\s*(.*))?$")
_VERSION = re.compile(r"^Version:?\s*(.+)$")


def _normalise(header: str) -> str:
    key = header.lower().replace("(optional)", "")
    key = re.sub(r"[\s\-_]+", "", key)
    return _ALIASES.get(key, key)


# --------------------------------------------------------------------------- export


def _framework_description(framework: Framework) -> str:
    parts = []
    if framework.description:
        parts.append(f"<p>{html.escape(framework.description)}</p>")
    parts.append(f"<p>Version: {html.escape(framework.version)}</p>")
    parts.append("<h4>Levels</h4><ol>")
    for lv in framework.levels:
        text = f"<strong>{html.escape(lv.name)}</strong>"
        if lv.description:
            text += f": {html.escape(lv.description)}"
        parts.append(f"<li>{text}</li>")
    parts.append("</ol>")
    return "".join(parts)


def _competency_description(framework: Framework, comp: Competency) -> str:
    parts = []
    if comp.description:
        parts.append(f"<p>{html.escape(comp.description)}</p>")
    for number, indicators in comp.indicators.items():
        name = framework.level(number).name
        parts.append(f"<h4>Level {number}: {html.escape(name)}</h4><ul>")
        parts.extend(f"<li>{html.escape(text)}</li>" for text in indicators)
        parts.append("</ul>")
    return "".join(parts)


def _scale_configuration(framework: Framework) -> str:
    items: list[dict[str, object]] = [{"scaleid": "0"}]
    for lv in framework.levels:
        items.append({"id": lv.number, "scaledefault": int(lv.number == 1), "proficient": 1})
    return json.dumps(items, separators=(",", ":"))


def export_moodle_csv(framework: Framework) -> str:
    """The framework as Moodle's 14-column competency-framework CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerow([
        "", framework.id, framework.name, _framework_description(framework), FORMAT_HTML,
        ",".join(lv.name for lv in framework.levels), _scale_configuration(framework),
        "", "", "", "", 1, 1, "competency",
    ])
    for number, comp in enumerate(framework.competencies, start=2):
        writer.writerow([
            "", comp.id, comp.name, _competency_description(framework, comp), FORMAT_HTML,
            "", "", "", 0, "null", "", number, "", "",
        ])
    return out.getvalue()


# --------------------------------------------------------------------------- import


class _Blocks(HTMLParser):
    """Collects paragraphs, headings and list items of our own HTML, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._tag: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li"}:
            self._flush()
            self._tag = "h" if tag.startswith("h") else tag
        elif tag == "br":
            self._text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li"}:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._tag is None:
            if data.strip():
                self._tag = "p"
            else:
                return
        self._text.append(data)

    def _flush(self) -> None:
        if self._tag is not None:
            text = " ".join("".join(self._text).split())
            if text:
                self.blocks.append((self._tag, text))
        self._tag = None
        self._text = []

    def close(self) -> None:
        super().close()
        self._flush()


def _blocks(text: str, description_format: str) -> list[tuple[str, str]]:
    if description_format.strip() not in {"", "1", "0"} or "<" not in text:
        # plain text or Markdown: paragraphs separated by blank lines
        return [("p", " ".join(p.split())) for p in re.split(r"\n\s*\n", text) if p.strip()]
    parser = _Blocks()
    parser.feed(text)
    parser.close()
    return parser.blocks


def _parse_framework_row(blocks: list[tuple[str, str]]) -> tuple[str, str, list[str]]:
    """Description, version and level descriptions from the framework row."""
    description: list[str] = []
    version = ""
    level_texts: list[str] = []
    in_levels = False
    for tag, text in blocks:
        if tag == "h" and text.lower() == "levels":
            in_levels = True
            continue
        if in_levels and tag == "li":
            level_texts.append(text)
            continue
        match = _VERSION.match(text)
        if tag == "p" and match and not version:
            version = match.group(1).strip()
            continue
        if tag == "p":
            description.append(text)
    return "\n\n".join(description), version, level_texts


def _parse_competency(blocks: list[tuple[str, str]], levels: set[int], path: Path,
                      row: int) -> tuple[str, dict[int, tuple[str, ...]]]:
    description: list[str] = []
    indicators: dict[int, list[str]] = {}
    current: int | None = None
    for tag, text in blocks:
        if tag == "h":
            match = _LEVEL_HEADING.match(text)
            if match:
                current = int(match.group(1))
                if current not in levels:
                    raise FrameworkError(path, "unknown level in description", row=row,
                                         value=text)
                indicators.setdefault(current, [])
                continue
            current = None
            description.append(text)
        elif tag == "li" and current is not None:
            indicators[current].append(text)
        else:
            description.append(text)
    return "\n\n".join(description), {k: tuple(v) for k, v in sorted(indicators.items())}


def import_moodle_csv(path: str | Path) -> Framework:
    """Read a Moodle competency-framework CSV back into a :class:`Framework`.

    Errors read ``FILE, row N: problem (value)`` with the header as row 1.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FrameworkError(path, f"cannot read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FrameworkError(path, "not UTF-8 text", row=1) from exc
    if not text.strip():
        raise FrameworkError(path, "empty file", row=1)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise FrameworkError(path, f"malformed CSV: {exc}", row=reader.line_num) from exc
    header = [_normalise(h) for h in rows[0]]
    missing = [HEADER[i] for i, key in enumerate(_KEYS)
               if key not in header and key in {"idnumber", "shortname", "isframework"}]
    if missing:
        raise FrameworkError(path, "missing column", row=1, value=", ".join(missing))
    col = {key: header.index(key) for key in _KEYS if key in header}

    def cell(values: list[str], key: str) -> str:
        index = col.get(key)
        return values[index].strip() if index is not None and index < len(values) else ""

    framework_row: tuple[int, list[str]] | None = None
    competency_rows: list[tuple[int, list[str]]] = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if cell(values, "isframework") in {"1", "true", "True"}:
            if framework_row is not None:
                raise FrameworkError(path, "second framework row", row=number,
                                     value=cell(values, "idnumber"))
            framework_row = (number, values)
        else:
            competency_rows.append((number, values))
    if framework_row is None:
        raise FrameworkError(path, "no framework row (Is framework = 1)", row=2)

    frow, fvalues = framework_row
    level_names = [n.strip() for n in cell(fvalues, "scalevalues").split(",") if n.strip()]
    if not level_names:
        raise FrameworkError(path, "framework row has no scale values (level names)", row=frow)
    fdesc, version, level_texts = _parse_framework_row(
        _blocks(cell(fvalues, "description"), cell(fvalues, "descriptionformat")))
    levels = []
    for number, name in enumerate(level_names, start=1):
        description = ""
        if number - 1 < len(level_texts):
            text = level_texts[number - 1]
            if text.startswith(name):
                description = text[len(name):].lstrip(": ").strip()
        levels.append(Level(number, name, description))
    framework_id = cell(fvalues, "idnumber")
    if not ID_PATTERN.match(framework_id):
        raise FrameworkError(path, "bad framework ID number", row=frow, value=framework_id)
    framework_name = cell(fvalues, "shortname")
    if not framework_name:
        raise FrameworkError(path, "missing framework short name", row=frow)

    seen: dict[str, int] = {}
    competencies: list[Competency] = []
    level_numbers = {lv.number for lv in levels}
    for number, values in competency_rows:
        cid = cell(values, "idnumber")
        if not cid:
            raise FrameworkError(path, "missing ID number", row=number)
        if not ID_PATTERN.match(cid):
            raise FrameworkError(path, "bad competency ID number", row=number, value=cid)
        if cid in seen:
            raise FrameworkError(path, f"duplicate ID number (first on row {seen[cid]})",
                                 row=number, value=cid)
        seen[cid] = number
        name = cell(values, "shortname")
        if not name:
            raise FrameworkError(path, "missing short name", row=number, value=cid)
        description, indicators = _parse_competency(
            _blocks(cell(values, "description"), cell(values, "descriptionformat")),
            level_numbers, path, number)
        competencies.append(Competency(cid, name, description, indicators))
    if not competencies:
        raise FrameworkError(path, "no competencies after the framework row", row=frow)
    return Framework(
        id=framework_id,
        name=framework_name,
        version=version or "1.0",
        levels=tuple(levels),
        competencies=tuple(competencies),
        description=fdesc,
    )
