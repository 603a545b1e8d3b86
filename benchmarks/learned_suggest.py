"""Does a learned text classifier generalise to new authors better than the phrase rules?

Every labelled JD of the repository, in twelve author groups: the project set
(``tests/data/jds``), ``benchmarks/jd-eval`` 1xx, 2xx, 3xx (both splits: its frozen split
was read once and is training data since) and the eight authors of
``benchmarks/jd-train`` (601-620, 621-640, 701-720, 721-740, 801-820, 821-840, 901-920,
921-940). ``benchmarks/jd-eval-2`` is never read.

Methods, each judged by **leave-one-author-out** (LOAO): a group is held out, everything
learned is fitted on the other eleven, the held-out group is predicted; the twelve
predictions are pooled.

* **rule**: the shipped suggester as it is (``suggest`` at 0.5). Its phrases were
  hand-tuned on the project set and jd-eval, so on those four groups it is in-sample;
  nobody tuned it on a jd-train author, so the decisive figures are pooled over the
  eight jd-train groups.
* **text**: per competency an L2 logistic regression over the JD's non-boilerplate
  sentences (the suggester's own sentence split and boilerplate skipping): lemma
  unigrams and bigrams, binary, each document's vector of unit length. No vocabulary
  is fitted (a feature is just its n-gram: the same as hashing without collisions), so
  the only things learned are the weights and the choices below.
* **text+rule**: the same with the rule's evidence for that competency added as
  features (``Suggester.features``: summed phrase weight, strong and weak phrase counts,
  sentences holding them, whether the rule fires), scaled by ``s``.
* **gate(text)** / **gate(text+rule)**: the rule's decision corrected by a classifier:
  suggest when the rule fires and p >= t_low, or when p >= t_high.

Fitting: kernel (dual) form, Newton's method, exact and deterministic; no random numbers.
The regularisation ``lam``, the rule scale ``s`` and the decision thresholds are chosen
**inside each training fold** by LOAO over its eleven groups (nested): best pooled
micro-F1 among settings with precision >= 0.85, else best micro-F1.

Prints, per held-out group and pooled over the eight jd-train groups and over all
twelve, micro P/R/F1 with 95% bootstrap intervals (documents resampled, 2,000
resamples, seed 17), the paired bootstrap difference of F1 against the rule, and per
competency figures.

Usage (set ``OPENBLAS_NUM_THREADS=1`` on a busy machine: OpenBLAS threads spinning
against other jobs made one fold take 443 s instead of 20 s)::

    python benchmarks/learned_suggest.py --quick    # lam 0.03/0.1, s 1: about 5 minutes
    python benchmarks/learned_suggest.py            # the full grid: about 4 times longer

``benchmarks/learned_sentences.py`` is the sentence-level variant (a JD scores its best
sentence), trained on the sentences the labellers quoted.

**Result, 2026-12-02 (``--quick``), nothing shipped.** Pooled over the eight jd-train
authors (160 JDs, 460 labels; nobody tuned the phrases on them), micro P / R / F1 [95%
bootstrap interval of F1] and the paired interval of the F1 difference against the rule:

================  =====  =====  ======================  =================
method            P      R      F1                      F1 - rule
================  =====  =====  ======================  =================
rule              0.833  0.815  0.824 [0.791, 0.852]
text              0.917  0.504  0.651 [0.609, 0.693]    [-0.220, -0.127]
text+rule         0.840  0.820  0.829 [0.800, 0.857]    [-0.005, +0.017]
gate(text)        0.855  0.804  0.829 [0.797, 0.855]    [-0.007, +0.016]
gate(text+rule)   0.846  0.813  0.829 [0.798, 0.857]    [-0.002, +0.013]
================  =====  =====  ======================  =================

Pooled over all twelve groups (355 JDs, 903 labels; the rule in-sample on four of them):
rule 0.846 / 0.846 / 0.846 [0.825, 0.866]; text 0.653; text+rule 0.851 (difference
[-0.003, +0.012]); gate(text) 0.843; gate(text+rule) 0.849. A bag of n-grams of the
whole JD mostly learns what kind of post it is, not what it asks for (recall 0.50); with
the rule's evidence added the classifier reproduces the rule, within half a point.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from competency.framework.model import load_framework
from competency.hr.phrases import LEMMA_CACHE, lemma
from competency.hr.suggest import STRONG_WEIGHT, Suggester, _sentences, compile_suggester

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "data" / "jds"
EVAL = ROOT / "benchmarks" / "jd-eval"
TRAIN = ROOT / "benchmarks" / "jd-train"
TRAIN_BLOCKS = ((601, 620), (621, 640), (701, 720), (721, 740), (801, 820), (821, 840),
                (901, 920), (921, 940))
MIN_PRECISION = 0.85
LAMBDAS = (0.01, 0.03, 0.1, 0.3)
SCALES = (0.5, 1.0, 2.0)
THRESHOLDS = tuple(round(0.1 + 0.025 * i, 3) for i in range(33))  # 0.1 .. 0.9
LOW = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)
HIGH = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
BIAS = 3.0
"""Constant feature (so its weight, the bias, is penalised 1/9 as much)."""
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Doc:
    """One labelled job description."""

    name: str
    group: str
    gold: frozenset[str]
    rule: frozenset[str]
    """What the shipped rule suggests."""
    evidence: np.ndarray
    """Per competency (framework order), the rule's evidence features (12 x 5)."""
    grams: frozenset[str]
    """Lemma unigrams and bigrams of the non-boilerplate sentences."""


