"""Learner helpers for graded exercises: ``answer(...)`` and ``check("q3")``.

Learners answer without programming by filling in templates::

    q3 = answer("q3", "B")
    q5 = answer("q5", "race", "religion or belief")

Each module ships a question bank, ``questions.yaml`` beside its notebook,
holding the questions' options and the shape of a complete answer (never the
correct answers: those live in the hidden tests). :func:`answer` rejects
misspelt options with a suggestion; :func:`check` runs the visible checks
(answered, valid options, right number of choices) and shows a friendly
message; in a notebook the message is an ARIA live region (:func:`status_html`), so a
screen reader reads it out. The bank is read from ``questions.yaml`` in the working directory on
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

No raw errors: whatever a learner types in an answer cell (nothing, text for a
number, a list for one option, a table for a number, an option without quotes)
ends in one friendly line. :class:`AnswerError` renders as that line; importing
this module in IPython also registers a handler that rewords ``NameError`` (an
unquoted option) and ``AssertionError`` (a test cell that fails) as one line,
while the cell still fails, so nbgrader scores the test 0. An answer that
cannot be understood clears the learner's variable, so ``check`` never reports
an earlier answer as complete. :func:`choose_from` and :func:`cell_value` give
the same for cells where a learner names a column, a row or a symbol.
"""

from __future__ import annotations

import difflib
import html
import inspect
import linecache
import math
import numbers
import re
import sys
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Literal

from competency.errors import AnswerError, QuestionBankError, QuestionError
from competency.yamllines import read_yaml

Kind = Literal["choice", "multi", "number", "text", "value"]
KINDS: tuple[str, ...] = ("choice", "multi", "number", "text", "value")
DEFAULT_BANK = "questions.yaml"
NOT_YET = "Not yet:"  # as AnswerError renders
STATUS_CLASS = "cct-status"
"""The class of the live region :func:`status_html` writes."""
"""How every friendly failure line in a notebook begins (plain text: no emoji font needed)."""


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
        """A filled-in template showing the answer's form, never suggesting an option."""
        if self.kind == "choice":
            return f'{self.id} = answer("{self.id}", "your option")'
        if self.kind == "multi":
            count = self.choose or 2
            joined = ", ".join(f'"option {n}"' for n in range(1, min(count, 3) + 1))
            more = ", ..." if count > 3 else ""
            return f'{self.id} = answer("{self.id}", {joined}{more})'
        if self.kind == "number":
            return f'{self.id} = answer("{self.id}", 12.5)'
        if self.kind == "text":
            return f'{self.id} = answer("{self.id}", "your words here")'
        return f"{self.id} = ..."

    def form(self) -> str:
        """What to put in place of the ``...``, in words."""
        if self.kind == "choice":
            return "one option in quotes (its letter or its words)"
        if self.kind == "multi":
            count = f"{self.choose} options" if self.choose else "one or more options"
            return f"{count}, each in quotes, separated by commas"
        if self.kind == "number":
            return "one number, without quotes"
        if self.kind == "text":
            return "your answer as text in quotes"
        return f"a {self.value_type or 'value'}"

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
            raise AnswerError(f"{qid} has no answer yet: replace the ... with "
                              f"{question.form()}, for example  {question.example()}")
        if question.kind == "choice":
            if len(flat) != 1:
                raise AnswerError(f"{qid} takes one option; you gave {len(flat)}. "
                                  f"Put {question.form()}.")
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
            if not all(isinstance(v, str) for v in flat):
                raise AnswerError(f"{qid} takes {question.form()}; you gave "
                                  f"{describe(next(v for v in flat if not isinstance(v, str)))}.")
            return " ".join(flat).strip()
        return flat[0] if len(flat) == 1 else list(flat)

    # ----------------------------------------------------------------- checking

    def problems(self, qid: str, value: Any, *, defined: bool = True) -> list[str]:
        """What is incomplete about ``value`` as an answer to ``qid`` (empty: looks complete)."""
        question = self.get(qid)
        if not defined or value is Ellipsis or value is None:
            return [f"{qid} has no answer yet: in its answer cell, replace the ... with your "
                    "answer, then run that cell."]
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
        except Exception:  # any odd value is a form problem, said in one line
            return [f"{qid} is not in the expected form: put {question.form()}."]
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
        raise AnswerError(f"{question.id} takes {question.form()}; you gave {describe(value)}.")
    wanted = _canon(value)
    for key, label in question.options.items():
        if wanted in (_canon(key), _canon(label)):
            return key
    candidates = {_canon(k): k for k in question.options}
    candidates.update({_canon(v): k for k, v in question.options.items()})
    close = difflib.get_close_matches(wanted, list(candidates), n=1, cutoff=0.6)
    hint = f" Did you mean '{candidates[close[0]]}'?" if close else ""
    raise AnswerError(f"'{value}' is not an option for {question.id}.{hint} "
                      f"The options are: {question.options_text().rstrip('.')}.")


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
            raise AnswerError(f"{question.id} takes {question.form()}, like "
                              f"{question.example()}; you gave {describe(flat[0])}.") from None
    if not isinstance(raw, numbers.Real) or math.isnan(raw):
        raise AnswerError(f"{question.id} takes {question.form()}; you gave {describe(raw)}.")
    raw = int(raw) if isinstance(raw, numbers.Integral) else float(raw)
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
    """Load the question bank that :func:`answer` and :func:`check` use.

    Also (re)installs the friendly errors in IPython, for a shell made after
    this module was first imported (as the grader's may be).
    """
    global _bank
    _bank = QuestionBank.load(path)
    install_friendly_errors()
    return _bank


