"""Moodle competency-framework CSV (``admin/tool/lpimportcsv``): export and import.

Where our data goes in Moodle's 14 columns (docs/framework-schema.md has the table):

* The first data row is the framework itself (``Is framework`` = 1). Its
  ``Scale values`` are the level names in order (``Foundation,Practitioner,…``),
  its ``Scale configuration`` marks the default level and the proficient ones,
  its ``Taxonomy`` holds the taxonomy term per depth, and its ``Description``
  (HTML, ``Description format`` 1) holds the framework description, the
  version and the level descriptions.
* Each competency is one row with its parent's ID in ``Parent ID number``
  (empty at the top level), its ID in ``ID number``, its name in ``Short
  name``, its description followed by one heading and list of indicators per
  level in ``Description``, its own scale (if any) in ``Scale values`` and
  ``Scale configuration``, Moodle's completion rule in the three ``Rule``
  columns and its cross-references, comma-separated, in ``Cross-referenced
  competency ID numbers``. ``Exported ID`` numbers the rows (the framework is
  1); rule configurations name competencies by it.
* A description whose HTML is not what we would write from the description
  and indicators is kept verbatim (``moodle_description``) and written back
  as it came.
* Keywords for the suggester are not part of Moodle's format and are not
  exported.

The importer accepts the header of current Moodle releases and the older
spellings of Moodle's own example file (``Parent id number``, ``Id number``,
``Shortname``, ``Cross referenced competency id numbers`` …): headers are
compared case-insensitively, ignoring spaces, hyphens and ``(optional)``.
Whatever it cannot represent is dropped with a warning naming the row.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from competency.errors import FrameworkError
from competency.framework.model import (
    ID_PATTERN,
    Competency,
    Framework,
    Level,
    MoodleText,
    Rule,
    Scale,
    rule_ids,
)

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


DEFAULT_TAXONOMY = "competency"
_FORMATS = {0, 1, 2, 4}


@dataclass(frozen=True)
class MoodleImport:
    """What :func:`read_moodle_csv` read: the framework and what it had to drop."""

    framework: Framework
    """The framework."""
    warnings: tuple[str, ...] = ()
    """One ``FILE, row N: what was dropped (value)`` message per thing not represented."""


# --------------------------------------------------------------------------- descriptions


def _framework_html(framework: Framework) -> str:
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


def _competency_html(framework: Framework, comp: Competency) -> str:
    parts = []
    if comp.description:
        parts.append(f"<p>{html.escape(comp.description)}</p>")
    for number, indicators in comp.indicators.items():
        name = framework.level(number).name
        parts.append(f"<h4>Level {number}: {html.escape(name)}</h4><ul>")
        parts.extend(f"<li>{html.escape(text)}</li>" for text in indicators)
        parts.append("</ul>")
    return "".join(parts)


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


def _blocks(text: str, description_format: int) -> list[tuple[str, str]]:
    if description_format not in {0, 1} or "<" not in text:
        # plain text or Markdown: paragraphs separated by blank lines
        return [("p", " ".join(p.split())) for p in re.split(r"\n\s*\n", text) if p.strip()]
    parser = _Blocks()
    parser.feed(text)
    parser.close()
    return parser.blocks


def _read_framework_text(text: str, description_format: int,
                         level_names: list[str]) -> tuple[str, str, tuple[str, ...]]:
    """Description, version ("" if none) and level descriptions from the framework row."""
    description: list[str] = []
    version = ""
    level_texts: list[str] = []
    in_levels = False
    for tag, block in _blocks(text, description_format):
        if tag == "h" and block.lower() == "levels":
            in_levels = True
            continue
        if in_levels and tag == "li":
            level_texts.append(block)
            continue
        match = _VERSION.match(block)
        if tag == "p" and match and not version:
            version = match.group(1).strip()
            continue
        if tag == "p":
            description.append(block)
    level_descriptions = []
    for number, name in enumerate(level_names, start=1):
        found = ""
        if number - 1 < len(level_texts):
            item = level_texts[number - 1]
            if item.startswith(name):
                found = item[len(name):].lstrip(": ").strip()
        level_descriptions.append(found)
    return "\n\n".join(description), version, tuple(level_descriptions)


def _read_competency_text(text: str, description_format: int, levels: set[int],
                          path: str | Path, row: int
                          ) -> tuple[str, dict[int, tuple[str, ...]]]:
    description: list[str] = []
    indicators: dict[int, list[str]] = {}
    current: int | None = None
    for tag, block in _blocks(text, description_format):
        if tag == "h":
            match = _LEVEL_HEADING.match(block)
            if match:
                current = int(match.group(1))
                if current not in levels:
                    raise FrameworkError(path, "unknown level in description", row=row,
                                         value=block)
                indicators.setdefault(current, [])
                continue
            current = None
            description.append(block)
        elif tag == "li" and current is not None:
            indicators[current].append(block)
        else:
            description.append(block)
    return "\n\n".join(description), {k: tuple(v) for k, v in sorted(indicators.items())}


def _framework_text(framework: Framework) -> tuple[str, int]:
    """The framework row's description and format: Moodle's own while it still reads back
    as the framework's description, version and level descriptions, else ours."""
    kept = framework.moodle_description
    if kept is not None:
        description, version, level_descriptions = _read_framework_text(
            kept.text, kept.format, [lv.name for lv in framework.levels])
        if (description, version or "1.0", level_descriptions) == (
                framework.description, framework.version,
                tuple(lv.description for lv in framework.levels)):
            return kept.text, kept.format
    return _framework_html(framework), FORMAT_HTML


