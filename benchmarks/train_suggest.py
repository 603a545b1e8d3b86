"""A learned layer for the suggester, measured by leave-one-author-out CV (not shipped).

The phrase matcher gives, per job description and competency with any cue phrase
found, its evidence (:meth:`competency.hr.suggest.Suggester.features`): the summed
phrase weights, how many phrases are strong and weak, and ``log(1 + n)`` of the
sentences holding them. This script fits one logistic regression per competency over
those features, shrunk towards one model shared by all competencies (``lam_comp``),
with non-negative feature weights (so more evidence never lowers a score), and
measures it against the shipped fixed rule (``1 - exp(-W) >= 0.5``).

The data: ``benchmarks/jd-eval`` (150 JDs; both splits: its test split was read once,
on 2026-12-02, and has been training data since) and the project set
``tests/data/jds`` (45 JDs). Authors are the groups: jd-eval files 1xx, 2xx and 3xx
were written by three different people, and the project set by the project.

**Leave-one-author-out (LOAO) cross-validation**: for each group, everything is fitted
on the other three (regularisation and threshold included) and the held-out group is
predicted; the four predictions are pooled. ``lam_comp`` and the decision threshold
are chosen *inside* each training fold by the same LOAO over its three groups (nested
CV): the pair with the best pooled micro-F1 among those with precision at least
:data:`MIN_PRECISION`, else the best micro-F1.

It is not shipped: on 2026-12-02 it did not beat the fixed rule (docs/job-descriptions.md
has the figures). ``benchmarks/suggest.py --cv authors`` prints both. Deterministic:
full-batch projected gradient descent from zero, fixed iterations, no random numbers.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from competency.framework.model import load_framework
from competency.hr.suggest import compile_suggester

FEATURES = ("phrase_weight", "strong_phrases", "weak_phrases", "log_sentences")
ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "data" / "jds"
EVAL = ROOT / "benchmarks" / "jd-eval"
GROUPS = ("jd-eval 1xx", "jd-eval 2xx", "jd-eval 3xx", "project")
LAMBDAS = (0.003, 0.01, 0.03, 0.1)
"""Candidate strengths pulling each competency's weights towards the shared ones."""
LAM_SHARED = 0.001
"""L2 penalty of the shared weights (not the bias)."""
THRESHOLDS = tuple(round(0.2 + 0.025 * i, 3) for i in range(25))  # 0.2 .. 0.8
MIN_PRECISION = 0.85
ITERATIONS = 3000


@dataclass(frozen=True)
class Doc:
    """One labelled job description with its phrase features."""

    name: str
    group: str
    gold: frozenset[str]
    features: dict[str, tuple[float, ...]]


def load_docs(phrases: Path | None = None) -> list[Doc]:
    """Every labelled JD of both sets, with its features (from the phrase file
    ``phrases``, default shipped), in a fixed order."""
    framework = load_framework()
    suggester = compile_suggester(framework, phrases)
    docs = []
    for folder, group_of in ((EVAL, lambda n: GROUPS[int(n[0]) - 1]),
                             (PROJECT, lambda n: "project")):
        with (folder / "labels.csv").open(encoding="utf-8", newline="") as handle:
            rows = sorted(csv.DictReader(handle), key=lambda r: r["file"])
        for row in rows:
            text = (folder / ("jds" if folder == EVAL else "") / row["file"]).read_text(
                encoding="utf-8")
            gold = frozenset(c.strip() for c in row["competencies"].split(";") if c.strip())
            features = {cid: (w, strong, weak, math.log1p(sentences)) for cid, (
                w, strong, weak, sentences) in suggester.features(text).items()}
            docs.append(Doc(row["file"], group_of(row["file"]), gold, features))
    return docs


# --------------------------------------------------------------------------- the model


Model = dict[str, tuple[float, np.ndarray]]  # competency -> (bias, weights)


