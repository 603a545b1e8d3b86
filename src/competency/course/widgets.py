"""ipywidgets for learners: practice questions with instant feedback.

Practice questions are not graded. They live in the module's
``questions.yaml`` under ``practice:``, with their answers and explanations::

    practice:
      p1:
        prompt: A receptionist refuses to register ... Which form of conduct is this?
        options: {A: Direct discrimination, B: Indirect discrimination}
        answer: A            # a list of keys for "choose all that apply"
        explanation: Less favourable treatment because of race is direct discrimination.
        feedback:            # optional, per option chosen
          B: Indirect discrimination needs a rule applied to everyone.

In a notebook: ``practice("p1")`` shows the question; pressing *Check*
shows whether the choice is right and why, in words (not colour alone) and in an ARIA
live region that a screen reader reads out. Every control has an accessible name: the
options are labelled by their text (or letter, with the text listed above), the button
by its word and a tooltip naming the question.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from competency.course.exercises import DEFAULT_BANK, status_html
from competency.errors import QuestionBankError, QuestionError
from competency.yamllines import LineDict, load_yaml, read_yaml_text

CSS_CLASS = "cct-practice"
SHORT_LABEL = 60
"""Options longer than this many characters are listed above the buttons."""
FEEDBACK_CLASS = "cct-feedback"


@dataclass(frozen=True)
class PracticeQuestion:
    """An ungraded practice question with its answer and explanation."""

    id: str
    """Question ID, e.g. ``p1``."""
    prompt: str
    """The question as shown."""
    options: Mapping[str, str]
    """Option key to label."""
    answer: frozenset[str]
    """The correct option key(s)."""
    explanation: str = ""
    """Why the answer is right; shown after every attempt."""
    feedback: Mapping[str, str] = field(default_factory=dict)
    """Extra feedback per wrongly chosen option."""

    @property
    def multiple(self) -> bool:
        """True when more than one option is correct (shown as tick boxes)."""
        return len(self.answer) > 1


def evaluate(question: PracticeQuestion, chosen: frozenset[str] | set[str]) -> tuple[bool, str]:
    """Whether ``chosen`` is right, and the feedback to show (plain text)."""
    chosen = frozenset(chosen)
    if not chosen:
        return False, "Choose an answer first."
    correct = chosen == question.answer
    lines = ["Correct." if correct else "Not quite."]
    if not correct:
        lines.extend(question.feedback[c] for c in sorted(chosen)
                     if c in question.feedback and c not in question.answer)
        if question.multiple:
            missed = len(question.answer - chosen)
            wrong = len(chosen - question.answer)
            if missed:
                lines.append(f"You missed {missed} correct option(s).")
            if wrong:
                lines.append(f"{wrong} of your choices is not right.")
    if question.explanation:
        lines.append(question.explanation)
    return correct, " ".join(lines)


def _line(data: object, key: object) -> int:
    lines = getattr(data, "key_lines", {})
    return int(lines.get(key, getattr(data, "line", 1)))


_LAST: list[tuple[str, dict[str, PracticeQuestion]]] = []
"""The last bank text read and its questions (a notebook shows several from one bank)."""


def load_practice(path: str | Path = DEFAULT_BANK) -> dict[str, PracticeQuestion]:
    """Read the ``practice:`` section of a question bank.

    The file is read on every call; when its text is the one read last, the questions
    built from it then are returned (they depend on nothing else), without parsing again.
    """
    path = Path(path)
    text = read_yaml_text(path, error=QuestionBankError, missing="question bank not found")
    if _LAST and _LAST[0][0] == text:
        return dict(_LAST[0][1])
    out = _build_practice(path, text)
    _LAST[:] = [(text, out)]
    return dict(out)


def _build_practice(path: Path, text: str) -> dict[str, PracticeQuestion]:
    data = load_yaml(text, source=str(path), error=QuestionBankError) or {}
    if not isinstance(data, Mapping):
        raise QuestionBankError(path, "a question bank must be a YAML mapping", line=1)
    section = data.get("practice") or {}
    if not isinstance(section, LineDict):
        raise QuestionBankError(path, "practice must map question IDs to questions",
                                line=_line(data, "practice"))
    out: dict[str, PracticeQuestion] = {}
    for pid, spec in section.items():
        line = _line(section, pid)
        if not isinstance(spec, Mapping):
            raise QuestionBankError(path, f"practice {pid} must be a mapping", line=line)
        options = spec.get("options", {})
        if isinstance(options, list):
            options = {str(o): str(o) for o in options}
        if not isinstance(options, Mapping):
            raise QuestionBankError(path, f"practice {pid}: options must be a list or "
                                    "mapping", line=line)
        raw = spec.get("answer")
        answers = frozenset(str(a) for a in (raw if isinstance(raw, list) else [raw]))
        unknown = answers - set(map(str, options))
        if not options or unknown:
            raise QuestionBankError(path, f"practice {pid} has answer(s) not among its "
                                    "options", line=line,
                                    value=", ".join(sorted(unknown)) or "no options")
        out[str(pid)] = PracticeQuestion(
            id=str(pid),
            prompt=str(spec.get("prompt", "")),
            options={str(k): str(v) for k, v in options.items()},
            answer=answers,
            explanation=str(spec.get("explanation", "")),
            feedback={str(k): str(v) for k, v in spec.get("feedback", {}).items()},
        )
    return out


def practice_widget(question: PracticeQuestion) -> Any:
    """An ipywidgets box: the prompt, the options, a Check button and feedback."""
    import ipywidgets as w

    # ipywidgets draws long radio and tick-box labels on one line that then overlaps the next
    # option, so long options are listed as text and the buttons carry only their letters.
    long_options = any(len(v) > SHORT_LABEL for v in question.options.values())
    labels = [(k if long_options else (f"{k}. {v}" if k != v else v), k)
              for k, v in question.options.items()]
    listing = "".join(f"<li><b>{html.escape(k)}</b>. {html.escape(v)}</li>"
                      for k, v in question.options.items()) if long_options else ""
    prompt = w.HTML(f"<p><b>{html.escape(question.prompt)}</b></p>"
                    + (f'<ul style="list-style:none;padding-left:0">{listing}</ul>'
                       if listing else ""))
    feedback = w.HTML(status_html([]))  # the live region is there before any message
    feedback.add_class(FEEDBACK_CLASS)
    selector: Any
    if question.multiple:
        boxes = [w.Checkbox(description=label, value=False, indent=False,
                            layout=w.Layout(width="auto")) for label, _ in labels]
        selector = w.VBox(boxes)

        def chosen() -> frozenset[str]:
            return frozenset(key for (_, key), box in zip(labels, boxes, strict=True)
                             if box.value)
        hint = w.HTML("<i>Choose all that apply.</i>")
    else:
        radio = w.RadioButtons(options=labels, value=None, layout=w.Layout(width="auto"))
        selector = radio

        def chosen() -> frozenset[str]:
            return frozenset() if radio.value is None else frozenset({radio.value})
        hint = w.HTML("<i>Choose one.</i>")
    button = w.Button(description="Check", button_style="primary", icon="check",
                      tooltip=f"Check your answer to practice question {question.id}")

    def on_click(_: Any) -> None:
        correct, message = evaluate(question, chosen())
        colour = "#1b5e20" if correct else "#b71c1c"  # over 7:1 and 6:1 on white; words too
        feedback.value = status_html([message], {"data-correct": str(correct).lower(),
                                                 "style": f"color:{colour}"})

    button.on_click(on_click)
    box = w.VBox([prompt, hint, selector, button, feedback])
    box.add_class(CSS_CLASS)
    return box


def practice(pid: str, path: str | Path = DEFAULT_BANK) -> Any:
    """Show practice question ``pid`` from the module's question bank."""
    questions = load_practice(path)
    if pid not in questions:
        raise QuestionError(f"{path}: no practice question '{pid}' "
                            f"(known: {', '.join(questions) or 'none'})")
    return practice_widget(questions[pid])
