"""suggest: paraphrase, boilerplate, near misses, scores, evidence offsets and the CLI contract."""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from competency.errors import CompetencyError, PhrasesError
from competency.framework.model import Framework, parse_framework
from competency.hr.documents import Document
from competency.hr.suggest import (
    DEFAULT_THRESHOLD,
    MAX_GAP,
    STRONG_WEIGHT,
    WEAK_WEIGHT,
    PhraseSet,
    compile_suggester,
    load_phrases,
    parse_phrases,
    suggest,
)
from conftest import DATA, CliResult

Cli = Callable[..., CliResult]
JDS = DATA / "jds"

TRUST_FRAMEWORK = """\
id: trust
name: A trust's own framework
version: "2"
levels:
  - level: 1
    name: Basic
competencies:
  - id: W-1
    name: Widget handling
    keywords: [widget care, gadget repair]
  - id: W-2
    name: Sprocket safety
    keywords: [sprocket]
"""


@pytest.fixture(scope="module")
def trust() -> Framework:
    return parse_framework(TRUST_FRAMEWORK)


def phrase_set(**competencies: dict[str, list[str]]) -> PhraseSet:
    return parse_phrases({"competencies": competencies}, source="test-phrases.yaml")


def ids(text: str, framework: Framework | None = None, threshold: float = DEFAULT_THRESHOLD
        ) -> list[str]:
    return [s.competency for s in suggest(text, framework, threshold)]


# --------------------------------------------------------------------------- recognition


def test_paraphrase_without_the_frameworks_words(framework: Framework) -> None:
    text = ("Main duties\n"
            "Book language support for patients whose first language is not English.\n")
    [suggestion] = suggest(text, framework)
    assert suggestion.competency == "CUL-2"
    [evidence] = suggestion.evidence
    assert evidence.text == ("Book language support for patients whose first language is not "
                             "English.")
    assert text[evidence.start:evidence.end] == evidence.text
    # the phrases first; the learned model's cues for the same sentence after them
    assert evidence.phrases[:2] == ("(first|own|preferred|home) language",
                                    "language (line|support|need|barrier|requirement)")
    assert all(p.startswith("learned: ") for p in evidence.phrases[2:])


def test_inflections_meet_through_lemmas(framework: Framework) -> None:
    rule = compile_suggester(framework, model=False)
    assert [s.competency for s in rule.suggest("You will work with interpreters every day.")
            ] == ["CUL-2"]
    [s] = rule.suggest("Interpreting is part of every clinic.")
    assert s.competency == "CUL-2"
    assert s.evidence[0].matched == ("Interpreting",)


@pytest.mark.parametrize(
    ("sentence", "competency"),
    [
        ("Check that changes do not disadvantage older or disabled patients: assess how each "
         "change would affect different groups.", "EIA-1"),
        ("Break down uptake of screening by ethnic group and compare uptake with need.",
         "DATA-1"),
        ("Examine your own assumptions and recognise stereotypes in your practice.", "CUL-1"),
        ("Run listening events and report back to communities what changed.", "ENG-1"),
        ("Work with the county council, the police and the Race Equality Council on shared "
         "projects.", "PART-1"),
        ("Challenge racist comments from patients and support staff on the receiving end.",
         "RACE-1"),
        ("Own the Trust's Workforce Race Equality Standard action plan and account to the board.",
         "LEAD-1"),
        ("Help small voluntary and community organisations bid for contracts.", "COMM-1"),
        ("Shortlist fairly against the criteria and make sure interview panels are diverse.",
         "RECR-1"),
        ("Advise on the Equality Act 2010 and the duty to make reasonable adjustments.", "LAW-1"),
        ("Make sure the board considers equality before it takes major decisions, with due "
         "regard to the equality duty.", "LAW-2"),
        ("Record each patient's ethnicity and first language accurately at booking.", "DATA-1"),
        ("Look at who is and is not being referred, by age, ethnicity and postcode.", "DATA-1"),
        ("Make sure decisions are not shaped by assumptions about people's backgrounds.",
         "CUL-1"),
        ("Make a particular effort to hear from people who do not usually take part.", "ENG-1"),
        ("Run patient information days jointly with the local support group.", "PART-1"),
        ("Support colleagues who experience racist abuse from patients or visitors.", "RACE-1"),
    ],
)
def test_each_competency_from_a_paraphrase(sentence: str, competency: str) -> None:
    text = f"Main duties\n{sentence}\n"
    # the phrases recognise the paraphrase on their own ...
    assert competency in [s.competency for s in suggest(text, model=False)]
    # ... and the shipped model's decisions rank it first (a one-sentence document is
    # thin evidence, so its score may sit either side of the threshold)
    ranked = suggest(text, threshold=0.0)
    assert ranked[0].competency == competency


