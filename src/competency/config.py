"""The organisation's configuration: ``competency.toml``.

One file names the framework, the course directory, the evidence store and
the organisation's data files, so commands need no flags::

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

Paths (and the file of a ``sqlite:///relative.db`` URL) are relative to the
config file. Commands read ``--config FILE`` or, failing that, a
``competency.toml`` in the working directory; explicit flags always win.
The schema is :data:`SETTINGS`: each setting has a type and a help text, and
the file is checked against it on load (unknown keys and bad types raise
:class:`~competency.errors.ConfigError` as ``FILE, line N: problem``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from competency.errors import ConfigError, UsageError

CONFIG_NAME = "competency.toml"
DEFAULT_STORE_NAME = "competency.db"
DEFAULT_PASS_MARK = 0.8

Kind = Literal["path", "url", "share"]


@dataclass(frozen=True)
class Setting:
    """One key of ``competency.toml``."""

    key: str
    """Dotted key, e.g. ``data.roles``."""
    kind: Kind
    """``path`` (relative to the file), ``url`` (a database URL) or ``share`` (0 to 1)."""
    help: str
    """What it is for, shown by ``competency config show``."""


SETTINGS: tuple[Setting, ...] = (
    Setting("framework", "path",
            "Competency framework YAML (default: the shipped framework)."),
    Setting("course", "path",
            "nbgrader course directory: source/<module>/ notebooks and gradebook.db."),
    Setting("store", "url",
            "Evidence store: an SQLAlchemy URL such as sqlite:///competency.db or "
            "postgresql+psycopg://user@host/db, or a path to an SQLite file "
            "(default: competency.db beside this file)."),
    Setting("gradebook", "url",
            "nbgrader gradebook URL (default: sqlite:///COURSE/gradebook.db)."),
    Setting("pass_mark", "share",
            "Share of a module's points on a competency's cells a learner needs to hold it "
            "(default 0.8)."),
    Setting("data.roles", "path", "Roles table: role,competency,level,priority,assessed_by."),
    Setting("data.staff", "path", "Staff table: staff_id,role,team (+ username, ...)."),
    Setting("data.evidence", "path",
            "Evidence table: staff_id,competency,level,achieved_on,source."),
    Setting("data.catalogue", "path",
            "Catalogue of external training: course_id,title,provider,competencies,levels."),
    Setting("data.reviews", "path",
            "Training review log (CSV); when unset, reviews are kept in the store."),
)
_BY_KEY = {s.key: s for s in SETTINGS}
_SECTIONS = {s.key.split(".")[0] for s in SETTINGS if "." in s.key}


@dataclass(frozen=True)
class Config:
    """Resolved settings: paths made absolute against the config file's folder."""

    path: Path | None = None
    """The file read; None when no config file was found (built-in defaults)."""
    framework: Path | None = None
    """Framework YAML; None for the shipped framework."""
    course: Path | None = None
    """nbgrader course directory."""
    store: str | None = None
    """Evidence store URL; None means ``competency.db`` in the working directory."""
    gradebook: str | None = None
    """nbgrader gradebook URL; None means the course's ``gradebook.db``."""
    pass_mark: float = DEFAULT_PASS_MARK
    """Share of a competency's points in a module needed to hold it."""
    roles: Path | None = None
    """Roles table."""
    staff: Path | None = None
    """Staff table."""
    evidence: Path | None = None
    """Evidence table."""
    catalogue: Path | None = None
    """External training catalogue."""
    reviews: Path | None = None
    """Training review log (CSV); None keeps reviews in the store."""

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

    def pick(self, value: Path | None, name: str, flag: str) -> Path:
        """The flag's value when given, else the setting ``name`` (which must be set)."""
        return value if value is not None else self.require(name, flag)

    def option(self, value: Path | None, name: str) -> Path | None:
        """The flag's value when given, else the setting ``name`` (None when unset)."""
        if value is not None:
            return value
        setting: Path | None = getattr(self, name)
        return setting

    def require(self, name: str, flag: str) -> Path:
        """A path setting that a command needs: a one-line usage error when it is unset."""
        value = getattr(self, name)
        if value is None:
            key = next(s.key for s in SETTINGS if s.key.rsplit(".", 1)[-1] == name)
            raise UsageError(f"competency: Missing option '{flag}' (or set {key} in "
                             f"{self.path or CONFIG_NAME})")
        path: Path = value
        return path


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
        if isinstance(value, dict) and dotted in _SECTIONS:
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
    values: dict[str, Any] = {}
    for key, value in _flatten(data).items():
        line = lines.get(key, lines.get(key.split(".")[0], 1))
        setting = _BY_KEY.get(key)
        if setting is None:
            raise ConfigError(path, "unknown setting; see competency config show", line=line,
                              value=key)
        values[key.rsplit(".", 1)[-1]] = _value(setting, value, base, path, line)
    return Config(path=path, **values)


def _value(setting: Setting, value: Any, base: Path, path: Path, line: int) -> Any:
    if setting.kind == "share":
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not 0 < value <= 1:
            raise ConfigError(path, f"{setting.key} must be a number above 0 and at most 1",
                              line=line, value=value)
        return float(value)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(path, f"{setting.key} must be a non-empty string", line=line,
                          value=value)
    if setting.kind == "path":
        return (base / value).resolve()
    return resolve_url(value, base)


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


def render_config(config: Config) -> str:
    """Every setting with its resolved value and help text, for ``config show``."""
    lines = [f"# {config.path or 'no ' + CONFIG_NAME + ' found: built-in defaults'}"]
    for setting in SETTINGS:
        name = setting.key.rsplit(".", 1)[-1]
        value: Any = getattr(config, name)
        if name == "store":
            value = config.store_url
        elif name == "gradebook":
            value = config.gradebook_url()
        shown = "(not set)" if value is None else str(value)
        lines.append(f"{setting.key} = {shown}")
        lines.append(f"    {setting.help}")
    return "\n".join(lines) + "\n"
