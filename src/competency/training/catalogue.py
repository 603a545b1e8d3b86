"""The training catalogue: every piece of training the organisation can use.

The catalogue lists the course's own modules (from the course map: module,
competencies, level) and external courses from a CSV with the columns

``course_id,title,provider,competencies,levels`` (required) and
``delivery,duration_hours,url,notes`` (optional; other columns are ignored):
``competencies`` holds framework IDs separated by ``;``; ``levels`` either one
level for all of them or one per competency in the same order.

Reviews of this training against the framework are kept in
:mod:`competency.training.reviews`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from competency.errors import RowProblems, TableError
from competency.framework.model import Framework
from competency.tables import read_table

CATALOGUE_COLUMNS: tuple[str, ...] = ("course_id", "title", "provider", "competencies", "levels")
CATALOGUE_OPTIONAL: tuple[str, ...] = ("delivery", "duration_hours", "url", "notes")
MODULE_PROVIDER = "Cultural Capability Toolkit course"

Pair = tuple[str, int]


@dataclass(frozen=True)
class Training:
    """One entry of the catalogue."""

    course_id: str
    """Unique ID: the module's folder name, or the catalogue's ``course_id``."""
    title: str
    """Title shown to people."""
    provider: str
    """Who provides it."""
    covers: tuple[Pair, ...]
    """``(competency, level)`` pairs it claims to cover."""
    kind: Literal["module", "external"]
    """A course module or external training."""
    delivery: str = ""
    """e-learning, face to face, ... (external courses)."""


def parse_pairs(competencies: str, levels: str, framework: Framework) -> tuple[Pair, ...]:
    """``"LAW-1;CUL-1"`` with ``"2"`` or ``"2;1"`` -> pairs; ValueError names the problem."""
    ids = [c.strip() for c in competencies.split(";") if c.strip()]
    numbers = [v.strip() for v in levels.split(";") if v.strip()]
    if not ids and not numbers:
        return ()
    for cid in ids:
        if cid not in framework:
            raise ValueError(f"unknown competency ({cid})")
    for value in numbers:
        if not value.isdigit() or int(value) not in framework.level_numbers:
            raise ValueError(f"unknown level ({value})")
    if len(numbers) == 1:
        numbers = numbers * len(ids)
    if len(numbers) != len(ids) or not ids:
        raise ValueError(f"give one level, or one per competency ({competencies} / {levels})")
    return tuple(dict.fromkeys((cid, int(v)) for cid, v in zip(ids, numbers, strict=True)))


@dataclass(frozen=True)
class Catalogue:
    """All available training: course modules first, then external courses in file order."""

    courses: tuple[Training, ...]
    """The entries."""

    def __iter__(self) -> Iterator[Training]:
        return iter(self.courses)

    def __len__(self) -> int:
        return len(self.courses)

    def get(self, course_id: str) -> Training | None:
        """The entry with this ID, if any."""
        return next((c for c in self.courses if c.course_id == course_id), None)


def _module_title(path: Path) -> str:
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return path.stem
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", "")).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def course_modules(course_dir: str | Path, framework: Framework) -> list[Training]:
    """The course's modules as catalogue entries, from the course map."""
    from competency.course.coursemap import course_map, iter_notebooks

    course_dir = Path(course_dir)
    cmap = course_map(course_dir, framework)
    titles: dict[str, str] = {}
    for module, notebook in iter_notebooks(course_dir):
        titles.setdefault(module, _module_title(notebook))
    return [Training(module, titles.get(module, module), MODULE_PROVIDER,
                     tuple(levels.items()), "module", "Jupyter notebook (nbgrader)")
            for module, levels in cmap.levels.items() if levels]


def load_catalogue(path: str | Path | None, framework: Framework,
                   course_dir: str | Path | None = None) -> Catalogue:
    """The course's modules (when ``course_dir`` is given) plus the catalogue CSV.

    A row whose provider is :data:`MODULE_PROVIDER` lists a course module, so the
    catalogue is whole where the course directory is not at hand (an installed
    package's sample organisation); when the course is given, its own map wins.
    """
    entries = course_modules(course_dir, framework) if course_dir is not None else []
    seen = {c.course_id: "the course" for c in entries}
    if path is not None:
        path = Path(path)
        frame = read_table(path, CATALOGUE_COLUMNS)
        delivery = (frame["delivery"].tolist() if "delivery" in frame.columns
                    else [""] * len(frame))
        problems = RowProblems()
        for row, course_id, title, provider, comps, levels, how in zip(
                frame.index, frame["course_id"], frame["title"], frame["provider"],
                frame["competencies"], frame["levels"], delivery, strict=True):
            with problems.catch():
                if not course_id:
                    raise TableError(path, "empty course_id", row=row)
                if provider == MODULE_PROVIDER and seen.get(course_id) == "the course":
                    continue  # the course's own map, when at hand, wins over the listed module
                if course_id in seen:
                    raise TableError(path, f"duplicate course_id (first in {seen[course_id]})",
                                     row=row, value=course_id)
                seen[course_id] = f"row {row}"
                if not title:
                    raise TableError(path, "empty title", row=row, value=course_id)
                try:
                    covers = parse_pairs(comps, levels, framework)
                except ValueError as exc:
                    raise TableError(path, str(exc), row=row) from None
                entries.append(Training(course_id, title, provider, covers,
                                        "module" if provider == MODULE_PROVIDER else "external",
                                        how))
        problems.raise_first()
    return Catalogue(tuple(entries))


def render_catalogue(catalogue: Catalogue) -> str:
    """The catalogue as text, one line per entry."""
    lines = []
    for c in catalogue:
        covers = ", ".join(f"{cid} {lv}" for cid, lv in c.covers) or "-"
        lines.append(f"{c.course_id:<28} {c.kind:<8} {c.title} ({c.provider}): {covers}")
    return "\n".join(lines) + "\n"


def resolve_catalogue(catalogue: Path | None = None, course: Path | None = None,
                      framework: Path | None = None) -> tuple[Catalogue, Framework]:
    """The catalogue (external courses and the course's modules) and the framework.

    The course's modules join the catalogue when a course directory is given or
    present as ``./course``.
    """
    from competency.course.coursemap import DEFAULT_COURSE_DIR
    from competency.framework.model import load_framework

    fw = load_framework(framework)
    if course is None and (DEFAULT_COURSE_DIR / "source").is_dir():
        course = DEFAULT_COURSE_DIR
    return load_catalogue(catalogue, fw, course), fw