def _competency_text(framework: Framework, comp: Competency) -> tuple[str, int]:
    kept = comp.moodle_description
    if kept is not None:
        try:
            found = _read_competency_text(kept.text, kept.format, set(framework.level_numbers),
                                          "<framework>", 0)
        except FrameworkError:
            found = None
        if found == (comp.description, dict(comp.indicators)):
            return kept.text, kept.format
    return _competency_html(framework, comp), FORMAT_HTML


# --------------------------------------------------------------------------- export


def _scale_configuration(default: int | None, proficient: list[bool]) -> str:
    items: list[dict[str, object]] = [{"scaleid": "0"}]
    for number, good in enumerate(proficient, start=1):
        items.append({"id": number, "scaledefault": int(number == default),
                      "proficient": int(good)})
    return json.dumps(items, separators=(",", ":"))


def _map_rule_ids(config: Any, mapping: Callable[[str], object | None]) -> Any:
    """``config`` with each ``competencies[].id`` mapped (entries mapped to None go)."""
    if not rule_ids(config):
        return config
    items = []
    for item in config["competencies"]:
        if isinstance(item, dict) and "id" in item:
            new = mapping(str(item["id"]))
            if new is None:
                continue
            item = {**item, "id": new}
        items.append(item)
    return {**config, "competencies": items}


