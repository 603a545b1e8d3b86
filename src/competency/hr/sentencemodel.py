"""The suggester's learned sentence model: per competency, a linear model over a sentence's
lemma unigrams and bigrams.

It complements the hand-written phrases (:mod:`competency.hr.phrases`) with wording
learned from labelled job descriptions: ``benchmarks/train_suggest.py`` fits it on the
sentences the labellers quoted as the reason for each label (positives) against the
sentences of job descriptions not labelled with that competency (negatives), and
writes it to the shipped data file ``data/suggest-model.json``.

A sentence's *features* are its lemmas (lower-cased, lemmatised as for phrases) that
are not :attr:`SentenceModel.stop` words or numbers, and each pair of adjacent lemmas
(``"first language"``) unless both are stop words or either is a number. A sentence's
*logit* for a competency is the competency's bias plus the weights of its distinct
features; the competency is suggested by the model when some sentence's logit reaches
:attr:`SentenceModel.threshold` (``competency.hr.suggest`` turns that into a score).

A competency may also have a *decision* (version 2 and 3 files): a logistic model over
the whole document's evidence for it, which decides whether it is suggested (see
:class:`Decision`); without one, the suggester suggests it when the phrase rule or a
sentence's logit does. Version 3 adds a *document model* per competency: a linear model
over the distinct features of all the document's (non-boilerplate) sentences together,
whose logit is one more input of the decision (evidence spread over a document, which
no single sentence carries), and a *short decision* without that input for texts shorter
than :data:`DOCUMENT_MIN_WORDS` words outside boilerplate.

The file (JSON)::

    {"version": 3, "threshold": 0.0, "stop": ["a", "the", ...],
     "competencies": {"CUL-2": {"bias": -6.1, "weights": {"interpreter": 2.3,
                                                           "first language": 1.9},
                                "document": {"bias": -3.0,
                                             "weights": {"interpreter": 1.2}},
                                "decision": {"bias": -2.0, "rule": 3.1, "hits": 0.4,
                                             "learned": 0.3, "fired": 0.9,
                                             "document": 0.6,
                                             "phrases": {"interpreter": 0.8}},
                                "short_decision": {"bias": -1.8, "rule": 3.0, ...}}},
     "trained_on": "..."}

Version 1 (no decisions) and version 2 files (no document model) are still read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from competency.errors import PhrasesError

MODEL_NAME = "suggest-model.json"
VERSION = 3
"""The version written; version 1 (no decisions) and 2 (no document model) are read too."""
READABLE = (1, 2, VERSION)
LOGIT_FLOOR = -4.0
"""A decision reads a best sentence logit below this (or no learned evidence at all) as
this."""
DECISION_KEYS = ("bias", "rule", "hits", "learned", "fired")
DOCUMENT_CLIP = 8.0
"""A decision reads the document model's logit clipped to +-this ..."""
DOCUMENT_SCALE = 4.0
"""... and divided by this (so the input lies in [-2, 2])."""
DOCUMENT_MIN_WORDS = 150
"""A text with fewer words than this outside boilerplate (a sentence, a short person
specification) is judged by the competency's *short* decision, which does not read the
document model: the shortest labelled job description it was trained on has 173."""


