"""Job-description review decisions: an append-only log, applied to the roles table.

Reviewing a job description (JD) means accepting or rejecting the competencies
the suggester found in it. Each decision is one row of a CSV log::

    recorded_at,jd,role,competency,decision,level,priority,assessed_by,decided_by,reason

``jd`` is the JD's file name (no folders, so the log travels with the JDs);
``decision`` is ``accept`` or ``reject``; level, priority and assessed_by are
filled for acceptances only. The log is only ever appended to, one write of
whole rows at a time, flushed to disk: earlier rows are never changed, so the
log is an audit trail. When a JD's competency is decided more than once, the
latest row in the log wins. Accepted decisions become role requirements
(:func:`apply_decisions`); rejections never remove a requirement already in the
roles table (they are reported instead).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from competency.errors import DecisionError, RequirementChangeError, RowProblems, TableError
from competency.files import append_csv
from competency.framework.model import Framework, load_framework
from competency.hr.roles import (
    ASSESSMENTS,
    PRIORITIES,
    Priority,
    Requirement,
    Roles,
    load_roles,
    parse_assessed_by,
    save_roles,
)
from competency.tables import read_table

RECORDED_AT = "recorded_at"
JD = "jd"
ROLE = "role"
COMPETENCY = "competency"
DECISION = "decision"
LEVEL = "level"
PRIORITY = "priority"
ASSESSED_BY = "assessed_by"
DECIDED_BY = "decided_by"
REASON = "reason"
COLUMNS: tuple[str, ...] = (RECORDED_AT, JD, ROLE, COMPETENCY, DECISION, LEVEL, PRIORITY,
                            ASSESSED_BY, DECIDED_BY, REASON)

Verdict = Literal["accept", "reject"]
VERDICTS: tuple[str, ...] = ("accept", "reject")
DEFAULT_LEVEL = 1
"""Level of an acceptance that names none (Foundation: every member of staff)."""
DEFAULT_PRIORITY: Priority = "essential"
"""Priority of an acceptance that names none."""
DEFAULT_ASSESSED_BY: tuple[str, ...] = ("application", "interview")
"""How accepted competencies are assessed unless told otherwise."""
JD_SUFFIXES = (".docx", ".pdf", ".txt", ".md")
"""Files in a JD folder that count as job descriptions."""


@dataclass(frozen=True)
class Decision:
    """One accept or reject decision about one competency for one job description."""

    recorded_at: str
    """When it was recorded, ISO 8601 in UTC (``2025-03-01T09:30:00Z``)."""
    jd: str
    """The job description's file name."""
    role: str
    """The role the JD describes (as in the roles table)."""
    competency: str
    """Competency ID."""
    decision: Verdict
    """``accept`` or ``reject``."""
    level: int | None = None
    """Required level (acceptances only)."""
    priority: Priority | None = None
    """``essential`` or ``desirable`` (acceptances only)."""
    assessed_by: tuple[str, ...] = ()
    """How it is assessed (acceptances only)."""
    decided_by: str = ""
    """Who decided."""
    reason: str = ""
    """Why, in a few words (optional)."""

    def requirement(self) -> Requirement:
        """The role requirement an acceptance stands for."""
        if self.decision != "accept" or self.level is None or self.priority is None:
            raise ValueError("only acceptances become requirements")
        return Requirement(self.role, self.competency, self.level, self.priority,
                           self.assessed_by)


@dataclass(frozen=True)
class Acceptance:
    """A competency to accept, with its level and priority (defaults when None)."""

    competency: str
    """Competency ID."""
    level: int | None = None
    """Required level; :data:`DEFAULT_LEVEL` when None."""
    priority: Priority | None = None
    """``essential`` or ``desirable``; :data:`DEFAULT_PRIORITY` when None."""
    assessed_by: tuple[str, ...] = ()
    """How it is assessed; empty for the ``assessed_by`` given to :func:`make_decisions`."""


def jd_name(jd: str | Path) -> str:
    """How the log names a job description: its file name without folders."""
    name = Path(str(jd).strip()).name
    if not name:
        raise DecisionError(f"empty job description name ({jd!r})")
    return name


