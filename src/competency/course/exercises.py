"""Learner helpers for graded exercises: ``answer(...)`` and ``check("q3")``.

Learners answer without programming by filling in templates::

    q3 = answer("q3", "B")
    q5 = answer("q5", "race", "religion or belief")

Each module ships a question bank, ``questions.yaml`` beside its notebook,
holding the questions' options and the shape of a complete answer (never the
correct answers: those live in the hidden tests). :func:`answer` rejects
misspelt options with a suggestion; :func:`check` runs the visible checks
(answered, valid options, right number of choices) and prints a friendly
message. The bank is read from ``questions.yaml`` in the working directory on
first use, or explicitly with :func:`load_questions`.

Question bank format (YAML mapping of question ID to spec)::

    q3:
      kind: choice        # one option: choice | multi | number | text | value
      options:            # a mapping (key: label) or a list of labels
        A: Direct discrimination
        B: Indirect discrimination
    q5:
      kind: multi
      choose: 2           # exact number of options to choose (optional)
      options: [race, religion or belief, sex]
    q7: {kind: number, min: 0, max: 100}
    q8: {kind: text, min_words: 20}
"""

from __future__ import annotations

import difflib
import inspect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from competency.errors import AnswerError, QuestionBankError, QuestionError
from competency.yamllines import read_yaml

Kind = Literal["choice", "multi", "number", "text", "value"]
KINDS: tuple[str, ...] = ("choice", "multi", "number", "text", "value")
DEFAULT_BANK = "questions.yaml"


@dataclass(frozen=True)
class Question:
    """One graded question's shape (not its answer)."""

    id: str
    """Question ID, also the learner's variable name, e.g. ``q3``."""
    kind: Kind
    """``choice`` (one option), ``multi`` (several), ``number``, ``text`` or ``value``."""
    options: Mapping[str, str] = field(default_factory=dict)
    """Option key to label; for list-style options key and label are equal."""
    choose: int | None = None
    """For ``multi``: exactly how many options to choose (None: at least one)."""
    minimum: float | None = None
    """For ``number``: smallest sensible value."""
    maximum: float | None = None
    """For ``number``: largest sensible value."""
    min_words: int = 1
    """For ``text``: fewest words of a complete answer."""
    value_type: str | None = None
    """For ``value``: expected type name (``int``, ``float``, ``str``, ``list``, ``dict``,
    ``DataFrame``, ``Series``)."""
    columns: tuple[str, ...] = ()
    """For ``value`` of type DataFrame: columns it must have."""

    def example(self) -> str:
        """A filled-in template showing the answer's form."""
        if self.kind == "choice" and self.options:
            return f'{self.id} = answer("{self.id}", "{next(iter(self.options))}")'
        if self.kind == "multi" and self.options:
            keys = list(self.options)[: max(2, self.choose or 2)]
            joined = ", ".join(f'"{k}"' for k in keys)
            return f'{self.id} = answer("{self.id}", {joined})'
        if self.kind == "number":
            return f'{self.id} = answer("{self.id}", 42)'
        if self.kind == "text":
            return f'{self.id} = answer("{self.id}", "your words here")'
        return f"{self.id} = ..."

    def options_text(self) -> str:
        """The options as one readable line."""
        if all(k == v for k, v in self.options.items()):
            return ", ".join(f"'{k}'" for k in self.options)
        return "; ".join(f"{k} = {v}" for k, v in self.options.items())


def _build_question(qid: str, spec: Any, source: str) -> Question:
    if not isinstance(spec, Mapping):
        raise QuestionError(f"{source}: question {qid} must be a mapping, not {spec!r}")
    kind = spec.get("kind", "choice")
    if kind not in KINDS:
        raise QuestionError(f"{source}: question {qid} has unknown kind ({kind!r}); "
                            f"use one of {', '.join(KINDS)}")
    raw = spec.get("options", {})
    if isinstance(raw, Mapping):
        options = {str(k): str(v) for k, v in raw.items()}
    elif isinstance(raw, list):
        options = {str(v): str(v) for v in raw}
    else:
        raise QuestionError(f"{source}: options of {qid} must be a mapping or a list")
    if kind in ("choice", "multi") and len(options) < 2:
        raise QuestionError(f"{source}: question {qid} needs at least two options")
    choose = spec.get("choose")
    if choose is not None and (not isinstance(choose, int) or not 1 <= choose <= len(options)):
        raise QuestionError(f"{source}: 'choose' of {qid} must be 1 to {len(options)} ({choose})")
    return Question(
        id=qid,
        kind=kind,
        options=options,
        choose=choose,
        minimum=spec.get("min"),
        maximum=spec.get("max"),
        min_words=int(spec.get("min_words", 1)),
        value_type=spec.get("type"),
        columns=tuple(spec.get("columns", ())),
    )


