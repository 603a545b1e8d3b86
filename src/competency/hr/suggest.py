"""Job-description text -> competency suggestions, each with the evidence that fired it.

How it works (``docs/job-descriptions.md`` has the long version):

1. The text is split into words (runs of letters and digits) and sentences
   (ends at ``. ! ?`` before a space, except after ``e.g.``/``i.e.``-style
   abbreviations; at a line break, form feed or table-cell separator ``" | "``).
   Each word is lower-cased and lemmatised with simplemma (English), so
   "interpreters", "interpreting" and "interpreted" meet "interpreter"/"interpret".
2. Boilerplate is skipped: a sentence that matches one of the phrase file's
   ``boilerplate`` patterns (equal opportunities employer, Disability Confident,
   guaranteed interview scheme, …) is ignored, and so is its whole line (a
   paragraph, table row or bullet) when at least a third of the line's
   sentences are boilerplate; a short heading line just before such a paragraph
   goes with it. A section about the employer rather than the job (a heading
   matching ``boilerplate_sections``, such as "About us", up to the next
   heading) is ignored too.
3. Each competency has *phrases*: the framework's ``keywords`` and name, plus the
   shipped phrase file ``data/suggest-phrases.yaml`` keyed by competency ID
   (``strong`` and ``weak`` phrases; ``drop`` removes a framework keyword,
   a keyword also listed as ``weak`` weighs as weak; ``not`` phrases are negative
   cues: a sentence holding one does not count for the competency; ``requires``
   phrases are context: the competency is suggested only when one of them is in
   the document). A phrase is a sequence of
   words matched on lemmas; ``(a|b|)`` gives alternatives (the empty one makes
   the group optional), ``*`` stands for any one word, ``word*`` for any word
   beginning with ``word``, and ``A ... B`` means A and later B in the same
   sentence at most :data:`MAX_GAP` words apart. A phrase never crosses a
   sentence boundary. Phrase files are read, checked and compiled to lemma
   sequences by :mod:`competency.hr.phrases`.
4. A learned sentence model (:mod:`competency.hr.sentencemodel`, the shipped
   ``data/suggest-model.json``) gives each non-boilerplate sentence a learned score
   per competency it covers, ``sigmoid(bias + weights of the sentence's lemmas and
   adjacent lemma pairs)``; negative cues and context bind it as they bind phrases.
5. Where the model holds a *decision* for a competency
   (:class:`~competency.hr.sentencemodel.Decision`), its score is the decision's
   probability, a logistic model over the document's evidence for it (phrase score,
   matches, best learned logit, the distinct phrases found and, with a version 3 model,
   the logit of a document model over the features of all its sentences together),
   with the training cut
   folded into its bias so that :data:`DEFAULT_THRESHOLD` (0.5) is that cut. Otherwise
   the score is the higher of ``1 - exp(-W)``, where ``W`` sums the weights of the
   *distinct* phrases found (:data:`STRONG_WEIGHT` or :data:`WEAK_WEIGHT`; a phrase
   found twice counts once), and the best learned score of its sentences: then it never
   falls when more evidence is found, and 0.5 is met by one strong phrase, by three
   distinct weak ones or by one sentence the model scores 0.5.
6. The evidence of a suggestion is the sentences holding its phrases and those the
   model scores at the threshold or more (with a decision: at logit 0 or more; the best
   one when a decision suggests on weaker learned cues alone), in document order, with
   start and end offsets into the text (``text[start:end] == evidence.text``), the
   phrases found in each (a learned feature as ``learned: <lemmas>``) and the
   document's words they matched (the explanation).

Compiled phrases, the model and known lemmas are cached on disk by content hash
(:mod:`competency.hr.phrasecache`), so a fresh process starts quickly.

A trust's own framework works as it is: competencies whose IDs the phrase
file does not know use their keywords and name as strong phrases.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from competency.errors import PhrasesError
from competency.framework.model import Framework, load_framework
from competency.hr.documents import Document
from competency.hr.phrases import LEMMA_CACHE, compile_phrase, phrase_file_stat
from competency.hr.phrases import PHRASES_NAME as PHRASES_NAME
from competency.hr.phrases import Phrase as Phrase
from competency.hr.phrases import PhraseSet as PhraseSet
from competency.hr.phrases import default_phrases_path as default_phrases_path
from competency.hr.phrases import lemma as lemma
from competency.hr.phrases import load_phrases as load_phrases
from competency.hr.phrases import parse_phrases as parse_phrases
from competency.hr.sentencemodel import (
    DOCUMENT_MIN_WORDS,
    LOGIT_FLOOR,
    Decision,
    SentenceModel,
    default_model_path,
    document_input,
    load_model,
    parse_model,
    sentence_features,
)

DEFAULT_THRESHOLD = 0.5
"""Suggestions scoring at least this are reported (one strong or three weak phrases)."""
STRONG_WEIGHT = 0.8
"""Weight of a strong phrase: alone it scores ``1 - exp(-0.8)`` = 0.55."""
WEAK_WEIGHT = 0.25
"""Weight of a weak phrase: two score 0.39, three 0.53."""
MAX_GAP = 10
"""Most words allowed between the parts of an ``A ... B`` phrase."""
LEARNED_FLOOR = 0.05
"""A sentence whose learned score is below this is no evidence at all (so that
``threshold=0`` does not list every competency with a known word)."""
LEARNED_CUES = 3
"""At most this many learned features are named per evidence sentence."""

_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s)|\n|\f| \| ")
_ABBREVIATIONS = frozenset({"e.g", "i.e", "eg", "ie", "etc", "dr", "mr", "mrs", "ms", "st",
                            "no", "vs", "cf", "approx", "incl"})
_TRIM = " \t\n\f|•·*-–—#>"
_HEADING_WORDS = 6
_BULLETS = frozenset("•·*-–—>")
_CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class Evidence:
    """A sentence of the document that holds phrases of a suggested competency."""

    text: str
    """The sentence, exactly as ``document.text[start:end]``."""
    start: int
    """Offset of its first character in the document text."""
    end: int
    """Offset just past its last character."""
    phrases: tuple[str, ...] = ()
    """The phrases (as written in the phrase file or framework) found in it."""
    matched: tuple[str, ...] = ()
    """The document's own words that those phrases matched (the parts of an ``A ... B``
    phrase joined by " … "), distinct, in phrase order (learned features last)."""
    learned: tuple[str, ...] = ()
    """Those of ``matched`` that only the learned model's features matched."""


