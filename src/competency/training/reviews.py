"""Training reviews: the append-only review log and the review status on a date.

The training reviewed is the catalogue's (:mod:`competency.training.catalogue`: the
course's own modules and external courses).

The **review log** is append-only, as a CSV file (written as every append-only log
is, :func:`competency.files.append_csv`: under a lock, one appending write, fsync)
or in the store, with the
columns ``course_id,reviewed_on,reviewer,framework_version,verdict,
competencies,levels,next_review_due,notes``: ``verdict`` is ``meets``,
``partly`` or ``does not meet`` (the framework); ``competencies``/``levels``
are the ones the reviewer confirmed the training covers; ``next_review_due``
defaults to ``reviewed_on`` plus 12 months.

On a date, a course's latest review (dated on or before it) is *in date*
when the date is before ``next_review_due``, else *overdue*; a course with no
review is *never reviewed*. A competency is covered at level L when some
course whose latest review is in date with verdict ``meets`` or ``partly``
confirms it at level L or higher (as coverage counts higher-level evidence).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from competency.dates import ISO_DATE, add_months, parse_cell
from competency.errors import ReviewError, RowProblems, TableError
from competency.files import append_csv
from competency.framework.model import Framework
from competency.tables import read_table
from competency.training.catalogue import CATALOGUE_COLUMNS as CATALOGUE_COLUMNS
from competency.training.catalogue import CATALOGUE_OPTIONAL as CATALOGUE_OPTIONAL
from competency.training.catalogue import MODULE_PROVIDER as MODULE_PROVIDER
from competency.training.catalogue import Catalogue as Catalogue
from competency.training.catalogue import Pair as Pair
from competency.training.catalogue import Training as Training
from competency.training.catalogue import course_modules as course_modules
from competency.training.catalogue import load_catalogue as load_catalogue
from competency.training.catalogue import parse_pairs as parse_pairs
from competency.training.catalogue import render_catalogue as render_catalogue
from competency.training.catalogue import resolve_catalogue as resolve_catalogue

if TYPE_CHECKING:
    from competency.store.database import Store

REVIEW_COLUMNS: tuple[str, ...] = ("course_id", "reviewed_on", "reviewer", "framework_version",
                                   "verdict", "competencies", "levels", "next_review_due",
                                   "notes")
VERDICTS: tuple[str, ...] = ("meets", "partly", "does not meet")
COVERING: tuple[str, ...] = ("meets", "partly")
REVIEW_MONTHS = 12
GAP = "gap"
EXAMPLES = 5

State = Literal["in date", "overdue", "never reviewed"]


@dataclass(frozen=True)
class Review:
    """One entry of the review log."""

    course_id: str
    """The training reviewed."""
    reviewed_on: dt.date
    """Date of the review."""
    reviewer: str
    """Who reviewed it."""
    framework_version: str
    """Version of the framework it was reviewed against."""
    verdict: str
    """``meets``, ``partly`` or ``does not meet``."""
    confirmed: tuple[Pair, ...]
    """``(competency, level)`` pairs the reviewer confirmed."""
    next_review_due: dt.date
    """When it must be reviewed again."""
    notes: str = ""
    """Free text."""

    def row(self) -> dict[str, str]:
        """The review as a row of the log (text)."""
        return {"course_id": self.course_id, "reviewed_on": self.reviewed_on.isoformat(),
                "reviewer": self.reviewer, "framework_version": self.framework_version,
                "verdict": self.verdict,
                "competencies": ";".join(c for c, _ in self.confirmed),
                "levels": ";".join(str(lv) for _, lv in self.confirmed),
                "next_review_due": self.next_review_due.isoformat(), "notes": self.notes}

    @property
    def key(self) -> str:
        """Hash of the content: the same review is recorded once."""
        text = "\x1f".join(self.row()[c] for c in REVIEW_COLUMNS)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- the log

def load_review_csv(path: str | Path, framework: Framework) -> list[Review]:
    """Read and check a review log CSV (an absent file is an empty log)."""
    path = Path(path)
    if not path.exists():
        return []
    frame = read_table(path, REVIEW_COLUMNS[:-1])
    notes = frame["notes"].tolist() if "notes" in frame.columns else [""] * len(frame)
    out: list[Review] = []
    problems = RowProblems()
    for row, values in zip(frame.index, zip(*(frame[c] for c in REVIEW_COLUMNS[:-1]), notes,
                                            strict=True), strict=True):
        fields = dict(zip(REVIEW_COLUMNS, values, strict=True))
        try:
            out.append(review_from_row(fields, framework))
        except ValueError as exc:
            problems.found.append(TableError(path, str(exc), row=row))
    problems.raise_first()
    return out


def review_from_row(fields: dict[str, Any], framework: Framework) -> Review:
    """A review from text fields (a log row); ValueError names the problem."""
    if not fields["course_id"]:
        raise ValueError("empty course_id")
    reviewed_on = _day(fields["reviewed_on"], "reviewed_on")
    verdict = str(fields["verdict"]).strip().lower()
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict; use meets, partly or does not meet "
                         f"({fields['verdict']})")
    confirmed = parse_pairs(str(fields["competencies"]), str(fields["levels"]), framework)
    due_text = fields["next_review_due"]
    due = (_day(due_text, "next_review_due") if due_text
           else add_months(reviewed_on, REVIEW_MONTHS))
    if due <= reviewed_on:
        raise ValueError(f"next_review_due is not after reviewed_on ({due.isoformat()})")
    if not fields["reviewer"]:
        raise ValueError("empty reviewer")
    return Review(str(fields["course_id"]), reviewed_on, str(fields["reviewer"]),
                  str(fields["framework_version"]), verdict, confirmed, due,
                  str(fields.get("notes") or ""))


def _day(value: Any, column: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    text = str(value)
    day = parse_cell(text)
    if day is None:
        raise ValueError(f"malformed {column}; use {ISO_DATE} ({text or 'empty'})")
    return day


@dataclass(frozen=True)
class ReviewLog:
    """Where the review log is kept: a CSV file, or else the store."""

    path: Path | None = None
    """The CSV log."""
    store_url: str | None = None
    """The store, when there is no CSV log."""

    @property
    def where(self) -> str:
        """The log's location, for messages."""
        if self.path is not None:
            return str(self.path)
        from competency.store.database import safe_url

        return safe_url(self.store_url or "")

    def read(self, framework: Framework) -> list[Review]:
        """Every review, in the order recorded."""
        if self.path is not None:
            return load_review_csv(self.path, framework)
        with self._store() as store:
            return _store_reviews(store, framework)

    def append(self, review: Review, framework: Framework) -> bool:
        """Record a review; False when the same review is already there."""
        if self.path is not None:
            path = self.path

            def fresh() -> list[dict[str, str]]:  # under the log's lock: no doubles
                if any(r.key == review.key for r in load_review_csv(path, framework)):
                    return []
                return [review.row()]

            return append_csv(path, REVIEW_COLUMNS, fresh) == 1
        from competency.store.database import utcnow
        from competency.store.schema import reviews_table

        with self._store() as store:
            row: dict[str, Any] = dict(review.row(), reviewed_on=review.reviewed_on,
                                       next_review_due=review.next_review_due,
                                       recorded_at=utcnow(), review_key=review.key)
            added, _ = store.append_rows(reviews_table, "review_key", [row])
        return added == 1

    def _store(self) -> Store:
        from competency.store.database import open_store

        if self.store_url is None:
            raise ReviewError("no review log: give a review log CSV or a store URL")
        return open_store(self.store_url)


