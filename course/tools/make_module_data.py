"""Make the synthetic data sets that course modules 03 and 04 ship beside their notebooks.

Usage (from the repository root, with the project's environment)::

    python course/tools/make_module_data.py            # writes the CSVs (seed 2026)
    python course/tools/make_module_data.py --check    # exit 1 if the committed CSVs differ
    python course/tools/make_module_data.py --seed 7 --course /tmp/course   # a variant

It writes, under ``COURSE/source/``:

``03-equality-impact-assessment/data/practice_population.csv``
    The adult patients of Marshfield Surgery, a fictional rural GP practice: one row
    per patient with age band, sex, NHS ethnic category code, main language,
    disability, Accessible Information Standard (AIS) communication need, digital
    access, whether they use online services, distance from the surgery and GP
    appointments in the last 12 months. Built so that online-only booking visibly
    affects older and disabled patients and those without internet access most.

``04-equality-data/data/eligible_population.csv``
    Adults aged 40 to 74 eligible for a fictional heart health check, counted by
    area and NHS ethnic category code (from GP registers).
``04-equality-data/data/attendances.csv``
    One row per health check attended, with area, ethnic category, age band, sex
    and whether the person was found to be at high risk. Built so that one small
    group has high need but low uptake, with a large "not stated" (Z) and "not
    known" (99) share.
``04-equality-data/data/local_authority_areas.csv``
    Partner data from the (fictional) local authority, by area code.
``04-equality-data/data/jobcentre_esol.csv``
    Partner data from Jobcentre Plus (fictional): referrals to English language
    (ESOL) courses by area code; one area is missing on purpose.
``04-equality-data/data/main_languages.csv``
    Registered patients by main language across the district: many small
    communities, for the small-number suppression exercise.

Every person, place and figure is synthetic: the patterns were built in for teaching
and describe no real community. The output depends only on ``--seed``: the same seed
gives byte-identical files (numpy's PCG64 generator, fixed row order, ``\\n`` line
endings). The notebooks' hidden tests hold answers computed from the default seed, so
rebuild the notebooks if you change it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_SEED = 2026
COURSE = Path(__file__).resolve().parent.parent
M03 = "03-equality-impact-assessment"
M04 = "04-equality-data"

# NHS ethnic category codes (data dictionary, 2001 Census based), plus Z and 99.
CODES = ["A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S",
         "Z", "99"]


def _pick(rng: np.random.Generator, labels: list[str], probs: list[float], size: int
          ) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return rng.choice(np.asarray(labels, dtype=object), size=size, p=p / p.sum())


# --------------------------------------------------------------------------- module 03

AGE_BANDS_03 = ["18-44", "45-64", "65-74", "75-84", "85+"]
ETHNIC_MIX_03 = {"A": 88.6, "B": 1.0, "C": 5.4, "D": 0.2, "E": 0.1, "F": 0.3, "G": 0.2,
                 "H": 0.5, "J": 0.2, "K": 0.1, "L": 0.4, "M": 0.1, "N": 0.4, "P": 0.05,
                 "R": 0.3, "S": 0.3, "Z": 1.5, "99": 0.9}
# Main languages other than English, by ethnic category (the rest speak English).
OTHER_LANGUAGES_03 = {
    "C": (0.72, ["Polish", "Lithuanian", "Romanian", "Latvian", "Bulgarian", "Portuguese"],
          [34, 24, 18, 9, 8, 7]),
    "H": (0.30, ["Panjabi", "Gujarati"], [60, 40]),
    "J": (0.35, ["Urdu", "Panjabi"], [70, 30]),
    "K": (0.45, ["Bengali"], [1]),
    "L": (0.40, ["Tagalog", "Tamil", "Malayalam"], [45, 25, 30]),
    "N": (0.20, ["Somali", "Shona"], [55, 45]),
    "R": (0.45, ["Cantonese", "Mandarin"], [55, 45]),
    "S": (0.35, ["Arabic", "Kurdish"], [60, 40]),
    "99": (0.15, ["Polish", "Romanian"], [60, 40]),
}
# Digital access by age band: Smartphone, Computer only, No internet.
DIGITAL_03 = {"18-44": [0.95, 0.03, 0.02], "45-64": [0.86, 0.07, 0.07],
              "65-74": [0.70, 0.12, 0.18], "75-84": [0.45, 0.17, 0.38],
              "85+": [0.22, 0.16, 0.62]}
DISABLED_03 = {"18-44": 0.08, "45-64": 0.16, "65-74": 0.25, "75-84": 0.38, "85+": 0.55}
VISITS_03 = {"18-44": 2.5, "45-64": 3.5, "65-74": 5.0, "75-84": 7.0, "85+": 9.0}


def practice_population(rng: np.random.Generator, n: int = 2400) -> pd.DataFrame:
    """Marshfield Surgery's adult patients, one row each."""
    age = _pick(rng, AGE_BANDS_03, [36, 33, 14, 11, 6], n)
    older = np.isin(age, ["75-84", "85+"])
    female_p = np.where(older, 0.58, 0.50)
    sex = np.where(rng.random(n) < female_p, "Female", "Male")

    ethnic = _pick(rng, list(ETHNIC_MIX_03), list(ETHNIC_MIX_03.values()), n)
    # People who moved here recently to work on farms and in food factories are younger.
    young_groups = np.isin(ethnic, ["C", "L", "N", "S"])
    redo = young_groups & np.isin(age, ["75-84", "85+"]) & (rng.random(n) < 0.85)
    age[redo] = _pick(rng, ["18-44", "45-64"], [70, 30], int(redo.sum()))

    language = np.full(n, "English", dtype=object)
    for code, (share, langs, weights) in OTHER_LANGUAGES_03.items():
        rows = np.flatnonzero((ethnic == code) & (rng.random(n) < share))
        language[rows] = _pick(rng, langs, weights, len(rows))
    bsl = np.flatnonzero((language == "English") & (rng.random(n) < 0.004))
    language[bsl] = "British Sign Language"

    disabled_p = np.array([DISABLED_03[a] for a in age])
    disabled = rng.random(n) < disabled_p
    disabled[language == "British Sign Language"] = rng.random(len(bsl)) < 0.5

    ais = np.full(n, "None recorded", dtype=object)
    needs_rows = np.flatnonzero(disabled & (rng.random(n) < 0.22))
    ais[needs_rows] = _pick(rng, ["Large print", "Easy read", "Braille", "Audio"],
                            [60, 25, 6, 9], len(needs_rows))
    ais[language == "British Sign Language"] = "BSL interpreter"

    digital = np.empty(n, dtype=object)
    for band, probs in DIGITAL_03.items():
        rows = np.flatnonzero(age == band)
        digital[rows] = _pick(rng, ["Smartphone", "Computer only", "No internet"], probs,
                              len(rows))
    # Disability, and some AIS needs, make going online harder for some.
    shift = (disabled & (digital != "No internet") & (rng.random(n) < 0.16)) | (
        np.isin(ais, ["Braille", "Audio", "Easy read"]) & (rng.random(n) < 0.35))
    digital[shift] = "No internet"
    deaf = language == "British Sign Language"
    digital[deaf] = _pick(rng, ["Smartphone", "Computer only"], [85, 15], int(deaf.sum()))

    english = language == "English"
    online_p = np.select([digital == "Smartphone", digital == "Computer only"],
                         [np.where(english, 0.62, 0.30), 0.45], 0.0)
    online = np.where(rng.random(n) < online_p, "Yes", "No")

    distance = np.round(np.clip(rng.lognormal(mean=1.35, sigma=0.75, size=n), 0.2, 24.0), 1)
    visits_mean = np.array([VISITS_03[a] for a in age]) * np.where(disabled, 1.6, 1.0)
    visits = rng.poisson(visits_mean)

    return pd.DataFrame({
        "patient_id": [f"MS{i:04d}" for i in range(1, n + 1)],
        "age_band": age,
        "sex": sex,
        "ethnic_category": ethnic,
        "main_language": language,
        "disabled": np.where(disabled, "Yes", "No"),
        "ais_need": ais,
        "digital_access": digital,
        "online_account": online,
        "distance_km": distance,
        "appointments_12m": visits,
    })