# --------------------------------------------------------------------------- boilerplate


BOILERPLATE = """\
About the role
You will keep the stores tidy.

Equality and diversity
We are an equal opportunities employer and welcome applications from all sections of the \
community. We particularly welcome applications from Black, Asian and minority ethnic \
candidates, who are under-represented in our workforce. As a Disability Confident employer we \
operate a guaranteed interview scheme. If you need reasonable adjustments at any stage of the \
recruitment process, please tell us.
We are committed to equality, diversity and inclusion and want our workforce to reflect the \
diversity of the communities we serve.
All staff must comply with the Trust's policies on equal opportunities, bullying and \
harassment.
"""


def test_equality_boilerplate_is_ignored() -> None:
    assert suggest(BOILERPLATE) == []
    assert ids(BOILERPLATE, threshold=0.0) == []


def test_the_same_words_count_outside_the_boilerplate() -> None:
    assert ids("Make reasonable adjustments for disabled staff and record them.") == ["LAW-1"]


def test_employer_sections_are_ignored() -> None:
    text = ("About us\n"
            "We work in partnership with the county council, the police and the voluntary "
            "sector.\n"
            "Main duties\n"
            "Work with the police on hate crime reporting.\n")
    [part] = [s for s in suggest(text) if s.competency == "PART-1"]
    assert [e.text for e in part.evidence] == ["Work with the police on hate crime reporting."]


@pytest.mark.parametrize(
    "sentence",
    [
        "Contribute to clinical risk assessments and incident investigations.",
        "Complete data protection impact assessments for new systems.",
        "Comply with data protection law, UK GDPR and information governance policies.",
        "Build strong partnerships with suppliers to get the best value.",
        "Support the commissioning of equipment and the commissioning of new beds.",
        "Maintain accurate financial data and reports on aged creditors.",
        "Work in partnership with our facilities contractor and its suppliers.",
        "Engage stakeholders across the programme and keep them informed.",
        "Serve special diets, including halal, kosher and vegetarian meals.",
        "Manage the contracts register and the commissioning of new services.",
        "Complete health needs assessments for children in care and reduce health inequalities.",
        "Record and interpret 12-lead ECGs and report the results.",
        "Involve patients and carers in decisions about their own care and rehabilitation.",
        "Make referrals to specialty teams and community services.",
        "Mobile coverage is poor in parts of the area.",
        "Staff networks, including our Race Equality and Disability networks, are open to all.",
    ],
)
def test_near_misses_do_not_fire(sentence: str) -> None:
    assert ids(f"Main duties\n{sentence}\n") == []


# --------------------------------------------------------------------------- scores


