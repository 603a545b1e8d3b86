"""Person specifications: a role's competency section and values-based interview questions.

A person specification lists the competencies a role requires, essential and
desirable, each with the level's name, the level's behavioural indicators from
the framework and how it is assessed; then values-based interview questions,
with what a good answer shows, drawn from an interview question bank
(``data/interview-questions.yaml`` by default). It is written as Word
(``.docx``, through python-docx) or Markdown (``.md``), atomically.

The question bank is YAML::

    competencies:
      LAW-1:               # a competency ID of the framework
        1:                 # a level number
          - question: "Tell us about a time ..."
            good_answer_shows: ["...", "..."]   # 2 to 4 points
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from competency.errors import InterviewQuestionsError, UsageError
from competency.files import atomic_write_bytes, atomic_write_text
from competency.framework.model import Framework, load_framework
from competency.hr.roles import Requirement, Roles, find_role, load_roles
from competency.yamllines import compose_yaml, read_yaml_text

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

DEFAULT_QUESTIONS_NAME = "interview-questions.yaml"
ESSENTIAL_QUESTIONS = 2
"""Interview questions per essential competency, by default."""
DESIRABLE_QUESTIONS = 1
"""Interview questions per desirable competency, by default."""
MIN_POINTS, MAX_POINTS = 2, 4
"""How many points ``good_answer_shows`` may have."""
OUTPUT_SUFFIXES = (".docx", ".md")
ASSESSMENT_LABELS = {
    "application": "Application form",
    "interview": "Interview",
    "test": "Test",
    "training": "Training record",
}
QUESTION_KEYS = ("question", "good_answer_shows")
INTERVIEW = "interview"
"""The ``assessed_by`` value of competencies that get interview questions."""


@dataclass(frozen=True)
class InterviewQuestion:
    """One values-based interview question for a competency at a level."""

    competency: str
    """Competency ID it explores."""
    level: int
    """The level it is pitched at."""
    question: str
    """What the panel asks."""
    good_answer_shows: tuple[str, ...]
    """What a good answer shows (2 to 4 points), for scoring."""


@dataclass(frozen=True)
class QuestionBank:
    """Interview questions per competency and level, in file order."""

    questions: tuple[InterviewQuestion, ...]
    """Every question, in file order."""
    source: str = ""
    """Where the bank was read from."""

    def __len__(self) -> int:
        return len(self.questions)

    def at(self, competency: str, level: int) -> tuple[InterviewQuestion, ...]:
        """The questions for one competency at exactly one level."""
        return tuple(q for q in self.questions if q.competency == competency and q.level == level)


@dataclass(frozen=True)
class SpecItem:
    """One row of a person specification's competency table."""

    competency: str
    """Competency ID."""
    name: str
    """Competency name."""
    level: int
    """Level required."""
    level_name: str
    """The level's name, e.g. ``Practitioner``."""
    priority: str
    """``essential`` or ``desirable``."""
    indicators: tuple[str, ...]
    """The framework's behavioural indicators for that level."""
    assessed_by: tuple[str, ...]
    """How it is assessed (application, interview, test, training)."""

    @property
    def label(self) -> str:
        """``Name (ID)``."""
        return f"{self.name} ({self.competency})"

    @property
    def assessed_text(self) -> str:
        """How it is assessed, in words: ``Application form, interview``."""
        words = [ASSESSMENT_LABELS.get(a, a) for a in self.assessed_by]
        return ", ".join(words[:1] + [w.lower() for w in words[1:]])


@dataclass(frozen=True)
class SpecQuestion:
    """An interview question chosen for a person specification."""

    item: SpecItem
    """The requirement it explores."""
    question: InterviewQuestion
    """The question and what a good answer shows."""


@dataclass(frozen=True)
class PersonSpec:
    """The competency section of one role's person specification."""

    role: str
    """The role's name."""
    framework: str
    """The framework's name and version, e.g. ``Race Equality ... (version 1.0)``."""
    essential: tuple[SpecItem, ...]
    """Essential competencies, in roles-table order."""
    desirable: tuple[SpecItem, ...]
    """Desirable competencies, in roles-table order."""
    questions: tuple[SpecQuestion, ...]
    """Interview questions for the competencies assessed at interview: those for essential
    competencies first, each competency's together."""
    warnings: tuple[str, ...] = ()
    """Shortfalls, e.g. fewer questions in the bank than asked for."""


# --------------------------------------------------------------------------- question bank