# --------------------------------------------------------------------------- module 04

AREAS = [
    ("WLD01", "Hollinford North", "Market town", 1150),
    ("WLD02", "Hollinford South", "Market town", 1250),
    ("WLD03", "Marshfield and Fen", "Village", 800),
    ("WLD04", "Kettleby", "Village", 650),
    ("WLD05", "Stowbridge", "Small town", 1100),
    ("WLD06", "Amberley Vale", "Village", 600),
    ("WLD07", "Fenwick Marsh", "Village", 900),
    ("WLD08", "Coldharbour", "Village", 550),
    ("WLD09", "Wrenham", "Small town", 1000),
    ("WLD10", "Saxby Moor", "Village", 500),
]
BASE_MIX_04 = {"A": 84.0, "B": 0.9, "C": 2.2, "D": 0.2, "E": 0.1, "F": 0.3, "G": 0.2,
               "H": 0.5, "J": 0.25, "K": 0.1, "L": 0.4, "M": 0.15, "N": 0.35, "P": 0.05,
               "R": 0.3, "S": 0.25, "Z": 9.0, "99": 4.6}
# Extra weight in some areas: a Bangladeshi community in Hollinford South; people from
# central and eastern Europe working on farms and in food factories in the fens.
AREA_EXTRA_04 = {"WLD02": {"K": 14.0, "H": 0.8, "J": 0.7, "Z": 3.0},
                 "WLD01": {"K": 1.2, "N": 0.6, "99": 2.0},
                 "WLD03": {"C": 7.0, "99": 3.0},
                 "WLD07": {"C": 9.0, "99": 4.0},
                 "WLD05": {"C": 2.5, "R": 0.3, "Z": 2.0},
                 "WLD09": {"C": 2.0, "L": 0.6, "Z": 4.0}}