@dataclass(frozen=True)
class Decision:
    """Whether a document calls for one competency, from all its evidence for it: a
    logistic model whose probability is the suggestion's score.

    ``z = bias + rule * (1 - exp(-W)) + hits * log(1 + H) + learned * max(L, LOGIT_FLOOR)
    + fired * [L >= 0] + document * clip(D) + the weights of the distinct phrases found``,
    where ``W`` is the summed weight of the distinct phrases found, ``H`` the number of
    (phrase, sentence) matches, ``L`` the best sentence logit of the learned model minus
    its threshold (:data:`LOGIT_FLOOR` when no sentence has a learned score) and ``D``
    the document model's logit (``clip(D)`` is ``D`` clipped to +-:data:`DOCUMENT_CLIP`
    and divided by :data:`DOCUMENT_SCALE`; 0 without a document model); the score is
    ``sigmoid(z)``. The weights are learned from labelled documents (a phrase that often
    fires where the labellers saw no call for the competency gets a negative weight)."""

    bias: float
    """The log-odds before any evidence."""
    rule: float
    """Weight of the phrase rule's score ``1 - exp(-W)``."""
    hits: float
    """Weight of ``log(1 + H)``, H the (phrase, sentence) matches."""
    learned: float
    """Weight of the best sentence logit (floored at :data:`LOGIT_FLOOR`)."""
    fired: float
    """Weight of "some sentence's logit reaches the model's threshold"."""
    phrases: Mapping[str, float] = field(default_factory=dict)
    """Phrase (as written in the phrase file or framework) -> weight when it is found."""
    document: float = 0.0
    """Weight of the document model's clipped, scaled logit (0: not read)."""

    def to_data(self) -> dict[str, object]:
        """The JSON form (as in the data file)."""
        return {"bias": self.bias, "rule": self.rule, "hits": self.hits,
                "learned": self.learned, "fired": self.fired, "document": self.document,
                "phrases": dict(self.phrases)}


def document_input(logit: float | None) -> float:
    """What a :class:`Decision` reads of a document model's logit (0 for None: no
    document model for the competency)."""
    if logit is None:
        return 0.0
    return max(-DOCUMENT_CLIP, min(DOCUMENT_CLIP, logit)) / DOCUMENT_SCALE


@dataclass(frozen=True)
class SentenceModel:
    """Per-competency linear models over sentence features (see the module docstring)."""

    threshold: float
    """A competency is suggested by the model when a sentence's logit reaches this."""
    stop: frozenset[str]
    """Lemmas that are not features on their own (and pairs of two of them)."""
    biases: Mapping[str, float]
    """Competency ID -> bias (the logit of a sentence with no known feature)."""
    weights: Mapping[str, Mapping[str, float]]
    """Competency ID -> feature (a lemma, or two separated by a space) -> weight."""
    source: str = ""
    """Where it was read from."""
    trained_on: str = ""
    """A note of the data it was fitted on (shown by nothing; for people)."""
    decisions: Mapping[str, Decision] = field(default_factory=dict)
    """Competency ID -> its document-level decision (none: rule or sentence model)."""
    document_biases: Mapping[str, float] = field(default_factory=dict)
    """Competency ID -> the document model's bias (none: no document model)."""
    document_weights: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    """Competency ID -> feature -> the document model's weight (a feature counts once
    per document however many sentences hold it)."""
    short_decisions: Mapping[str, Decision] = field(default_factory=dict)
    """Competency ID -> the decision for texts shorter than :data:`DOCUMENT_MIN_WORDS`
    (fitted on the same evidence without the document model's logit)."""

    def to_data(self) -> dict[str, object]:
        """The JSON form (as in the data file)."""
        comps: dict[str, dict[str, object]] = {}
        for cid in self.biases:
            entry: dict[str, object] = {"bias": self.biases[cid],
                                        "weights": dict(self.weights.get(cid, {}))}
            if cid in self.document_biases:
                entry["document"] = {"bias": self.document_biases[cid],
                                     "weights": dict(self.document_weights.get(cid, {}))}
            if cid in self.decisions:
                entry["decision"] = self.decisions[cid].to_data()
            if cid in self.short_decisions:
                entry["short_decision"] = self.short_decisions[cid].to_data()
            comps[cid] = entry
        return {"version": VERSION, "threshold": self.threshold, "stop": sorted(self.stop),
                "trained_on": self.trained_on, "competencies": comps}


def sentence_features(lemmas: Sequence[str], stop: frozenset[str]
                      ) -> list[tuple[str, int, int]]:
    """The features of one sentence given its lemmas: (feature, index of its first
    lemma, index of its last), in order; a feature may repeat."""
    out: list[tuple[str, int, int]] = []
    previous = ""
    previous_ok = False
    for i, lem in enumerate(lemmas):
        number = lem.isdigit()
        if not number and lem not in stop:
            out.append((lem, i, i))
        if i and not number and previous_ok and not (lem in stop and previous in stop):
            out.append((previous + " " + lem, i - 1, i))
        previous, previous_ok = lem, not number
    return out


