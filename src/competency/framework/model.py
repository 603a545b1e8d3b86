"""Competency frameworks: the domain objects, YAML load and validation.

A framework is a set of competencies assessed on one scale of levels (1 to 4
in the shipped framework). Each competency has behavioural indicators per
level and, optionally, keywords for the job-description suggester. Optional
fields carry what Moodle's frameworks hold besides: a parent (a tree of
competencies), cross-references, a taxonomy per depth, a competency's own
scale, Moodle's completion rule and Moodle's description HTML kept verbatim.
A requirement or evidence names one competency ID; nothing rolls up from
children to parents. The YAML
schema is ``data/framework.schema.json``; ``docs/framework-schema.md``
documents it. Moodle CSV conversion lives in :mod:`competency.framework.moodle`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from competency.errors import FrameworkError
from competency.yamllines import LineDict, LineList, load_yaml

DEFAULT_FRAMEWORK_NAME = "framework.yaml"
SCHEMA_NAME = "framework.schema.json"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Level:
    """One step on the framework's scale."""

    number: int
    """1 for the lowest level; numbers are consecutive from 1."""
    name: str
    """Short name shown to people, e.g. ``Foundation``."""
    description: str = ""
    """Who typically needs this level."""
    proficient: bool = True
    """Whether Moodle counts this level as proficient (the scale configuration)."""


@dataclass(frozen=True)
class MoodleText:
    """A description exactly as Moodle gave it, kept when our own HTML would differ."""

    text: str
    """The description, byte for byte."""
    format: int = 1
    """Moodle's description format: 0 Moodle auto-format, 1 HTML, 2 plain text, 4 Markdown."""


@dataclass(frozen=True)
class Scale:
    """A competency's own Moodle scale, used in Moodle in place of the framework's."""

    values: tuple[str, ...]
    """The scale's items, lowest first (numbered 1, 2, … in Moodle's configuration)."""
    default: int | None = None
    """The item given by default, if any."""
    proficient: tuple[int, ...] = ()
    """The items that count as proficient."""


@dataclass(frozen=True)
class Rule:
    """Moodle's completion rule of a competency (how its children complete it)."""

    type: str
    """Moodle's rule class, e.g. ``core_competency\\competency_rule_all``."""
    outcome: int = 0
    """Moodle's outcome: 0 none, 1 attach evidence, 2 recommend, 3 mark complete."""
    config: Any = None
    """The rule's configuration (JSON data, e.g. points per child), naming competencies
    by their ID; None when the rule has none."""


@dataclass(frozen=True)
class Competency:
    """One competency of a framework."""

    id: str
    """Stable identifier used by course tags, roles and evidence, e.g. ``LAW-1``."""
    name: str
    """Human-readable name."""
    description: str = ""
    """What the competency covers."""
    indicators: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    """Behavioural indicators, keyed by level number."""
    keywords: tuple[str, ...] = ()
    """Words and phrases a job description uses when it calls for this competency."""
    parent: str | None = None
    """ID of the competency this one sits under (None: top level). Nothing rolls up: a
    requirement for the parent is met only by evidence for the parent's own ID."""
    related: tuple[str, ...] = ()
    """IDs of cross-referenced (related) competencies, in the order given."""
    scale: Scale | None = None
    """The competency's own Moodle scale (None: the framework's levels)."""
    rule: Rule | None = None
    """Moodle's completion rule (None: no rule)."""
    moodle_description: MoodleText | None = None
    """Moodle's description, kept verbatim when the HTML we build from ``description``
    and ``indicators`` would differ; exported as long as it still reads back as them."""

    def indicators_for(self, level: int) -> tuple[str, ...]:
        """The indicators of one level (empty if the framework gives none)."""
        return self.indicators.get(level, ())