@dataclass(frozen=True)
class Suggestion:
    """One competency a job description appears to call for."""

    competency: str
    """Competency ID."""
    score: float
    """The competency's decision probability where the model has a decision for it, else
    the higher of ``1 - exp(-sum of distinct phrase weights)`` and the best learned
    score of a sentence; rounded to 4 places: 0 to 1."""
    evidence: tuple[Evidence, ...]
    """The sentences that matched, in document order."""

    @property
    def phrases(self) -> tuple[str, ...]:
        """The distinct phrases found, in order of first appearance."""
        return tuple(dict.fromkeys(p for ev in self.evidence for p in ev.phrases))

    @property
    def matched(self) -> tuple[str, ...]:
        """The distinct document wordings that matched, in order, leaving out any that
        another holds (compared ignoring case and spacing)."""
        seen: dict[str, str] = {}
        for learned in (False, True):  # the phrases' wordings first: they explain best
            for ev in self.evidence:
                for words in ev.matched:
                    if (words in ev.learned) is learned:
                        seen.setdefault(" ".join(words.lower().split()), words)
        # leave out "interpreter" when "an interpreter" is there too
        return tuple(words for key, words in seen.items()
                     if not any(key != other and key in other for other in seen))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the ``competency suggest --json`` contract."""
        return {"competency": self.competency, "score": self.score,
                "evidence": [{"text": ev.text, "start": ev.start, "end": ev.end}
                             for ev in self.evidence]}


# --------------------------------------------------------------------------- the suggester


@dataclass(frozen=True)
class _Entry:
    competency: int
    phrase: int
    part: int
    words: tuple[str, ...]
    exact: bool
    """True when no word after the first is ``*`` or a ``word*`` prefix."""


def _word_matches(pattern: str, lemma_: str, word: str) -> bool:
    if pattern == lemma_ or pattern == "*":
        return True
    if pattern.endswith("*"):
        stem = pattern[:-1]
        return lemma_.startswith(stem) or word.startswith(stem)
    return False


class Suggester:
    """A framework's phrases compiled for fast matching; build with :func:`compile_suggester`."""

    def __init__(self, framework: Framework, phrases: tuple[tuple[Phrase, ...], ...],
                 boilerplate: tuple[re.Pattern[str], ...] = (),
                 sections: re.Pattern[str] | None = None,
                 model: SentenceModel | None = None) -> None:
        self.framework = framework
        """The framework whose competencies are suggested."""
        self.phrases = phrases
        """Per competency (framework order), its phrases."""
        self.boilerplate = boilerplate
        """The boilerplate cues, matched against the lower-cased text."""
        self.sections = sections
        """One pattern for the headings of employer sections, or None."""
        self.requires = tuple(any(p.kind == "requires" for p in comp) for comp in phrases)
        """Per competency, whether it has ``requires`` context phrases."""
        self.index: dict[str, list[_Entry]] = {}
        """First word -> entries of one word, or whose second word is ``*`` or a prefix."""
        self.pairs: dict[tuple[str, str], list[_Entry]] = {}
        """First two words -> entries of two or more words (the common case)."""
        self.prefixed: list[_Entry] = []
        """Entries whose first word is a ``word*`` prefix."""
        for ci, comp_phrases in enumerate(phrases):
            for pi, phrase in enumerate(comp_phrases):
                for part_no, alternatives in enumerate(phrase.parts):
                    for words in alternatives:
                        exact = not any(w.endswith("*") for w in words[1:])
                        entry = _Entry(ci, pi, part_no, words, exact)
                        if words[0].endswith("*"):
                            self.prefixed.append(entry)
                        elif len(words) > 1 and not words[1].endswith("*"):
                            self.pairs.setdefault((words[0], words[1]), []).append(entry)
                        else:
                            self.index.setdefault(words[0], []).append(entry)
        self._cache: dict[str, list[_Entry]] = {}
        stems = sorted({e.words[0][:-1] for e in self.prefixed})
        self._prefix_re = (re.compile("|".join(map(re.escape, stems))) if stems else None)
        self.model = model
        """The learned sentence model (:mod:`competency.hr.sentencemodel`), or None."""
        self._bias: dict[int, float] = {}
        self._decisions: dict[int, Decision] = {}
        self._short_decisions: dict[int, Decision] = {}
        self._learned: dict[str, list[tuple[int, float]]] = {}
        self._unigrams: dict[str, list[tuple[int, float]]] = {}
        self._bigrams: dict[str, dict[str, list[tuple[int, float]]]] = {}
        self._doc_bias: dict[int, float] = {}
        self._doc_unigrams: dict[str, list[tuple[int, float]]] = {}
        self._doc_bigrams: dict[str, dict[str, list[tuple[int, float]]]] = {}
        if model is not None:
            for ci, comp in enumerate(framework.competencies):
                if comp.id in model.decisions:
                    self._decisions[ci] = model.decisions[comp.id]
                    self._short_decisions[ci] = model.short_decisions.get(
                        comp.id, model.decisions[comp.id])
                if comp.id in model.document_biases:
                    self._doc_bias[ci] = model.document_biases[comp.id]
                    _index(model.document_weights.get(comp.id, {}), ci, self._doc_unigrams,
                           self._doc_bigrams)
                if comp.id in model.biases:
                    self._bias[ci] = model.biases[comp.id]
                    weights = model.weights.get(comp.id, {})
                    for feature, w in weights.items():
                        self._learned.setdefault(feature, []).append((ci, w))
                    _index(weights, ci, self._unigrams, self._bigrams)

    def to_data(self) -> dict[str, Any]:
        """The compiled phrases as JSON data (for :mod:`competency.hr.phrasecache`)."""
        return {"phrases": [[[p.source, p.weight, p.parts, p.kind] for p in comp]
                            for comp in self.phrases],
                "boilerplate": [p.pattern for p in self.boilerplate],
                "sections": self.sections.pattern if self.sections is not None else None,
                "model": self.model.to_data() if self.model is not None else None}

    @classmethod
    def from_data(cls, framework: Framework, data: dict[str, Any]) -> Suggester:
        """Rebuild a suggester from :meth:`to_data` output."""
        phrases = tuple(
            tuple(Phrase(source, weight,
                         tuple(tuple(tuple(words) for words in part) for part in parts), kind)
                  for source, weight, parts, kind in comp)
            for comp in data["phrases"])
        sections = data["sections"]
        model = data["model"]
        return cls(framework, phrases, tuple(re.compile(p) for p in data["boilerplate"]),
                   re.compile(sections, re.IGNORECASE) if sections is not None else None,
                   parse_model(model, source="<cache>") if model is not None else None)

    def suggest(self, document: Document | str,
                threshold: float = DEFAULT_THRESHOLD) -> list[Suggestion]:
        """Suggestions scoring at least ``threshold``, best first (then by ID)."""
        text = document.text if isinstance(document, Document) else document
        sentences, first_word, found, learned, lemmas = self._found(text)
        candidates = sorted(found.keys() | learned.keys())
        decisions = (self._short_decisions
                     if sum(map(len, lemmas.values())) < DOCUMENT_MIN_WORDS
                     else self._decisions)
        whole = (self._document_scores(lemmas)
                 if self._doc_bias and any(decisions[ci].document
                                           for ci in candidates if ci in decisions)
                 else {})
        out: list[Suggestion] = []
        word_spans: dict[int, list[tuple[int, int]]] = {}  # sentence -> offsets of its words
        for ci in candidates:
            per_phrase = found.get(ci, {})
            comp_phrases = self.phrases[ci]
            rule, hits, sources = self._phrase_evidence(ci, per_phrase)
            by_learning = learned.get(ci, {})
            decision = decisions.get(ci)
            if decision is not None:
                score = round(_decide(decision, rule, hits,
                                      max(by_learning.values(), default=LOGIT_FLOOR),
                                      sources, whole.get(ci)), 4)
                learned_cut = 0.0  # sentences the model itself would suggest on
            else:
                learned_score = _sigmoid(max(by_learning.values(), default=-math.inf))
                score = round(max(rule, learned_score), 4)
                learned_cut = _logit(max(threshold, LEARNED_FLOOR))
            if score < threshold:
                continue
            by_sentence: dict[int, dict[str, str]] = {}
            for pi in sorted(per_phrase):
                for k, chain in per_phrase[pi].items():
                    spans = word_spans.get(k)
                    if spans is None:
                        spans = word_spans[k] = _word_spans(text, sentences[k])
                    at = first_word[k]
                    wording = " … ".join(text[spans[i - at][0]:spans[j - at][1]]
                                         for i, j in chain)
                    by_sentence.setdefault(k, {}).setdefault(comp_phrases[pi].source, wording)
            shown = [k for k in sorted(by_learning) if by_learning[k] >= learned_cut]
            if not shown and not per_phrase and by_learning:  # a decision on weaker cues
                shown = [max(by_learning, key=lambda k: (by_learning[k], -k))]
            for k in shown:  # after the phrases: those explain best
                spans = word_spans.get(k)
                if spans is None:
                    spans = word_spans[k] = _word_spans(text, sentences[k])
                for cue, i, j in self._cues(ci, lemmas[k]):
                    by_sentence.setdefault(k, {}).setdefault(
                        f"learned: {cue}", text[spans[i][0]:spans[j][1]])
            evidence = tuple(
                Evidence(text[sentences[k][0]:sentences[k][1]], sentences[k][0],
                         sentences[k][1], tuple(by_sentence[k]), words,
                         tuple(w for w in words if not any(
                             v == w and not p.startswith("learned: ")
                             for p, v in by_sentence[k].items())))
                for k in sorted(by_sentence)
                for words in [tuple(dict.fromkeys(by_sentence[k].values()))])
            if not evidence:
                continue
            out.append(Suggestion(self.framework.competencies[ci].id, score, evidence))
        out.sort(key=lambda sug: (-sug.score, sug.competency))
        return out

    def features(self, document: Document | str) -> dict[str, tuple[float, float, float, int]]:
        """The evidence the score is made of, per competency with at least one cue phrase
        found (the others have no phrase evidence): competency ID ->
        (summed weight of the distinct phrases, how many are strong, how many weak,
        how many sentences hold them). ``benchmarks/learned_suggest.py`` (an experiment)
        learns from these."""
        text = document.text if isinstance(document, Document) else document
        _, _, found, _, _ = self._found(text)
        out = {}
        for ci, per_phrase in found.items():
            weights = [self.phrases[ci][pi].weight for pi in per_phrase]
            strong = sum(1 for w in weights if w >= STRONG_WEIGHT)
            out[self.framework.competencies[ci].id] = (
                sum(weights), float(strong), float(len(weights) - strong),
                len({k for sents in per_phrase.values() for k in sents}))
        return out

    def decision_inputs(self, document: Document | str
                        ) -> dict[str, tuple[float, int, tuple[str, ...]]]:
        """What a :class:`~competency.hr.sentencemodel.Decision` reads besides the learned
        logit, per competency with a cue phrase found: (the phrase rule's score ``1 -
        exp(-W)``, the number of (phrase, sentence) matches, the distinct phrases found).
        ``benchmarks/train_suggest.py`` learns decisions from these."""
        text = document.text if isinstance(document, Document) else document
        _, _, found, _, _ = self._found(text)
        return {self.framework.competencies[ci].id: self._phrase_evidence(ci, per_phrase)
                for ci, per_phrase in found.items()}

    def _phrase_evidence(self, ci: int, per_phrase: dict[int, dict[int, _Chain]]
                         ) -> tuple[float, int, tuple[str, ...]]:
        """Competency ``ci``'s phrase evidence as a decision reads it (the same for
        :meth:`suggest` and :meth:`decision_inputs`, so training and use agree): the
        rule's score ``1 - exp(-W)``, the (phrase, sentence) matches, the phrases found."""
        phrases = self.phrases[ci]
        weight = sum(phrases[pi].weight for pi in per_phrase)
        return (1.0 - math.exp(-weight), sum(len(sents) for sents in per_phrase.values()),
                tuple(phrases[pi].source for pi in per_phrase))

    def learned_logits(self, document: Document | str) -> dict[str, float]:
        """Per competency with a learned score of at least :data:`LEARNED_FLOOR`, the
        highest sentence logit of the learned model minus its threshold (so the
        competency is suggested by the model at 0 and above).
        ``benchmarks/train_suggest.py`` learns decisions from these."""
        text = document.text if isinstance(document, Document) else document
        _, _, _, learned, _ = self._found(text)
        return {self.framework.competencies[ci].id: max(by_sentence.values())
                for ci, by_sentence in learned.items()}

    def document_logits(self, document: Document | str) -> dict[str, float]:
        """Per competency with a document model, its logit on the whole document (the
        bias plus the weights of the distinct features of all kept sentences).
        ``benchmarks/train_suggest.py`` learns decisions from these."""
        text = document.text if isinstance(document, Document) else document
        _, _, _, _, lemmas = self._found(text)
        return {self.framework.competencies[ci].id: z
                for ci, z in self._document_scores(lemmas).items()}

    def sentence_lemmas(self, document: Document | str) -> list[tuple[int, int,
                                                                      tuple[str, ...]]]:
        """The (start, end, lemmas) of each sentence that is not boilerplate, in order:
        what the learned model reads (``benchmarks/train_suggest.py`` trains on them)."""
        text = document.text if isinstance(document, Document) else document
        sentences, _, _, _, lemmas = self._found(text)
        return [(*sentences[k], tuple(lemmas[k])) for k in sorted(lemmas)]

    def _cues(self, ci: int, lemmas: list[str]) -> list[tuple[str, int, int]]:
        """The learned features of one sentence that count most for competency ``ci``
        (positive weights, at most :data:`LEARNED_CUES`, best first): (feature, first
        and last word index within the sentence)."""
        weighted: dict[str, tuple[float, int, int]] = {}
        for feature, i, j in sentence_features(lemmas, self._stop):
            if feature in weighted:
                continue
            w = next((w for c, w in self._learned.get(feature, ()) if c == ci), 0.0)
            if w > 0:
                weighted[feature] = (w, i, j)
        chosen: list[tuple[str, int, int]] = []
        for feature, (_, i, j) in sorted(weighted.items(),
                                         key=lambda item: (-item[1][0], item[1][1])):
            # a word already named inside a chosen pair ("professional interpreter") is
            # not named again on its own
            if not any(a <= i and j <= b for _, a, b in chosen):
                chosen.append((feature, i, j))
        return chosen[:LEARNED_CUES]

    @property
    def _stop(self) -> frozenset[str]:
        return self.model.stop if self.model is not None else frozenset()

    def _learned_scores(self, lemmas: dict[int, list[str]]) -> dict[int, dict[int, float]]:
        """Competency -> sentence -> the learned model's logit minus its threshold (the
        learned score is its sigmoid), for sentences scoring at least
        :data:`LEARNED_FLOOR`."""
        model = self.model
        if model is None or not self._bias:
            return {}
        floor = model.threshold + _logit(LEARNED_FLOOR)
        out: dict[int, dict[int, float]] = {}
        for k, sentence in lemmas.items():
            found: _Weighted = {}
            _weighted_features(sentence, self._unigrams, self._bigrams, model.stop, found)
            sums: dict[int, float] = {}
            for entries in found.values():
                for ci, w in entries:
                    sums[ci] = sums.get(ci, 0.0) + w
            for ci, total in sums.items():
                z = self._bias[ci] + total
                if z >= floor:
                    out.setdefault(ci, {})[k] = z - model.threshold
        return out

    def _document_scores(self, lemmas: dict[int, list[str]]) -> dict[int, float]:
        """Competency -> the document model's logit over the distinct features (as
        :func:`~competency.hr.sentencemodel.sentence_features` makes them) of all the
        kept sentences; only competencies with a document model."""
        if not self._doc_bias:
            return {}
        found: _Weighted = {}
        for sentence in lemmas.values():
            _weighted_features(sentence, self._doc_unigrams, self._doc_bigrams, self._stop,
                               found)
        sums = dict(self._doc_bias)
        for entries in found.values():
            for ci, w in entries:
                sums[ci] += w
        return sums

    def _found(self, text: str) -> tuple[list[tuple[int, int]], dict[int, int],
                                         dict[int, dict[int, dict[int, _Chain]]],
                                         dict[int, dict[int, float]], dict[int, list[str]]]:
        """The sentences, the index of each kept sentence's first word, per competency
        (that passes its ``requires`` context) the cue phrases found outside sentences
        holding its negative cues: phrase -> sentence -> where it matched; per such
        competency the learned scores of its sentences (outside those sentences too);
        and the lemmas of each kept sentence."""
        sentences = _sentences(text)
        skip = self._skipped(text, sentences)
        words: list[tuple[str, str]] = []  # (lemma, lower-case word)
        sent_of: list[int] = []
        first_word: dict[int, int] = {}  # sentence -> index of its first word
        lemmas = LEMMA_CACHE
        finditer = _WORD.finditer
        for k, (start, end) in enumerate(sentences):
            if k in skip:
                continue
            first_word[k] = len(words)
            for m in finditer(text, start, end):
                word = m.group().lower()
                found = lemmas.get(word)
                words.append((found if found is not None else lemma(word), word))
                sent_of.append(k)
        hits = self._hits(words, sent_of)
        per_comp: dict[int, dict[int, dict[int, _Chain]]] = {}
        for (ci, pi), parts in hits.items():
            sents = _phrase_matches(parts, len(self.phrases[ci][pi].parts), sent_of)
            if sents:
                per_comp.setdefault(ci, {})[pi] = sents
        lemmas_of: dict[int, list[str]] = {k: [] for k in first_word}
        for (lem, _), k in zip(words, sent_of, strict=True):
            lemmas_of[k].append(lem)
        learned = self._learned_scores(lemmas_of)
        out: dict[int, dict[int, dict[int, _Chain]]] = {}
        kept_learned: dict[int, dict[int, float]] = {}
        for ci in per_comp.keys() | learned.keys():
            comp_found = per_comp.get(ci, {})
            comp_phrases = self.phrases[ci]
            if self.requires[ci] and not any(comp_phrases[pi].kind == "requires"
                                             for pi in comp_found):
                continue
            blocked = {k for pi, sents in comp_found.items() if comp_phrases[pi].kind == "not"
                       for k in sents}
            per_phrase = {pi: kept for pi, sents in comp_found.items()
                          if comp_phrases[pi].kind == "cue"
                          and (kept := {k: c for k, c in sents.items() if k not in blocked})}
            if per_phrase:
                out[ci] = per_phrase
            scores = {k: v for k, v in learned.get(ci, {}).items() if k not in blocked}
            if scores:
                kept_learned[ci] = scores
        return sentences, first_word, out, kept_learned, lemmas_of

    def _candidates(self, lemma_: str, word: str) -> list[_Entry]:
        """The entries whose first word matches this word (cached per word)."""
        found = self._cache.get(word)
        if found is None:
            found = list(self.index.get(lemma_, ()))
            if self._prefix_re is not None and (self._prefix_re.match(lemma_)
                                                or self._prefix_re.match(word)):
                found.extend(e for e in self.prefixed
                             if _word_matches(e.words[0], lemma_, word))
            if len(self._cache) < _CACHE_LIMIT:
                self._cache[word] = found
        return found

    def _hits(self, words: list[tuple[str, str]], sent_of: list[int]
              ) -> dict[tuple[int, int], dict[int, list[tuple[int, int]]]]:
        """(competency, phrase) -> part -> the (first, last) word indexes where it matched."""
        hits: dict[tuple[int, int], dict[int, list[tuple[int, int]]]] = {}
        n = len(words)
        pairs = self.pairs
        for i, (lemma_, word) in enumerate(words):
            entries = self._candidates(lemma_, word)
            if i + 1 < n:
                paired = pairs.get((lemma_, words[i + 1][0]))
                if paired:
                    entries = entries + paired
            if not entries:
                continue
            sent = sent_of[i]
            for entry in entries:
                seq = entry.words
                last = i + len(seq) - 1
                if len(seq) > 1:
                    if last >= n or sent_of[last] != sent:
                        continue
                    if entry.exact:
                        if any(seq[k] != words[i + k][0] for k in range(1, len(seq))):
                            continue
                    elif not all(_word_matches(w, *words[i + k])
                                 for k, w in enumerate(seq[1:], 1)):
                        continue
                hits.setdefault((entry.competency, entry.phrase), {}).setdefault(
                    entry.part, []).append((i, last))
        return hits

    def _skipped(self, text: str, sentences: list[tuple[int, int]]) -> set[int]:
        """Indexes of the sentences that are boilerplate."""
        if not sentences:
            return set()
        marked: set[int] = set()
        if self.boilerplate:
            starts = [s for s, _ in sentences]
            lower = text.lower()
            if len(lower) == len(text):  # offsets still agree: the fast path
                patterns = self.boilerplate
            else:
                lower = text
                patterns = tuple(re.compile(p.pattern, re.IGNORECASE) for p in self.boilerplate)
            for pattern in patterns:
                marked.update(bisect_right(starts, m.start()) - 1
                              for m in pattern.finditer(lower))
            marked.discard(-1)
        lines = _lines(text, sentences)
        skip = set(marked)
        for number, members in enumerate(lines):
            bad = sum(1 for k in members if k in marked)
            if bad and bad * 3 >= len(members):
                skip.update(members)
                if number and _is_heading(text, sentences, lines[number - 1]):
                    skip.update(lines[number - 1])
        if self.sections is not None:
            inside = False
            for members in lines:
                if _is_heading(text, sentences, members):
                    s, e = sentences[members[0]]
                    inside = self.sections.fullmatch(text[s:e].rstrip(":").strip()) is not None
                    if inside:
                        skip.update(members)
                elif inside:
                    skip.update(members)
        return skip


