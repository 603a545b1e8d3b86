"""The organisation's configuration: ``competency.toml``.

One file names the framework, the course directory, the evidence store, the
organisation's data files and the settings of each command, so commands need
no flags::

    framework = "framework.yaml"        # optional: the shipped framework otherwise
    course = "../course"
    store = "sqlite:///competency.db"   # the default: competency.db beside this file
    gradebook = "sqlite:///../course/gradebook.db"
    pass_mark = 0.8

    [data]
    roles = "roles.csv"
    staff = "staff.csv"
    evidence = "evidence.csv"
    catalogue = "catalogue.csv"
    reviews = "reviews.csv"

    [coverage]
    refresher_years = 3
    as_of = 2026-11-26                  # optional: today otherwise

    [grading]
    jobs = 4
    memory_gb = 2

Paths (and the file of a ``sqlite:///relative.db`` URL) are relative to the
config file. Commands read ``--config FILE`` or, failing that, a
``competency.toml`` in the working directory; explicit flags always win.

The schema is declared once, as the fields of :class:`Config` and of its
sections (:class:`DataFiles`, :class:`CoverageSettings`, ...): each field is a
:func:`setting` with its type, its default (the constant of the API that owns
it), a help text and a kind that says how a value is checked. :data:`SETTINGS`
lists them for ``competency config show``. A bad value in the file raises
:class:`~competency.errors.ConfigError` as ``FILE, line N: setting: problem
(value)``; a bad value given to :func:`with_values` (a command's flags) raises
:class:`SettingError` as ``setting: problem (value)``.

This module is the composition root of the settings: it sits above the areas
whose defaults it reads, and the areas never import it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from competency.course.lab import DEFAULT_PORT as LAB_PORT
from competency.coverage.dashboard import DEFAULT_PORT as DASHBOARD_PORT
from competency.coverage.disclosure import DEFAULT_ROUNDING, DEFAULT_THRESHOLD, DisclosureRule
from competency.coverage.statuses import DEFAULT_EXPIRING_DAYS, DEFAULT_REFRESHER_YEARS
from competency.dates import parse_iso
from competency.errors import CompetencyError, ConfigError
from competency.evidence.records import DEFAULT_PASS_MARK
from competency.grading.sandbox import Limits

CONFIG_NAME = "competency.toml"
DEFAULT_STORE_NAME = "competency.db"
GB = 1024**3
"""Bytes in a gigabyte, as ``grading.memory_gb`` counts them."""

Kind = Literal["path", "url", "share", "count", "whole", "positive", "port", "flag", "date"]
_PROBLEMS: dict[str, str] = {
    "path": "must be a non-empty string",
    "url": "must be a non-empty string",
    "share": "must be a number above 0 and at most 1",
    "count": "must be a whole number, at least 1",
    "whole": "must be a whole number, 0 or more",
    "positive": "must be a number above 0",
    "port": "must be a port number, 1 to 65535",
    "flag": "must be true or false",
    "date": "must be a date, YYYY-MM-DD",
}


class SettingError(CompetencyError):
    """A setting's value is invalid: ``setting: problem (value)``."""

    def __init__(self, key: str, problem: str, value: object) -> None:
        self.key = key
        self.problem = problem
        self.value = value
        super().__init__(f"{key}: {problem} ({value})")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.key, self.problem, self.value))


def setting(default: Any, help: str, kind: Kind) -> Any:
    """Declare one setting: a dataclass field with its default, help text and kind."""
    return field(default=default, metadata={"help": help, "kind": kind})


def section(cls: type[Any]) -> Any:
    """Declare a ``[section]`` of settings, whose fields are :func:`setting` s."""
    return field(default_factory=cls, metadata={"section": cls})


@dataclass(frozen=True)
class DataFiles:
    """``[data]``: the organisation's tables (absolute paths once loaded)."""

    roles: Path | None = setting(
        None, "Roles table: role,competency,level,priority,assessed_by.", "path")
    """Roles table."""
    staff: Path | None = setting(
        None, "Staff table: staff_id,role,team (+ username, ...).", "path")
    """Staff table."""
    evidence: Path | None = setting(
        None, "Evidence table: staff_id,competency,level,achieved_on,source.", "path")
    """Evidence table."""
    catalogue: Path | None = setting(
        None, "Catalogue of external training: course_id,title,provider,competencies,levels.",
        "path")
    """External training catalogue."""
    reviews: Path | None = setting(
        None, "Training review log (CSV); when unset, reviews are kept in the store.", "path")
    """Training review log (CSV); None keeps reviews in the store."""