def _store_reviews(store: Store, framework: Framework) -> list[Review]:
    from competency.store.schema import reviews_table

    out = []
    for row in store.rows(reviews_table, "id"):
        try:
            out.append(review_from_row(row, framework))
        except ValueError as exc:
            raise ReviewError(f"{store.where}, review {row['id']}: {exc}") from None
    return out


def make_review(course_id: str, catalogue: Catalogue, framework: Framework, *, reviewer: str,
                verdict: str, confirmed: Sequence[str] = (), reviewed_on: dt.date | None = None,
                next_review_due: dt.date | None = None, notes: str = "") -> Review:
    """A checked review. ``confirmed`` holds ``ID:level`` items; for ``meets`` and
    ``partly`` it defaults to what the catalogue says the course covers."""
    training = catalogue.get(course_id)
    if training is None:
        known = ", ".join(c.course_id for c in catalogue) or "none"
        raise ReviewError(f"unknown course_id ({course_id}); the catalogue has: {known}")
    verdict = verdict.strip().lower()
    if verdict not in VERDICTS:
        raise ReviewError(f"unknown verdict ({verdict}); use meets, partly or does not meet")
    pairs: list[Pair] = []
    for item in confirmed:
        cid, _, level = item.partition(":")
        try:
            pairs.extend(parse_pairs(cid, level, framework))
        except ValueError as exc:
            raise ReviewError(f"confirmed {item}: {exc}; use ID:LEVEL") from None
    if verdict == "does not meet" and pairs:
        raise ReviewError("a course that does not meet the framework confirms no competencies")
    if verdict in COVERING and not pairs:
        pairs = list(training.covers)
    day = reviewed_on or dt.date.today()
    due = next_review_due or add_months(day, REVIEW_MONTHS)
    if due <= day:
        raise ReviewError(f"next review due {due.isoformat()} is not after the review "
                          f"({day.isoformat()})")
    if not reviewer.strip():
        raise ReviewError("empty reviewer")
    return Review(course_id, day, reviewer.strip(), framework.version, verdict,
                  tuple(dict.fromkeys(pairs)), due, notes)


