"""sentencemodel: features, the model file, and how the suggester uses a learned model."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from competency.errors import PhrasesError
from competency.framework.model import Framework, parse_framework
from competency.hr.sentencemodel import (
    DOCUMENT_CLIP,
    DOCUMENT_MIN_WORDS,
    DOCUMENT_SCALE,
    LOGIT_FLOOR,
    Decision,
    SentenceModel,
    default_model_path,
    document_input,
    load_model,
    parse_model,
    sentence_features,
)
from competency.hr.suggest import Suggester, compile_suggester, parse_phrases

FRAMEWORK = """\
id: trust
name: A trust's own framework
version: "2"
levels:
  - level: 1
    name: Basic
competencies:
  - id: W-1
    name: Widget handling
    keywords: [widget care]
  - id: W-2
    name: Sprocket safety
    keywords: [sprocket]
"""
STOP = frozenset({"the", "a", "of", "and"})


@pytest.fixture(scope="module")
def trust() -> Framework:
    return parse_framework(FRAMEWORK)


def model(threshold: float = 0.0, **weights: dict[str, float]) -> SentenceModel:
    return SentenceModel(threshold, STOP, {cid.replace("_", "-"): -3.0 for cid in weights},
                         {cid.replace("_", "-"): w for cid, w in weights.items()}, "test")


def suggester(trust: Framework, learned: SentenceModel | None, **phrases: dict[str, list[str]]
              ) -> Suggester:
    data = {"boilerplate_sections": ["about us"],
            "competencies": {cid.replace("_", "-"): p for cid, p in phrases.items()}}
    return compile_suggester(trust, parse_phrases(data, source="p.yaml"),
                             learned if learned is not None else False)


def test_features_are_lemmas_and_adjacent_pairs() -> None:
    assert sentence_features(["the", "spare", "part", "of", "2", "gear"], STOP) == [
        ("spare", 1, 1), ("the spare", 0, 1), ("part", 2, 2), ("spare part", 1, 2),
        ("part of", 2, 3), ("gear", 5, 5)]


def test_a_learned_feature_alone_suggests_with_exact_evidence(trust: Framework) -> None:
    sg = suggester(trust, model(W_1={"oil": 2.0, "gear box": 2.5}))
    text = "Main duties\nKeep the stores tidy. Oil the Gear boxes weekly.\n"
    [s] = sg.suggest(text)
    assert s.competency == "W-1"
    assert s.score == round(1 / (1 + math.exp(-(-3.0 + 2.0 + 2.5))), 4)
    [ev] = s.evidence
    assert ev.text == "Oil the Gear boxes weekly."
    assert text[ev.start:ev.end] == ev.text
    assert ev.phrases == ("learned: gear box", "learned: oil")
    assert ev.matched == ("Gear boxes", "Oil")
    assert ev.learned == ("Gear boxes", "Oil")
    assert s.to_dict()["evidence"] == [{"text": ev.text, "start": ev.start, "end": ev.end}]


def test_below_the_threshold_the_model_does_not_suggest(trust: Framework) -> None:
    sg = suggester(trust, model(threshold=1.0, W_1={"oil": 3.5}))
    assert sg.suggest("Oil the gears.") == []  # logit 0.5 < threshold 1
    [s] = sg.suggest("Oil the gears.", threshold=0.3)
    assert s.score == round(1 / (1 + math.exp(1.0 - 0.5)), 4)


def test_the_score_is_the_higher_of_rule_and_model(trust: Framework) -> None:
    sg = suggester(trust, model(W_1={"oil": 5.0}))
    rule = round(1 - math.exp(-0.8), 4)
    [s] = sg.suggest("Widget care daily.")
    assert s.score == rule
    assert s.phrases == ("widget care",)
    [s] = sg.suggest("Widget care daily. Oil it.")
    assert s.score == round(1 / (1 + math.exp(-2.0)), 4)
    assert [e.text for e in s.evidence] == ["Widget care daily.", "Oil it."]
    assert s.phrases == ("widget care", "learned: oil")
    [s] = sg.suggest("Oil it. Widget care daily.")
    assert [e.text for e in s.evidence] == ["Oil it.", "Widget care daily."]
    assert s.matched == ("Widget care", "Oil")  # the phrases' words come first
    assert [e.learned for e in s.evidence] == [("Oil",), ()]


def test_adding_text_never_lowers_a_score(trust: Framework) -> None:
    sg = suggester(trust, model(W_1={"oil": 4.0, "grease": -2.0}))
    [before] = sg.suggest("Oil the gears.")
    [after] = sg.suggest("Oil the gears. Grease is banned. Grease the oil pump.")
    assert after.score >= before.score


def test_negative_cues_context_and_boilerplate_bind_the_model(trust: Framework) -> None:
    learned = model(W_1={"oil": 4.0})
    sg = suggester(trust, learned, **{"W-1": {"not": ["oil painting"],
                                              "requires": ["workshop"]}})
    assert sg.suggest("Oil the gears.") == []  # no workshop: context missing
    assert sg.suggest("In the workshop: oil painting classes.") == []  # negative cue
    assert [s.competency for s in sg.suggest("In the workshop, oil the gears.")] == ["W-1"]
    plain = suggester(trust, learned)
    about = "About us\nWe oil everything.\nMain duties\nKeep the stores tidy.\n"
    assert plain.suggest(about) == []  # an employer section is skipped


def test_without_a_model_only_phrases_count(trust: Framework) -> None:
    assert suggester(trust, None).suggest("Oil the gears.") == []
    assert suggester(trust, None).model is None


def test_unknown_competencies_of_a_model_are_ignored(trust: Framework) -> None:
    sg = suggester(trust, model(X_9={"oil": 9.0}))
    assert sg.suggest("Oil the gears.") == []


def test_the_compiled_form_keeps_the_model(trust: Framework) -> None:
    sg = suggester(trust, model(W_2={"cog": 4.0}))
    again = Suggester.from_data(trust, json.loads(json.dumps(sg.to_data())))
    assert again.model is not None
    assert again.model.weights == {"W-2": {"cog": 4.0}}
    assert [s.competency for s in again.suggest("Check each cog.")] == ["W-2"]


def test_model_files_round_trip(tmp_path: Path) -> None:
    learned = model(threshold=-0.5, W_1={"oil": 1.5})
    path = tmp_path / "model.json"
    path.write_text(json.dumps(learned.to_data()), encoding="utf-8")
    again = load_model(path)
    assert (again.threshold, again.stop, again.biases, again.weights) == (
        -0.5, STOP, {"W-1": -3.0}, {"W-1": {"oil": 1.5}})
    assert again.source == str(path)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "not a version 1, 2 or 3 suggester model"),
        ({"version": 4}, "not a version 1, 2 or 3 suggester model"),
        ({"version": 1, "threshold": "high", "competencies": {}}, "threshold must be a number"),
        ({"version": 1, "threshold": 0, "stop": "the", "competencies": {}},
         "stop must be a list of strings"),
        ({"version": 1, "threshold": 0, "competencies": []}, "competencies must map"),
        ({"version": 1, "threshold": 0, "competencies": {"W-1": {"weights": {}}}},
         "competency W-1: expected a bias and weights"),
        ({"version": 1, "threshold": 0, "competencies": {"W-1": {"bias": 0,
                                                                  "weights": {"a": "b"}}}},
         "competency W-1: weights must map features to numbers"),
    ],
)
def test_bad_model_files_are_named(data: object, problem: str) -> None:
    with pytest.raises(PhrasesError, match=re.escape(problem)):
        parse_model(data, source="m.json")


def test_unreadable_model_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(PhrasesError, match="file not found"):
        load_model(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(PhrasesError, match=r"broken\.json.*not valid JSON"):
        load_model(broken)


def test_the_shipped_model_fits_the_shipped_framework(framework: Framework) -> None:
    shipped = load_model()
    assert shipped.source == str(default_model_path())
    assert shipped.biases
    assert set(shipped.biases) <= set(framework.ids)
    assert "the" in shipped.stop
    assert all(len(f.split()) <= 2 for w in shipped.weights.values() for f in w)


def test_the_suggester_reads_the_same_features_as_training(trust: Framework) -> None:
    text = "Check the 12 spare parts of the gear box and of the gear box lid."
    sg = suggester(trust, None)
    [(_, _, lemmas)] = sg.sentence_lemmas(text)
    features = {f for f, _, _ in sentence_features(lemmas, STOP)}
    learned = SentenceModel(0.0, STOP, {"W-1": -float(len(features))},
                            {"W-1": dict.fromkeys(features, 1.0)})
    [s] = suggester(trust, learned).suggest(text)
    assert s.score == 0.5  # every feature counted once: logit exactly 0


# --------------------------------------------------------------------------- decisions


def decided(learned: SentenceModel, **decisions: Decision) -> SentenceModel:
    return SentenceModel(learned.threshold, learned.stop, learned.biases, learned.weights,
                         "test", decisions={c.replace("_", "-"): d
                                            for c, d in decisions.items()})


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_a_decision_scores_by_its_formula(trust: Framework) -> None:
    learned = decided(model(W_1={"oil": 2.0}),
                      W_1=Decision(-1.0, 2.0, 0.5, 0.25, 0.75, {"widget care": 0.4}))
    sg = suggester(trust, learned, W_1={"strong": ["gear box"]})
    text = "Widget care daily. Oil the gear box. Check the gear box again."
    [s] = sg.suggest(text)
    rule = 1 - math.exp(-2 * 0.8)  # two distinct strong phrases
    hits = 3  # widget care once, gear box in two sentences
    best = -3.0 + 2.0  # the "oil" sentence: logit -1, below the model's threshold
    z = -1.0 + 2.0 * rule + 0.5 * math.log1p(hits) + 0.25 * best + 0.0 + 0.4
    assert s.score == round(sigmoid(z), 4)
    # the evidence is the phrases' sentences; the learned one is below the model's own
    # threshold and the phrases explain the suggestion
    assert [ev.text for ev in s.evidence] == ["Widget care daily.", "Oil the gear box.",
                                              "Check the gear box again."]
    assert "learned: oil" not in s.phrases


def test_a_phrase_the_decision_distrusts_no_longer_suggests(trust: Framework) -> None:
    plain = suggester(trust, model(W_1={}), W_1={"strong": ["gear box"]})
    text = "Department: Gear box maintenance\nKeep the stores tidy.\n"
    assert [s.competency for s in plain.suggest(text)] == ["W-1"]  # the rule: 0.55
    distrust = Decision(0.0, 1.0, 0.0, 0.0, 0.0, {"gear box": -3.0})
    sg = suggester(trust, decided(model(W_1={}), W_1=distrust),
                   W_1={"strong": ["gear box"]})
    assert sg.suggest(text) == []
    [s] = sg.suggest(text, threshold=0.0)  # still listed, with its evidence, at a low score
    assert s.score == round(sigmoid(1 - math.exp(-0.8) - 3.0), 4)
    assert s.evidence[0].text == "Department: Gear box maintenance"


def test_a_decision_on_learned_cues_alone_shows_the_best_sentence(trust: Framework) -> None:
    learned = decided(model(W_1={"oil": 1.0, "grease": 2.5}),
                      W_1=Decision(3.0, 0.0, 0.0, 1.0, 0.0))
    sg = suggester(trust, learned)
    text = "Oil the hinges. Grease the axles. Sweep the floor."
    [s] = sg.suggest(text)
    best = -3.0 + 2.5
    assert s.score == round(sigmoid(3.0 + best), 4)
    # no phrase and no sentence at the model's threshold: the best sentence explains it
    assert [ev.text for ev in s.evidence] == ["Grease the axles."]
    assert s.evidence[0].phrases == ("learned: grease",)


def test_without_learned_evidence_a_decision_reads_the_floor(trust: Framework) -> None:
    learned = decided(model(W_1={"oil": 1.0}), W_1=Decision(0.0, 0.0, 0.0, 0.5, 0.0))
    sg = suggester(trust, learned, W_1={"strong": ["gear box"]})
    [s] = sg.suggest("Check the gear box.", threshold=0.0)
    assert s.score == round(sigmoid(0.5 * LOGIT_FLOOR), 4)


def test_a_competency_without_a_decision_keeps_rule_or_model(trust: Framework) -> None:
    learned = decided(model(W_1={"oil": 4.0}, W_2={"cog": 4.0}),
                      W_1=Decision(-10.0, 0.0, 0.0, 0.0, 0.0))
    sg = suggester(trust, learned)
    text = "Oil the cog wheels."
    assert [s.competency for s in sg.suggest(text)] == ["W-2"]
    assert sg.suggest(text)[0].score == round(sigmoid(-3.0 + 4.0), 4)


def test_decisions_round_trip_through_the_model_file(tmp_path: Path) -> None:
    learned = decided(model(W_1={"oil": 1.5}),
                      W_1=Decision(-1.5, 2.0, 0.25, 0.5, 1.0, {"gear box": -0.75}))
    path = tmp_path / "model.json"
    path.write_text(json.dumps(learned.to_data()), encoding="utf-8")
    again = load_model(path)
    assert again.decisions == {"W-1": Decision(-1.5, 2.0, 0.25, 0.5, 1.0,
                                               {"gear box": -0.75})}
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 3


@pytest.mark.parametrize(
    ("decision", "problem"),
    [
        ({"bias": 0, "rule": 1, "hits": 0, "learned": 0}, "a decision needs the numbers"),
        ({"bias": 0, "rule": True, "hits": 0, "learned": 0, "fired": 0},
         "a decision needs the numbers"),
        ([], "a decision needs the numbers"),
        ({"bias": 0, "rule": 1, "hits": 0, "learned": 0, "fired": 0, "phrases": {"a": "b"}},
         "competency W-1: decision phrases must map phrases to numbers"),
    ],
)
def test_bad_decisions_are_named(decision: object, problem: str) -> None:
    data = {"version": 2, "threshold": 0, "competencies": {
        "W-1": {"bias": 0, "weights": {}, "decision": decision}}}
    with pytest.raises(PhrasesError, match=re.escape(problem)):
        parse_model(data, source="m.json")


def test_a_decision_survives_the_compiled_cache(trust: Framework) -> None:
    learned = decided(model(W_1={"oil": 1.0}),
                      W_1=Decision(0.5, 1.0, 0.1, 0.2, 0.3, {"widget care": -0.2}))
    sg = suggester(trust, learned)
    again = Suggester.from_data(trust, json.loads(json.dumps(sg.to_data())))
    text = "Widget care and oil daily."
    assert again.suggest(text, threshold=0.0) == sg.suggest(text, threshold=0.0)
    assert again.model is not None
    assert again.model.decisions == learned.decisions


# --------------------------------------------------------------------------- document model


def with_document(learned: SentenceModel, **documents: tuple[float, dict[str, float]]
                  ) -> SentenceModel:
    from dataclasses import replace
    return replace(learned,
                   document_biases={c.replace("_", "-"): b for c, (b, _) in documents.items()},
                   document_weights={c.replace("_", "-"): w
                                     for c, (_, w) in documents.items()})


def test_the_document_model_counts_each_feature_once_per_document(trust: Framework) -> None:
    learned = with_document(model(W_1={"oil": 1.0}),
                            W_1=(-2.0, {"oil": 1.5, "gear box": 0.75, "axle": -0.5}))
    sg = suggester(trust, learned)
    # "oil" in two sentences counts once; "gear box" is a pair; "box" alone has no weight;
    # "axle 7 gear box": the number breaks no pair after it
    text = "Oil the gear box. Oil the axle 7 gear box again."
    assert sg.document_logits(text) == {"W-1": -2.0 + 1.5 + 0.75 - 0.5}
    assert sg.document_logits("Sweep the floor.") == {"W-1": -2.0}
    assert suggester(trust, model(W_1={"oil": 1.0})).document_logits(text) == {}


def test_document_features_are_the_sentence_features_of_the_whole_text(
        trust: Framework) -> None:
    """The suggester's fast walk gives the same features as sentence_features() (what
    train_suggest.py fits the document model on), numbers and stop words included."""
    text = ("The post holder will book an interpreter, "
            "record the first language and the ethnicity of each patient, in 2 clinics "
            "a week and the 3 of the wards. Support the staff of the ward and a team.")
    plain = suggester(trust, model(W_1={"oil": 1.0}))
    features = {f for _, _, lemmas in plain.sentence_lemmas(text)
                for f, _, _ in sentence_features(lemmas, STOP)}
    assert "first language" in features
    assert "the" not in features
    # every feature (and a few that are not in the text) gets its own power of two
    vocabulary = sorted(features | {"absent", "clinic week", "2 clinic"})
    weights = {f: 2.0 ** -i for i, f in enumerate(vocabulary)}
    sg = suggester(trust, with_document(model(W_1={"oil": 1.0}), W_1=(0.0, weights)))
    expected = sum(weights[f] for f in features)
    assert sg.document_logits(text)["W-1"] == pytest.approx(expected, abs=1e-12)


def test_a_decision_reads_the_clipped_scaled_document_logit(trust: Framework) -> None:
    assert document_input(None) == 0.0
    assert document_input(2.0) == 2.0 / DOCUMENT_SCALE
    assert document_input(100.0) == DOCUMENT_CLIP / DOCUMENT_SCALE
    assert document_input(-100.0) == -DOCUMENT_CLIP / DOCUMENT_SCALE
    learned = with_document(
        decided(model(W_1={"oil": 1.0}), W_1=Decision(-1.0, 1.0, 0.0, 0.0, 0.0, {}, 0.5)),
        W_1=(-1.0, {"grease": 3.0, "axle": 2.0}))
    sg = suggester(trust, learned, W_1={"strong": ["gear box"]})
    text = "Check the gear box. Grease the axle."
    [s] = sg.suggest(text, threshold=0.0)
    z = -1.0 + (1 - math.exp(-0.8)) + 0.5 * document_input(-1.0 + 3.0 + 2.0)
    assert s.score == round(sigmoid(z), 4)
    # evidence still comes from phrases and sentences only: spans stay exact
    assert [ev.text for ev in s.evidence] == ["Check the gear box."]
    assert all(text[ev.start:ev.end] == ev.text for ev in s.evidence)
    # without the document weight the same decision scores without it
    plain = suggester(trust, with_document(
        decided(model(W_1={"oil": 1.0}), W_1=Decision(-1.0, 1.0, 0.0, 0.0, 0.0)),
        W_1=(-1.0, {"grease": 3.0})), W_1={"strong": ["gear box"]})
    [p] = plain.suggest(text, threshold=0.0)
    assert p.score == round(sigmoid(-1.0 + (1 - math.exp(-0.8))), 4)


def test_document_models_round_trip_through_the_file_and_the_cache(
        tmp_path: Path, trust: Framework) -> None:
    learned = with_document(
        decided(model(W_1={"oil": 1.5}), W_1=Decision(-1.5, 2.0, 0.25, 0.5, 1.0, {}, 0.7)),
        W_1=(-2.5, {"oil": 0.5, "gear box": 1.25}))
    path = tmp_path / "model.json"
    path.write_text(json.dumps(learned.to_data()), encoding="utf-8")
    again = load_model(path)
    assert again.document_biases == {"W-1": -2.5}
    assert again.document_weights == {"W-1": {"oil": 0.5, "gear box": 1.25}}
    assert again.decisions["W-1"].document == 0.7
    sg = suggester(trust, again, W_1={"strong": ["gear box"]})
    cached = Suggester.from_data(trust, json.loads(json.dumps(sg.to_data())))
    text = "Oil the gear box."
    assert cached.suggest(text, threshold=0.0) == sg.suggest(text, threshold=0.0)
    assert cached.document_logits(text) == sg.document_logits(text) == {"W-1": -0.75}


def test_version_2_files_read_without_a_document_model() -> None:
    data = {"version": 2, "threshold": 0, "competencies": {"W-1": {
        "bias": -1, "weights": {"oil": 1},
        "decision": {"bias": 0, "rule": 1, "hits": 0, "learned": 0, "fired": 0}}}}
    learned = parse_model(data, source="m.json")
    assert learned.document_biases == {}
    assert learned.decisions["W-1"].document == 0.0


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"document": {"weights": {}}}, "competency W-1, document model: expected a bias"),
        ({"document": {"bias": 0, "weights": {"oil": "x"}}},
         "competency W-1, document model: weights must map features to numbers"),
        ({"decision": {"bias": 0, "rule": 1, "hits": 0, "learned": 0, "fired": 0,
                       "document": "high"}},
         "competency W-1: a decision's document weight must be a number (high)"),
    ],
)
def test_bad_document_models_are_named(entry: dict[str, object], problem: str) -> None:
    data = {"version": 3, "threshold": 0, "competencies": {
        "W-1": {"bias": 0, "weights": {}, **entry}}}
    with pytest.raises(PhrasesError, match=re.escape(problem)):
        parse_model(data, source="m.json")


def test_short_texts_are_judged_by_the_short_decision(trust: Framework) -> None:
    from dataclasses import replace
    long_decision = Decision(-1.0, 1.0, 0.0, 0.0, 0.0, {}, 1.0)
    short_decision = Decision(2.0, 0.0, 0.0, 0.0, 0.0)
    learned = replace(with_document(decided(model(W_1={"oil": 1.0}), W_1=long_decision),
                                    W_1=(-4.0, {"grease": 1.0})),
                      short_decisions={"W-1": short_decision})
    sg = suggester(trust, learned, W_1={"strong": ["gear box"]})
    short = "Check the gear box."
    [s] = sg.suggest(short, threshold=0.0)
    assert s.score == round(sigmoid(2.0), 4)  # no document model read
    words = " ".join(["Sweep the floor."] * (DOCUMENT_MIN_WORDS // 3 + 1))
    long = f"Check the gear box. {words}"
    assert sum(len(lemmas) for *_, lemmas in sg.sentence_lemmas(long)) >= DOCUMENT_MIN_WORDS
    [s] = sg.suggest(long, threshold=0.0)
    assert s.score == round(sigmoid(-1.0 + (1 - math.exp(-0.8)) + document_input(-4.0)), 4)
    path_data = json.loads(json.dumps(learned.to_data()))
    assert parse_model(path_data).short_decisions == {"W-1": short_decision}