@dataclass(frozen=True)
class CoverageSettings:
    """``[coverage]``: how ``coverage`` and ``report`` judge evidence."""

    refresher_years: int = setting(
        DEFAULT_REFRESHER_YEARS, "Evidence lasts this many years.", "count")
    """Years a piece of evidence stays in date."""
    expiring_days: int = setting(
        DEFAULT_EXPIRING_DAYS, "Evidence running out within this many days is 'expiring'.",
        "whole")
    """Window, in days, for the ``expiring`` status."""
    as_of: dt.date | None = setting(
        None, "Judge coverage on this date, YYYY-MM-DD (default: today); the sample "
        "organisation pins its own, so its figures never age.", "date")
    """The as-of date of coverage, reports and the dashboard; None for today."""


@dataclass(frozen=True)
class ReportSettings:
    """``[report]``: small-number suppression in aggregated reports."""

    suppress: bool = setting(
        DisclosureRule.enabled, "Suppress small numbers and round counts.", "flag")
    """Apply the disclosure rule."""
    threshold: int = setting(
        DEFAULT_THRESHOLD, "Counts from 1 to this are shown as *.", "whole")
    """Largest count suppressed."""
    round_to: int = setting(
        DEFAULT_ROUNDING, "Round other counts to a multiple of this.", "count")
    """Rounding base for the other counts."""


@dataclass(frozen=True)
class GradingSettings:
    """``[grading]``: how ``competency grade`` runs notebooks."""

    jobs: int | None = setting(
        None, "Notebooks graded at once (default: the number of CPUs).", "count")
    """Workers; None for one per CPU."""
    cell_timeout: float | None = setting(
        None, "Seconds per cell (default: the course's Execute.timeout).", "positive")
    """Seconds per cell; None for the course's ``Execute.timeout``."""
    notebook_timeout: float = setting(
        Limits.notebook_timeout, "Seconds per notebook.", "positive")
    """Seconds per notebook."""
    memory_gb: float = setting(
        Limits.memory_bytes / GB, "Memory per notebook process, in GB.", "positive")
    """Address space per notebook process, in GB."""

    @property
    def memory_bytes(self) -> int:
        """:attr:`memory_gb` in bytes."""
        return int(self.memory_gb * GB)


@dataclass(frozen=True)
class LabSettings:
    """``[lab]``: ``competency lab``."""

    port: int = setting(LAB_PORT, "JupyterLab's port (the next free one if taken).", "port")
    """First port tried."""


@dataclass(frozen=True)
class DashboardSettings:
    """``[dashboard]``: ``competency dashboard``."""

    port: int = setting(DASHBOARD_PORT, "The dashboard's port (the next free one if taken).",
                        "port")
    """First port tried."""


@dataclass(frozen=True)
class Config:
    """Resolved settings: paths made absolute against the config file's folder."""

    path: Path | None = None
    """The file read; None when no config file was found (built-in defaults)."""
    framework: Path | None = setting(
        None, "Competency framework YAML (default: the shipped framework).", "path")
    """Framework YAML; None for the shipped framework."""
    course: Path | None = setting(
        None, "nbgrader course directory: source/<module>/ notebooks and gradebook.db.", "path")
    """nbgrader course directory."""
    store: str | None = setting(
        None, "Evidence store: an SQLAlchemy URL such as sqlite:///competency.db or "
        "postgresql+psycopg://user@host/db, or a path to an SQLite file "
        "(default: competency.db beside this file).", "url")
    """Evidence store URL; None means ``competency.db`` in the working directory."""
    gradebook: str | None = setting(
        None, "nbgrader gradebook URL (default: sqlite:///COURSE/gradebook.db).", "url")
    """nbgrader gradebook URL; None means the course's ``gradebook.db``."""
    pass_mark: float = setting(
        DEFAULT_PASS_MARK, "Share of a module's points on a competency's cells a learner "
        f"needs to hold it (default {DEFAULT_PASS_MARK:g}).", "share")
    """Share of a competency's points in a module needed to hold it."""
    data: DataFiles = section(DataFiles)
    """``[data]``: the organisation's tables."""
    coverage: CoverageSettings = section(CoverageSettings)
    """``[coverage]``."""
    report: ReportSettings = section(ReportSettings)
    """``[report]``."""
    grading: GradingSettings = section(GradingSettings)
    """``[grading]``."""
    lab: LabSettings = section(LabSettings)
    """``[lab]``."""
    dashboard: DashboardSettings = section(DashboardSettings)
    """``[dashboard]``."""

    @property
    def store_url(self) -> str:
        """The store URL, defaulting to ``competency.db`` beside the file (or here)."""
        if self.store is not None:
            return self.store
        folder = self.path.parent if self.path is not None else Path.cwd()
        return sqlite_url(folder / DEFAULT_STORE_NAME)

    def gradebook_url(self, course: Path | None = None) -> str:
        """The gradebook URL: the setting, else ``gradebook.db`` in the course directory."""
        if self.gradebook is not None:
            return self.gradebook
        return sqlite_url((course or self.course or Path("course")) / "gradebook.db")