# --------------------------------------------------------------------------- status

@dataclass(frozen=True)
class CourseStatus:
    """One catalogue entry on the as-of date."""

    training: Training
    """The entry."""
    review: Review | None
    """Its latest review on or before the as-of date."""
    state: State
    """in date, overdue or never reviewed."""


@dataclass(frozen=True)
class ReviewStatus:
    """The catalogue's review state and the competency x level coverage on a date."""

    as_of: dt.date
    """The date judged."""
    courses: tuple[CourseStatus, ...]
    """Every catalogue entry, in catalogue order."""
    coverage: dict[str, dict[int, str]]
    """``{competency: {level: "meets" | "partly" | "gap"}}`` in framework order."""
    warnings: tuple[str, ...]
    """Reviews of unknown courses, reviews against another framework version."""

    def in_state(self, state: State) -> list[CourseStatus]:
        """The entries in one state."""
        return [c for c in self.courses if c.state == state]

    @property
    def share_in_date(self) -> float:
        """Share of the catalogue reviewed and in date (0 for an empty catalogue)."""
        return len(self.in_state("in date")) / len(self.courses) if self.courses else 0.0

    def gaps(self) -> list[Pair]:
        """``(competency, level)`` with no reviewed training in date."""
        return [(cid, lv) for cid, per in self.coverage.items() for lv, v in per.items()
                if v == GAP]

    def to_json(self) -> str:
        """The status as JSON."""
        def entry(c: CourseStatus) -> dict[str, Any]:
            review = c.review
            return {"course_id": c.training.course_id, "title": c.training.title,
                    "last_reviewed": review.reviewed_on.isoformat() if review else None,
                    "verdict": review.verdict if review else None,
                    "next_review_due": review.next_review_due.isoformat() if review else None}

        return json.dumps({
            "as_of": self.as_of.isoformat(), "catalogue": len(self.courses),
            "in_date": len(self.in_state("in date")),
            "share_in_date": round(self.share_in_date, 4),
            "overdue": [entry(c) for c in self.in_state("overdue")],
            "never_reviewed": [entry(c) for c in self.in_state("never reviewed")],
            "coverage": {cid: {str(lv): v for lv, v in per.items()}
                         for cid, per in self.coverage.items()},
            "warnings": list(self.warnings)}, indent=2)