def test_score_is_one_minus_exp_of_distinct_phrase_weights(trust: Framework) -> None:
    phrases = phrase_set(**{"W-1": {"weak": ["spanner", "wrench"]}})
    sg = compile_suggester(trust, phrases)
    one = round(1 - math.exp(-STRONG_WEIGHT), 4)
    [s] = sg.suggest("We do widget care.")
    assert s.score == one
    [s] = sg.suggest("We do widget care. Widget care again.")  # the same phrase counts once
    assert s.score == one
    assert len(s.evidence) == 2
    [s] = sg.suggest("Widget care and gadget repair. Bring a spanner.")
    assert s.score == round(1 - math.exp(-(2 * STRONG_WEIGHT + WEAK_WEIGHT)), 4)
    assert sg.suggest("Bring a spanner and a wrench.") == []  # two weak: 0.39 < 0.5
    [s] = sg.suggest("Bring a spanner and a wrench.", threshold=0.0)
    assert s.score == round(1 - math.exp(-2 * WEAK_WEIGHT), 4)


def test_more_evidence_never_lowers_a_score_without_a_decision(framework: Framework) -> None:
    """The documented property of the rule-or-model score (a learned decision may weigh
    new text against a competency, so it holds only without one)."""
    lines = (JDS / "09-equality-diversity-lead.txt").read_text(encoding="utf-8").splitlines()
    previous: dict[str, float] = {}
    for end in range(1, len(lines) + 1, 3):
        scores = {s.competency: s.score for s in suggest("\n".join(lines[:end]),
                                                         threshold=0.0, model=False)}
        assert all(scores.get(cid, 0.0) >= score for cid, score in previous.items())
        previous = scores


def test_features_are_the_evidence_the_score_is_made_of(trust: Framework) -> None:
    sg = compile_suggester(trust, phrase_set(**{"W-1": {"weak": ["spanner", "wrench"],
                                                        "not": ["widget catalogue"]}}))
    text = "Widget care. Gadget repair and a spanner. Widget care again. The widget catalogue."
    assert sg.features(text) == {"W-1": (2 * STRONG_WEIGHT + WEAK_WEIGHT, 2.0, 1.0, 3)}
    [s] = sg.suggest(text)
    assert s.score == round(1 - math.exp(-(2 * STRONG_WEIGHT + WEAK_WEIGHT)), 4)
    # a competency whose phrases are all in sentences holding its negative cues has none
    assert sg.features("Widget care in the widget catalogue.") == {}
    assert sg.suggest("Widget care in the widget catalogue.", threshold=0.0) == []


def test_sorted_by_score_then_id_and_threshold(trust: Framework) -> None:
    text = "Sprocket. Widget care. Gadget repair."
    result = suggest(text, trust)
    assert [(s.competency, s.score) for s in result] == [
        ("W-1", round(1 - math.exp(-2 * STRONG_WEIGHT), 4)),
        ("W-2", round(1 - math.exp(-STRONG_WEIGHT), 4))]
    assert [s.competency for s in suggest(text, trust, threshold=0.7)] == ["W-1"]
    with pytest.raises(ValueError, match=r"threshold must be between 0 and 1, not 1\.5"):
        suggest(text, trust, threshold=1.5)


def test_a_trusts_framework_uses_its_keywords_and_names(trust: Framework) -> None:
    assert ids("Training in widget handling is given.", trust) == ["W-1"]
    assert ids("Gadget repairs are part of the job.", trust) == ["W-1"]  # lemmas: repairs
    assert ids("Interpreters are booked daily.", trust) == []  # not the default framework


def test_negative_cues_and_required_context(trust: Framework) -> None:
    sg = compile_suggester(trust, phrase_set(**{
        "W-1": {"not": ["widget catalogue"]},
        "W-2": {"requires": ["(factory|workshop)"]}}))
    assert [s.competency for s in sg.suggest("Widget care.")] == ["W-1"]
    # a sentence holding a negative cue does not count for that competency
    assert sg.suggest("Widget care for the widget catalogue.") == []
    [w1] = sg.suggest("Widget care for the widget catalogue. Widget care on the ward.")
    assert [e.text for e in w1.evidence] == ["Widget care on the ward."]
    # W-2 needs its context somewhere in the document, in any sentence
    assert sg.suggest("Sprocket safety.") == []
    [w2] = sg.suggest("Sprocket safety.\nBased in the workshop.")
    assert (w2.competency, [e.text for e in w2.evidence]) == ("W-2", ["Sprocket safety."])


