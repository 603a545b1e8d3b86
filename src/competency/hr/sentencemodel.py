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

The file (JSON)::

    {"version": 1, "threshold": -1.0, "stop": ["a", "the", ...],
     "competencies": {"CUL-2": {"bias": -6.1, "weights": {"interpreter": 2.3,
                                                           "first language": 1.9}}},
     "trained_on": "..."}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from competency.errors import PhrasesError

MODEL_NAME = "suggest-model.json"
VERSION = 1


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

    def to_data(self) -> dict[str, object]:
        """The JSON form (as in the data file)."""
        return {"version": VERSION, "threshold": self.threshold, "stop": sorted(self.stop),
                "trained_on": self.trained_on,
                "competencies": {cid: {"bias": self.biases[cid],
                                       "weights": dict(self.weights.get(cid, {}))}
                                 for cid in self.biases}}


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
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise PhrasesError(source, f"not a version {VERSION} suggester model")
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
    for cid, entry in comps.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("bias"), int | float) \
                or not isinstance(entry.get("weights", {}), dict):
            raise PhrasesError(source, f"competency {cid}: expected a bias and weights")
        table = entry.get("weights", {})
        if not all(isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool)
                   for k, v in table.items()):
            raise PhrasesError(source, f"competency {cid}: weights must map features to "
                               "numbers")
        biases[str(cid)] = float(entry["bias"])
        weights[str(cid)] = {k: float(v) for k, v in table.items()}
    return SentenceModel(float(threshold), frozenset(stop), biases, weights, source,
                         str(data.get("trained_on", "")))


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
