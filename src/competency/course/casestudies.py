"""Replicable case studies as data: one YAML file per case, validated and rendered.

Trusts share good practice as case studies that all have the same structure, so that
another organisation can see how an intervention was achieved and repeat it. Each case
is one file ``<slug>.yaml`` (lower-case letters, digits and hyphens)::

    title: A critical friend for three years          # required text
    summary: One or two sentences.                    # optional text
    setting: Who and where (organisation, place).     # required text
    context: The problem or starting point.           # required text
    intervention: What was done, in a paragraph.      # required text
    process:                                          # required, ordered, 2 or more
      - step: Agree the purpose
        detail: What happened at this step.
    challenges:                                       # required, 1 or more
      - challenge: What got in the way.
        response: How it was handled.
    outcomes:                                         # required
      figures: illustrative     # illustrative (invented for training) or reported
      summary: Optional text.
      results:                                        # 1 or more
        - measure: Policies reviewed before approval
          before: 0                                   # text or a number
          after: 23
          note: Optional text.
    replicate:                                        # required, 1 or more
      - what: The part worth copying.
        how: How to copy it elsewhere.
    checklist:                                        # required, 1 or more
      - A short thing to have done or decided.
    competencies: [PART-1, ENG-1]                     # required, framework IDs
    sources:                  # optional; required when figures are "reported"
      - title: Where it comes from
        url: https://example.org/page

:func:`load_case` reads and validates one file; :func:`load_cases` every ``*.yaml``
file of a folder; :func:`render_markdown` turns a case into Markdown for a notebook or a
web page, and :func:`render_index` lists several cases in a table. Every problem is a
:class:`CaseStudyError` whose message names the file, the line and the field, for example
``cases/cdw.yaml, line 14: process[2].detail: must be text (42)``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from competency.errors import InputFileError
from competency.framework.model import Framework, load_framework
from competency.yamllines import LineDict, LineList, load_yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FIGURES = ("illustrative", "reported")
Figures = Literal["illustrative", "reported"]
REQUIRED = ("title", "setting", "context", "intervention", "process", "challenges",
            "outcomes", "replicate", "checklist", "competencies")
OPTIONAL = ("summary", "sources")
ILLUSTRATIVE_NOTE = ("The figures in this case study are **illustrative**: invented for "
                     "training, not real data.")


class CaseStudyError(InputFileError):
    """A case study file is missing, unreadable or does not follow the structure."""


@dataclass(frozen=True)
class Step:
    """One step of the process, in order."""

    step: str
    """A short title for the step."""
    detail: str
    """What happened at this step."""


@dataclass(frozen=True)
class Challenge:
    """Something that got in the way, and how it was handled."""

    challenge: str
    """What got in the way."""
    response: str
    """How it was handled."""


@dataclass(frozen=True)
class Result:
    """One outcome measure with its value before and after."""

    measure: str
    """What was measured."""
    before: str
    """The value before the intervention, as shown."""
    after: str
    """The value after the intervention, as shown."""
    note: str = ""
    """Optional remark (period, source, caveat)."""


@dataclass(frozen=True)
class Replication:
    """A part of the case worth copying, and how."""

    what: str
    """The part worth copying."""
    how: str
    """How another organisation can copy it."""


@dataclass(frozen=True)
class Source:
    """A reference for the case."""

    title: str
    """What the source is."""
    url: str
    """Where to find it (http or https)."""


@dataclass(frozen=True)
class CaseStudy:
    """One validated case study."""

    slug: str
    """The file name without ``.yaml``; the case's ID."""
    path: str
    """The file it was read from."""
    title: str
    """Its title."""
    setting: str
    """Who and where."""
    context: str
    """The problem or starting point."""
    intervention: str
    """What was done."""
    process: tuple[Step, ...]
    """The steps, in order."""
    challenges: tuple[Challenge, ...]
    """What got in the way and how it was handled."""
    figures: Figures
    """``illustrative`` (invented for training) or ``reported`` (real, with sources)."""
    results: tuple[Result, ...]
    """Outcome measures with figures."""
    replicate: tuple[Replication, ...]
    """What to replicate, and how."""
    checklist: tuple[str, ...]
    """The replication checklist."""
    competencies: tuple[str, ...]
    """Framework competency IDs the case gives evidence for."""
    summary: str = ""
    """One or two sentences (optional)."""
    outcomes_summary: str = ""
    """Text about the outcomes beyond the figures (optional)."""
    sources: tuple[Source, ...] = ()
    """References (required when the figures are reported)."""