def default_model_path() -> Path:
    """Where the shipped model is installed."""
    return Path(str(resources.files("competency").joinpath("data", MODEL_NAME)))


def parse_model(data: object, *, source: str = "<model>") -> SentenceModel:
    """Check and convert the parsed JSON of a model file (raises PhrasesError)."""
    if not isinstance(data, dict) or data.get("version") not in READABLE:
        raise PhrasesError(source, "not a version 1, 2 or 3 suggester model")
    threshold = data.get("threshold")
    stop = data.get("stop", [])
    comps = data.get("competencies")
    if not isinstance(threshold, int | float) or isinstance(threshold, bool):
        raise PhrasesError(source, "threshold must be a number", value=str(threshold))
    if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop):
        raise PhrasesError(source, "stop must be a list of strings")
    if not isinstance(comps, dict):
        raise PhrasesError(source, "competencies must map IDs to a bias and weights")
    biases: dict[str, float] = {}
    weights: dict[str, dict[str, float]] = {}
    decisions: dict[str, Decision] = {}
    document_biases: dict[str, float] = {}
    document_weights: dict[str, dict[str, float]] = {}
    short_decisions: dict[str, Decision] = {}
    for cid, entry in comps.items():
        biases[str(cid)], weights[str(cid)] = _linear(entry, source, f"competency {cid}")
        if "document" in entry:
            document_biases[str(cid)], document_weights[str(cid)] = _linear(
                entry["document"], source, f"competency {cid}, document model")
        if "decision" in entry:
            decisions[str(cid)] = _decision(entry["decision"], source, str(cid))
        if "short_decision" in entry:
            short_decisions[str(cid)] = _decision(entry["short_decision"], source, str(cid))
    return SentenceModel(float(threshold), frozenset(stop), biases, weights, source,
                         str(data.get("trained_on", "")), decisions, document_biases,
                         document_weights, short_decisions)


def _linear(entry: object, source: str, what: str) -> tuple[float, dict[str, float]]:
    """A bias and a weight table (a sentence or document model of one competency)."""
    if not isinstance(entry, dict) or not _number(entry.get("bias")) \
            or not isinstance(entry.get("weights", {}), dict):
        raise PhrasesError(source, f"{what}: expected a bias and weights")
    table = entry.get("weights", {})
    if not all(isinstance(k, str) and _number(v) for k, v in table.items()):
        raise PhrasesError(source, f"{what}: weights must map features to numbers")
    return float(entry["bias"]), {k: float(v) for k, v in table.items()}


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _decision(data: object, source: str, cid: str) -> Decision:
    if not isinstance(data, dict) or not all(_number(data.get(k)) for k in DECISION_KEYS):
        raise PhrasesError(source, f"competency {cid}: a decision needs the numbers "
                           f"{', '.join(DECISION_KEYS)}")
    phrases = data.get("phrases", {})
    if not isinstance(phrases, dict) or not all(isinstance(k, str) and _number(v)
                                                for k, v in phrases.items()):
        raise PhrasesError(source, f"competency {cid}: decision phrases must map phrases "
                           "to numbers")
    document = data.get("document", 0.0)
    if not _number(document):
        raise PhrasesError(source, f"competency {cid}: a decision's document weight must be "
                           "a number", value=str(document))
    bias, rule, hits, learned, fired = (float(data[k]) for k in DECISION_KEYS)
    return Decision(bias, rule, hits, learned, fired,
                    {k: float(v) for k, v in phrases.items()}, float(document))


_MODELS: dict[tuple[str, int, int], SentenceModel] = {}


def load_model(path: str | Path | None = None) -> SentenceModel:
    """Read a model file (the shipped one when ``path`` is None); cached per path while
    its size and modification time stay the same."""
    path = Path(path) if path is not None else default_model_path()
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key in _MODELS:
            return _MODELS[key]
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PhrasesError(path, "file not found") from exc
    except OSError as exc:
        raise PhrasesError(path, f"cannot read: {exc.strerror}") from exc
    except ValueError as exc:
        raise PhrasesError(path, f"not valid JSON: {exc}") from exc
    model = parse_model(data, source=str(path))
    _MODELS[key] = model
    return model