def current_bank() -> QuestionBank:
    """The loaded bank, reading ``questions.yaml`` from the working directory on first use."""
    global _bank
    if _bank is None:
        _bank = QuestionBank.load(DEFAULT_BANK)
    return _bank


def describe(value: Any) -> str:
    """A short phrase for a value a learner gave (never a whole table)."""
    if value is Ellipsis:
        return "nothing yet (the ...)"
    kind = type(value).__name__
    if kind == "DataFrame":
        return "a table (DataFrame)"
    if kind == "Series":
        return "a column of values (Series)"
    if isinstance(value, str):
        return f"the text '{value}'" if len(value) <= 40 else "a long text"
    if isinstance(value, (list, tuple, set, frozenset)):
        return f"a list of {len(value)}"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Number):
        return f"the number {value}"
    return f"a {kind}"


def _learner_globals() -> dict[str, Any] | None:
    """The namespace of the code that called into this module (the notebook's)."""
    frame: FrameType | None = inspect.currentframe()
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    return frame.f_globals if frame is not None else None


def _forget(qid: str) -> None:
    """Clear the learner's earlier answer to ``qid`` (an answer that failed replaces it)."""
    namespace = _learner_globals()
    if namespace is not None:
        namespace.pop(qid, None)


def answer(qid: str, *values: Any) -> Any:
    """Record an answer: ``q3 = answer("q3", "B")``; several options for multi-choice.

    Returns the option key (choice), a frozenset of keys (multi), a number or
    text. Misspelt options raise :class:`AnswerError` with a suggestion, and
    any answer that cannot be understood clears the learner's variable ``qid``.
    """
    try:
        result = current_bank().answer(qid, *values)
    except AnswerError:
        _forget(qid)
        raise
    shown = ", ".join(sorted(result)) if isinstance(result, frozenset) else result
    print(f"Recorded: {qid} = {shown}")
    return result


def status_html(lines: Sequence[str], attributes: Mapping[str, str] | None = None) -> str:
    """Messages as an ARIA live region (``role="status"``, polite): a screen reader reads
    them out when they appear, without moving the focus. One paragraph per line; the
    ``attributes`` (e.g. ``data-correct``) go on the region."""
    extra = "".join(f' {name}="{html.escape(value)}"'
                    for name, value in (attributes or {}).items())
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return (f'<div class="{STATUS_CLASS}" role="status" aria-live="polite" '
            f'aria-atomic="true"{extra}>{body}</div>')