def test_explanations_quote_the_words_that_matched(framework: Framework) -> None:
    text = "Main duties\nBook a professional interpreter and record communication needs.\n"
    [cul2] = [s for s in suggest(text, framework) if s.competency == "CUL-2"]
    [evidence] = cul2.evidence
    assert evidence.text == text[evidence.start:evidence.end]
    assert "professional interpreter" in cul2.matched
    assert "communication needs" in cul2.matched
    assert "interpreter" not in cul2.matched  # held by "professional interpreter"
    assert all(m in evidence.text for m in evidence.matched)


def test_bullets_are_not_headings_and_benefit_sections_are_skipped() -> None:
    text = ("Main duties\n"
            "- Take blood samples from adults and children.\n"
            "Benefits\n"
            "- NHS Pension Scheme\n"
            "- Staff networks, including our Race Equality and Disability networks\n"
            "- Generous annual leave\n")
    assert ids(text) == []
    assert ids("Main duties\n- Support the Race Equality staff network.\n") == ["RECR-1"]


def test_a_section_about_the_employer_is_skipped_but_not_one_about_the_job() -> None:
    employer = "About Northmoor Rural Health NHS Trust\nWe work with interpreters daily.\n"
    assert ids(employer + "Main duties\nFile letters.\n") == []
    for heading in ("About the role", "About the position", "About this job", "About you",
                    "About the team"):
        assert ids(f"{heading}\nWork with interpreters every day.\n") == ["CUL-2"], heading


def test_interpreting_data_is_not_interpreting_for_patients() -> None:
    assert ids("Main duties\nInterpreting data on infections for the governance group.\n") \
        == []
    assert ids("Main duties\nCollect surveillance data and interpret trends.\n") == []


def test_mandatory_training_clause_is_boilerplate() -> None:
    assert ids("Main duties\nComplete mandatory training, including equality, diversity "
               "and human rights.\n") == []


def test_to_dict_is_the_json_contract(framework: Framework) -> None:
    doc = Document(Path("jd.txt"), "Title\nWork with interpreters.", "txt")
    [s] = suggest(doc, framework)
    assert s.to_dict() == {"competency": "CUL-2", "score": s.score,
                           "evidence": [{"text": "Work with interpreters.", "start": 6,
                                         "end": 29}]}


# --------------------------------------------------------------------------- phrase syntax


@pytest.mark.parametrize(
    ("phrase", "text", "fires"),
    [
        ("(blue|red) widget", "A red widget.", True),
        ("(blue|red) widget", "A green widget.", False),
        ("big (blue |)widget", "A big widget.", True),
        ("big * widget", "A big shiny widget.", True),
        ("big * widget", "A big widget.", False),
        ("widg* care", "Widgetry care.", True),
        ("widgets", "One widget.", True),  # both sides lemmatised
        ("alpha ... omega", "alpha " + "x " * MAX_GAP + "omega", True),
        ("alpha ... omega", "alpha " + "x " * (MAX_GAP + 1) + "omega", False),
        ("alpha ... omega", "Omega then alpha.", False),
        ("alpha ... omega", "Alpha. Omega.", False),  # never across sentences
        ("alpha omega", "Alpha | omega", False),  # nor across table cells
        ("alpha omega", "e.g. alpha omega", True),  # abbreviations do not end sentences
    ],
)
def test_phrase_syntax(trust: Framework, phrase: str, text: str, fires: bool) -> None:
    sg = compile_suggester(trust, phrase_set(**{"W-2": {"strong": [phrase],
                                                        "drop": ["sprocket",
                                                                 "sprocket safety"]}}))
    assert ([s.competency for s in sg.suggest(text)] == ["W-2"]) is fires