_Entries = list[tuple[int, float]]
"""(competency, weight) pairs of one feature."""
_Weighted = dict[tuple[str, str], _Entries]
"""Feature (a lemma and "", or two lemmas) -> its entries."""


def _weighted_features(sentence: list[str], unigrams: dict[str, _Entries],
                       bigrams: dict[str, dict[str, _Entries]], stop: frozenset[str],
                       found: _Weighted) -> None:
    """Add to ``found`` the features of one sentence's lemmas that have weights, as
    :func:`~competency.hr.sentencemodel.sentence_features` makes them (numbers are no
    feature and break pairs; a stop word is no feature alone, two make no pair); a
    feature found again is not added twice."""
    previous = ""
    after: dict[str, _Entries] | None = None
    for lem in sentence:
        if lem.isdigit():
            previous, after = "", None
            continue
        entries = unigrams.get(lem)
        if entries is not None and lem not in stop:
            found[(lem, "")] = entries
        if after is not None:
            entries = after.get(lem)
            if entries is not None and not (lem in stop and previous in stop):
                found[(previous, lem)] = entries
        previous, after = lem, bigrams.get(lem)


def _index(weights: Mapping[str, float], ci: int, unigrams: dict[str, _Entries],
           bigrams: dict[str, dict[str, _Entries]]) -> None:
    """File competency ``ci``'s feature weights under their first lemma (and second)."""
    for feature, w in weights.items():
        first, _, second = feature.partition(" ")
        if second:
            bigrams.setdefault(first, {}).setdefault(second, []).append((ci, w))
        else:
            unigrams.setdefault(first, []).append((ci, w))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p)) if 0.0 < p < 1.0 else (-math.inf if p <= 0 else math.inf)