def fit(docs: list[Doc], ids: list[str], lam_comp: float) -> Model:
    """Shrunk per-competency logistic regressions on the rows with any evidence."""
    d = len(FEATURES)
    rows = [(ids.index(cid), x, cid in doc.gold) for doc in docs
            for cid, x in doc.features.items() if cid in ids]
    comp = np.array([r[0] for r in rows], dtype=int)
    x = np.array([[1.0, *r[1]] for r in rows]).reshape(-1, d + 1)
    y = np.array([float(r[2]) for r in rows])
    onehot = np.zeros((len(rows), len(ids)))
    onehot[np.arange(len(rows)), comp] = 1.0
    scale = x.std(axis=0) if len(rows) else np.ones(d + 1)
    scale[0] = 1.0
    scale[scale == 0] = 1.0
    x = x / scale
    total = max(len(rows), 1)
    theta = np.zeros((len(ids), d + 1))
    shared = np.zeros(d + 1)
    curvature = float(np.linalg.eigvalsh(x.T @ x).max()) if len(rows) else 1.0
    step = 1.0 / (0.25 * curvature / total + lam_comp * (len(ids) + 1) + LAM_SHARED)
    mask = np.ones(d + 1)
    mask[0] = 0.0
    for _ in range(ITERATIONS):
        z = np.einsum("ij,ij->i", x, theta[comp])
        p = 1.0 / (1.0 + np.exp(-z))
        grad = onehot.T @ (x * (p - y)[:, None]) / total + lam_comp * (theta - shared)
        shared_grad = -lam_comp * (theta - shared).sum(axis=0) + LAM_SHARED * shared * mask
        theta = theta - step * grad
        theta[:, 1:] = np.maximum(theta[:, 1:], 0.0)
        shared = shared - step * shared_grad
        shared[1:] = np.maximum(shared[1:], 0.0)
    return {cid: (float(theta[i, 0]), theta[i, 1:] / scale[1:]) for i, cid in enumerate(ids)}


def probabilities(model: Model, docs: list[Doc]) -> list[dict[str, float]]:
    """Per document, competency -> probability (only competencies with evidence)."""
    out = []
    for doc in docs:
        probs = {}
        for cid, x in doc.features.items():
            if cid in model:
                bias, w = model[cid]
                z = bias + float(np.dot(w, x))
                probs[cid] = 1.0 / (1.0 + math.exp(-z))
        out.append(probs)
    return out


def counts(probs: list[dict[str, float]], docs: list[Doc], threshold: float
           ) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for p, doc in zip(probs, docs, strict=True):
        predicted = {c for c, v in p.items() if v >= threshold}
        tp += len(predicted & doc.gold)
        fp += len(predicted - doc.gold)
        fn += len(doc.gold - predicted)
    return tp, fp, fn


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def choose(docs: list[Doc], ids: list[str]) -> tuple[float, float]:
    """(lam_comp, threshold) by LOAO over the groups present in ``docs``."""
    groups = sorted({d.group for d in docs})
    best: tuple[tuple[bool, float], float, float] | None = None
    for lam in LAMBDAS:
        pooled_probs: list[dict[str, float]] = []
        pooled_docs: list[Doc] = []
        for held in groups:
            train = [d for d in docs if d.group != held]
            test = [d for d in docs if d.group == held]
            pooled_probs += probabilities(fit(train, ids, lam), test)
            pooled_docs += test
        for threshold in THRESHOLDS:
            p, _, f = prf(*counts(pooled_probs, pooled_docs, threshold))
            key = (p >= MIN_PRECISION, f)
            if best is None or key > best[0]:
                best = (key, lam, threshold)
    assert best is not None
    return best[1], best[2]


def loao(docs: list[Doc], ids: list[str]) -> tuple[dict[str, set[str]], dict[str, str],
                                                   list[tuple[str, float, float]]]:
    """Nested leave-one-author-out predictions: file -> predicted IDs, file -> group,
    and per held-out group the (lam_comp, threshold) its training fold chose."""
    predicted: dict[str, set[str]] = {}
    group_of: dict[str, str] = {}
    chosen = []
    for held in GROUPS:
        train = [d for d in docs if d.group != held]
        test = [d for d in docs if d.group == held]
        lam, threshold = choose(train, ids)
        chosen.append((held, lam, threshold))
        for doc, probs in zip(test, probabilities(fit(train, ids, lam), test), strict=True):
            predicted[doc.name] = {c for c, v in probs.items() if v >= threshold}
            group_of[doc.name] = held
    return predicted, group_of, chosen


def fixed_rule(docs: list[Doc]) -> dict[str, set[str]]:
    """What the old fixed rule (``1 - exp(-W) >= 0.5``) predicts from the same features."""
    return {d.name: {c for c, x in d.features.items() if 1 - math.exp(-x[0]) >= 0.5}
            for d in docs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phrases", type=Path, default=None,
                        help="phrase file to take the features from (default: shipped)")
    args = parser.parse_args()
    ids = list(load_framework().ids)
    docs = load_docs(args.phrases)
    predicted, group_of, chosen = loao(docs, ids)
    gold = {d.name: d.gold for d in docs}
    for held, lam, threshold in chosen:
        names = [n for n in predicted if group_of[n] == held]
        tp = sum(len(predicted[n] & gold[n]) for n in names)
        fp = sum(len(predicted[n] - gold[n]) for n in names)
        fn = sum(len(gold[n] - predicted[n]) for n in names)
        p, r, f = prf(tp, fp, fn)
        print(f"{held:<12} lam_comp {lam:<6} threshold {threshold:<6} P {p:.3f} R {r:.3f} "
              f"F1 {f:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