def test_drop_and_weak_change_framework_keywords(trust: Framework) -> None:
    sg = compile_suggester(trust, phrase_set(**{"W-1": {"drop": ["widget care"],
                                                        "weak": ["gadget repair"]}}))
    assert sg.suggest("Widget care.") == []
    [s] = sg.suggest("Gadget repair.", threshold=0.0)
    assert s.score == round(1 - math.exp(-WEAK_WEIGHT), 4)


def test_shipped_phrases_name_only_framework_competencies(framework: Framework) -> None:
    shipped = load_phrases()
    assert set(shipped.strong) <= set(framework.ids)
    assert issubclass(PhrasesError, CompetencyError)


# --------------------------------------------------------------------------- labelled set


def test_micro_f1_on_the_labelled_job_descriptions(framework: Framework) -> None:
    """A regression guard on the whole labelled set (benchmarks/suggest.py reports per split)."""
    tp = fp = fn = 0
    with (JDS / "labels.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 40
    assert sum(row["split"] == "test" for row in rows) >= 15
    for row in rows:
        gold = {c for c in row["competencies"].split(";") if c}
        assert gold <= set(framework.ids), row["file"]
        text = (JDS / row["file"]).read_text(encoding="utf-8")
        assert 300 <= len(text.split()) <= 1200, row["file"]
        predicted = set(ids(text, framework))
        tp += len(predicted & gold)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.8


# --------------------------------------------------------------------------- CLI


def test_cli_json_contract(cli: Cli, tmp_path: Path) -> None:
    jd = tmp_path / "nurse.txt"
    recruit = "Shortlist fairly against the criteria and sit on diverse interview panels."
    jd.write_text(f"Community Nurse\nUse professional interpreters.\n{recruit}\n",
                  encoding="utf-8")
    empty = tmp_path / "porter.md"
    empty.write_text("# Porter\nMove beds safely.\n", encoding="utf-8")
    result = cli("suggest", jd, empty, "--json")
    assert result.code == 0, result.err
    assert result.err == ""
    data = json.loads(result.out)
    assert [item["file"] for item in data] == [str(jd), str(empty)]
    assert data[1]["suggestions"] == []
    found = {s["competency"]: s for s in data[0]["suggestions"]}
    assert found == {
        "CUL-2": {"competency": "CUL-2", "score": found["CUL-2"]["score"],
                  "evidence": [{"text": "Use professional interpreters.", "start": 16,
                                "end": 46}]},
        "RECR-1": {"competency": "RECR-1", "score": found["RECR-1"]["score"],
                   "evidence": [{"text": recruit, "start": 47, "end": 47 + len(recruit)}]}}
    scores = [s["score"] for s in data[0]["suggestions"]]
    assert scores == sorted(scores, reverse=True)
    assert all(DEFAULT_THRESHOLD <= s <= 1 for s in scores)


def test_cli_reports_unreadable_files_and_goes_on(cli: Cli, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Work with interpreters.", encoding="utf-8")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 nonsense")
    result = cli("suggest", scan, good, tmp_path / "missing.docx", "--json")
    assert result.code == 2
    assert result.err == (f"{scan}: not a readable PDF file (corrupt or another format)\n"
                          f"{tmp_path / 'missing.docx'}: file not found\n")
    assert [item["file"] for item in json.loads(result.out)] == [str(good)]


def test_cli_table_and_threshold(cli: Cli, tmp_path: Path) -> None:
    jd = tmp_path / "jd.txt"
    jd.write_text("Work with interpreters. Be non-judgemental.\n", encoding="utf-8")
    result = cli("suggest", jd)
    assert result.code == 0
    # the score is the shipped model's decision, so only its range is fixed here
    assert re.fullmatch(re.escape(f"{jd}\n") + r"  CUL-2    0\.[5-9]\d  Culturally capable "
                        r"care and communication\n {22}0: Work with interpreters\.\n {17}"
                        r"matched: .*\"(with )?interpreters\".*\n", result.out), result.out
    # "non-judgemental" alone is a generic value: the CUL-1 decision scores it low
    low = cli("suggest", jd, "--threshold", "0.01")
    assert re.search(r"CUL-1    0\.0[1-9]  Cultural awareness and self-reflection", low.out)
    none = cli("suggest", jd, "--threshold", "0.9")
    assert none.out == f"{jd}\n  (no competency scored 0.9 or more)\n"
    bad = cli("suggest", jd, "--threshold", "2")
    assert bad.code == 2
    assert bad.err.startswith("competency: Invalid value for '--threshold'")


def test_cli_framework_and_phrases_options(cli: Cli, tmp_path: Path) -> None:
    fw = tmp_path / "trust.yaml"
    fw.write_text(TRUST_FRAMEWORK, encoding="utf-8")
    jd = tmp_path / "jd.txt"
    jd.write_text("Sprocket duty.", encoding="utf-8")
    result = cli("suggest", jd, "--framework", fw, "--json")
    assert result.code == 0
    assert json.loads(result.out)[0]["suggestions"][0]["competency"] == "W-2"
    phrases = tmp_path / "phrases.yaml"
    phrases.write_text("competencies:\n  W-1:\n    strong: [duty]\n", encoding="utf-8")
    result = cli("suggest", jd, "--framework", fw, "--phrases", phrases, "--json")
    assert [s["competency"] for s in json.loads(result.out)[0]["suggestions"]] == ["W-1",
                                                                                   "W-2"]
    phrases.write_text("competencies:\n  W-1:\n    often: [duty]\n", encoding="utf-8")
    result = cli("suggest", jd, "--framework", fw, "--phrases", phrases)
    assert result.code == 2
    assert result.out == ""
    assert result.err == f"{phrases}: unknown key in competency W-1 (often)\n"


def _training_script(monkeypatch: pytest.MonkeyPatch) -> Any:
    """benchmarks/train_suggest.py, imported (measured by `benchmarks/suggest.py --cv
    authors`)."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "train_suggest.py"
    spec = importlib.util.spec_from_file_location("train_suggest", path)
    assert spec is not None
    assert spec.loader is not None
    train = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "train_suggest", train)  # dataclasses look it up
    spec.loader.exec_module(train)
    return train


def test_the_training_script_fits_deterministic_weights_from_quoted_sentences(
        monkeypatch: pytest.MonkeyPatch) -> None:
    train = _training_script(monkeypatch)
    quoted = (frozenset({"oil", "gear", "oil gear"}), frozenset({"A"}))
    other = (frozenset({"file", "letter", "file letter"}), frozenset())
    docs = [train.Doc(f"{i}.txt", f"g{i % 3}", frozenset({"A"} if i % 2 else set()), "",
                      (quoted, other) if i % 2 else (other,), True) for i in range(12)]
    model = train.fit(docs, ["A", "B"], 0.001)
    assert model.weights["A"]["oil"] > 0 > model.biases["A"]
    assert "file" not in model.weights["A"] or model.weights["A"]["file"] < 0
    again = train.fit(docs, ["A", "B"], 0.001)
    assert (again.biases, again.weights) == (model.biases, model.weights)
    # decisions: phrase "p" fires in every labelled file and in one unlabelled one; the
    # held-out logit is high on the labelled files; the fit is deterministic
    names = [d.name for d in docs]
    inputs = {n: ({"A": (0.55, 1, ("p",))} if d.gold or n == "0.txt" else {})
              for n, d in zip(names, docs, strict=True)}
    logits = {d.name: {"A": 1.0} if d.gold else {} for d in docs}
    decisions = train.fit_decisions(docs, inputs, logits, ["A", "B"])
    again_decisions = train.fit_decisions(docs, inputs, logits, ["A", "B"])
    assert decisions == again_decisions
    a = decisions["A"]
    assert a.learned > 0
    assert a.fired > 0
    cut = math.log(train.DECISION_CUT / (1 - train.DECISION_CUT))
    assert decisions["B"].bias < cut  # never labelled: B is turned down
    assert train.inner_folds(docs) == [{"g0"}, {"g1"}, {"g2"}]
    groups = [train.group_of(train.EVAL2, f"{n}-x.txt") for n in (401, 420, 437, 501, 540)]
    assert groups == ["jd-eval-2 401-420", "jd-eval-2 401-420", "jd-eval-2 421-440",
                      "jd-eval-2 501-520", "jd-eval-2 521-540"]
    assert train.group_of(train.EVAL3, "1121-x.txt") == "jd-eval-3 1121-1140"
    assert train.group_of(train.EVAL4, "2040-x.txt") == "jd-eval-4 2021-2040"
    assert train.group_of(train.TRAIN3, "1401-x.txt") == "jd-train-3"
    assert train.group_of(train.TRAIN9, "2801-x.txt") == "jd-train-9"


def test_the_training_script_fits_a_document_model_the_decisions_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    train = _training_script(monkeypatch)
    # "oil" is somewhere in every document labelled A, never in the others, and never in
    # a quoted sentence: only the document model can learn it
    oily = (frozenset({"oil", "daily", "oil daily"}), frozenset())
    dry = (frozenset({"file", "letter", "file letter"}), frozenset())
    docs = [train.Doc(f"{i}.txt", f"g{i % 3}", frozenset({"A"} if i % 2 else set()), "",
                      (oily, dry) if i % 2 else (dry,), True) for i in range(12)]
    biases, weights = train.fit_documents(docs, ["A", "B"])
    assert weights["A"]["oil"] > 0 > biases["A"]
    assert biases["B"] < 0
    assert weights["B"].get("oil", 0.0) <= 0
    assert train.fit_documents(docs, ["A", "B"]) == (biases, weights)
    inputs: dict[str, dict[str, object]] = {d.name: {} for d in docs}
    logits: dict[str, dict[str, float]] = {d.name: {} for d in docs}
    documents = {d.name: {"A": 4.0 if d.gold else -4.0, "B": -4.0} for d in docs}
    with_documents = train.fit_decisions(docs, inputs, logits, ["A", "B"], documents)
    assert with_documents["A"].document > 0
    assert train.fit_decisions(docs, inputs, logits, ["A", "B"])["A"].document == 0.0


def test_the_training_script_trains_a_model_the_suggester_reads(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """train() end to end on a few real texts: sentence model, document model, both
    decisions; the file it makes round-trips and suggests."""
    from competency.hr.sentencemodel import load_model, sentence_features

    train = _training_script(monkeypatch)
    base = compile_suggester(model=False)
    interpreting = ("Main duties\nBook professional interpreters for patients who speak "
                    "little English. Record each patient's preferred language. ")
    filing = "Main duties\nFile letters and scan records. Order stationery. "
    padding = " ".join(f"Check the stock list number {i} every week." for i in range(40))
    docs = []
    for i in range(9):
        text = (interpreting if i % 3 else filing) + padding
        sentences = tuple(
            (frozenset(f for f, _, _ in sentence_features(lemmas, train.STOP)),
             frozenset({"CUL-2"}) if i % 3 and "interpreter" in lemmas else frozenset())
            for _, _, lemmas in base.sentence_lemmas(text))
        docs.append(train.Doc(f"{i}.txt", f"g{i % 3}", frozenset({"CUL-2"} if i % 3 else ()),
                              text, sentences, True))
    ids = list(base.framework.ids)
    model = train.train(base, docs, ids, "test")
    assert set(model.document_biases) == set(ids)
    assert set(model.short_decisions) == set(model.decisions) == set(ids)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model.to_data()), encoding="utf-8")
    again = load_model(path)
    assert again.document_weights == model.document_weights
    assert again.short_decisions == model.short_decisions
    sg = compile_suggester(model=path)
    long_text = interpreting + padding
    assert sg.document_logits(long_text)["CUL-2"] > sg.document_logits(filing + padding)["CUL-2"]
    assert "CUL-2" in [s.competency for s in sg.suggest(long_text, threshold=0.0)]