UPTAKE_04 = {"A": 0.50, "B": 0.48, "C": 0.31, "H": 0.44, "J": 0.40, "K": 0.22,
             "N": 0.40, "R": 0.43, "Z": 0.41, "99": 0.21}
RISK_04 = {"A": 0.14, "B": 0.14, "C": 0.15, "H": 0.22, "J": 0.24, "K": 0.34, "M": 0.20,
           "N": 0.19, "Z": 0.16, "99": 0.17}
AGE_BANDS_04 = ["40-49", "50-59", "60-74"]

LANGUAGES_04 = [
    ("English", 41873), ("Polish", 612), ("Lithuanian", 418), ("Romanian", 305),
    ("Bengali", 212), ("Portuguese", 151), ("Latvian", 118), ("Bulgarian", 93),
    ("Russian", 71), ("Panjabi", 44), ("Urdu", 38), ("Tagalog", 33), ("Malayalam", 29),
    ("Cantonese", 23), ("Arabic", 21), ("Turkish", 18), ("Slovak", 17), ("Hungarian", 16),
    ("Czech", 14), ("Spanish", 13), ("Italian", 12), ("Mandarin", 11), ("Tamil", 9),
    ("Kurdish", 9), ("Somali", 8), ("Gujarati", 8), ("Albanian", 7), ("Ukrainian", 7),
    ("Farsi", 6), ("Greek", 6), ("Nepali", 5), ("Thai", 5), ("Shona", 5),
    ("British Sign Language", 5), ("Estonian", 4), ("French", 4), ("German", 4),
    ("Vietnamese", 3), ("Dutch", 3), ("Tigrinya", 3), ("Pashto", 2), ("Swahili", 2),
    ("Hindi", 2), ("Yoruba", 2), ("Amharic", 1), ("Sinhala", 1), ("Japanese", 1),
]


def _exact_share(rng: np.random.Generator, pop: pd.DataFrame, prob: np.ndarray,
                 among: np.ndarray) -> np.ndarray:
    """Flag round(p * n) people, chosen at random, in each ethnic group and age band.

    Exact counts per stratum keep the built-in pattern visible in small groups
    instead of leaving it to chance.
    """
    flag = np.zeros(len(pop), dtype=bool)
    strata = pop["ethnic_category"].astype(str) + "|" + pop["age_band"].astype(str)
    for key in sorted(strata[among].unique()):
        rows = np.flatnonzero((strata == key).to_numpy() & among)
        k = int(np.floor(prob[rows[0]] * len(rows) + 0.5))
        flag[rng.choice(rows, size=k, replace=False)] = True
    return flag