def parse_acceptance(text: str, framework: Framework | None = None) -> Acceptance:
    """``ID[:LEVEL[:PRIORITY]]`` -> :class:`Acceptance` (checked against the framework)."""
    framework = framework or load_framework()
    parts = [p.strip() for p in text.split(":")]
    if len(parts) > 3 or not parts[0]:
        raise DecisionError(f"bad acceptance; use ID[:LEVEL[:PRIORITY]] ({text})")
    cid = parts[0]
    if cid not in framework:
        raise DecisionError(f"unknown competency accepted ({cid})")
    level: int | None = None
    if len(parts) > 1 and parts[1]:
        if not parts[1].isdigit() or int(parts[1]) not in framework.level_numbers:
            raise DecisionError(f"unknown level accepted ({text})")
        level = int(parts[1])
    priority: Priority | None = None
    if len(parts) > 2 and parts[2]:
        if parts[2].lower() not in PRIORITIES:
            raise DecisionError(f"bad priority accepted; use essential or desirable ({text})")
        priority = "essential" if parts[2].lower() == "essential" else "desirable"
    return Acceptance(cid, level, priority)


def now_utc() -> str:
    """The current time as the log writes it."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def make_decisions(jd: str | Path, role: str, *,
                   accept: Iterable[str | Acceptance] = (),
                   reject: Iterable[str] = (),
                   decided_by: str,
                   reason: str = "",
                   assessed_by: str | Sequence[str] | None = None,
                   framework: Framework | None = None,
                   recorded_at: str | None = None) -> tuple[Decision, ...]:
    """Validated decisions for one JD: acceptances first, then rejections.

    ``accept`` items are :class:`Acceptance` or ``ID[:LEVEL[:PRIORITY]]`` text;
    ``assessed_by`` (default :data:`DEFAULT_ASSESSED_BY`) applies to every acceptance
    that does not name its own.
    Raises :class:`DecisionError` for an unknown competency, level or priority,
    a competency both accepted and rejected (or named twice), an empty role or
    decider, or nothing to decide.
    """
    framework = framework or load_framework()
    name = jd_name(jd)
    role = " ".join(role.split())
    decided_by = " ".join(decided_by.split())
    if not role:
        raise DecisionError("empty role; name the role the job description is for")
    if not decided_by:
        raise DecisionError("empty decided_by; name who decided")
    if assessed_by is None:
        assessed_by = DEFAULT_ASSESSED_BY
    how_text = assessed_by if isinstance(assessed_by, str) else ";".join(assessed_by)
    how = parse_assessed_by(how_text)
    if how is None:
        raise DecisionError(f"bad assessed_by; use {';'.join(ASSESSMENTS)} ({how_text})")
    accepted = [a if isinstance(a, Acceptance) else parse_acceptance(a, framework)
                for a in accept]
    assessments: list[tuple[str, ...]] = []
    for a in accepted:
        if a.competency not in framework:
            raise DecisionError(f"unknown competency accepted ({a.competency})")
        if a.level is not None and a.level not in framework.level_numbers:
            raise DecisionError(f"unknown level accepted ({a.competency}:{a.level})")
        own = parse_assessed_by(";".join(a.assessed_by)) if a.assessed_by else how
        if own is None:
            raise DecisionError(f"bad assessed_by for {a.competency}; use "
                                f"{';'.join(ASSESSMENTS)} ({';'.join(a.assessed_by)})")
        assessments.append(own)
    rejected = [r.strip() for r in reject]
    for cid in rejected:
        if cid not in framework:
            raise DecisionError(f"unknown competency rejected ({cid})")
    named = [a.competency for a in accepted] + rejected
    if not named:
        raise DecisionError("nothing to record; accept or reject a competency")
    for cid in named:
        if named.count(cid) > 1:
            raise DecisionError(f"competency named more than once ({cid})")
    when = recorded_at or now_utc()
    reason = " ".join(reason.split())
    out = [Decision(when, name, role, a.competency, "accept",
                    a.level if a.level is not None else DEFAULT_LEVEL,
                    a.priority or DEFAULT_PRIORITY, own, decided_by, reason)
           for a, own in zip(accepted, assessments, strict=True)]
    out += [Decision(when, name, role, cid, "reject", decided_by=decided_by, reason=reason)
            for cid in rejected]
    return tuple(out)


# --------------------------------------------------------------------------- the log


def _row(d: Decision) -> list[str]:
    return [d.recorded_at, d.jd, d.role, d.competency, d.decision,
            "" if d.level is None else str(d.level), d.priority or "", ";".join(d.assessed_by),
            d.decided_by, d.reason]


def _check_log_suffix(path: Path) -> None:
    if path.suffix.lower() != ".csv":
        raise TableError(path, "a decision log must be a .csv file", value=path.suffix or "none")


def append_decisions(path: str | Path, decisions: Sequence[Decision]) -> Path:
    """Append ``decisions`` to the log at ``path`` (created with its header if missing).

    The write discipline of every append-only log (:func:`competency.files.append_csv`):
    under the log's lock, the rows go in one write to a file opened for appending, then
    to disk (fsync); bytes already in the log are never touched. An existing log must
    start with the log's header, and its last line must be complete, or nothing is
    written.
    """
    path = Path(path)
    _check_log_suffix(path)
    if not decisions:
        return path
    rows = [dict(zip(COLUMNS, _row(d), strict=True)) for d in decisions]
    append_csv(path, COLUMNS, rows, kind="decision log")
    return path


def load_decisions(path: str | Path, framework: Framework | None = None) -> tuple[Decision, ...]:
    """Read and validate a decision log, in log order.

    Problems raise :class:`TableError` as ``FILE, row N: problem (value)``.
    """
    framework = framework or load_framework()
    path = Path(path)
    _check_log_suffix(path)
    frame = read_table(path, COLUMNS)
    out: list[Decision] = []
    problems = RowProblems()
    for row, values in zip(frame.index, frame[list(COLUMNS)].itertuples(index=False),
                           strict=True):
        with problems.catch():
            out.append(_decision(path, int(row), [str(v) for v in values], framework))
    problems.raise_first()
    return tuple(out)


def _decision(path: Path, row: int, values: list[str], framework: Framework) -> Decision:
    when, jd, role, cid, verdict, level_text, priority, how_text, by, reason = values
    for column, value in ((RECORDED_AT, when), (JD, jd), (ROLE, role), (DECIDED_BY, by)):
        if not value:
            raise TableError(path, f"empty {column}", row=row)
    if cid not in framework:
        raise TableError(path, "unknown competency", row=row, value=cid)
    verdict = verdict.lower()
    if verdict == "reject":
        return Decision(when, jd, role, cid, "reject", decided_by=by, reason=reason)
    if verdict != "accept":
        raise TableError(path, "bad decision; use accept or reject", row=row, value=verdict)
    if not level_text.isdigit() or int(level_text) not in framework.level_numbers:
        raise TableError(path, "unknown level", row=row, value=level_text)
    if priority.lower() not in PRIORITIES:
        raise TableError(path, "bad priority; use essential or desirable", row=row,
                         value=priority)
    how = parse_assessed_by(how_text)
    if how is None:
        raise TableError(path, f"bad assessed_by; use {';'.join(ASSESSMENTS)}", row=row,
                         value=how_text)
    prio: Priority = "essential" if priority.lower() == "essential" else "desirable"
    return Decision(when, jd, role, cid, "accept", int(level_text), prio, how, by, reason)


def latest_decisions(decisions: Iterable[Decision]) -> dict[tuple[str, str], Decision]:
    """The decision in force per (jd, competency): the latest in log order."""
    latest: dict[tuple[str, str], Decision] = {}
    for d in decisions:
        latest.pop((d.jd, d.competency), None)  # keep log order of the latest ones
        latest[(d.jd, d.competency)] = d
    return latest


# --------------------------------------------------------------------------- applying


@dataclass(frozen=True)
class ApplyResult:
    """What applying a decision log to a roles table did."""

    roles: Roles
    """The roles table with the accepted requirements."""
    added: tuple[Requirement, ...]
    """Requirements that were not in the table before."""
    changed: tuple[Requirement, ...]
    """Requirements whose level, priority or assessment changed."""
    previous: tuple[Requirement, ...]
    """What each of ``changed`` was in the table before (same order)."""
    unchanged: int
    """Accepted requirements already in the table as they are."""
    warnings: tuple[str, ...] = field(default=())
    """Rejections of requirements the table has (kept), and similar notes."""


def apply_decisions(roles: Roles, log: Iterable[Decision] | str | Path) -> Roles:
    """The roles table with every accepted decision in force as a requirement.

    ``log`` is the decisions or the path of a decision log (read with the
    default framework). For each (jd, competency) the latest decision counts;
    when two JDs give the same role and competency, the later acceptance wins.
    """
    decisions = load_decisions(log) if isinstance(log, str | Path) else log
    return _apply(roles, decisions).roles


def _apply(roles: Roles, decisions: Iterable[Decision]) -> ApplyResult:
    in_force = list(latest_decisions(decisions).values())
    accepted = [d.requirement() for d in in_force if d.decision == "accept"]
    before = {(r.role, r.competency): r for r in roles}
    merged: dict[tuple[str, str], Requirement] = {}
    for req in accepted:
        merged.pop((req.role, req.competency), None)
        merged[(req.role, req.competency)] = req
    added = tuple(r for k, r in merged.items() if k not in before)
    changed = tuple(r for k, r in merged.items() if k in before and before[k] != r)
    previous = tuple(before[(r.role, r.competency)] for r in changed)
    unchanged = sum(1 for k, r in merged.items() if before.get(k) == r)
    warnings = tuple(
        f"{d.jd} rejects {d.competency} for {d.role}, which the roles table requires "
        "(kept; remove it there if it is not needed)"
        for d in in_force
        if d.decision == "reject" and (d.role, d.competency) in before
        and (d.role, d.competency) not in merged)
    return ApplyResult(roles.with_requirements(merged.values()), added, changed, previous,
                       unchanged, warnings)


def describe_change(old: Requirement, new: Requirement) -> str:
    """One line saying how a requirement changes: ``role, ID: field old -> new; ...``."""
    parts = [f"{name} {a} -> {b}" for name, a, b in (
        ("level", old.level, new.level), ("priority", old.priority, new.priority),
        ("assessed_by", ";".join(old.assessed_by), ";".join(new.assessed_by))) if a != b]
    return f"{new.role}, {new.competency}: {'; '.join(parts)}"


def apply_log(log: str | Path, roles: str | Path, out: str | Path | None = None, *,
              framework: str | Path | Framework | None = None,
              replace: bool = False) -> ApplyResult:
    """Apply the decision log to the roles table and write it to ``out`` (default: ``roles``).

    Both files are validated before anything is written; the write is atomic.
    When the log would change a requirement the table already has (its level,
    priority or assessed_by), nothing is written and
    :class:`RequirementChangeError` lists the changes, unless ``replace``.
    """
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    table = load_roles(roles, fw)
    result = _apply(table, load_decisions(log, fw))
    if result.changed and not replace:
        changes = tuple(describe_change(old, new)
                        for old, new in zip(result.previous, result.changed, strict=True))
        raise RequirementChangeError(
            f"{roles}: the decision log would change {len(changes)} existing "
            "requirement(s); nothing written (replace them with --replace)", changes)
    save_roles(result.roles, out if out is not None else roles)
    return result


# --------------------------------------------------------------------------- status


@dataclass(frozen=True)
class JdReview:
    """The decisions in force for one reviewed job description."""

    jd: str
    """The JD's file name, as logged."""
    roles: tuple[str, ...]
    """Role(s) its decisions name."""
    accepted: tuple[str, ...]
    """Competency IDs accepted."""
    rejected: tuple[str, ...]
    """Competency IDs rejected."""
    last_recorded_at: str
    """When its latest decision was recorded."""
    last_decided_by: str
    """Who made its latest decision."""