def _decide(decision: Decision, rule: float, hits: int, best_logit: float,
            phrases: tuple[str, ...], document_logit: float | None = None) -> float:
    """The score of a competency by its :class:`Decision` (the formula is there)."""
    z = (decision.bias + decision.rule * rule + decision.hits * math.log1p(hits)
         + decision.learned * max(best_logit, LOGIT_FLOOR)
         + (decision.fired if best_logit >= 0.0 else 0.0)
         + decision.document * document_input(document_logit)
         + sum(decision.phrases.get(source, 0.0) for source in phrases))
    return _sigmoid(z)


_Chain = tuple[tuple[int, int], ...]
"""The (first, last) word indexes where each part of a phrase matched."""


def _phrase_matches(parts: dict[int, list[tuple[int, int]]] | None, n_parts: int,
                    sent_of: list[int]) -> dict[int, _Chain]:
    """Sentence -> the first place in it where every part of a phrase matched in order
    (gaps <= MAX_GAP), by sentence in document order."""
    if not parts or 0 not in parts:
        return {}
    chains: list[_Chain] = [((i, j),) for i, j in parts[0]]
    for part in range(1, n_parts):
        following = parts.get(part)
        if not following:
            return {}
        linked: list[_Chain] = []
        for chain in chains:
            end = chain[-1][1]
            for i, j in following:
                if i > end and i - end - 1 <= MAX_GAP and sent_of[i] == sent_of[end]:
                    linked.append((*chain, (i, j)))
                    break
        chains = linked
        if not chains:
            return {}
    out: dict[int, _Chain] = {}
    for chain in chains:
        out.setdefault(sent_of[chain[0][0]], chain)
    return dict(sorted(out.items()))