def export_moodle_csv(framework: Framework) -> str:
    """The framework as Moodle's 14-column competency-framework CSV text."""
    exported = {c.id: number for number, c in enumerate(framework.competencies, start=2)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    text, text_format = _framework_text(framework)
    writer.writerow([
        "", framework.id, framework.name, text, text_format,
        ",".join(lv.name for lv in framework.levels),
        _scale_configuration(framework.default_level,
                             [lv.proficient for lv in framework.levels]),
        "", "", "", "", 1, 1, ",".join(framework.taxonomy) or DEFAULT_TAXONOMY,
    ])
    for comp in framework.competencies:
        text, text_format = _competency_text(framework, comp)
        scale_values = scale_config = ""
        if comp.scale is not None:
            scale_values = ",".join(comp.scale.values)
            scale_config = _scale_configuration(
                comp.scale.default,
                [n in comp.scale.proficient for n in range(1, len(comp.scale.values) + 1)])
        rule = comp.rule or Rule("")
        config = _map_rule_ids(rule.config, exported.get)
        writer.writerow([
            comp.parent or "", comp.id, comp.name, text, text_format, scale_values,
            scale_config, rule.type, rule.outcome,
            json.dumps(config, separators=(",", ":"), ensure_ascii=False),
            ",".join(comp.related), exported[comp.id], "", "",
        ])
    return out.getvalue()


# --------------------------------------------------------------------------- import


class _Reader:
    """The rows of one Moodle CSV and the warnings about them."""

    def __init__(self, path: Path, rows: list[list[str]]) -> None:
        self.path = path
        header = [_normalise(h) for h in rows[0]]
        missing = [HEADER[i] for i, key in enumerate(_KEYS)
                   if key not in header and key in {"idnumber", "shortname", "isframework"}]
        if missing:
            raise FrameworkError(path, "missing column", row=1, value=", ".join(missing))
        self.col = {key: header.index(key) for key in _KEYS if key in header}
        self.warnings: list[str] = []

    def raw(self, values: list[str], key: str) -> str:
        index = self.col.get(key)
        return values[index] if index is not None and index < len(values) else ""

    def cell(self, values: list[str], key: str) -> str:
        return self.raw(values, key).strip()

    def warn(self, row: int, problem: str, value: object = None) -> None:
        self.warnings.append(str(FrameworkError(self.path, problem, row=row, value=value)))

    def text_format(self, values: list[str], row: int) -> int:
        cell = self.cell(values, "descriptionformat")
        if cell == "":
            return FORMAT_HTML
        if cell.isdigit() and int(cell) in _FORMATS:
            return int(cell)
        self.warn(row, "unknown description format dropped; read as HTML", cell)
        return FORMAT_HTML

    def scale(self, values: list[str], row: int, names: list[str]
              ) -> tuple[int | None, tuple[int, ...]] | None:
        """Default item and proficient items of the row's scale configuration (None when
        the cell is empty)."""
        cell = self.cell(values, "scaleconfiguration")
        if not cell:
            return None
        try:
            items = json.loads(cell)
        except ValueError:
            self.warn(row, "scale configuration is not JSON; dropped", cell)
            return None
        default: int | None = None
        proficient: list[int] = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or "id" not in item:
                continue  # the first item names Moodle's scale id, which is site-specific
            try:
                number = int(item["id"])
            except (TypeError, ValueError):
                number = 0
            if not 1 <= number <= len(names):
                self.warn(row, "scale configuration names an item the scale does not have; "
                          "dropped", item["id"])
                continue
            if _truthy(item.get("scaledefault")) and default is None:
                default = number
            if _truthy(item.get("proficient")) and number not in proficient:
                proficient.append(number)
        return default, tuple(sorted(proficient))

    def dropped(self, values: list[str], row: int, keys: tuple[str, ...],
                empty: frozenset[str] = frozenset({""})) -> None:
        for key in keys:
            cell = self.cell(values, key)
            if cell not in empty:
                self.warn(row, f"{HEADER[_KEYS.index(key)]} has no place on this row; dropped",
                          cell)


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in {"1", "true"}


def _split(cell: str) -> list[str]:
    return [part.strip().replace("%2C", ",") for part in cell.split(",") if part.strip()]


def import_moodle_csv(path: str | Path) -> Framework:
    """Read a Moodle competency-framework CSV into a :class:`Framework`.

    What could not be represented is dropped; :func:`read_moodle_csv` also says what.
    """
    return read_moodle_csv(path).framework


def read_moodle_csv(path: str | Path) -> MoodleImport:
    """Read a Moodle competency-framework CSV: the :class:`Framework` and the warnings.

    Errors read ``FILE, row N: problem (value)`` with the header as row 1; the
    warnings (same form) say what could not be represented and was dropped.
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
    r = _Reader(path, rows)

    # csv.reader counts physical lines; rows are numbered by record (header = row 1)
    framework_row: tuple[int, list[str]] | None = None
    competency_rows: list[tuple[int, list[str]]] = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if _truthy(r.cell(values, "isframework")):
            if framework_row is not None:
                raise FrameworkError(path, "second framework row", row=number,
                                     value=r.cell(values, "idnumber"))
            framework_row = (number, values)
        else:
            competency_rows.append((number, values))
    if framework_row is None:
        raise FrameworkError(path, "no framework row (Is framework = 1)", row=2)
    framework = _read_framework(r, *framework_row)
    if not competency_rows:
        raise FrameworkError(path, "no competencies after the framework row",
                             row=framework_row[0])
    competencies = _read_competencies(r, framework, competency_rows)
    framework = replace(framework, competencies=tuple(competencies))
    return MoodleImport(framework, tuple(r.warnings))


def _read_framework(r: _Reader, row: int, values: list[str]) -> Framework:
    path = r.path
    level_names = [n.strip() for n in r.cell(values, "scalevalues").split(",") if n.strip()]
    if not level_names:
        raise FrameworkError(path, "framework row has no scale values (level names)", row=row)
    framework_id = r.cell(values, "idnumber")
    if not ID_PATTERN.match(framework_id):
        raise FrameworkError(path, "bad framework ID number", row=row, value=framework_id)
    framework_name = r.cell(values, "shortname")
    if not framework_name:
        raise FrameworkError(path, "missing framework short name", row=row)
    r.dropped(values, row, ("parentidnumber", "ruletype", "relatedidnumbers"))
    r.dropped(values, row, ("ruleoutcome",), frozenset({"", "0"}))
    r.dropped(values, row, ("ruleconfig",), frozenset({"", "null"}))
    text = r.raw(values, "description")
    text_format = r.text_format(values, row)
    description, version, level_descriptions = _read_framework_text(text, text_format,
                                                                    level_names)
    default, proficient = r.scale(values, row, level_names) or (1, None)
    if default is None:
        r.warn(row, "scale configuration has no default level; level 1 is the default")
        default = 1
    levels = tuple(Level(number, name, level_descriptions[number - 1],
                         proficient is None or number in proficient)
                   for number, name in enumerate(level_names, start=1))
    taxonomy = tuple(_split(r.cell(values, "taxonomy")))
    if taxonomy == (DEFAULT_TAXONOMY,):
        taxonomy = ()
    framework = Framework(
        id=framework_id, name=framework_name, version=version or "1.0", levels=levels,
        competencies=(), description=description, taxonomy=taxonomy, default_level=default)
    if (text, text_format) != (_framework_html(framework), FORMAT_HTML):
        framework = replace(framework, moodle_description=MoodleText(text, text_format))
    return framework


def _read_competencies(r: _Reader, framework: Framework,
                       rows: list[tuple[int, list[str]]]) -> list[Competency]:
    path = r.path
    seen: dict[str, int] = {}
    by_export: dict[str, str] = {}
    for number, values in rows:
        cid = r.cell(values, "idnumber")
        if not cid:
            raise FrameworkError(path, "missing ID number", row=number)
        if not ID_PATTERN.match(cid):
            raise FrameworkError(path, "bad competency ID number", row=number, value=cid)
        if cid in seen:
            raise FrameworkError(path, f"duplicate ID number (first on row {seen[cid]})",
                                 row=number, value=cid)
        seen[cid] = number
        export_id = r.cell(values, "exportid")
        if export_id:
            by_export.setdefault(export_id, cid)

    level_numbers = set(framework.level_numbers)
    competencies: list[Competency] = []
    for number, values in rows:
        cid = r.cell(values, "idnumber")
        name = r.cell(values, "shortname")
        if not name:
            raise FrameworkError(path, "missing short name", row=number, value=cid)
        text = r.raw(values, "description")
        text_format = r.text_format(values, number)
        description, indicators = _read_competency_text(text, text_format, level_numbers,
                                                        path, number)
        parent: str | None = r.cell(values, "parentidnumber") or None
        if parent is not None and (parent not in seen or parent == cid):
            r.warn(number, "parent ID number not among the competencies; dropped, the "
                   "competency is placed at the top level", parent)
            parent = None
        related: list[str] = []
        for other in _split(r.cell(values, "relatedidnumbers")):
            if other not in seen or other == cid:
                r.warn(number, "cross-reference to an ID number not among the other "
                       "competencies; dropped", other)
            elif other in related:
                r.warn(number, "cross-reference given twice; dropped", other)
            else:
                related.append(other)
        comp = Competency(cid, name, description, indicators, parent=parent,
                          related=tuple(related), scale=_read_scale(r, values, number),
                          rule=_read_rule(r, values, number, by_export))
        if (text, text_format) != (_competency_html(framework, comp), FORMAT_HTML):
            comp = replace(comp, moodle_description=MoodleText(text, text_format))
        r.dropped(values, number, ("taxonomy",))
        competencies.append(comp)
    return _break_loops(r, competencies, seen)


def _read_scale(r: _Reader, values: list[str], row: int) -> Scale | None:
    names = [n.strip() for n in r.cell(values, "scalevalues").split(",") if n.strip()]
    if not names:
        r.dropped(values, row, ("scaleconfiguration",))
        return None
    default, proficient = r.scale(values, row, names) or (None, ())
    return Scale(tuple(names), default, proficient)


def _read_rule(r: _Reader, values: list[str], row: int,
               by_export: dict[str, str]) -> Rule | None:
    rule_type = r.cell(values, "ruletype")
    outcome_cell = r.cell(values, "ruleoutcome")
    config_cell = r.cell(values, "ruleconfig")
    if not rule_type:
        r.dropped(values, row, ("ruleoutcome",), frozenset({"", "0"}))
        r.dropped(values, row, ("ruleconfig",), frozenset({"", "null"}))
        return None
    outcome = 0
    if outcome_cell.isdigit() and int(outcome_cell) in {0, 1, 2, 3}:
        outcome = int(outcome_cell)
    elif outcome_cell:
        r.warn(row, "unknown rule outcome dropped", outcome_cell)
    config: Any = None
    if config_cell and config_cell != "null":
        try:
            config = json.loads(config_cell)
        except ValueError:
            r.warn(row, "rule config is not JSON; dropped", config_cell)
        if not isinstance(config, (dict, list)):
            config = None

    def competency_of(export_id: str) -> str | None:
        found = by_export.get(export_id)
        if found is None:
            r.warn(row, "rule config names an exported ID no row has; dropped from the rule",
                   export_id)
        return found

    return Rule(rule_type, outcome, _map_rule_ids(config, competency_of))


def _break_loops(r: _Reader, competencies: list[Competency],
                 rows: dict[str, int]) -> list[Competency]:
    """Parents that would make a loop are dropped (with a warning)."""
    parents = {c.id: c.parent for c in competencies}
    for cid in parents:
        seen = {cid}
        up = parents[cid]
        while up is not None:
            if up in seen:
                r.warn(rows[cid], "parent ID number makes a loop; dropped", parents[cid])
                parents[cid] = None
                break
            seen.add(up)
            up = parents[up]
    return [c if c.parent == parents[c.id] else replace(c, parent=None) for c in competencies]