class QuestionBank:
    """The questions of one module, by ID."""

    def __init__(self, questions: Iterable[Question] = (), source: str = "<bank>") -> None:
        self.source = source
        self.questions: dict[str, Question] = {q.id: q for q in questions}

    def __repr__(self) -> str:
        return f"QuestionBank({self.source}: {len(self.questions)} questions)"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "<bank>") -> QuestionBank:
        """Build from parsed YAML: question ID to spec (a ``practice`` key is ignored)."""
        graded = {k: v for k, v in data.items() if k != "practice"}
        return cls((_build_question(str(k), v, source) for k, v in graded.items()), source)

    @classmethod
    def load(cls, path: str | Path = DEFAULT_BANK) -> QuestionBank:
        """Read a ``questions.yaml`` file."""
        path = Path(path)
        data = read_yaml(path, error=QuestionBankError,
                         missing="question bank not found; run the notebook from its own "
                                 "folder") or {}
        if not isinstance(data, Mapping):
            raise QuestionBankError(path, "a question bank must be a YAML mapping", line=1)
        return cls.from_mapping(data, str(path))

    def get(self, qid: str) -> Question:
        """The question with this ID, or an :class:`AnswerError` naming the known ones."""
        try:
            return self.questions[qid]
        except KeyError:
            close = difflib.get_close_matches(qid, list(self.questions), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            known = ", ".join(self.questions) or "none"
            raise AnswerError(f"There is no question '{qid}' in this module.{hint} "
                              f"Questions: {known}.") from None

    # ----------------------------------------------------------------- answering

    def answer(self, qid: str, *values: Any) -> Any:
        """Validate and normalise a learner's answer to question ``qid``."""
        question = self.get(qid)
        flat = _flatten(values)
        if not flat or any(v is Ellipsis for v in flat):
            raise AnswerError(f"{qid} has no answer yet: replace the ... with your answer, "
                              f"for example  {question.example()}")
        if question.kind == "choice":
            if len(flat) != 1:
                raise AnswerError(f"{qid} takes one option; you gave {len(flat)}. "
                                  f"Options: {question.options_text()}.")
            return _match_option(question, flat[0])
        if question.kind == "multi":
            chosen = [_match_option(question, v) for v in flat]
            duplicates = {c for c in chosen if chosen.count(c) > 1}
            if duplicates:
                raise AnswerError(f"{qid}: you chose {sorted(duplicates)[0]!r} twice.")
            if question.choose is not None and len(chosen) != question.choose:
                raise AnswerError(f"{qid} asks for {question.choose} options; you gave "
                                  f"{len(chosen)}.")
            return frozenset(chosen)
        if question.kind == "number":
            return _number(question, flat)
        if question.kind == "text":
            return " ".join(str(v) for v in flat).strip()
        return flat[0] if len(flat) == 1 else list(flat)

    # ----------------------------------------------------------------- checking

    def problems(self, qid: str, value: Any, *, defined: bool = True) -> list[str]:
        """What is incomplete about ``value`` as an answer to ``qid`` (empty: looks complete)."""
        question = self.get(qid)
        if not defined or value is Ellipsis or value is None:
            return [f"{qid} has no answer yet. Fill in:  {question.example()}"]
        try:
            if question.kind in ("choice", "multi"):
                values = [value] if isinstance(value, str) else list(value)
                self.answer(qid, *values)
            elif question.kind == "number":
                self.answer(qid, value)
            elif question.kind == "text":
                words = len(str(value).split())
                if words < question.min_words:
                    return [f"{qid} has {words} word(s); a complete answer has at least "
                            f"{question.min_words}."]
            else:
                return _value_problems(question, value)
        except AnswerError as exc:
            return [str(exc)]
        except TypeError:
            return [f"{qid} is not in the expected form. Fill in:  {question.example()}"]
        return []


def _flatten(values: tuple[Any, ...]) -> list[Any]:
    flat: list[Any] = []
    for v in values:
        if isinstance(v, (list, tuple, set, frozenset)):
            flat.extend(sorted(v, key=str) if isinstance(v, (set, frozenset)) else v)
        else:
            flat.append(v)
    return flat


def _canon(text: str) -> str:
    return " ".join(text.casefold().replace("’", "'").split())


def _match_option(question: Question, value: Any) -> str:
    if not isinstance(value, str):
        raise AnswerError(f"{question.id}: answers are text in quotes, like "
                          f"{question.example()}; got {value!r}.")
    wanted = _canon(value)
    for key, label in question.options.items():
        if wanted in (_canon(key), _canon(label)):
            return key
    candidates = {_canon(k): k for k in question.options}
    candidates.update({_canon(v): k for k, v in question.options.items()})
    close = difflib.get_close_matches(wanted, list(candidates), n=1, cutoff=0.6)
    hint = f" Did you mean '{candidates[close[0]]}'?" if close else ""
    raise AnswerError(f"'{value}' is not an option for {question.id}.{hint} "
                      f"The options are: {question.options_text()}.")


def _number(question: Question, flat: list[Any]) -> float | int:
    if len(flat) != 1:
        raise AnswerError(f"{question.id} takes one number; you gave {len(flat)} values.")
    raw = flat[0]
    if isinstance(raw, bool):
        raise AnswerError(f"{question.id} takes a number, not {raw}.")
    if isinstance(raw, str):
        try:
            raw = float(raw.replace(",", "").replace("%", "").strip())
        except ValueError:
            raise AnswerError(f"{question.id} takes a number, like "
                              f"{question.example()}; got '{flat[0]}'.") from None
    if not isinstance(raw, (int, float)) or math.isnan(raw):
        raise AnswerError(f"{question.id} takes a number; got {raw!r}.")
    if question.minimum is not None and raw < question.minimum:
        raise AnswerError(f"{question.id} should be at least {question.minimum}; got {raw}.")
    if question.maximum is not None and raw > question.maximum:
        raise AnswerError(f"{question.id} should be at most {question.maximum}; got {raw}.")
    if isinstance(raw, float) and raw.is_integer() and isinstance(flat[0], str):
        return int(raw)
    return raw


def _value_problems(question: Question, value: Any) -> list[str]:
    expected = question.value_type
    if expected is None:
        return []
    actual = type(value).__name__
    aliases = {"float": ("float", "int", "float64", "int64"), "int": ("int", "int64")}
    if actual not in aliases.get(expected, (expected,)):
        return [f"{question.id} should be a {expected}; it is a {actual}."]
    if question.columns and hasattr(value, "columns"):
        missing = [c for c in question.columns if c not in list(value.columns)]
        if missing:
            return [f"{question.id} is missing the column(s): {', '.join(missing)}."]
    return []


# --------------------------------------------------------------------------- module-level API

_bank: QuestionBank | None = None


def load_questions(path: str | Path = DEFAULT_BANK) -> QuestionBank:
    """Load the question bank that :func:`answer` and :func:`check` use."""
    global _bank
    _bank = QuestionBank.load(path)
    return _bank


def current_bank() -> QuestionBank:
    """The loaded bank, reading ``questions.yaml`` from the working directory on first use."""
    global _bank
    if _bank is None:
        _bank = QuestionBank.load(DEFAULT_BANK)
    return _bank


def answer(qid: str, *values: Any) -> Any:
    """Record an answer: ``q3 = answer("q3", "B")``; several options for multi-choice.

    Returns the option key (choice), a frozenset of keys (multi), a number or
    text. Misspelt options raise :class:`AnswerError` with a suggestion.
    """
    result = current_bank().answer(qid, *values)
    shown = ", ".join(sorted(result)) if isinstance(result, frozenset) else result
    print(f"\N{MEMO} {qid} recorded: {shown}")
    return result


def check(qid: str, value: Any = Ellipsis) -> bool:
    """Run the visible checks on question ``qid`` and print a friendly message.

    Reads the learner's variable of the same name from the notebook unless
    ``value`` is given. Returns True when the answer looks complete; the
    mark itself is decided by the hidden tests when the work is graded.
    """
    bank = current_bank()
    bank.get(qid)
    defined = True
    if value is Ellipsis:
        frame = inspect.currentframe()
        caller = frame.f_back if frame is not None else None
        namespace = caller.f_globals if caller is not None else {}
        defined = qid in namespace
        value = namespace.get(qid)
    problems = bank.problems(qid, value, defined=defined)
    if problems:
        for problem in problems:
            print(f"\N{CROSS MARK} {problem}")
        return False
    print(f"\N{WHITE HEAVY CHECK MARK} {qid} is complete and in the right form. "
          "Your mark is decided when your work is graded.")
    return True