@dataclass(frozen=True)
class ReviewStatus:
    """Which JDs have been reviewed, and which competencies each role embeds."""

    reviewed: tuple[JdReview, ...]
    """JDs with at least one decision, in order of first decision."""
    not_reviewed: tuple[str, ...]
    """Files in the JD folder without any decision (empty without a folder)."""
    roles: Roles
    """The roles table with the log's acceptances applied."""
    pending: frozenset[tuple[str, str]]
    """(role, competency) requirements the log adds or changes, not yet in the table."""
    competencies: tuple[str, ...]
    """Competency IDs in framework order, as the table's columns."""


def list_jds(folder: str | Path) -> tuple[Path, ...]:
    """The job-description files in a folder (not recursive; no hidden files or README)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DecisionError(f"{folder}: not a folder of job descriptions")
    return tuple(sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in JD_SUFFIXES and not p.name.startswith(".")
        and p.stem.lower() != "readme"))


def review_status(log: str | Path, roles: str | Path, jds: str | Path | None = None, *,
                  framework: str | Path | Framework | None = None) -> ReviewStatus:
    """Review status: reviewed JDs, JDs in ``jds`` not reviewed, role x competency levels.

    A file in ``jds`` counts as reviewed when the log has a decision for a JD
    of the same name, or of the same name with another suffix (``x.docx`` and
    ``x.txt`` are one JD in two formats).
    """
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    table = load_roles(roles, fw)
    decisions = load_decisions(log, fw)
    in_force = latest_decisions(decisions)
    by_jd: dict[str, list[Decision]] = {}
    for d in decisions:
        by_jd.setdefault(d.jd, [])
    for d in in_force.values():
        by_jd[d.jd].append(d)
    last = {d.jd: d for d in decisions}
    reviewed = tuple(
        JdReview(jd, tuple(dict.fromkeys(d.role for d in ds)),
                 tuple(d.competency for d in ds if d.decision == "accept"),
                 tuple(d.competency for d in ds if d.decision == "reject"),
                 last[jd].recorded_at, last[jd].decided_by)
        for jd, ds in by_jd.items())
    not_reviewed: tuple[str, ...] = ()
    if jds is not None:
        stems = {Path(jd).stem for jd in by_jd} | set(by_jd)
        not_reviewed = tuple(p.name for p in list_jds(jds)
                             if p.name not in stems and p.stem not in stems)
    applied = _apply(table, decisions)
    pending = frozenset((r.role, r.competency) for r in applied.added + applied.changed)
    return ReviewStatus(reviewed, not_reviewed, applied.roles, pending, fw.ids)


def render_status(status: ReviewStatus) -> str:
    """The review status as text: JD lists, then the role x competency table."""
    lines = [f"Reviewed job descriptions: {len(status.reviewed)}"]
    for r in status.reviewed:
        lines.append(f"  {r.jd}  ({', '.join(r.roles)}): {len(r.accepted)} accepted, "
                     f"{len(r.rejected)} rejected; last {r.last_recorded_at} by "
                     f"{r.last_decided_by}")
    lines.append(f"Not reviewed: {len(status.not_reviewed)}")
    lines.extend(f"  {name}" for name in status.not_reviewed)
    lines.append("")
    used = [c for c in status.competencies if any(r.competency == c for r in status.roles)]
    lines.append("Competencies each role embeds (level; E essential, D desirable; "
                 "* from the log, not yet applied):")
    if not used:
        lines.append("  (no requirements)")
        return "\n".join(lines) + "\n"
    width = max(len("role"), *(len(n) for n in status.roles.names))
    cells = {(r.role, r.competency): f"{r.level}{r.priority[0].upper()}"
             + ("*" if (r.role, r.competency) in status.pending else "")
             for r in status.roles}
    lines.append(f"{'role':<{width}}" + "".join(f"  {c}" for c in used))
    for name in status.roles.names:
        lines.append((f"{name:<{width}}" + "".join(
            f"  {cells.get((name, c), '.'):<{len(c)}}" for c in used)).rstrip())
    return "\n".join(lines) + "\n"