@dataclass(frozen=True)
class Setting:
    """One key of ``competency.toml``, as read from the schema's declaration."""

    key: str
    """Dotted key, e.g. ``data.roles``."""
    kind: Kind
    """How a value is checked: ``path`` (relative to the file), ``url``, ``share`` (0 to 1),
    ``count`` (1 or more), ``whole`` (0 or more), ``positive``, ``port``, ``flag`` or
    ``date`` (a TOML date or ``YYYY-MM-DD`` text)."""
    help: str
    """What it is for, shown by ``competency config show``."""
    default: Any
    """The value when the file does not set it."""


def _schema() -> tuple[Setting, ...]:
    out: list[Setting] = []
    for top in dataclasses.fields(Config):
        owner: type[Any] | None = top.metadata.get("section")
        if owner is None and "help" in top.metadata:
            out.append(Setting(top.name, top.metadata["kind"], top.metadata["help"],
                               top.default))
        for item in dataclasses.fields(owner) if owner is not None else ():
            out.append(Setting(f"{top.name}.{item.name}", item.metadata["kind"],
                               item.metadata["help"], item.default))
    return tuple(out)


SETTINGS: tuple[Setting, ...] = _schema()
"""Every setting, in the order ``config show`` lists them."""
_BY_KEY = {s.key: s for s in SETTINGS}
_SECTIONS: dict[type[Any], str] = {
    f.metadata["section"]: f.name for f in dataclasses.fields(Config) if "section" in f.metadata}

_T = TypeVar("_T")


def check_value(key: str, value: Any) -> Any:
    """``value`` checked against the setting ``key`` (numbers normalised), or
    :class:`SettingError`."""
    kind = _BY_KEY[key].kind
    number = isinstance(value, int | float) and not isinstance(value, bool)
    whole = isinstance(value, int) and not isinstance(value, bool)
    ok = {
        "share": number and 0 < value <= 1,
        "count": whole and value >= 1,
        "whole": whole and value >= 0,
        "positive": number and value > 0,
        "port": whole and 1 <= value <= 65535,
        "flag": isinstance(value, bool),
    }.get(kind, isinstance(value, str | Path) and bool(str(value).strip()))
    if kind == "date":  # a TOML date, or text in ISO form
        day = (value if isinstance(value, dt.date) and not isinstance(value, dt.datetime)
               else parse_iso(value) if isinstance(value, str) else None)
        if day is None:
            raise SettingError(key, _PROBLEMS[kind], value)
        return day
    if not ok:
        raise SettingError(key, _PROBLEMS[kind], value)
    return float(value) if kind in ("share", "positive") else value


def with_values(settings: _T, **values: Any) -> _T:
    """``settings`` (a :class:`Config` or one of its sections) with the values given
    (a command's flags) in place of its own; None leaves a setting as it is. Each
    value is checked as if it came from the file (:class:`SettingError` otherwise)."""
    prefix = _SECTIONS.get(type(settings))
    changes = {name: check_value(f"{prefix}.{name}" if prefix else name, value)
               for name, value in values.items() if value is not None}
    return dataclasses.replace(settings, **changes)  # type: ignore[type-var]


