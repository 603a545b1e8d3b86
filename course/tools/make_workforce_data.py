"""Make the synthetic recruitment data that course module 06 ships beside its notebook.

Usage (from the repository root, with the project's environment)::

    python course/tools/make_workforce_data.py            # writes the CSV (seed 2015)
    python course/tools/make_workforce_data.py --check    # exit 1 if the committed CSV differs
    python course/tools/make_workforce_data.py --seed 7 --course /tmp/course   # a variant

It writes ``COURSE/source/06-leading-and-commissioning/data/recruitment.csv``: one year
of recruitment (the fictional year 2025/26) at Wealdmoor Community Health NHS Trust, a
fictional rural community trust. One row per application, with the columns

``application_id``
    ``APP-0001`` onwards, in a shuffled order (so the file is not sorted by outcome).
``staff_group``
    ``Registered nursing and midwifery``, ``Allied health professionals``,
    ``Administrative and clerical`` or ``Healthcare support workers``.
``band``
    The Agenda for Change pay band of the post (``Band 2`` to ``Band 7``).
``ethnic_category``
    The applicant's NHS ethnic category code: ``A`` to ``S`` as in the NHS Data
    Dictionary, ``Z`` (not stated) or ``99`` (not known).
``shortlisted``, ``appointed``
    ``yes`` or ``no``; only shortlisted applicants can be appointed.

What the module teaches rests on the **counts**, which are fixed below (``COUNTS``) and
do not depend on the seed: grouping codes A, B and C as White, D to S as BME and Z and 99
as not stated, 180 White applicants were shortlisted and 54 appointed (likelihood 0.30),
and 96 BME applicants were shortlisted and 18 appointed (likelihood 0.1875), so the
relative likelihood of White applicants being appointed from shortlisting compared with
BME applicants is 1.60. Per staff group it runs from below 1 (allied health
professionals) to above 4 on very small numbers (healthcare support workers). The seed
only chooses each applicant's exact ethnic category code and pay band and the row order.

Every person and figure is synthetic and describes no real organisation. The output
depends only on ``--seed``: the same seed gives a byte-identical file (Python's
``random.Random``, fixed iteration order, ``\\n`` line endings, UTF-8). The notebook's
hidden tests hold answers computed from ``COUNTS``.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from pathlib import Path

DEFAULT_SEED = 2015
COURSE = Path(__file__).resolve().parent.parent
TARGET = Path("06-leading-and-commissioning") / "data" / "recruitment.csv"
COLUMNS = ("application_id", "staff_group", "band", "ethnic_category", "shortlisted",
           "appointed")

WHITE, BME, NOT_STATED = "White", "BME", "Not stated"

# (applied, shortlisted, appointed) per staff group and ethnic group.
COUNTS: dict[str, dict[str, tuple[int, int, int]]] = {
    "Registered nursing and midwifery": {
        WHITE: (150, 70, 24), BME: (130, 50, 12), NOT_STATED: (12, 5, 1)},
    "Allied health professionals": {
        WHITE: (60, 30, 8), BME: (30, 10, 3), NOT_STATED: (6, 3, 1)},
    "Administrative and clerical": {
        WHITE: (120, 50, 14), BME: (70, 20, 2), NOT_STATED: (10, 4, 1)},
    "Healthcare support workers": {
        WHITE: (70, 30, 8), BME: (56, 16, 1), NOT_STATED: (6, 2, 0)},
}

# Which NHS ethnic category codes make up each group, with relative weights for picking
# an applicant's code (a rural county with many applicants from overseas: nursing
# recruitment from India, the Philippines and Africa; eastern European residents in C).
CODE_WEIGHTS: dict[str, dict[str, float]] = {
    WHITE: {"A": 78, "B": 3, "C": 19},
    BME: {"D": 3, "E": 2, "F": 3, "G": 2, "H": 22, "J": 6, "K": 3, "L": 14, "M": 4,
          "N": 28, "P": 2, "R": 3, "S": 8},
    NOT_STATED: {"Z": 70, "99": 30},
}

BAND_WEIGHTS: dict[str, dict[str, float]] = {
    "Registered nursing and midwifery": {"Band 5": 60, "Band 6": 30, "Band 7": 10},
    "Allied health professionals": {"Band 5": 40, "Band 6": 45, "Band 7": 15},
    "Administrative and clerical": {"Band 2": 25, "Band 3": 40, "Band 4": 25, "Band 5": 10},
    "Healthcare support workers": {"Band 2": 30, "Band 3": 55, "Band 4": 15},
}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def applications(seed: int) -> list[dict[str, str]]:
    """Every application as a row, in the file's order."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for staff_group, by_group in COUNTS.items():
        for group, (applied, shortlisted, appointed) in by_group.items():
            if not applied >= shortlisted >= appointed >= 0:
                raise ValueError(f"impossible counts for {staff_group}, {group}")
            for i in range(applied):
                rows.append({
                    "staff_group": staff_group,
                    "band": _pick(rng, BAND_WEIGHTS[staff_group]),
                    "ethnic_category": _pick(rng, CODE_WEIGHTS[group]),
                    "shortlisted": "yes" if i < shortlisted else "no",
                    "appointed": "yes" if i < appointed else "no",
                })
    rng.shuffle(rows)
    return [{"application_id": f"APP-{n:04d}", **row} for n, row in enumerate(rows, 1)]


def build(seed: int) -> bytes:
    """The CSV file's bytes."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(applications(seed))
    return out.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED}, used by the notebook)")
    parser.add_argument("--course", type=Path, default=COURSE,
                        help="nbgrader course folder holding source/ (default: this course)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the file differs from what would be "
                             "written")
    args = parser.parse_args(argv)
    data = build(args.seed)
    target = args.course / "source" / TARGET
    if args.check:
        if not target.is_file() or target.read_bytes() != data:
            print(f"differs: {target}", file=sys.stderr)
            return 1
        print(f"{target} matches seed {args.seed}")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    rows = data.count(b"\n") - 1
    print(f"wrote {target} ({len(data):,} bytes, {rows} applications)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