def kept_grams(suggester: Suggester, text: str) -> frozenset[str]:
    """The lemma unigrams and bigrams of the sentences the suggester does not skip."""
    sentences = _sentences(text)
    skip = suggester._skipped(text, sentences)
    grams: set[str] = set()
    for k, (start, end) in enumerate(sentences):
        if k in skip:
            continue
        lemmas = []
        for m in _WORD.finditer(text, start, end):
            word = m.group().lower()
            found = LEMMA_CACHE.get(word)
            lemmas.append(found if found is not None else lemma(word))
        grams.update(lemmas)
        grams.update(f"{a} {b}" for a, b in pairwise(lemmas))
    return frozenset(grams)


def evidence_features(suggester: Suggester, text: str, ids: list[str]) -> np.ndarray:
    """The rule's evidence per competency: weight/strong, log counts, fires."""
    out = np.zeros((len(ids), 5))
    for cid, (weight, strong, weak, sentences) in suggester.features(text).items():
        i = ids.index(cid)
        out[i] = (weight / STRONG_WEIGHT, math.log1p(strong), math.log1p(weak),
                  math.log1p(sentences), float(1 - math.exp(-weight) >= 0.5))
    return out


def group_of(name: str) -> str:
    number = int(name[:3])
    if number < 400:
        return f"jd-eval {number // 100}xx"
    for lo, hi in TRAIN_BLOCKS:
        if lo <= number <= hi:
            return f"jd-train {lo}-{hi}"
    raise ValueError(name)