def health_check_data(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """The module 04 tables: eligible counts, attendances and partner data."""
    people = []
    for code, _name, _kind, size in AREAS:
        mix = dict(BASE_MIX_04)
        for k, extra in AREA_EXTRA_04.get(code, {}).items():
            mix[k] += extra
        n = int(size * 1.1)
        people.append(pd.DataFrame({"area_code": code,
                                    "ethnic_category": _pick(rng, CODES,
                                                             [mix[c] for c in CODES], n)}))
    pop = pd.concat(people, ignore_index=True)
    n = len(pop)
    pop["age_band"] = _pick(rng, AGE_BANDS_04, [34, 35, 31], n)
    pop["sex"] = np.where(rng.random(n) < 0.51, "Female", "Male")

    uptake = pop["ethnic_category"].map(UPTAKE_04).fillna(0.42).to_numpy(float)
    uptake = uptake + np.select([pop["age_band"] == "40-49", pop["age_band"] == "60-74"],
                                [-0.06, 0.06], 0.0)
    attended = _exact_share(rng, pop, uptake, np.ones(n, dtype=bool))

    risk = pop["ethnic_category"].map(RISK_04).fillna(0.16).to_numpy(float)
    risk = risk * np.select([pop["age_band"] == "40-49", pop["age_band"] == "60-74"],
                            [0.6, 1.45], 1.0)
    high = _exact_share(rng, pop, risk, attended)

    eligible = (pop.groupby(["area_code", "ethnic_category"], sort=False).size()
                .rename("eligible").reset_index())
    order = {c: i for i, c in enumerate(CODES)}
    eligible = eligible.sort_values(["area_code", "ethnic_category"],
                                    key=lambda s: s.map(order) if s.name == "ethnic_category"
                                    else s).reset_index(drop=True)

    att = pop.loc[attended, ["area_code", "ethnic_category", "age_band", "sex"]].copy()
    att["high_risk"] = high[attended].astype(int)
    att = att.iloc[rng.permutation(len(att))].reset_index(drop=True)
    att.insert(0, "attendance_id", [f"HC{i:05d}" for i in range(1, len(att) + 1)])

    la = pd.DataFrame({
        "area_code": [a[0] for a in AREAS],
        "area_name": [a[1] for a in AREAS],
        "settlement": [a[2] for a in AREAS],
        "households_no_car_pct": [14.2, 21.8, 9.6, 8.1, 16.4, 7.4, 12.9, 10.2, 15.1, 6.8],
        "school_languages": [23, 31, 14, 6, 18, 5, 19, 7, 16, 4],
    })
    jcp = pd.DataFrame({
        "area_code": ["WLD01", "WLD02", "WLD03", "WLD04", "WLD05", "WLD06", "WLD07",
                      "WLD09", "WLD10"],
        "esol_referrals": [22, 41, 37, 3, 18, 2, 52, 14, 1],
    })
    langs = pd.DataFrame(LANGUAGES_04, columns=["main_language", "patients"])
    return {"eligible_population.csv": eligible, "attendances.csv": att,
            "local_authority_areas.csv": la, "jobcentre_esol.csv": jcp,
            "main_languages.csv": langs}


# --------------------------------------------------------------------------- output

def build(seed: int) -> dict[str, bytes]:
    """Every file, as bytes, keyed by its path under ``source/``."""
    rng = np.random.default_rng(seed)
    out: dict[str, bytes] = {}
    tables = {f"{M03}/data/practice_population.csv": practice_population(rng)}
    for name, frame in health_check_data(rng).items():
        tables[f"{M04}/data/{name}"] = frame
    for path, frame in tables.items():
        out[path] = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED}, used by the notebooks)")
    parser.add_argument("--course", type=Path, default=COURSE,
                        help="nbgrader course folder holding source/ (default: this course)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if any file differs from what would be "
                             "written")
    args = parser.parse_args(argv)
    files = build(args.seed)
    differ = []
    for rel, data in files.items():
        target = args.course / "source" / rel
        if args.check:
            if not target.is_file() or target.read_bytes() != data:
                differ.append(str(target))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(f"wrote {target} ({len(data):,} bytes)")
    if differ:
        for path in differ:
            print(f"differs: {path}", file=sys.stderr)
        return 1
    if args.check:
        print(f"all {len(files)} files match seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
