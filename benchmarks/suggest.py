"""Benchmark the job-description suggester against a plain keyword baseline.

For a labelled set of job descriptions (``labels.csv``: ``file,competencies,split``)
prints, side by side per split, precision, recall and F1 per competency and overall
(micro-averaged, with a 95% bootstrap interval: documents resampled, 2,000 resamples,
seed 17) for

* **suggester**: :func:`competency.hr.suggest.suggest` at its default threshold;
* **keywords**: the baseline, which suggests a competency when the text contains its
  name or one of the framework's ``keywords`` as whole words, ignoring case.

Then the speed of the command line, the way a trust would run it: documents per second
over at least 400 documents in **one** ``competency suggest FILE... --json`` call,
start-up included, pinned to one core (the set's readable texts, replicated), first
with an empty cache (``COMPETENCY_CACHE_DIR`` pointing at a new folder: phrases compiled,
simplemma's dictionary loaded) and then with the cache it left (best of 3); and the
latency of ``competency suggest FILE --json`` on one document (best of 5, warm cache).

Usage::

    python benchmarks/suggest.py                       # project set: dev and test splits
    python benchmarks/suggest.py --set jd-eval         # the independent set: dev only
    python benchmarks/suggest.py --errors --no-speed   # also list each file's mistakes
    python benchmarks/suggest.py --set jd-eval --split test --read-frozen-test   # once
    python benchmarks/suggest.py --cv authors --no-speed   # leave one author out, all files
    python benchmarks/suggest.py --cv authors --phrases benchmarks/phrases-2026-11-26.yaml
    python benchmarks/suggest.py --cv authors --phrases benchmarks/phrases-2026-11-26.yaml \
        --broaden benchmarks/phrases-broadening.yaml

``--set jd-eval`` reads ``benchmarks/jd-eval/`` (150 JDs written and labelled by people
who never saw the phrase sets; see its README). Its ``test`` split is frozen: without
``--split test|both --read-frozen-test`` its files and labels are not even read, and
the speed runs use only the dev files; when it is read, dev is printed beside it.
``--set jd-eval-2`` is ``benchmarks/jd-eval-2/``: 80 JDs by four more authors, made
after the first set's frozen split was read, all of it a test split, read once on
2026-12-02 (its README). ``--set jd-eval-3`` is ``benchmarks/jd-eval-3/``, made the same
way after that read, and ``--set jd-eval-4`` (``benchmarks/jd-eval-4/``) after that,
both read once on 2026-12-02 (session 5); ``--set jd-eval-5`` is
``benchmarks/jd-eval-5/``, made the same way after those, read once on 2026-12-02
(session 6), and ``--set jd-eval-6`` (``benchmarks/jd-eval-6/``, session 6) is all of it
a frozen test split, unread. Nothing of any of them is read without
``--read-frozen-test`` (see each README for when it may be read). ``--model FILE``
measures another model file (e.g. one ``train_suggest.py --write --without SET --out
FILE`` fitted without the set measured).
``--eval-dir DIR`` points at another folder laid out the same way (``jds/`` and
``labels.csv``), for trying the frozen-split path on a stand-in made of dev files.

``--cv authors`` uses every labelled file of both sets (the jd-eval test split was read
once on 2026-12-02 and is training data since; ``--read-frozen-test`` keeps guarding
the ``--set jd-eval`` split printing only), of ``benchmarks/jd-train`` to
``benchmarks/jd-train-9`` and of ``benchmarks/jd-eval-2`` to ``benchmarks/jd-eval-4``
(each read once on 2026-12-02, training data since) when present.
Author groups: jd-eval 1xx, 2xx, 3xx, the project set, jd-train and jd-train-2 to
jd-train-9 (each set's authors held out together), and one group per author
of jd-eval-2 (401-420, 421-440, 501-520, 521-540), jd-eval-3 (1001-1020, 1021-1040,
1101-1120, 1121-1140) and jd-eval-4 (2001-2020, 2021-2040, 2101-2120, 2121-2140).
It prints, per held-out group and pooled, micro P/R/F1 with 95%
bootstrap intervals, and per competency pooled, for the phrase rule alone (no training,
but the shipped phrases were hand-tuned on files of the first four groups, so its
figures are in-sample there), the shipped method as ``benchmarks/train_suggest.py``
fits it (the learned sentence model and the per-competency decisions, all fitted
without the held-out group) and the keyword baseline. ``--phrases FILE`` takes the
rule and the boilerplate from another phrase file, e.g.
``benchmarks/phrases-2026-11-26.yaml``, written before any jd-eval file existed, which
makes the jd-eval groups genuinely unseen authors; ``--broaden FILE`` adds the phrases
of ``benchmarks/phrases-broadening.yaml`` (scope paraphrases, already in the shipped
file) to it.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from competency.framework.model import Framework, load_framework
from competency.hr.suggest import compile_suggester

ROOT = Path(__file__).resolve().parent.parent
JDS = ROOT / "tests" / "data" / "jds"
LABELS = JDS / "labels.csv"
EVAL = ROOT / "benchmarks" / "jd-eval"
EVAL2 = ROOT / "benchmarks" / "jd-eval-2"
"""The second set: 80 JDs by four more authors, a test split read once (2026-12-02)."""
EVAL3 = ROOT / "benchmarks" / "jd-eval-3"
"""The third set: 80 JDs by four more authors, a test split read once (2026-12-02)."""
EVAL4 = ROOT / "benchmarks" / "jd-eval-4"
"""The fourth set: 80 JDs by four more authors, a test split read once (2026-12-02)."""
EVAL5 = ROOT / "benchmarks" / "jd-eval-5"
"""The fifth set: 80 JDs by four more authors, all of it a frozen test split."""
EVAL6 = ROOT / "benchmarks" / "jd-eval-6"
"""The sixth set: 80 JDs by four more authors (session 6), a frozen test split, unread."""
FROZEN_SETS = {"jd-eval-2": EVAL2, "jd-eval-3": EVAL3, "jd-eval-4": EVAL4,
               "jd-eval-5": EVAL5, "jd-eval-6": EVAL6}
"""The sets that are all test split, guarded by ``--read-frozen-test``."""

Labels = dict[str, set[str]]
Predictor = Callable[[str], set[str]]


def read_labels(path: Path = LABELS, splits: Iterable[str] = ("dev", "test")
                ) -> dict[str, tuple[set[str], str]]:
    """``{file: (competency IDs, split)}`` from the labels file, for ``splits`` only
    (the rows of other splits are skipped unparsed)."""
    wanted = set(splits)
    out: dict[str, tuple[set[str], str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["split"] not in wanted:
                continue
            ids = {c.strip() for c in row["competencies"].split(";") if c.strip()}
            out[row["file"]] = (ids, row["split"])
    return out


def keyword_baseline(framework: Framework) -> Predictor:
    """Suggest a competency when its name or a keyword occurs as whole words (any case)."""
    patterns = {
        comp.id: re.compile(r"\b(?:" + "|".join(re.escape(k) for k in
                                                 sorted({comp.name, *comp.keywords}, key=len,
                                                        reverse=True)) + r")\b",
                            re.IGNORECASE)
        for comp in framework
    }

    def predict(text: str) -> set[str]:
        return {cid for cid, pattern in patterns.items() if pattern.search(text)}

    return predict


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0 where undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def errors(predict: Predictor, texts: dict[str, str], gold: Labels) -> None:
    for name, text in texts.items():
        predicted = predict(text)
        fp = sorted(predicted - gold[name])
        fn = sorted(gold[name] - predicted)
        if fp or fn:
            print(f"  {name}: false positives {fp or '-'}, false negatives {fn or '-'}")


def micro(predicted: dict[str, set[str]], gold: Labels, names: list[str]
          ) -> tuple[float, float, float]:
    """Micro precision, recall and F1 over the documents ``names`` (repeats count)."""
    tp = fp = fn = 0
    for name in names:
        tp += len(predicted[name] & gold[name])
        fp += len(predicted[name] - gold[name])
        fn += len(gold[name] - predicted[name])
    return prf(tp, fp, fn)


def bootstrap(predicted: dict[str, set[str]], gold: Labels, resamples: int = 2000,
              seed: int = 17) -> list[tuple[float, float]]:
    """95% percentile intervals of micro P, R and F1, resampling documents."""
    names = sorted(predicted)
    rng = random.Random(seed)
    draws = [micro(predicted, gold, rng.choices(names, k=len(names)))
             for _ in range(resamples)]
    out = []
    for i in range(3):
        values = sorted(d[i] for d in draws)
        out.append((values[int(0.025 * resamples)], values[int(0.975 * resamples) - 1]))
    return out


def print_side_by_side(columns: list[tuple[str, dict[str, set[str]], Labels]],
                       ids: list[str]) -> None:
    """Per competency and micro P / R / F1, one column per (title, predictions, gold)."""
    width = 20
    print(f"\n{'competency':<11}" + "".join(f"{title:>{width + 2}}" for title, _, _ in columns))
    for cid in [*ids, "micro"]:
        cells = []
        for _, predicted, gold in columns:
            if cid == "micro":
                p, r, f = micro(predicted, gold, list(predicted))
            else:
                tp = sum(1 for n in predicted if cid in predicted[n] and cid in gold[n])
                fp = sum(1 for n in predicted if cid in predicted[n] and cid not in gold[n])
                fn = sum(1 for n in predicted if cid not in predicted[n] and cid in gold[n])
                p, r, f = prf(tp, fp, fn)
                cid_n = tp + fn
                cells.append(f"(n={cid_n:>2}) {p:.2f} {r:.2f} {f:.2f}")
                continue
            cells.append(f"{p:.2f} {r:.2f} {f:.2f}")
        print(f"{cid:<11}" + "".join(f"{c:>{width + 2}}" for c in cells))
    print(f"{'95% CI':<11}" + "".join(
        f"{'F1 ' + format(lo, '.2f') + '-' + format(hi, '.2f'):>{width + 2}}"
        for lo, hi in (bootstrap(predicted, gold)[2] for _, predicted, gold in columns)))
    for title, predicted, gold in columns:
        (plo, phi), (rlo, rhi), (flo, fhi) = bootstrap(predicted, gold)
        p, r, f = micro(predicted, gold, list(predicted))
        print(f"  {title}: micro P {p:.3f} [{plo:.3f}, {phi:.3f}]  R {r:.3f} [{rlo:.3f}, "
              f"{rhi:.3f}]  F1 {f:.3f} [{flo:.3f}, {fhi:.3f}]  (95% bootstrap, 2,000 "
              f"resamples of {len(predicted)} documents, seed 17)")


def one_core() -> None:
    """Pin the calling process (and so its children) to its lowest-numbered core."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def run_cli(files: list[Path], cache: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one ``competency suggest FILES --json`` on one core."""
    env = dict(os.environ, COMPETENCY_CACHE_DIR=str(cache))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "competency.cli", "suggest", *map(str, files),
                    "--json"], check=True, capture_output=True, env=env, preexec_fn=one_core)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def speed(texts: list[str], count: int = 400) -> None:
    """Print CLI throughput over ``count`` documents and single-document latency."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "jds"
        folder.mkdir()
        files = []
        for i in range(count):
            path = folder / f"jd-{i:04d}.txt"
            path.write_text(texts[i % len(texts)], encoding="utf-8")
            files.append(path)
        words = sum(len(texts[i % len(texts)].split()) for i in range(count))
        cache = Path(tmp) / "cache"
        cold_wall, cold_cpu = run_cli(files, cache)
        warm = min(run_cli(files, cache) for _ in range(3))
        print(f"\nthroughput, one `competency suggest` call over {count} documents "
              f"({words / count:,.0f} words on average), start-up included, one core:")
        print(f"  empty cache: {count / cold_wall:,.0f} documents/s by wall clock "
              f"({count / cold_cpu:,.0f}/s of CPU time)")
        print(f"  warm cache:  {count / warm[0]:,.0f} documents/s by wall clock "
              f"({count / warm[1]:,.0f}/s of CPU time), best of 3")
        single = [run_cli(files[:1], cache) for _ in range(5)]
        print(f"single document, `competency suggest FILE --json`, fresh interpreter, warm "
              f"cache: {min(w for w, _ in single):.2f} s wall, "
              f"{min(c for _, c in single):.2f} s CPU (best of 5; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def cv_authors(framework: Framework, phrases: Path | None, broaden: Path | None) -> None:
    """Leave-one-author-out figures over every labelled file (see the module docstring)."""
    import train_suggest

    chosen_phrases = train_suggest.broadened(phrases, broaden) or phrases
    ids = list(framework.ids)
    docs, rule, learned = train_suggest.loao(framework, chosen_phrases)
    gold = {d.name: set(d.gold) for d in docs}
    base = keyword_baseline(framework)
    methods = {
        "fixed rule": rule,
        "rule+model": learned,
        "keywords": {d.name: base(d.text) for d in docs},
    }
    print(f"leave-one-author-out, {len(docs)} job descriptions, {sum(map(len, gold.values()))} "
          f"labels; phrases: {phrases or 'shipped'}"
          f"{' + ' + str(broaden) if broaden else ''}")
    print("  rule+model: for each held-out group, the sentence model and the decisions "
          "fitted without it (decisions on held-out logits of five folds inside)")
    for group in [*sorted({d.group for d in docs}), "pooled"]:
        names = [d.name for d in docs if group in ("pooled", d.group)]
        print(f"\n{group} ({len(names)} files)")
        for title, predicted in methods.items():
            subset = {n: predicted[n] for n in names}
            (plo, phi), (rlo, rhi), (flo, fhi) = bootstrap(subset, gold)
            p, r, f = micro(subset, gold, names)
            print(f"  {title:<11} P {p:.3f} [{plo:.3f}, {phi:.3f}]  R {r:.3f} [{rlo:.3f}, "
                  f"{rhi:.3f}]  F1 {f:.3f} [{flo:.3f}, {fhi:.3f}]")
    print("\n(95% bootstrap intervals: 2,000 resamples of the group's documents, seed 17)")
    print_side_by_side([(f"{title} P R F1", predicted, gold)
                        for title, predicted in methods.items()], ids)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=["project", "jd-eval", *FROZEN_SETS], default="project",
                        help="the project's own 46 JDs, the independent evaluation set, or "
                             "the second to sixth one (all test: needs "
                             "--read-frozen-test)")
    parser.add_argument("--split", choices=["dev", "test", "both"], default=None)
    parser.add_argument("--read-frozen-test", action="store_true",
                        help="with --set jd-eval: allow its frozen test split (read it once)")
    parser.add_argument("--errors", action="store_true", help="list each file's mistakes")
    parser.add_argument("--no-speed", action="store_true", help="skip the timings")
    parser.add_argument("--cv", choices=["authors"], default=None,
                        help="leave-one-author-out over every labelled file of both sets")
    parser.add_argument("--phrases", type=Path, default=None,
                        help="with --cv: the phrase file to take the evidence from")
    parser.add_argument("--broaden", type=Path, default=None,
                        help="with --cv: add the phrases of this file (e.g. "
                             "benchmarks/phrases-broadening.yaml) to the phrase file")
    parser.add_argument("--eval-dir", type=Path, default=EVAL,
                        help="the evaluation set's folder (jds/ and labels.csv); another "
                             "one only to try the frozen-split path on a stand-in")
    parser.add_argument("--model", type=Path, default=None,
                        help="the learned model file to measure (default: the shipped one), "
                             "e.g. one train_suggest.py --write --without SET --out FILE fitted "
                             "without the set measured")
    args = parser.parse_args()
    one_core()

    framework = load_framework()
    if args.cv is not None:
        cv_authors(framework, args.phrases, args.broaden)
        if args.no_speed:
            return 0
        labels = read_labels(EVAL / "labels.csv")
        speed([(EVAL / "jds" / n).read_text(encoding="utf-8") for n in sorted(labels)])
        return 0
    if args.set in FROZEN_SETS:
        if not args.read_frozen_test:
            parser.error(f"benchmarks/{args.set} is a frozen test set: add --read-frozen-test "
                         "to read it, once, and record the result in its README")
        args.split, args.eval_dir = "test", FROZEN_SETS[args.set]
    suggester = compile_suggester(framework, model=args.model)
    folder = JDS if args.set == "project" else args.eval_dir / "jds"
    if args.split is None:
        args.split = "both" if args.set == "project" else "dev"
    if args.set == "jd-eval" and args.split != "dev" and not args.read_frozen_test:
        parser.error("the jd-eval test split is frozen: add --read-frozen-test to read it")
    splits = ["dev", "test"] if args.split == "both" else [args.split]
    if args.set == "jd-eval" and "test" in splits:
        splits = ["dev", "test"]  # the frozen split is always shown beside dev
    labels = read_labels(LABELS if args.set == "project" else args.eval_dir / "labels.csv",
                         splits)
    # only the files of the splits asked for are read (the frozen split stays unread)
    texts = {name: (folder / name).read_text(encoding="utf-8")
             for name, (_, split) in labels.items() if split in splits}
    gold = {name: labels[name][0] for name in texts}

    def ours(text: str) -> set[str]:
        return {s.competency for s in suggester.suggest(text)}

    base = keyword_baseline(framework)
    columns = []
    for split in splits:
        subset = {n: t for n, t in texts.items() if labels[n][1] == split}
        print(f"{args.set} {split}: {len(subset)} job descriptions, "
              f"{sum(len(gold[n]) for n in subset)} labelled competencies")
        for title, predict in (("suggester", ours), ("keywords", base)):
            columns.append((f"{split} {title} P R F1",
                            {n: predict(t) for n, t in subset.items()}, gold))
        if args.errors:
            print(f"\n{split} mistakes, suggester:")
            errors(ours, subset, gold)
            print(f"{split} mistakes, keyword baseline:")
            errors(base, subset, gold)
    print_side_by_side(columns, list(framework.ids))
    if args.no_speed:
        return 0
    if args.set in FROZEN_SETS:  # timed on the first set's dev texts, as for jd-eval
        dev = read_labels(EVAL / "labels.csv", ["dev"])
        speed([(EVAL / "jds" / n).read_text(encoding="utf-8") for n in sorted(dev)])
        return 0
    speed([texts[n] for n in sorted(texts) if labels[n][1] == "dev" or args.set == "project"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