def review_status(catalogue: Catalogue, reviews: Sequence[Review], framework: Framework,
                  as_of: dt.date) -> ReviewStatus:
    """Which training is reviewed and in date on ``as_of``, and what it covers."""
    latest: dict[str, Review] = {}
    for entry in reviews:  # log order: a later entry wins a tie on the date
        if entry.reviewed_on <= as_of and (entry.course_id not in latest or
                                           entry.reviewed_on >= latest[entry.course_id]
                                           .reviewed_on):
            latest[entry.course_id] = entry
    courses: list[CourseStatus] = []
    best: dict[Pair, str] = {}
    for training in catalogue:
        review = latest.get(training.course_id)
        state: State = ("never reviewed" if review is None else
                        "in date" if as_of < review.next_review_due else "overdue")
        courses.append(CourseStatus(training, review, state))
        if review is not None and state == "in date" and review.verdict in COVERING:
            for cid, level in review.confirmed:
                for lv in range(1, level + 1):
                    if best.get((cid, lv)) != "meets":
                        best[(cid, lv)] = review.verdict
    coverage = {cid: {lv: best.get((cid, lv), GAP) for lv in framework.level_numbers}
                for cid in framework.ids}
    warnings: list[str] = []
    unknown = sorted({r.course_id for r in reviews} - {c.course_id for c in catalogue})
    if unknown:
        warnings.append(f"{len(unknown)} reviewed course_id(s) are not in the catalogue "
                        f"({', '.join(unknown[:EXAMPLES])}); their reviews are ignored")
    other = sorted({r.course_id for r in latest.values()
                    if r.framework_version != framework.version and r.course_id not in unknown})
    if other:
        warnings.append(f"{len(other)} course(s) were last reviewed against another framework "
                        f"version than {framework.version} ({', '.join(other[:EXAMPLES])})")
    return ReviewStatus(as_of, tuple(courses), coverage, tuple(warnings))


def render_status(status: ReviewStatus, framework: Framework) -> str:
    """The status as text: shares, overdue and never-reviewed lists, the coverage table."""
    n = len(status.courses)
    modules = sum(1 for c in status.courses if c.training.kind == "module")
    in_date = status.in_state("in date")
    lines = [f"Training reviews as of {status.as_of.isoformat()} "
             f"({framework.name} {framework.version})",
             f"Catalogue: {n} courses ({modules} course modules, {n - modules} external)",
             f"Reviewed and in date: {len(in_date)} of {n} ({status.share_in_date:.0%})"]
    overdue = status.in_state("overdue")
    never = status.in_state("never reviewed")
    width = max((len(c.training.course_id) for c in status.courses), default=0) + 2
    lines.append(f"Overdue: {len(overdue)}")
    for c in overdue:
        assert c.review is not None
        days = (status.as_of - c.review.next_review_due).days
        lines.append(f"  {c.training.course_id:<{width}}due {c.review.next_review_due} "
                     f"({days} days ago; last verdict: {c.review.verdict})  {c.training.title}")
    lines.append(f"Never reviewed: {len(never)}")
    lines.extend(f"  {c.training.course_id:<{width}}{c.training.title}" for c in never)
    lines.append("")
    lines.append("Reviewed training in date (meets/partly) by competency and level:")
    column = max(len(lv.name) for lv in framework.levels) + 4
    first = max(len(cid) for cid in framework.ids) + 2
    lines.append("  " + f"{'':<{first}}" + "".join(f"{f'{lv.number} {lv.name}':<{column}}"
                                                   for lv in framework.levels).rstrip())
    for cid, per in status.coverage.items():
        lines.append(f"  {cid:<{first}}" + "".join(f"{per[lv]:<{column}}" for lv in per)
                     .rstrip())
    gaps = status.gaps()
    total = len(framework.ids) * len(framework.level_numbers)
    lines.append(f"Gaps: {len(gaps)} of {total} competency levels have no reviewed training "
                 "in date.")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- defaults

def resolve_log(reviews: Path | None, store_url: str) -> ReviewLog:
    """The review log: the CSV file ``reviews`` when given, else the store at ``store_url``."""
    if reviews is not None:
        return ReviewLog(path=reviews)
    return ReviewLog(store_url=store_url)
