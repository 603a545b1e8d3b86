"""Roles and their competency requirements (the roles table).

The roles table (CSV or XLSX, header row) has the columns
``role,competency,level,priority,assessed_by``: one row per requirement.
``priority`` is ``essential`` or ``desirable``; ``assessed_by`` is one or more of
``application;interview;test;training`` separated by ``;``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from competency.errors import RoleError, RowProblems, TableError
from competency.framework.model import Framework, load_framework
from competency.tables import read_rows, write_table

ROLE = "role"
COMPETENCY = "competency"
LEVEL = "level"
PRIORITY = "priority"
ASSESSED_BY = "assessed_by"
COLUMNS: tuple[str, ...] = (ROLE, COMPETENCY, LEVEL, PRIORITY, ASSESSED_BY)

Priority = Literal["essential", "desirable"]
PRIORITIES: tuple[str, ...] = ("essential", "desirable")
ASSESSMENTS: tuple[str, ...] = ("application", "interview", "test", "training")


@dataclass(frozen=True)
class Requirement:
    """One competency a role requires."""

    role: str
    """The role's name, as in the staff table's ``role`` column."""
    competency: str
    """Competency ID of the framework."""
    level: int
    """Level required (1 to the framework's highest)."""
    priority: Priority
    """``essential`` or ``desirable``."""
    assessed_by: tuple[str, ...]
    """How it is assessed: some of application, interview, test, training."""


@dataclass(frozen=True)
class Roles:
    """The roles table: requirements in file order, grouped by role."""

    requirements: tuple[Requirement, ...]
    """Every requirement, in file order."""

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    @property
    def names(self) -> tuple[str, ...]:
        """Role names in order of first appearance."""
        return tuple(dict.fromkeys(r.role for r in self.requirements))

    def for_role(self, role: str) -> tuple[Requirement, ...]:
        """The requirements of one role (empty when it has none)."""
        return tuple(r for r in self.requirements if r.role == role)

    def with_requirements(self, new: Iterable[Requirement]) -> Roles:
        """A copy with ``new`` requirements added or replacing same role+competency ones."""
        replaced = {(r.role, r.competency): r for r in self.requirements}
        for req in new:
            replaced[(req.role, req.competency)] = req
        return Roles(tuple(replaced.values()))


def _parse_level(value: str, framework: Framework) -> int | None:
    if not value.strip().isdigit():
        return None
    level = int(value)
    return level if level in framework.level_numbers else None


def _priority(value: str) -> Priority:
    return "essential" if value.lower() == "essential" else "desirable"


def parse_assessed_by(value: str) -> tuple[str, ...] | None:
    """``application;interview`` -> tuple; None when a part is unknown or it is empty."""
    parts = [p.strip().lower() for p in value.replace(",", ";").split(";") if p.strip()]
    if not parts or any(p not in ASSESSMENTS for p in parts):
        return None
    return tuple(dict.fromkeys(parts))


def load_roles(path: str | Path, framework: Framework | None = None) -> Roles:
    """Read and validate a roles table (CSV or XLSX).

    Problems raise :class:`TableError` naming the file and row: unknown
    competency or level, bad priority or assessment, empty role, duplicate
    role+competency.
    """
    framework = framework or load_framework()
    path = Path(path)
    frame = read_rows(path, COLUMNS)
    seen: dict[tuple[str, str], int] = {}
    out: list[Requirement] = []
    problems = RowProblems()
    for row, role, cid, level_text, priority, assessed in zip(
            frame.rows, frame[ROLE], frame[COMPETENCY], frame[LEVEL], frame[PRIORITY],
            frame[ASSESSED_BY], strict=True):
        with problems.catch():
            if not role:
                raise TableError(path, "empty role", row=row)
            if cid not in framework:
                raise TableError(path, "unknown competency", row=row, value=cid)
            level = _parse_level(level_text, framework)
            if level is None:
                raise TableError(path, "unknown level", row=row, value=level_text)
            if priority.lower() not in PRIORITIES:
                raise TableError(path, "bad priority; use essential or desirable", row=row,
                                 value=priority)
            how = parse_assessed_by(assessed)
            if how is None:
                raise TableError(path, "bad assessed_by; use "
                                 "application;interview;test;training", row=row,
                                 value=assessed)
            key = (role, cid)
            if key in seen:
                raise TableError(path, f"duplicate requirement (first on row {seen[key]})",
                                 row=row, value=f"{role}, {cid}")
            seen[key] = row
            out.append(Requirement(role, cid, level, _priority(priority), how))
    problems.raise_first()
    return Roles(tuple(out))


def roles_records(roles: Roles) -> list[dict[str, str | int]]:
    """The roles table as records with the contract's columns."""
    return [{ROLE: r.role, COMPETENCY: r.competency, LEVEL: r.level, PRIORITY: r.priority,
             ASSESSED_BY: ";".join(r.assessed_by)} for r in roles]


def save_roles(roles: Roles, path: str | Path) -> Path:
    """Write the roles table atomically as CSV or XLSX (by suffix)."""
    import pandas as pd

    frame = pd.DataFrame.from_records(roles_records(roles), columns=list(COLUMNS))
    return write_table(frame, path)


def find_role(roles: Roles, name: str, source: str | Path = "roles table") -> str:
    """The role called ``name``: an exact match, else the only case-insensitive one.

    Raises :class:`RoleError` naming ``source`` and listing close matches (or,
    when there are none, the roles there are).
    """
    if name in roles.names:
        return name
    folded = {n.casefold(): n for n in roles.names}
    if name.strip().casefold() in folded:
        return folded[name.strip().casefold()]
    wanted = name.strip().casefold()
    close = [folded[m] for m in difflib.get_close_matches(wanted, list(folded), n=3, cutoff=0.6)]
    close += [n for key, n in folded.items() if wanted and wanted in key and n not in close]
    if close:
        hint = "did you mean: " + ", ".join(close[:3]) + "?"
    elif roles.names:
        hint = "roles are: " + ", ".join(roles.names)
    else:
        hint = "the table has no roles"
    raise RoleError(f"{source}: unknown role ({name}); {hint}")


def render_roles(roles: Roles, framework: Framework | None = None,
                 role: str | None = None) -> str:
    """The roles table as text, one block per role (only ``role`` when given)."""
    framework = framework or load_framework()
    names = roles.names if role is None else (find_role(roles, role),)
    lines: list[str] = []
    for name in names:
        lines.append(name)
        for req in sorted(roles.for_role(name),
                          key=lambda r: (PRIORITIES.index(r.priority), -r.level)):
            comp = framework.get(req.competency) if req.competency in framework else None
            title = comp.name if comp else ""
            level = (framework.level(req.level).name if req.level in framework.level_numbers
                     else "")
            lines.append(f"  {req.priority:<10} {req.competency:<7} level {req.level} "
                         f"{level:<12} {title}  [{';'.join(req.assessed_by)}]".rstrip())
        lines.append("")
    return "\n".join(lines)