@dataclass(frozen=True)
class Framework:
    """A competency framework: levels plus competencies, in file order."""

    id: str
    """Identifier of the framework itself."""
    name: str
    """Human-readable name."""
    version: str
    """Version string, e.g. ``1.0``; review logs record it."""
    levels: tuple[Level, ...]
    """The scale, lowest first."""
    competencies: tuple[Competency, ...]
    """The competencies, in the order the file gives them."""
    description: str = ""
    """What the framework is for."""
    sources: tuple[str, ...] = ()
    """Where its content comes from."""
    taxonomy: tuple[str, ...] = ()
    """Moodle's taxonomy term per depth (``domain``, ``competency``, …), top level first;
    empty: Moodle's default (``competency``)."""
    default_level: int = 1
    """The level Moodle gives by default (the scale configuration)."""
    moodle_description: MoodleText | None = None
    """Moodle's framework description, kept verbatim when the HTML we build from the
    description, version and level descriptions would differ."""
    _by_id: dict[str, Competency] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {c.id: c for c in self.competencies})

    def __iter__(self) -> Iterator[Competency]:
        return iter(self.competencies)

    def __len__(self) -> int:
        return len(self.competencies)

    def __contains__(self, competency_id: object) -> bool:
        return competency_id in self._by_id

    @property
    def ids(self) -> tuple[str, ...]:
        """Competency IDs in file order."""
        return tuple(c.id for c in self.competencies)

    @property
    def level_numbers(self) -> tuple[int, ...]:
        """The valid level numbers, lowest first."""
        return tuple(lv.number for lv in self.levels)

    def get(self, competency_id: str) -> Competency:
        """The competency with this ID; :class:`KeyError` if there is none."""
        return self._by_id[competency_id]

    def children(self, competency_id: str | None) -> tuple[Competency, ...]:
        """The competencies directly under this one (None: the top-level ones), in order."""
        return tuple(c for c in self.competencies if c.parent == competency_id)

    def level(self, number: int) -> Level:
        """The level with this number; :class:`KeyError` if there is none."""
        for lv in self.levels:
            if lv.number == number:
                return lv
        raise KeyError(number)


# --------------------------------------------------------------------------- YAML with lines


def _line_of(root: Any, path: list[Any]) -> int:
    """Best line number for a JSON-schema error path in the line-tracked document."""
    node = root
    line = getattr(root, "line", 1)
    for part in path:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("competency").joinpath("data", SCHEMA_NAME).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def schema_path() -> Path:
    """Where the JSON Schema of framework files is installed."""
    return Path(str(resources.files("competency").joinpath("data", SCHEMA_NAME)))


def default_framework_path() -> Path:
    """Where the shipped default framework is installed."""
    return Path(str(resources.files("competency").joinpath("data", DEFAULT_FRAMEWORK_NAME)))


def load_framework(path: str | Path | None = None) -> Framework:
    """Load and validate a framework YAML file (the shipped default when ``path`` is None).

    Raises :class:`FrameworkError` with ``FILE, line N: problem`` for any
    invalid content.
    """
    if path is None:
        return _default_framework()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise FrameworkError(path, "file not found") from exc
    except UnicodeDecodeError as exc:
        raise FrameworkError(path, "not UTF-8 text", line=1) from exc
    except OSError as exc:
        raise FrameworkError(path, f"cannot read: {exc.strerror}") from exc
    return parse_framework(text, source=str(path))


@cache
def _default_framework() -> Framework:
    path = default_framework_path()
    # The shipped file is checked against the JSON Schema by the test suite; the semantic
    # checks below still run, and the slow schema import is spared on every command.
    return parse_framework(path.read_text(encoding="utf-8"), source=str(path),
                           check_schema=False)


def parse_framework(text: str, *, source: str = "<string>",
                    check_schema: bool = True) -> Framework:
    """Parse and validate framework YAML given as text."""
    data = load_yaml(text, source=source, error=FrameworkError)
    if not isinstance(data, LineDict):
        raise FrameworkError(source, "a framework must be a YAML mapping", line=1)
    if check_schema:
        _check_schema(data, source)
    return _build(data, source)


def _check_schema(data: LineDict, source: str) -> None:
    import jsonschema  # slow to import (about 0.8 s): only when a file needs checking

    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data),
                    key=lambda e: (_line_of(data, list(e.absolute_path)), str(e.message)))
    if not errors:
        return
    error = errors[0]
    path = list(error.absolute_path)
    line = _line_of(data, path)
    where = _dotted(path)
    if error.validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else error.message
        problem = f"missing '{missing}'" + (f" in {where}" if where else "")
        raise FrameworkError(source, problem, line=line)
    if error.validator == "additionalProperties" and isinstance(error.instance, LineDict):
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        line = error.instance.key_lines.get(extra[0], line) if extra else line
        problem = f"unknown key in {where or 'framework'}"
        raise FrameworkError(source, problem, line=line, value=", ".join(map(str, extra)))
    raise FrameworkError(source, f"{where or 'framework'}: {error.message}", line=line)


