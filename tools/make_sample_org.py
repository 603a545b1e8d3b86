"""Write the sample organisation's staff and evidence (seeded, deterministic).

    python tools/make_sample_org.py [--seed 2026] [--staff 300]

Reads the roles of ``src/competency/data/sample-org/roles.csv`` and writes
``staff.csv`` and ``evidence.csv`` beside it: about 300 fictional staff of the
fictional Northmoor Rural Health NHS Trust, with NHS ethnic category codes, and
evidence dated over the four and a half years before 30 September 2026 (some
expired, some expiring, some below the required level).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from competency.evidence.synthetic import WorkforceSpec, generate_workforce, write_csv
from competency.framework.model import load_framework
from competency.hr.roles import load_roles

SAMPLE = Path(__file__).resolve().parent.parent / "src" / "competency" / "data" / "sample-org"
# Larger groups of front-line staff, few directors: shares per role.
WEIGHTS = {
    "Receptionist": 14, "Healthcare assistant": 16, "Community nurse": 20,
    "GP practice manager": 5, "Commissioning manager": 3, "Public health analyst": 3,
    "HR business partner": 3, "Community development worker": 4,
    "Equality and diversity lead": 1, "Non-executive director": 2, "Service manager": 5,
    "Recruiting manager": 4,
}
LOCALITIES = ("North Moors locality", "Coast and Marsh locality", "Market Towns locality")
TEAMS = {
    "Receptionist": LOCALITIES, "Healthcare assistant": LOCALITIES,
    "Community nurse": LOCALITIES, "GP practice manager": LOCALITIES,
    "Community development worker": ("Communities and engagement",),
    "Commissioning manager": ("Commissioning and contracts",),
    "Public health analyst": ("Public health intelligence",),
    "HR business partner": ("People and organisational development",),
    "Recruiting manager": ("People and organisational development",),
    "Equality and diversity lead": ("People and organisational development",),
    "Non-executive director": ("Trust board",),
    "Service manager": ("Community services management",),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--staff", type=int, default=300)
    parser.add_argument("--folder", type=Path, default=SAMPLE)
    args = parser.parse_args()
    framework = load_framework()
    roles = load_roles(args.folder / "roles.csv", framework)
    spec = WorkforceSpec(staff=args.staff, seed=args.seed, role_weights=WEIGHTS, teams=TEAMS,
                         coverage=0.85, extra_evidence=0.6, years_back=3.8)
    staff, evidence = generate_workforce(spec, roles, framework.ids)
    write_csv(staff, str(args.folder / "staff.csv"))
    write_csv(evidence, str(args.folder / "evidence.csv"))
    print(f"wrote {staff.num_rows} staff and {evidence.num_rows} evidence rows to {args.folder}")


if __name__ == "__main__":
    main()