def sqlite_url(path: Path) -> str:
    """An SQLAlchemy URL for an SQLite file."""
    return f"sqlite:///{path.resolve()}"


def _key_lines(text: str) -> dict[str, int]:
    """Line of each dotted key and table header (best effort; tomllib gives none)."""
    lines: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\[\]]+?)\s*\]", stripped)
        if header:
            table = _unquote(header.group(1))
            lines.setdefault(table, number)
            continue
        key = re.match(r"""^((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
                       r"""(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""", stripped)
        if key:
            dotted = _unquote(key.group(1))
            lines.setdefault(f"{table}.{dotted}" if table else dotted, number)
    return lines


def _unquote(dotted: str) -> str:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", dotted)
    return ".".join(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and dotted in _SECTIONS.values():
            out.update(_flatten(value, f"{dotted}."))
        else:
            out[dotted] = value
    return out


def parse_config(text: str, path: Path) -> Config:
    """Check ``competency.toml`` text against :data:`SETTINGS` and resolve its paths."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column \d+\)$", message)
        line = int(found.group(1)) if found else text.count("\n") + 1
        problem = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", message)
        raise ConfigError(path, f"invalid TOML: {problem}", line=line) from exc
    lines = _key_lines(text)
    base = path.parent
    top: dict[str, Any] = {}
    sections: dict[str, dict[str, Any]] = {name: {} for name in _SECTIONS.values()}
    for key, value in _flatten(data).items():
        line = lines.get(key, lines.get(key.split(".")[0], 1))
        setting_ = _BY_KEY.get(key)
        if setting_ is None:
            raise ConfigError(path, "unknown setting; see competency config show", line=line,
                              value=key)
        try:
            checked = check_value(key, value)
        except SettingError as exc:
            raise ConfigError(path, f"{key}: {exc.problem}", line=line, value=value) from None
        if setting_.kind == "path":
            checked = (base / checked).resolve()
        elif setting_.kind == "url":
            checked = resolve_url(checked, base)
        name, _, sub = key.partition(".")
        if sub:
            sections[name][sub] = checked
        else:
            top[name] = checked
    parts = {f.name: f.metadata["section"](**sections[f.name])
             for f in dataclasses.fields(Config) if "section" in f.metadata}
    return Config(path=path, **top, **parts)


def resolve_url(value: str, base: Path) -> str:
    """A database URL with a relative SQLite file made absolute against ``base``.

    A value without ``://`` is taken as the path of an SQLite file.
    """
    if "://" not in value:
        return sqlite_url(base / value)
    match = re.match(r"^(sqlite(?:\+\w+)?):///(.*)$", value)
    if match and match.group(2) and match.group(2) != ":memory:" \
            and not Path(match.group(2)).is_absolute():
        return f"{match.group(1)}:///{(base / match.group(2)).resolve()}"
    return value


def load_config(path: str | Path) -> Config:
    """Read and validate one config file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(path, "file not found") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "not UTF-8 text", line=1) from exc
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from exc
    return parse_config(text, path)


def find_config(explicit: str | Path | None = None, folder: Path | None = None) -> Config:
    """``explicit`` if given, else ``competency.toml`` in ``folder`` (the working
    directory) if there is one, else the built-in defaults."""
    if explicit is not None:
        return load_config(explicit)
    candidate = (folder or Path.cwd()) / CONFIG_NAME
    if candidate.is_file():
        return load_config(candidate)
    return Config()


def value_of(config: Config, key: str) -> Any:
    """The value in force of the setting ``key`` (the store and gradebook URLs resolved)."""
    if key == "store":
        return config.store_url
    if key == "gradebook":
        return config.gradebook_url()
    owner: Any = config
    for part in key.split("."):
        owner = getattr(owner, part)
    return owner


def render_config(config: Config) -> str:
    """Every setting with its resolved value and help text, for ``config show``."""
    lines = [f"# {config.path or 'no ' + CONFIG_NAME + ' found: built-in defaults'}"]
    for item in SETTINGS:
        value = value_of(config, item.key)
        shown = ("(not set)" if value is None else str(value).lower() if isinstance(value, bool)
                 else str(value))
        lines.append(f"{item.key} = {shown}")
        lines.append(f"    {item.help}")
    return "\n".join(lines) + "\n"