def _word_spans(text: str, sentence: tuple[int, int]) -> list[tuple[int, int]]:
    """The offsets of the words of one sentence (found again only for evidence)."""
    return [m.span() for m in _WORD.finditer(text, *sentence)]


def _lines(text: str, sentences: list[tuple[int, int]]) -> list[list[int]]:
    """Sentence indexes grouped by line (a paragraph, table row, bullet or heading)."""
    lines: list[list[int]] = []
    previous_end = -1
    for k, (start, end) in enumerate(sentences):
        gap = text[previous_end:start] if previous_end >= 0 else "\n"
        if "\n" in gap or "\f" in gap:
            lines.append([k])
        else:
            lines[-1].append(k)
        previous_end = end
    return lines


def _is_heading(text: str, sentences: list[tuple[int, int]], members: list[int]) -> bool:
    """A short line of one sentence with no full stop and no bullet mark: a heading."""
    if len(members) != 1:
        return False
    s, e = sentences[members[0]]
    line_start = text.rfind("\n", 0, s) + 1
    if any(c in _BULLETS for c in text[line_start:s]):  # a bullet item, not a heading
        return False
    return text[e - 1] not in ".!?" and len(_WORD.findall(text, s, e)) <= _HEADING_WORDS


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans, trimmed of spaces and bullet marks; empty ones dropped."""
    spans: list[tuple[int, int]] = []
    begin = 0
    for m in _SENTENCE_END.finditer(text):
        if m.group()[0] in ".!?":
            before = text[max(begin, m.start() - 6):m.start()].rsplit(None, 1)
            if before and before[-1].lower().lstrip("(") in _ABBREVIATIONS:
                continue
            end = m.end()
        else:
            end = m.start()
        _add_span(text, begin, end, spans)
        begin = m.end()
    _add_span(text, begin, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    if start < end:
        spans.append((start, end))


# --------------------------------------------------------------------------- entry points


ModelChoice = SentenceModel | str | Path | Literal[False] | None
"""A learned sentence model, a path to a model file, None for the shipped one, or False
for none (phrases only)."""


def _model(model: ModelChoice) -> SentenceModel | None:
    if model is False:
        return None
    if isinstance(model, SentenceModel):
        return model
    return load_model(model)


def compile_suggester(framework: Framework | None = None,
                      phrases: PhraseSet | str | Path | None = None,
                      model: ModelChoice = None) -> Suggester:
    """Compile the phrases of ``framework`` (default: shipped) with a phrase file and a
    learned sentence model.

    ``phrases`` is a :class:`PhraseSet`, a path to a phrase file, or None for the
    shipped one; ``model`` a :class:`SentenceModel`, a path to a model file, None for
    the shipped one or False for none.
    """
    framework = framework if framework is not None else load_framework()
    phrase_set = phrases if isinstance(phrases, PhraseSet) else load_phrases(phrases)
    compiled: list[tuple[Phrase, ...]] = []
    for comp in framework:
        strong = phrase_set.strong.get(comp.id, ())
        weak = phrase_set.weak.get(comp.id, ())
        dropped = {_key(p) for p in phrase_set.drop.get(comp.id, ())}
        weak_keys = {_key(p) for p in weak}
        chosen: dict[str, tuple[str, float]] = {}
        for text in (comp.name, *comp.keywords, *strong):
            if _key(text) not in dropped:
                chosen.setdefault(_key(text), (text, STRONG_WEIGHT))
        for text in weak:
            chosen[_key(text)] = (text, WEAK_WEIGHT)
        for key in weak_keys & dropped:
            chosen.pop(key, None)
        compiled.append(tuple(
            [compile_phrase(text, weight, phrase_set.source, comp.id)
             for text, weight in chosen.values()]
            + [compile_phrase(text, 0.0, phrase_set.source, comp.id, "not")
               for text in phrase_set.negative.get(comp.id, ())]
            + [compile_phrase(text, 0.0, phrase_set.source, comp.id, "requires")
               for text in phrase_set.requires.get(comp.id, ())]))
    return Suggester(framework, tuple(compiled),
                     tuple(re.compile(p) for p in phrase_set.boilerplate),
                     _union(phrase_set.sections), _model(model))


def _union(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def _key(phrase: str) -> str:
    return " ".join(phrase.lower().split())


_SUGGESTERS: dict[tuple[object, ...], tuple[Framework, Suggester]] = {}


def suggester_for(framework: Framework | None = None,
                  phrases: str | Path | None = None,
                  model: str | Path | Literal[False] | None = None) -> Suggester:
    """The compiled :class:`Suggester` for a framework object, phrase file and learned
    model file (None: the shipped ones; ``model=False``: no learned model, the phrase
    rule alone).

    Cached in memory per framework object and files (path, modification time, size),
    and on disk by content hash (:mod:`competency.hr.phrasecache`), so a fresh process
    skips parsing and compiling them.
    """
    framework = framework if framework is not None else load_framework()
    path = Path(phrases) if phrases is not None else default_phrases_path()
    model_path = (None if model is False
                  else Path(model) if model is not None else default_model_path())
    stat = phrase_file_stat(path)
    model_key: tuple[object, ...] = ("no model",)
    if model_path is not None:
        model_stat = phrase_file_stat(model_path)
        model_key = (str(model_path), model_stat.st_mtime_ns, model_stat.st_size)
    key = (id(framework), str(path), stat.st_mtime_ns, stat.st_size, *model_key)
    cached = _SUGGESTERS.get(key)
    if cached is not None and cached[0] is framework:
        return cached[1]
    from competency.hr import phrasecache

    content = b""
    for source in (path, model_path):
        if source is None:
            content += b"no model\0"
            continue
        try:
            content += source.read_bytes() + b"\0"
        except OSError as exc:
            raise PhrasesError(source, f"cannot read: {exc.strerror}") from exc
    disk_key = phrasecache.compiled_key(repr(framework), content)
    data = phrasecache.read_compiled(disk_key)
    suggester = None
    if data is not None:
        try:
            suggester = Suggester.from_data(framework, data)
        except (KeyError, TypeError, ValueError, re.error, PhrasesError):
            suggester = None  # a damaged cache file: compile afresh
    if suggester is None:
        suggester = compile_suggester(framework, load_phrases(path),
                                      model_path if model_path is not None else False)
        phrasecache.write_compiled(disk_key, suggester.to_data())
    _SUGGESTERS[key] = (framework, suggester)
    return suggester


def suggest(document: Document | str, framework: Framework | None = None,
            threshold: float = DEFAULT_THRESHOLD,
            phrases: str | Path | None = None,
            model: str | Path | Literal[False] | None = None) -> list[Suggestion]:
    """Competencies ``document`` (a :class:`Document` or plain text) appears to call for.

    Only suggestions scoring at least ``threshold`` are returned, sorted by score
    (highest first), then by competency ID. ``phrases`` and ``model`` name a phrase
    file and a learned model file (None: the shipped ones; ``model=False``: the phrase
    rule alone). The compiled suggester is cached per framework object and files.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
    return suggester_for(framework, phrases, model).suggest(document, threshold)