def default_questions_path() -> Path:
    """Where the shipped interview question bank is installed."""
    return Path(str(resources.files("competency").joinpath("data", DEFAULT_QUESTIONS_NAME)))


def load_question_bank(path: str | Path | None = None,
                       framework: Framework | None = None) -> QuestionBank:
    """Read and validate an interview question bank (the shipped one when ``path`` is None).

    Problems raise :class:`InterviewQuestionsError` as ``FILE, line N: problem (value)``.
    """
    framework = framework or load_framework()
    if path is None:
        path = default_questions_path()
    text = read_yaml_text(path, error=InterviewQuestionsError)
    return parse_question_bank(text, framework, source=str(path))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _pairs(node: yaml.Node, source: str, what: str) -> list[tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise InterviewQuestionsError(source, f"{what} must be a mapping", line=_line(node))
    seen: set[str] = set()
    for key, _ in node.value:
        if key.value in seen:
            raise InterviewQuestionsError(source, "duplicate key", line=_line(key),
                                          value=key.value)
        seen.add(key.value)
    return list(node.value)


def _text(node: yaml.Node, source: str, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise InterviewQuestionsError(source, f"{what} must be non-empty text", line=_line(node))
    return " ".join(str(node.value).split())


def parse_question_bank(text: str, framework: Framework, *,
                        source: str = "<string>") -> QuestionBank:
    """Parse and validate interview-question YAML given as text."""
    root = compose_yaml(text, source=source, error=InterviewQuestionsError)
    if root is None:
        raise InterviewQuestionsError(source, "empty file", line=1)
    top = {k.value: (k, v) for k, v in _pairs(root, source, "a question bank")}
    for key, (knode, _) in top.items():
        if key not in ("schema_version", "description", "competencies"):
            raise InterviewQuestionsError(source, "unknown key", line=_line(knode), value=key)
    if "competencies" not in top:
        raise InterviewQuestionsError(source, "missing 'competencies'", line=_line(root))
    questions: list[InterviewQuestion] = []
    for cnode, levels in _pairs(top["competencies"][1], source, "competencies"):
        cid = str(cnode.value)
        if cid not in framework:
            raise InterviewQuestionsError(source, "unknown competency", line=_line(cnode),
                                          value=cid)
        for lnode, items in _pairs(levels, source, f"questions of {cid}"):
            level_text = str(lnode.value)
            if not level_text.isdigit() or int(level_text) not in framework.level_numbers:
                raise InterviewQuestionsError(source, f"unknown level for {cid}",
                                              line=_line(lnode), value=level_text)
            level = int(level_text)
            where = f"{cid} level {level}"
            if not isinstance(items, yaml.SequenceNode) or not items.value:
                raise InterviewQuestionsError(source, f"questions of {where} must be a "
                                              "non-empty list", line=_line(items))
            for item in items.value:
                questions.append(_question(item, cid, level, source))
    return QuestionBank(tuple(questions), source)


def _question(item: yaml.Node, cid: str, level: int, source: str) -> InterviewQuestion:
    where = f"{cid} level {level}"
    fields = {k.value: (k, v) for k, v in _pairs(item, source, f"a question of {where}")}
    for key, (knode, _) in fields.items():
        if key not in QUESTION_KEYS:
            raise InterviewQuestionsError(source, f"unknown key in a question of {where}",
                                          line=_line(knode), value=key)
    for key in QUESTION_KEYS:
        if key not in fields:
            raise InterviewQuestionsError(source, f"missing '{key}' in a question of {where}",
                                          line=_line(item))
    question = _text(fields["question"][1], source, "question")
    points_node = fields["good_answer_shows"][1]
    if not isinstance(points_node, yaml.SequenceNode):
        raise InterviewQuestionsError(source, "good_answer_shows must be a list",
                                      line=_line(points_node))
    points = tuple(_text(p, source, "a point of good_answer_shows") for p in points_node.value)
    if not MIN_POINTS <= len(points) <= MAX_POINTS:
        raise InterviewQuestionsError(
            source, f"good_answer_shows needs {MIN_POINTS} to {MAX_POINTS} points",
            line=_line(points_node), value=len(points))
    return InterviewQuestion(cid, level, question, points)


# --------------------------------------------------------------------------- building


def _item(req: Requirement, framework: Framework) -> SpecItem:
    comp = framework.get(req.competency)
    return SpecItem(req.competency, comp.name, req.level, framework.level(req.level).name,
                    req.priority, comp.indicators_for(req.level), req.assessed_by)


def choose_questions(bank: QuestionBank, competency: str, level: int,
                     count: int) -> tuple[InterviewQuestion, ...]:
    """``count`` questions for a competency: those at ``level`` first, in bank order.

    When the level has too few, the next lower levels fill the gap (a Strategic
    requirement still gets Lead questions), then the higher ones.
    """
    levels = sorted({q.level for q in bank.questions if q.competency == competency},
                    key=lambda n: (n > level, abs(n - level)))
    chosen: list[InterviewQuestion] = []
    for number in levels:
        chosen.extend(bank.at(competency, number)[: count - len(chosen)])
        if len(chosen) >= count:
            break
    return tuple(chosen)


def build_person_spec(roles: Roles, role: str, *, framework: Framework | None = None,
                      bank: QuestionBank | None = None,
                      essential_questions: int | None = None,
                      desirable_questions: int | None = None,
                      source: str | Path = "roles table") -> PersonSpec:
    """The person specification of ``role`` (see :func:`find_role` for matching names).

    ``essential_questions`` and ``desirable_questions`` are questions per
    competency (defaults :data:`ESSENTIAL_QUESTIONS`, :data:`DESIRABLE_QUESTIONS`).
    """
    framework = framework or load_framework()
    bank = bank if bank is not None else load_question_bank(None, framework)
    per = {"essential": ESSENTIAL_QUESTIONS if essential_questions is None
           else essential_questions,
           "desirable": DESIRABLE_QUESTIONS if desirable_questions is None
           else desirable_questions}
    for key, number in per.items():
        if number < 0:
            raise UsageError(f"questions per {key} competency must be 0 or more ({number})")
    name = find_role(roles, role, source)
    unknown = [r.competency for r in roles.for_role(name) if r.competency not in framework]
    if unknown:
        raise UsageError(f"{source}: role {name} needs competencies the framework lacks "
                         f"({', '.join(unknown)})")
    items = [_item(r, framework) for r in roles.for_role(name)]
    essential = tuple(i for i in items if i.priority == "essential")
    desirable = tuple(i for i in items if i.priority == "desirable")
    questions: list[SpecQuestion] = []
    warnings: list[str] = []
    for item in essential + desirable:
        if INTERVIEW not in item.assessed_by:
            continue  # asked only where the roles table says it is assessed at interview
        wanted = per[item.priority]
        chosen = choose_questions(bank, item.competency, item.level, wanted)
        if len(chosen) < wanted:
            warnings.append(f"only {len(chosen)} interview question(s) for {item.competency} "
                            f"in {bank.source or 'the question bank'} (wanted {wanted})")
        questions.extend(SpecQuestion(item, q) for q in chosen)
    return PersonSpec(name, f"{framework.name} (version {framework.version})", essential,
                      desirable, tuple(questions), tuple(warnings))


# --------------------------------------------------------------------------- rendering

INTRO = ("This is the equality and cultural capability section of the person specification. "
         "Levels and indicators come from the framework {framework}.")
GOOD_ANSWER = "What a good answer shows:"
TABLE_HEADER = ("Competency", "Level", "What this looks like at this level", "How it is assessed")


def _level_text(item: SpecItem) -> str:
    return f"{item.level} {item.level_name}"


def _competency_title(item: SpecItem) -> str:
    return f"{item.label}, level {_level_text(item)} ({item.priority})"


def grouped_questions(spec: PersonSpec) -> list[tuple[SpecItem, list[tuple[int, SpecQuestion]]]]:
    """The questions grouped under their competency, in order, numbered from 1 throughout."""
    groups: list[tuple[SpecItem, list[tuple[int, SpecQuestion]]]] = []
    for number, sq in enumerate(spec.questions, 1):
        if not groups or groups[-1][0] != sq.item:
            groups.append((sq.item, []))
        groups[-1][1].append((number, sq))
    return groups


def render_markdown(spec: PersonSpec) -> str:
    """The person specification as Markdown."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    out = [f"# Person specification: {spec.role}", "",
           INTRO.format(framework=f"*{spec.framework}*"), ""]
    for title, items in (("Essential competencies", spec.essential),
                         ("Desirable competencies", spec.desirable)):
        out += [f"## {title}", ""]
        if not items:
            out += ["None.", ""]
            continue
        out.append("| " + " | ".join(TABLE_HEADER) + " |")
        out.append("|" + "---|" * len(TABLE_HEADER))
        for item in items:
            out.append("| " + " | ".join(cell(t) for t in (
                item.label, _level_text(item), " ".join(item.indicators),
                item.assessed_text)) + " |")
        out.append("")
    out += ["## Values-based interview questions", ""]
    if not spec.questions:
        out += ["None.", ""]
    for item, numbered in grouped_questions(spec):
        out += [f"### {_competency_title(item)}", ""]
        for number, sq in numbered:
            out += [f"#### Question {number}", "", sq.question.question, "", GOOD_ANSWER, ""]
            out += [f"- {point}" for point in sq.question.good_answer_shows]
            out.append("")
    return "\n".join(out)


def _docx_table(doc: DocxDocument, items: Sequence[SpecItem], caption: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = doc.add_table(rows=1, cols=len(TABLE_HEADER))
    table.style = "Table Grid"
    title = OxmlElement("w:tblCaption")  # the table's title (Word: Table Properties, Alt Text)
    title.set(qn("w:val"), caption)
    table._tbl.tblPr.append(title)  # after w:tblLook, whose firstRow marks a header row
    header = table.rows[0]
    # a header row: repeated at the top of each page, read as column headers
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, text in zip(header.cells, TABLE_HEADER, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for item in items:
        cells = table.add_row().cells
        cells[0].text = item.label
        cells[1].text = _level_text(item)
        cells[2].text = ""
        for i, indicator in enumerate(item.indicators):
            para = cells[2].paragraphs[0] if i == 0 else cells[2].add_paragraph()
            para.add_run(f"\N{BULLET} {indicator}")
        cells[3].text = item.assessed_text


LANGUAGE = "en-GB"
"""The language of a person specification's text (for spelling and screen readers)."""


def _set_language(doc: DocxDocument) -> None:
    """Mark the document's text as :data:`LANGUAGE` (python-docx's template says en-US)."""
    from docx.oxml.ns import qn

    doc.core_properties.language = LANGUAGE
    for lang in doc.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:val"), LANGUAGE)


def render_docx(spec: PersonSpec) -> bytes:
    """The person specification as a Word document (bytes of a .docx file).

    Its structure is real Word structure, as in the Markdown: the title is Heading 1, the
    sections Heading 2, each competency's questions Heading 3 and each question Heading 4
    (no level skipped); each table's first row is a header row, repeated on every page;
    the title and language are in the document's properties.
    """
    from docx import Document

    doc = Document()
    _set_language(doc)
    doc.core_properties.title = f"Person specification: {spec.role}"
    doc.add_heading(f"Person specification: {spec.role}", level=1)
    doc.add_paragraph(INTRO.format(framework=spec.framework))
    for title, items in (("Essential competencies", spec.essential),
                         ("Desirable competencies", spec.desirable)):
        doc.add_heading(title, level=2)
        if items:
            _docx_table(doc, items, title)
        else:
            doc.add_paragraph("None.")
    doc.add_heading("Values-based interview questions", level=2)
    if not spec.questions:
        doc.add_paragraph("None.")
    for item, numbered in grouped_questions(spec):
        doc.add_heading(_competency_title(item), level=3)
        for number, sq in numbered:
            doc.add_heading(f"Question {number}", level=4)
            doc.add_paragraph(sq.question.question)
            doc.add_paragraph().add_run(GOOD_ANSWER).italic = True
            for point in sq.question.good_answer_shows:
                doc.add_paragraph(point, style="List Bullet")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def check_output_path(path: str | Path) -> Path:
    """``path`` when it ends in .docx or .md; :class:`UsageError` otherwise."""
    path = Path(path)
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise UsageError(f"{path}: unsupported person specification format; use .docx or .md "
                         f"({path.suffix or 'no suffix'})")
    return path


def write_person_spec(spec: PersonSpec, path: str | Path) -> Path:
    """Write ``spec`` atomically as .docx or .md (by suffix)."""
    path = check_output_path(path)
    if path.suffix.lower() == ".md":
        return atomic_write_text(path, render_markdown(spec))
    return atomic_write_bytes(path, render_docx(spec))


def export_person_spec(role: str, roles: str | Path, out: str | Path, *,
                       framework: str | Path | None = None,
                       questions: str | Path | None = None,
                       essential_questions: int | None = None,
                       desirable_questions: int | None = None) -> PersonSpec:
    """Read the roles table (and framework, question bank), write ``role``'s person spec.

    Every input is validated before anything is written.
    """
    check_output_path(out)
    fw = load_framework(framework)
    spec = build_person_spec(load_roles(roles, fw), role, framework=fw,
                             bank=load_question_bank(questions, fw),
                             essential_questions=essential_questions,
                             desirable_questions=desirable_questions, source=roles)
    write_person_spec(spec, out)
    return spec