# --------------------------------------------------------------------------- YAML with lines


# (the line-tracking loader is competency.yamllines)


# --------------------------------------------------------------------------- validation


class _Reader:
    """Reads fields out of one parsed file, raising errors that name file, line and field."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, line: int, field: str, problem: str, value: object = None) -> CaseStudyError:
        prefix = f"{field}: " if field else ""
        return CaseStudyError(self.path, prefix + problem, line=line, value=value)

    def mapping(self, value: object, line: int, field: str, required: tuple[str, ...],
                optional: tuple[str, ...] = ()) -> LineDict:
        if not isinstance(value, LineDict):
            raise self.fail(line, field, "must be a mapping of fields",
                            _shown(value))
        known = required + optional
        for key in value:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else \
                    f"; known fields: {', '.join(known)}"
                raise self.fail(value.key_lines[key], field, f"unknown field '{key}'{hint}")
        for key in required:
            if key not in value:
                raise self.fail(value.line, field, f"missing field '{key}'")
        return value

    def text(self, parent: LineDict, key: str, field: str, *, numbers: bool = False,
             optional: bool = False) -> str:
        where = _join(field, key)
        if key not in parent:
            if optional:
                return ""
            raise self.fail(parent.line, field, f"missing field '{key}'")
        value = parent[key]
        line = parent.key_lines[key]
        if numbers and isinstance(value, int | float) and not isinstance(value, bool):
            return _number(value)
        if not isinstance(value, str):
            kind = "text or a number" if numbers else "text"
            raise self.fail(line, where, f"must be {kind}", _shown(value))
        return self.nonempty(value, line, where)

    def nonempty(self, value: str, line: int, where: str) -> str:
        text = value.strip()
        if not text:
            raise self.fail(line, where, "must not be empty")
        return text

    def items(self, parent: LineDict, key: str, field: str, minimum: int) -> list[tuple[Any, int]]:
        where = _join(field, key)
        value = parent[key]
        line = parent.key_lines[key]
        if not isinstance(value, LineList):
            raise self.fail(line, where, "must be a list", _shown(value))
        if len(value) < minimum:
            raise self.fail(line, where, f"needs at least {minimum} item(s); it has "
                            f"{len(value)}")
        return list(zip(value, value.item_lines, strict=True))


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,}"
    return f"{int(value):,}"


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def _parse(text: str, source: str) -> LineDict:
    data = load_yaml(text, source=source, error=CaseStudyError, duplicate="duplicate field")
    if not isinstance(data, LineDict):
        raise CaseStudyError(source, "a case study must be a YAML mapping of fields", line=1)
    return data


def parse_case(text: str, *, slug: str, source: str = "<string>",
               framework: Framework | None = None) -> CaseStudy:
    """Validate case-study YAML given as text; ``slug`` is its ID."""
    framework = framework or load_framework()
    r = _Reader(source)
    data = r.mapping(_parse(text, source), 1, "", REQUIRED, OPTIONAL)

    steps = []
    for i, (item, line) in enumerate(r.items(data, "process", "", 2)):
        where = f"process[{i + 1}]"
        m = r.mapping(item, line, where, ("step", "detail"))
        steps.append(Step(r.text(m, "step", where), r.text(m, "detail", where)))

    challenges = []
    for i, (item, line) in enumerate(r.items(data, "challenges", "", 1)):
        where = f"challenges[{i + 1}]"
        m = r.mapping(item, line, where, ("challenge", "response"))
        challenges.append(Challenge(r.text(m, "challenge", where), r.text(m, "response", where)))

    outcomes = r.mapping(data["outcomes"], data.key_lines["outcomes"], "outcomes",
                         ("figures", "results"), ("summary",))
    figures = outcomes["figures"]
    if figures not in FIGURES:
        raise r.fail(outcomes.key_lines["figures"], "outcomes.figures",
                     f"must be one of {', '.join(FIGURES)}", _shown(figures))
    results = []
    for i, (item, line) in enumerate(r.items(outcomes, "results", "outcomes", 1)):
        where = f"outcomes.results[{i + 1}]"
        m = r.mapping(item, line, where, ("measure", "before", "after"), ("note",))
        results.append(Result(r.text(m, "measure", where),
                              r.text(m, "before", where, numbers=True),
                              r.text(m, "after", where, numbers=True),
                              r.text(m, "note", where, optional=True)))

    replicate = []
    for i, (item, line) in enumerate(r.items(data, "replicate", "", 1)):
        where = f"replicate[{i + 1}]"
        m = r.mapping(item, line, where, ("what", "how"))
        replicate.append(Replication(r.text(m, "what", where), r.text(m, "how", where)))

    checklist = []
    for i, (item, line) in enumerate(r.items(data, "checklist", "", 1)):
        where = f"checklist[{i + 1}]"
        if not isinstance(item, str):
            raise r.fail(line, where, "must be text", _shown(item))
        checklist.append(r.nonempty(item, line, where))

    competencies = []
    for i, (item, line) in enumerate(r.items(data, "competencies", "", 1)):
        where = f"competencies[{i + 1}]"
        if not isinstance(item, str) or item not in framework:
            raise r.fail(line, where, f"unknown competency ID in framework {framework.id}",
                         _shown(item))
        if item in competencies:
            raise r.fail(line, where, "competency listed twice", item)
        competencies.append(item)

    sources = []
    if "sources" in data:
        for i, (item, line) in enumerate(r.items(data, "sources", "", 1)):
            where = f"sources[{i + 1}]"
            m = r.mapping(item, line, where, ("title", "url"))
            url = r.text(m, "url", where)
            if not url.startswith(("http://", "https://")):
                raise r.fail(m.key_lines["url"], f"{where}.url",
                             "must start with http:// or https://", url)
            sources.append(Source(r.text(m, "title", where), url))
    if figures == "reported" and not sources:
        raise r.fail(outcomes.key_lines["figures"], "outcomes.figures",
                     "reported figures need at least one entry in 'sources'", figures)

    return CaseStudy(
        slug=slug,
        path=source,
        title=r.text(data, "title", ""),
        setting=r.text(data, "setting", ""),
        context=r.text(data, "context", ""),
        intervention=r.text(data, "intervention", ""),
        process=tuple(steps),
        challenges=tuple(challenges),
        figures=figures,
        results=tuple(results),
        replicate=tuple(replicate),
        checklist=tuple(checklist),
        competencies=tuple(competencies),
        summary=r.text(data, "summary", "", optional=True),
        outcomes_summary=r.text(outcomes, "summary", "outcomes", optional=True),
        sources=tuple(sources),
    )


def load_case(path: str | Path, framework: Framework | None = None) -> CaseStudy:
    """Read and validate one case-study file ``<slug>.yaml``."""
    path = Path(path)
    if not SLUG.match(path.stem) or path.suffix not in (".yaml", ".yml"):
        raise CaseStudyError(path, "file name must be <slug>.yaml, the slug made of "
                             "lower-case letters, digits and hyphens", value=path.name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CaseStudyError(path, "file not found") from exc
    except UnicodeDecodeError as exc:
        raise CaseStudyError(path, "not UTF-8 text", line=1) from exc
    except OSError as exc:
        raise CaseStudyError(path, f"cannot read: {exc.strerror}") from exc
    return parse_case(text, slug=path.stem, source=str(path), framework=framework)


def load_cases(folder: str | Path, framework: Framework | None = None) -> list[CaseStudy]:
    """Every ``*.yaml`` case study in ``folder``, sorted by file name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CaseStudyError(folder, "folder not found")
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    if not files:
        raise CaseStudyError(folder, "no case study files (*.yaml) in the folder")
    framework = framework or load_framework()
    cases = [load_case(p, framework) for p in files]
    seen: dict[str, str] = {}
    for case in cases:
        if case.slug in seen:
            raise CaseStudyError(case.path, f"two files have the slug '{case.slug}'",
                                 value=seen[case.slug])
        seen[case.slug] = case.path
    return cases