@dataclass(frozen=True)
class FileSuggestions:
    """The suggestions for one file, as ``competency suggest`` reports them."""

    file: str
    """The path as given."""
    suggestions: tuple[Suggestion, ...]
    """Best first."""

    def to_dict(self) -> dict[str, Any]:
        """``{"file": ..., "suggestions": [...]}`` as in the ``--json`` contract."""
        return {"file": self.file, "suggestions": [s.to_dict() for s in self.suggestions]}


def suggest_file(path: str | Path, framework: Framework | None = None,
                 threshold: float = DEFAULT_THRESHOLD,
                 phrases: str | Path | None = None,
                 model: str | Path | Literal[False] | None = None) -> FileSuggestions:
    """Read one document and suggest competencies for it (raises DocumentError)."""
    from competency.hr.documents import read_document

    document = read_document(path)
    return FileSuggestions(str(path), tuple(suggest(document, framework, threshold, phrases,
                                                    model)))


def render_suggestions(results: Iterable[FileSuggestions], framework: Framework,
                       threshold: float = DEFAULT_THRESHOLD, snippets: int = 2,
                       width: int = 76) -> str:
    """A readable table per file: competency, score, name, the first evidence snippets and
    the phrases that matched."""
    lines: list[str] = []
    for result in results:
        lines.append(result.file)
        if not result.suggestions:
            lines.append(f"  (no competency scored {threshold:g} or more)")
        for s in result.suggestions:
            name = framework.get(s.competency).name if s.competency in framework else ""
            lines.append(f"  {s.competency:<8} {s.score:.2f}  {name}")
            for ev in s.evidence[:snippets]:
                snippet = " ".join(ev.text.split())
                if len(snippet) > width:
                    snippet = snippet[:width - 1] + "…"
                lines.append(f"{'':17}{ev.start:>6}: {snippet}")
            if len(s.evidence) > snippets:
                lines.append(f"{'':25}(+{len(s.evidence) - snippets} more)")
            matched = "matched: " + ", ".join(f'"{" ".join(m.split())}"' for m in s.matched)
            if len(matched) > width:
                matched = matched[:width - 1] + "…"
            lines.append(f"{'':17}{matched}")
    return "\n".join(lines) + "\n"
