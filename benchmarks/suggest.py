"""Benchmark the job-description suggester against a plain keyword baseline.

Prints, for the labelled job descriptions in ``tests/data/jds/`` (``labels.csv``:
``file,competencies,split``), precision, recall and F1 per competency and overall
(micro-averaged) for

* **suggester**: :func:`competency.suggest.suggest` at its default threshold;
* **keywords**: the baseline, which suggests a competency when the text contains its
  name or one of the framework's ``keywords`` as whole words, ignoring case;

side by side, on the ``dev`` split and on the held-out ``test`` split. Then the
throughput of the suggester in documents per second on one core, on ~1,000-word
documents made by joining the labelled texts (after start-up: phrases compiled,
lemma cache warm from one pass), and the wall time of the command line
``competency suggest FILE --json`` from a fresh interpreter.

Usage::

    python benchmarks/suggest.py                 # everything
    python benchmarks/suggest.py --split dev     # accuracy on dev only (for tuning)
    python benchmarks/suggest.py --errors        # also list false positives / negatives
    python benchmarks/suggest.py --set jd-eval   # the independent evaluation set, dev split

``--set jd-eval`` reads ``benchmarks/jd-eval/`` (150 JDs written and labelled by people
who never saw the phrase sets; see its README). Its ``test`` split is frozen: it is
printed only with ``--split test --read-frozen-test``, once, after tuning on ``dev``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
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

Labels = dict[str, set[str]]
Predictor = Callable[[str], set[str]]


def read_labels(path: Path = LABELS) -> dict[str, tuple[set[str], str]]:
    """``{file: (competency IDs, split)}`` from the labels file."""
    out: dict[str, tuple[set[str], str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
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


def evaluate(predict: Predictor, texts: dict[str, str], gold: Labels,
             ids: Iterable[str]) -> dict[str, tuple[int, int, int]]:
    """Per competency (and ``ALL``): true positives, false positives, false negatives."""
    counts = {cid: [0, 0, 0] for cid in ids}
    for name, text in texts.items():
        predicted = predict(text)
        for cid in counts:
            if cid in predicted and cid in gold[name]:
                counts[cid][0] += 1
            elif cid in predicted:
                counts[cid][1] += 1
            elif cid in gold[name]:
                counts[cid][2] += 1
    result = {cid: (c[0], c[1], c[2]) for cid, c in counts.items()}
    result["ALL"] = tuple(sum(c[i] for c in counts.values()) for i in range(3))  # type: ignore[assignment]
    return result


def print_table(title: str, ours: dict[str, tuple[int, int, int]],
                base: dict[str, tuple[int, int, int]]) -> None:
    print(f"\n{title}")
    print(f"{'competency':<11} {'n':>3}   {'suggester P / R / F1':<22} {'keywords P / R / F1':<22}")
    for cid in ours:
        tp, fp, fn = ours[cid]
        p, r, f = prf(tp, fp, fn)
        bp, br, bf = prf(*base[cid])
        label = "micro" if cid == "ALL" else cid
        print(f"{label:<11} {tp + fn:>3}   {p:.2f} / {r:.2f} / {f:.2f}     "
              f"{bp:.2f} / {br:.2f} / {bf:.2f}")


def errors(predict: Predictor, texts: dict[str, str], gold: Labels) -> None:
    for name, text in texts.items():
        predicted = predict(text)
        fp = sorted(predicted - gold[name])
        fn = sorted(gold[name] - predicted)
        if fp or fn:
            print(f"  {name}: false positives {fp or '-'}, false negatives {fn or '-'}")


def thousand_word_documents(texts: Iterable[str], count: int) -> list[str]:
    """``count`` documents of 1,000 words, each joined from consecutive labelled texts."""
    pool = list(texts)
    docs: list[str] = []
    i = 0
    while len(docs) < count:
        words: list[str] = []
        parts: list[str] = []
        while len(words) < 1000:
            text = pool[i % len(pool)]
            i += 1
            parts.append(text)
            words.extend(text.split())
        joined = "\n\n".join(parts)
        # cut at the 1,000th word, keeping the line structure
        cut = [m.end() for m in re.finditer(r"\S+", joined)][999]
        docs.append(joined[:cut])
    return docs


def throughput(docs: list[str], framework: Framework) -> tuple[float, float]:
    """Documents per second for the suggester, by wall clock and by CPU time (best of 3).

    Single process pinned to one core, after start-up (phrases compiled, lemma cache
    warm from one pass). On a shared machine the wall-clock figure also counts time
    the process waited for the core; the CPU-time figure does not.
    """
    suggester = compile_suggester(framework)
    for doc in docs:
        suggester.suggest(doc)
    best_wall = best_cpu = 0.0
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        for doc in docs:
            suggester.suggest(doc)
        best_wall = max(best_wall, len(docs) / (time.perf_counter() - wall))
        best_cpu = max(best_cpu, len(docs) / (time.process_time() - cpu))
    return best_wall, best_cpu


def cli_startup(sample: Path, runs: int = 5) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system) of ``competency suggest FILE --json``.

    Each run is a fresh interpreter, so both include start-up: imports, loading the
    framework and phrases, the lemma dictionary, reading and scoring one document.
    """
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "competency.cli", "suggest", str(sample), "--json"],
                       check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=["project", "jd-eval"], default="project",
                        help="the project's own 45 JDs, or the independent evaluation set")
    parser.add_argument("--split", choices=["dev", "test", "both"], default=None)
    parser.add_argument("--read-frozen-test", action="store_true",
                        help="with --set jd-eval: allow its frozen test split (read it once)")
    parser.add_argument("--errors", action="store_true", help="list each file's mistakes")
    parser.add_argument("--no-speed", action="store_true", help="skip the timings")
    args = parser.parse_args()
    with contextlib.suppress(AttributeError, OSError):  # one core, as documented
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    framework = load_framework()
    suggester = compile_suggester(framework)
    folder = JDS if args.set == "project" else EVAL / "jds"
    labels = read_labels(LABELS if args.set == "project" else EVAL / "labels.csv")
    if args.split is None:
        args.split = "both" if args.set == "project" else "dev"
    if args.set == "jd-eval" and args.split != "dev" and not args.read_frozen_test:
        parser.error("the jd-eval test split is frozen: add --read-frozen-test to read it")
    texts = {name: (folder / name).read_text(encoding="utf-8") for name in labels}
    gold = {name: ids for name, (ids, _) in labels.items()}

    def ours(text: str) -> set[str]:
        return {s.competency for s in suggester.suggest(text)}

    base = keyword_baseline(framework)
    splits = ["dev", "test"] if args.split == "both" else [args.split]
    for split in splits:
        subset = {n: t for n, t in texts.items() if labels[n][1] == split}
        print_table(f"{split}: {len(subset)} job descriptions, "
                    f"{sum(len(gold[n]) for n in subset)} labelled competencies",
                    evaluate(ours, subset, gold, framework.ids),
                    evaluate(base, subset, gold, framework.ids))
        if args.errors:
            print(f"\n{split} mistakes, suggester:")
            errors(ours, subset, gold)
            print(f"{split} mistakes, keyword baseline:")
            errors(base, subset, gold)
    if args.no_speed:
        return 0
    docs = thousand_word_documents(texts.values(), 500)
    wall, cpu = throughput(docs, framework)
    print(f"\nthroughput: {wall:,.0f} documents/s by wall clock, {cpu:,.0f} documents/s of CPU "
          f"time (500 documents of 1,000 words, one core, after start-up)")
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "jd.txt"
        sample.write_text(docs[0], encoding="utf-8")
        wall, cpu = cli_startup(sample)
    print(f"CLI `competency suggest FILE --json` on one 1,000-word file, fresh interpreter: "
          f"{wall:.2f} s wall, {cpu:.2f} s CPU (best of 5; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