def _dotted(path: list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _build(data: LineDict, source: str) -> Framework:
    levels_data: LineList = data["levels"]
    levels: list[Level] = []
    for i, item in enumerate(levels_data):
        expected = i + 1
        if item["level"] != expected:
            raise FrameworkError(source, f"levels must be numbered 1, 2, 3, … in order; "
                                 f"expected level {expected}", line=levels_data.item_lines[i],
                                 value=item["level"])
        levels.append(Level(item["level"], item["name"].strip(),
                            str(item.get("description", "")).strip(),
                            bool(item.get("proficient", True))))
    level_numbers = {lv.number for lv in levels}
    default_level = data.get("default_level", 1)
    if default_level not in level_numbers:
        raise FrameworkError(source, "default_level is not a level of the scale",
                             line=data.key_lines.get("default_level", 1), value=default_level)

    comps_data: LineList = data["competencies"]
    seen: dict[str, int] = {}
    competencies: list[Competency] = []
    for i, item in enumerate(comps_data):
        line = comps_data.item_lines[i]
        cid = item["id"]
        if cid in seen:
            raise FrameworkError(source, f"duplicate competency ID (first on line {seen[cid]})",
                                 line=item.key_lines.get("id", line), value=cid)
        seen[cid] = item.key_lines.get("id", line)
        indicators: dict[int, tuple[str, ...]] = {}
        ind_data = item.get("indicators") or LineDict()
        for key, values in ind_data.items():
            key_line = (ind_data.key_lines.get(key, line) if isinstance(ind_data, LineDict)
                        else line)
            number = _as_level(key)
            if number is None or number not in level_numbers:
                raise FrameworkError(source, f"unknown level in indicators of {cid}",
                                     line=key_line, value=key)
            indicators[number] = tuple(str(v).strip() for v in values)
        competencies.append(Competency(
            id=cid,
            name=item["name"].strip(),
            description=str(item.get("description", "")).strip(),
            indicators=dict(sorted(indicators.items())),
            keywords=tuple(str(k).strip() for k in item.get("keywords", [])),
            parent=item.get("parent"),
            related=tuple(item.get("related", [])),
            scale=_scale(item.get("scale"), source, item.key_lines.get("scale", line)),
            rule=_rule(item.get("rule")),
            moodle_description=_moodle_text(item.get("moodle_description")),
        ))
    _check_links(comps_data, competencies, source)
    return Framework(
        id=str(data["id"]),
        name=str(data["name"]).strip(),
        version=str(data["version"]),
        levels=tuple(levels),
        competencies=tuple(competencies),
        description=str(data.get("description", "")).strip(),
        sources=tuple(str(s) for s in data.get("sources", [])),
        taxonomy=tuple(str(t) for t in data.get("taxonomy", [])),
        default_level=default_level,
        moodle_description=_moodle_text(data.get("moodle_description")),
    )


def plain(value: Any) -> Any:
    """JSON-like data without the line-tracking containers of the YAML loader."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _scale(data: Any, source: str, line: int) -> Scale | None:
    if data is None:
        return None
    values = tuple(str(v).strip() for v in data["values"])
    default = data.get("default")
    proficient = tuple(data.get("proficient", []))
    for number in ([default] if default is not None else []) + list(proficient):
        if not 1 <= number <= len(values):
            raise FrameworkError(source, "scale item out of range", line=line, value=number)
    return Scale(values, default, proficient)


def _rule(data: Any) -> Rule | None:
    if data is None:
        return None
    return Rule(str(data["type"]), int(data.get("outcome", 0)), plain(data.get("config")))


def _moodle_text(data: Any) -> MoodleText | None:
    if data is None:
        return None
    return MoodleText(str(data["text"]), int(data.get("format", 1)))


def rule_ids(config: Any) -> list[str]:
    """The competency IDs a rule configuration names (``competencies[].id``)."""
    items = config.get("competencies") if isinstance(config, dict) else None
    if not isinstance(items, list):
        return []
    return [str(i["id"]) for i in items if isinstance(i, dict) and "id" in i]


def _check_links(comps_data: LineList, competencies: list[Competency], source: str) -> None:
    """Parents, cross-references and rule configurations name competencies of the file;
    parents form a tree."""
    ids = {c.id for c in competencies}
    for i, comp in enumerate(competencies):
        item = comps_data[i]
        line = comps_data.item_lines[i]
        if comp.parent is not None:
            where = item.key_lines.get("parent", line)
            if comp.parent == comp.id:
                raise FrameworkError(source, f"{comp.id} is its own parent", line=where,
                                     value=comp.parent)
            if comp.parent not in ids:
                raise FrameworkError(source, f"unknown parent of {comp.id}", line=where,
                                     value=comp.parent)
        for other in comp.related:
            if other not in ids or other == comp.id:
                raise FrameworkError(source, f"unknown cross-reference of {comp.id}",
                                     line=item.key_lines.get("related", line), value=other)
        for other in rule_ids(comp.rule.config if comp.rule else None):
            if other not in ids:
                raise FrameworkError(source, f"unknown competency in the rule of {comp.id}",
                                     line=item.key_lines.get("rule", line), value=other)
    parents = {c.id: c.parent for c in competencies}
    for i, comp in enumerate(competencies):
        seen = {comp.id}
        up = comp.parent
        while up is not None:
            if up in seen:
                raise FrameworkError(source, f"parents of {comp.id} form a loop",
                                     line=comps_data.item_lines[i], value=up)
            seen.add(up)
            up = parents.get(up)


def _as_level(key: object) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    if isinstance(key, str) and key.strip().isdigit():
        return int(key)
    return None


# --------------------------------------------------------------------------- YAML out


def framework_to_dict(framework: Framework) -> dict[str, Any]:
    """The framework as plain data in the YAML schema's shape."""
    out: dict[str, Any] = {
        "schema_version": 1,
        "id": framework.id,
        "name": framework.name,
        "version": framework.version,
    }
    if framework.description:
        out["description"] = framework.description
    if framework.sources:
        out["sources"] = list(framework.sources)
    if framework.taxonomy:
        out["taxonomy"] = list(framework.taxonomy)
    if framework.default_level != 1:
        out["default_level"] = framework.default_level
    out["levels"] = [
        {"level": lv.number, "name": lv.name,
         **({"description": lv.description} if lv.description else {}),
         **({} if lv.proficient else {"proficient": False})}
        for lv in framework.levels
    ]
    if framework.moodle_description is not None:
        out["moodle_description"] = _moodle_dict(framework.moodle_description)
    comps: list[dict[str, Any]] = []
    for c in framework.competencies:
        item: dict[str, Any] = {"id": c.id, "name": c.name}
        if c.parent is not None:
            item["parent"] = c.parent
        if c.description:
            item["description"] = c.description
        if c.indicators:
            item["indicators"] = {n: list(v) for n, v in c.indicators.items()}
        if c.keywords:
            item["keywords"] = list(c.keywords)
        if c.related:
            item["related"] = list(c.related)
        if c.scale is not None:
            item["scale"] = {"values": list(c.scale.values),
                             **({} if c.scale.default is None else {"default": c.scale.default}),
                             "proficient": list(c.scale.proficient)}
        if c.rule is not None:
            item["rule"] = {"type": c.rule.type, "outcome": c.rule.outcome,
                            **({} if c.rule.config is None else {"config": c.rule.config})}
        if c.moodle_description is not None:
            item["moodle_description"] = _moodle_dict(c.moodle_description)
        comps.append(item)
    out["competencies"] = comps
    return out


def _moodle_dict(text: MoodleText) -> dict[str, Any]:
    return {"format": text.format, "text": text.text}


def dump_framework(framework: Framework) -> str:
    """The framework as YAML text that :func:`parse_framework` reads back unchanged."""
    return yaml.safe_dump(framework_to_dict(framework), sort_keys=False, allow_unicode=True,
                          width=100)


def render_framework(framework: Framework, competency_id: str | None = None) -> str:
    """A plain-text view of the framework (one competency when ``competency_id`` is given)."""
    lines = [f"{framework.name} (version {framework.version}, id {framework.id})", ""]
    if competency_id is None:
        lines.append("Levels:")
        lines.extend(f"  {lv.number} {lv.name}" + (f": {lv.description}" if lv.description
                                                    else "") for lv in framework.levels)
        lines.append("")
        comps = list(framework.competencies)
    else:
        if competency_id not in framework:
            raise FrameworkError("<framework>", "unknown competency", value=competency_id)
        comps = [framework.get(competency_id)]
    for comp in comps:
        lines.append(f"{comp.id}  {comp.name}")
        if comp.parent is not None:
            lines.append(f"  Under: {comp.parent}")
        if comp.related:
            lines.append(f"  Related: {', '.join(comp.related)}")
        if comp.description:
            lines.append(f"  {comp.description}")
        for number, indicators in comp.indicators.items():
            lines.append(f"  Level {number} ({framework.level(number).name}):")
            lines.extend(f"    - {text}" for text in indicators)
        lines.append("")
    return "\n".join(lines)