# --------------------------------------------------------------------------- rendering


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _lead(text: str) -> str:
    """A bold lead-in ending in punctuation: ``**Agree why.**``."""
    return f"**{text}**" if text[-1] in ".?!:" else f"**{text}.**"


def render_markdown(case: CaseStudy, *, heading_level: int = 2,
                    framework: Framework | None = None) -> str:
    """The case as Markdown: title, setting, sections in the fixed order, checklist."""
    if not 1 <= heading_level <= 5:
        raise ValueError(f"heading_level must be 1 to 5 ({heading_level})")
    framework = framework or load_framework()
    h1 = "#" * heading_level
    h2 = "#" * (heading_level + 1)
    names = [f"**{cid}** {framework.get(cid).name}" if cid in framework else f"**{cid}**"
             for cid in case.competencies]
    out = [f"{h1} {case.title}", ""]
    if case.summary:
        out += [f"*{case.summary}*", ""]
    out += [f"**Setting:** {case.setting}", "", f"**Competencies:** {'; '.join(names)}", ""]
    if case.figures == "illustrative":
        out += [f"> {ILLUSTRATIVE_NOTE}", ""]
    out += [f"{h2} Context", "", case.context, ""]
    out += [f"{h2} The intervention", "", case.intervention, ""]
    out += [f"{h2} The process, step by step", ""]
    out += [f"{n}. {_lead(s.step)} {s.detail}" for n, s in enumerate(case.process, 1)]
    out += ["", f"{h2} Challenges and how they were handled", ""]
    out += [f"- {_lead(c.challenge)} {c.response}" for c in case.challenges]
    label = " (illustrative figures)" if case.figures == "illustrative" else ""
    out += ["", f"{h2} Outcomes{label}", ""]
    if case.outcomes_summary:
        out += [case.outcomes_summary, ""]
    has_notes = any(r.note for r in case.results)
    out += ["| measure | before | after |" + (" note |" if has_notes else ""),
            "|---|---|---|" + ("---|" if has_notes else "")]
    for r in case.results:
        row = f"| {_cell(r.measure)} | {_cell(r.before)} | {_cell(r.after)} |"
        out.append(row + (f" {_cell(r.note)} |" if has_notes else ""))
    out += ["", f"{h2} What to replicate, and how", ""]
    out += [f"- {_lead(r.what)} {r.how}" for r in case.replicate]
    out += ["", f"{h2} Replication checklist", ""]
    out += [f"- [ ] {item}" for item in case.checklist]
    if case.sources:
        out += ["", f"{h2} Sources", ""]
        out += [f"- {s.title}: {s.url}" for s in case.sources]
    return "\n".join(out) + "\n"


def render_index(cases: list[CaseStudy]) -> str:
    """A Markdown table, one row per case: slug, title, summary (or setting), competencies."""
    out = ["| case | title | in short | competencies |", "|---|---|---|---|"]
    out += [f"| `{c.slug}` | {_cell(c.title)} | {_cell(c.summary or c.setting)} | "
            f"{', '.join(c.competencies)} |" for c in cases]
    return "\n".join(out) + "\n"