def announce(lines: Sequence[str]) -> None:
    """Show messages to the learner: in a notebook's kernel as a live region
    (:func:`status_html`, with the plain text beside it); elsewhere printed."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if getattr(shell, "kernel", None) is None:
        for line in lines:
            print(line)
        return
    from IPython.display import display

    display({"text/plain": "\n".join(lines),  # type: ignore[no-untyped-call]
             "text/html": status_html(lines)}, raw=True)


def check(qid: str, value: Any = Ellipsis) -> bool:
    """Run the visible checks on question ``qid`` and show a friendly message.

    Reads the learner's variable of the same name from the notebook unless
    ``value`` is given. Returns True when the answer looks complete; the
    mark itself is decided by the hidden tests when the work is graded.
    """
    bank = current_bank()
    bank.get(qid)
    defined = True
    if value is Ellipsis:
        namespace = _learner_globals() or {}
        defined = qid in namespace
        value = namespace.get(qid)
    problems = bank.problems(qid, value, defined=defined)
    if problems:
        announce([f"{NOT_YET} {problem}" for problem in problems])
        return False
    announce([f"Done: {qid} is complete and in the right form. "
              "Your mark is decided when your work is graded."])
    return True


def choose_from(qid: str, value: Any, among: Iterable[Any], what: str) -> str:
    """The learner's ``value`` if it is one of ``among`` (column names, row labels).

    For cells where the learner names something in a table, as in
    ``column = choose_from("q7", column, patients.columns, "a column name")``:
    anything else (the ``...``, a number, a list, a table, a misspelling) is an
    :class:`AnswerError` saying what to put there, and clears ``qid``.
    """
    known = [str(item) for item in among]
    problem = ""
    if value is Ellipsis:
        problem = f"replace the ... with {what}, in quotes"
    elif not isinstance(value, str):
        problem = f"put {what} in quotes; you gave {describe(value)}"
    elif value not in known:
        close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
        hint = (f" Did you mean '{close[0]}'?" if close
                else " Check the spelling in the table above.")
        problem = f"'{value}' is not {what} here.{hint}"
    if problem:
        _forget(qid)
        ending = "" if problem.endswith(("?", ".")) else "."
        raise AnswerError(f"{qid}: {problem}{ending}")
    return str(value)


def cell_value(qid: str, table: Any, row: Any, column: Any) -> Any:
    """``table.loc[row, column]`` or, when there is no such cell, an :class:`AnswerError`.

    A learner's earlier choice (a column, a group) decides which table is
    built; when that table has no such row or column the message says so in
    one line instead of a pandas ``KeyError``.
    """
    for label, names, kind in ((row, table.index, "row"), (column, table.columns, "column")):
        if label not in list(names):
            _forget(qid)
            raise AnswerError(f"{qid}: the table has no {kind} '{label}'; check the choice "
                              "you made above in this cell.")
    return table.loc[row, column]


# --------------------------------------------------------------------------- in IPython

_ANSWER_LINE = re.compile(r"""^\s*(\w+)\s*=\s*(?:answer|choose_from)\(\s*["'](\w+)["']""",
                          re.MULTILINE)


def _cell_questions(tb: TracebackType | None, namespace: dict[str, Any]) -> list[str]:
    """The question IDs a failing notebook cell answers (``qN = answer("qN", ...)``).

    The cell is the traceback's frame that runs in the notebook's namespace;
    IPython keeps each cell's source where :mod:`linecache` finds it.
    """
    while tb is not None and tb.tb_frame.f_globals is not namespace:
        tb = tb.tb_next
    if tb is None:
        return []
    source = "".join(linecache.getlines(tb.tb_frame.f_code.co_filename))
    return [qid for name, qid in _ANSWER_LINE.findall(source) if name == qid]


def friendly_line(etype: type[BaseException], value: BaseException,
                  tb: TracebackType | None) -> str:
    """One line, in plain words, for a NameError or AssertionError in a learner's cell."""
    if issubclass(etype, NameError):
        name = getattr(value, "name", None) or str(value)
        return (f"{NOT_YET} {name} is not defined. If it is your answer, put it in quotes, "
                f'like "{name}"; if not, run the cells above this one first.')
    frames = traceback.extract_tb(tb) if tb is not None else []
    line = (frames[-1].line or "") if frames else ""
    message = str(value).strip().splitlines()[0] if str(value).strip() else ""
    if message:
        return f"{NOT_YET} {message}"
    if line.startswith("assert check("):
        return f"{NOT_YET} this question is not complete; see the line above."
    return f"{NOT_YET} this answer is not the expected one."


def _reword(shell: Any, etype: type[BaseException], value: BaseException,
            tb: TracebackType | None, tb_offset: int | None = None) -> list[str]:
    """IPython custom exception handler: the cell still fails, shown as one line.

    IPython does not display what a custom handler returns, so the line is
    shown here as the cell's error output (what nbgrader looks for to score 0).
    """
    if issubclass(etype, NameError):
        namespace = getattr(shell, "user_ns", None)
        if isinstance(namespace, dict):
            for qid in _cell_questions(tb, namespace):
                namespace.pop(qid, None)
    stb = [friendly_line(etype, value, tb)]
    shell._showtraceback(etype, value, stb)
    return stb


def install_friendly_errors() -> bool:
    """In IPython, show NameError and AssertionError as one friendly line (True if installed).

    Cheap outside IPython: it looks only at modules already imported.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((NameError, AssertionError), _reword)
    return True


install_friendly_errors()