def read_rows(path: Path) -> list[tuple[str, frozenset[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: r["file"])
    return [(r["file"], frozenset(c.strip() for c in r["competencies"].split(";") if c.strip()))
            for r in rows]


def load_docs() -> tuple[list[Doc], list[str]]:
    """Every labelled JD (project, jd-eval, jd-train), in a fixed order."""
    framework = load_framework()
    ids = list(framework.ids)
    suggester = compile_suggester(framework)
    docs = []
    for folder, texts, fixed in ((PROJECT, PROJECT, "project"), (EVAL, EVAL / "jds", None),
                                 (TRAIN, TRAIN / "jds", None)):
        for name, gold in read_rows(folder / "labels.csv"):
            text = (texts / name).read_text(encoding="utf-8")
            rule = frozenset(s.competency for s in suggester.suggest(text))
            docs.append(Doc(name, fixed or group_of(name), gold, rule,
                            evidence_features(suggester, text, ids),
                            kept_grams(suggester, text)))
    return docs, ids


def text_kernel(docs: list[Doc]) -> np.ndarray:
    """Cosine similarity of the documents' binary n-gram sets."""
    index: dict[str, int] = {}
    rows = [[index.setdefault(g, len(index)) for g in sorted(d.grams)] for d in docs]
    n, width = len(docs), len(index)
    kernel = np.zeros((n, n))
    chunk = 8192
    for lo in range(0, width, chunk):
        x = np.zeros((n, min(chunk, width - lo)), dtype=np.float32)
        for i, cols in enumerate(rows):
            sel = [c - lo for c in cols if lo <= c < lo + chunk]
            x[i, sel] = 1.0
        kernel += (x @ x.T).astype(np.float64)
    norms = np.sqrt(np.diag(kernel))
    norms[norms == 0] = 1.0
    return kernel / np.outer(norms, norms)


# --------------------------------------------------------------------------- the model


def fit_dual(kernel: np.ndarray, y: np.ndarray, lam: float,
             start: np.ndarray | None = None) -> np.ndarray:
    """Dual coefficients of L2 logistic regression: min sum log-loss(K a) + lam/2 a'Ka."""
    n = len(y)
    alpha = np.zeros(n) if start is None else start.copy()
    for _ in range(20):
        z = kernel @ alpha
        p = 1.0 / (1.0 + np.exp(-z))
        d = p * (1.0 - p)
        step = np.linalg.solve(d[:, None] * kernel + lam * np.eye(n), (p - y) + lam * alpha)
        alpha -= step
        if float(np.abs(kernel @ step).max()) < 1e-3:  # scores moved < 0.001
            break
    return alpha


class Data:
    """The kernels and labels of all documents."""

    def __init__(self, docs: list[Doc], ids: list[str]) -> None:
        self.docs = docs
        self.ids = ids
        self.groups = np.array([d.group for d in docs])
        self.y = np.array([[float(c in d.gold) for c in ids] for d in docs])
        self.rule = np.array([[c in d.rule for c in ids] for d in docs])
        self.text = text_kernel(docs) + BIAS ** 2
        self.evidence = np.stack([d.evidence for d in docs])  # n x 12 x 5
        self.rule_kernels = [self.evidence[:, c, :] @ self.evidence[:, c, :].T
                             for c in range(len(ids))]

    def kernel(self, c: int, scale: float) -> np.ndarray:
        if scale == 0.0:
            return self.text
        return self.text + scale ** 2 * self.rule_kernels[c]

    def probabilities(self, train: np.ndarray, test: np.ndarray, lam: float,
                      scale: float) -> np.ndarray:
        """P(competency) for the ``test`` rows, fitted on the ``train`` rows (n_test x 12)."""
        out = np.zeros((len(test), len(self.ids)))
        for c in range(len(self.ids)):
            k = self.kernel(c, scale)
            alpha = fit_dual(k[np.ix_(train, train)], self.y[train, c], lam)
            out[:, c] = 1.0 / (1.0 + np.exp(-(k[np.ix_(test, train)] @ alpha)))
        return out

    def loao(self, rows: np.ndarray, lam: float, scale: float) -> np.ndarray:
        """LOAO probabilities over the groups of ``rows`` (aligned with ``rows``)."""
        out = np.zeros((len(rows), len(self.ids)))
        groups = self.groups[rows]
        for held in sorted(set(groups)):
            inside = groups == held
            out[inside] = self.probabilities(rows[~inside], rows[inside], lam, scale)
        return out


def prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(predicted: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    tp = float((predicted & gold).sum())
    fp = float((predicted & ~gold).sum())
    fn = float((~predicted & gold).sum())
    return prf(tp, fp, fn)


def better(candidate: tuple[float, float, float], best: tuple[float, float, float] | None
           ) -> bool:
    if best is None:
        return True
    return (candidate[0] >= MIN_PRECISION, candidate[2]) > (best[0] >= MIN_PRECISION, best[2])


def choose_threshold(probs: np.ndarray, gold: np.ndarray) -> tuple[float, tuple[float, ...]]:
    best: tuple[float, float, float] | None = None
    chosen = 0.5
    for t in THRESHOLDS:
        s = score(probs >= t, gold)
        if better(s, best):
            best, chosen = s, t
    assert best is not None
    return chosen, best


def choose_gate(probs: np.ndarray, rule: np.ndarray, gold: np.ndarray
                ) -> tuple[tuple[float, float], tuple[float, ...]]:
    best: tuple[float, float, float] | None = None
    chosen = (0.0, 1.01)
    for low in LOW:
        for high in HIGH:
            s = score(gate(probs, rule, low, high), gold)
            if better(s, best):
                best, chosen = s, (low, high)
    assert best is not None
    return chosen, best


def gate(probs: np.ndarray, rule: np.ndarray, low: float, high: float) -> np.ndarray:
    result: np.ndarray = (rule & (probs >= low)) | (probs >= high)
    return result


# --------------------------------------------------------------------------- evaluation


def nested(data: Data, lams: Iterable[float], scales: Iterable[float], log: list[str]
           ) -> dict[str, np.ndarray]:
    """Nested LOAO predictions (n x 12 booleans) per method."""
    n, m = len(data.docs), len(data.ids)
    out = {name: np.zeros((n, m), dtype=bool) for name in
           ("text", "text+rule", "gate(text)", "gate(text+rule)")}
    every = np.arange(n)
    for held in sorted(set(data.groups)):
        started = time.perf_counter()
        train = every[data.groups != held]
        test = every[data.groups == held]
        gold = data.y[train].astype(bool)
        rule = data.rule[train]
        for kind, kind_scales in (("text", (0.0,)), ("text+rule", tuple(scales))):
            best: tuple[float, float, float] | None = None
            chosen: tuple[float, float, float] = (0.0, 0.0, 0.5)
            best_gate: tuple[float, float, float] | None = None
            gate_chosen: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.01)
            for lam in lams:
                for scale in kind_scales:
                    inner = data.loao(train, lam, scale)
                    t, s = choose_threshold(inner, gold)
                    if better(s, best):
                        best, chosen = s, (lam, scale, t)
                    (low, high), gs = choose_gate(inner, rule, gold)
                    if better(gs, best_gate):
                        best_gate, gate_chosen = gs, (lam, scale, low, high)
            lam, scale, t = chosen
            probs = data.probabilities(train, test, lam, scale)
            out[kind][test] = probs >= t
            glam, gscale, low, high = gate_chosen
            if (glam, gscale) != (lam, scale):
                probs = data.probabilities(train, test, glam, gscale)
            out[f"gate({kind})"][test] = gate(probs, data.rule[test], low, high)
            log.append(f"  without {held:<18} {kind:<10} lam {lam} s {scale} threshold {t} "
                       f"(inner P {best[0]:.3f} F1 {best[2]:.3f}); gate lam {glam} s {gscale} "
                       f"low {low} high {high} (inner P {best_gate[0]:.3f} "
                       f"F1 {best_gate[2]:.3f})" if best and best_gate else "")
        print(f"  fold without {held} done in {time.perf_counter() - started:.0f} s",
              file=sys.stderr, flush=True)
    return out


def bootstrap(predicted: np.ndarray, gold: np.ndarray, rows: np.ndarray,
              baseline: np.ndarray | None = None, resamples: int = 2000, seed: int = 17
              ) -> tuple[list[tuple[float, float]], tuple[float, float] | None]:
    """95% intervals of P, R, F1 over ``rows`` (documents resampled), and of the F1
    difference against ``baseline`` on the same resamples (paired)."""
    rng = random.Random(seed)
    names = list(rows)
    tp = (predicted & gold).sum(axis=1)
    fp = (predicted & ~gold).sum(axis=1)
    fn = (~predicted & gold).sum(axis=1)
    if baseline is not None:
        btp = (baseline & gold).sum(axis=1)
        bfp = (baseline & ~gold).sum(axis=1)
        bfn = (~baseline & gold).sum(axis=1)
    draws, diffs = [], []
    for _ in range(resamples):
        pick = np.array(rng.choices(names, k=len(names)))
        s = prf(tp[pick].sum(), fp[pick].sum(), fn[pick].sum())
        draws.append(s)
        if baseline is not None:
            diffs.append(s[2] - prf(btp[pick].sum(), bfp[pick].sum(), bfn[pick].sum())[2])
    lo, hi = int(0.025 * resamples), int(0.975 * resamples) - 1
    intervals = []
    for i in range(3):
        values = sorted(d[i] for d in draws)
        intervals.append((values[lo], values[hi]))
    diff = None
    if diffs:
        diffs.sort()
        diff = (diffs[lo], diffs[hi])
    return intervals, diff


def report(data: Data, methods: dict[str, np.ndarray]) -> None:
    gold = data.y.astype(bool)
    every = np.arange(len(data.docs))
    train_groups = sorted(g for g in set(data.groups) if g.startswith("jd-train"))
    sets = [(g, every[data.groups == g]) for g in sorted(set(data.groups))]
    sets += [("pooled jd-train (8 groups)", every[np.isin(data.groups, train_groups)]),
             (f"pooled all ({len(set(data.groups))} groups)", every)]
    sets = [(title, rows) for title, rows in sets if len(rows)]
    for title, rows in sets:
        print(f"\n{title} ({len(rows)} files, {int(gold[rows].sum())} labels)")
        for name, predicted in methods.items():
            p, r, f = score(predicted[rows], gold[rows])
            (plo, phi), (rlo, rhi), (flo, fhi) = bootstrap(predicted, gold, rows)[0]
            line = (f"  {name:<16} P {p:.3f} [{plo:.3f}, {phi:.3f}]  R {r:.3f} [{rlo:.3f}, "
                    f"{rhi:.3f}]  F1 {f:.3f} [{flo:.3f}, {fhi:.3f}]")
            if name != "rule" and title.startswith("pooled"):
                _, diff = bootstrap(predicted, gold, rows, methods["rule"])
                assert diff is not None
                line += f"  F1 - rule [{diff[0]:+.3f}, {diff[1]:+.3f}]"
            print(line)
    print("\n(95% bootstrap intervals: 2,000 resamples of the documents, seed 17; "
          "'F1 - rule' is the paired interval of the difference)")
    for title, rows in sets[-2:]:
        print(f"\nper competency, {title}: P R F1 (n = labels)")
        print(f"{'':10}" + "".join(f"{name:>18}" for name in methods))
        for c, cid in enumerate(data.ids):
            n = int(gold[rows, c].sum())
            cells = [score(pred[rows, c], gold[rows, c]) for pred in methods.values()]
            print(f"{cid:<7}{n:>3}" + "".join(f"{p:>8.2f}{r:>5.2f}{f:>5.2f}"
                                              for p, r, f in cells))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller grid")
    args = parser.parse_args()
    started = time.perf_counter()
    docs, ids = load_docs()
    data = Data(docs, ids)
    print(f"{len(docs)} labelled JDs in {len(set(data.groups))} author groups, "
          f"{int(data.y.sum())} labels; features ready in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    lams = (0.03, 0.1) if args.quick else LAMBDAS
    scales = (1.0,) if args.quick else SCALES
    log: list[str] = []
    methods = {"rule": data.rule.copy(), **nested(data, lams, scales, log)}
    print(f"leave-one-author-out, {len(docs)} job descriptions, {int(data.y.sum())} labels, "
          f"12 author groups; grid lam {lams}, s {scales}")
    print("\nchoices made inside each training fold (nested LOAO over its 11 groups):")
    print("\n".join(line for line in log if line))
    report(data, methods)
    print(f"\n(run time {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
