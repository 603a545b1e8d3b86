from __future__ import annotations

import re
from pathlib import Path

import pytest

from competency.course.casestudies import (
    ILLUSTRATIVE_NOTE,
    CaseStudy,
    CaseStudyError,
    load_case,
    load_cases,
    parse_case,
    render_index,
    render_markdown,
)
from competency.errors import CompetencyError, InputFileError
from competency.framework.model import Framework
from conftest import COURSE

CASES = COURSE / "source" / "07-case-studies" / "cases"

MINIMAL = """\
title: A small case
setting: A fictional practice.
context: What was wrong.
intervention: What was done.
process:
  - step: First
    detail: The first step.
  - step: Second?
    detail: The second step.
challenges:
  - challenge: A problem.
    response: How it was handled.
outcomes:
  figures: illustrative
  results:
    - measure: People reached
      before: 12
      after: 1234
replicate:
  - what: The idea
    how: Copy it.
checklist:
  - Do the thing.
competencies: [ENG-1]
"""


def write(tmp_path: Path, text: str, name: str = "small-case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_case_loads(tmp_path: Path, framework: Framework) -> None:
    case = load_case(write(tmp_path, MINIMAL), framework)
    assert case.slug == "small-case"
    assert case.title == "A small case"
    assert [s.step for s in case.process] == ["First", "Second?"]
    assert case.figures == "illustrative"
    assert (case.results[0].before, case.results[0].after) == ("12", "1,234")
    assert case.checklist == ("Do the thing.",)
    assert case.competencies == ("ENG-1",)
    assert case.summary == ""
    assert case.sources == ()


def test_render_markdown_has_every_section_in_order(tmp_path: Path,
                                                     framework: Framework) -> None:
    text = render_markdown(load_case(write(tmp_path, MINIMAL), framework),
                           framework=framework)
    headings = re.findall(r"^#+ (.*)$", text, flags=re.M)
    assert headings == ["A small case", "Context", "The intervention",
                        "The process, step by step", "Challenges and how they were handled",
                        "Outcomes (illustrative figures)", "What to replicate, and how",
                        "Replication checklist"]
    assert ILLUSTRATIVE_NOTE in text
    assert "1. **First.** The first step." in text
    assert "2. **Second?** The second step." in text
    assert "| People reached | 12 | 1,234 |" in text
    assert "- [ ] Do the thing." in text
    assert "**ENG-1** Community engagement and involvement" in text


def test_render_escapes_pipes_adds_notes_sources_and_heading_level(
        tmp_path: Path, framework: Framework) -> None:
    text = MINIMAL.replace("      after: 1234\n",
                           "      after: 1234\n      note: a | b\n")
    text = text.replace("figures: illustrative", "figures: reported")
    text += "sources:\n  - title: Annual report\n    url: https://example.org/r\n"
    case = load_case(write(tmp_path, text), framework)
    out = render_markdown(case, heading_level=3, framework=framework)
    assert out.startswith("### A small case\n")
    assert "#### Context" in out
    assert "| People reached | 12 | 1,234 | a \\| b |" in out
    assert ILLUSTRATIVE_NOTE not in out
    assert "- Annual report: https://example.org/r" in out
    with pytest.raises(ValueError, match="heading_level"):
        render_markdown(case, heading_level=0, framework=framework)


@pytest.mark.parametrize(("change", "message"), [
    (("title: A small case\n", ""),
     r"small-case\.yaml, line 1: missing field 'title'$"),
    (("context: What was wrong.\n", "contxt: What was wrong.\n"),
     r"small-case\.yaml, line 3: unknown field 'contxt'; did you mean 'context'\?$"),
    (("    detail: The second step.\n", "    detail: 42\n"),
     r"small-case\.yaml, line 9: process\[2\]\.detail: must be text \(42\)$"),
    (("  - step: Second?\n    detail: The second step.\n", ""),
     r"small-case\.yaml, line 5: process: needs at least 2 item\(s\); it has 1$"),
    (("competencies: [ENG-1]", "competencies: [ENG-1, ENG-9]"),
     r"line 24: competencies\[2\]: unknown competency ID in framework \S+ \(ENG-9\)$"),
    (("competencies: [ENG-1]", "competencies: [ENG-1, ENG-1]"),
     r"line 24: competencies\[2\]: competency listed twice \(ENG-1\)$"),
    (("figures: illustrative", "figures: invented"),
     r"line 14: outcomes\.figures: must be one of illustrative, reported \(invented\)$"),
    (("figures: illustrative", "figures: reported"),
     r"line 14: outcomes\.figures: reported figures need at least one entry in 'sources'"),
    (("      before: 12\n", "      before: [12]\n"),
     r"line 17: outcomes\.results\[1\]\.before: must be text or a number \(\[12\]\)$"),
    (("  - Do the thing.\n", "  - {x: 1}\n"),
     r"line 23: checklist\[1\]: must be text \(\{'x': 1\}\)$"),
    (("  - Do the thing.\n", "  - '  '\n"),
     r"line 23: checklist\[1\]: must not be empty$"),
    (("challenges:\n  - challenge", "challenges:\n  - chalenge"),
     r"line 11: challenges\[1\]: unknown field 'chalenge'; did you mean 'challenge'\?$"),
    (("replicate:\n  - what: The idea\n    how: Copy it.\n", "replicate: Copy it all\n"),
     r"line 19: replicate: must be a list \(Copy it all\)$"),
    (("outcomes:\n", "outcomes: 3\nx:\n"),
     r"line 14: unknown field 'x'; known fields: title, setting"),
    (("title: A small case\n", "title: A small case\ntitle: Again\n"),
     r"line 2: duplicate field \(title\)$"),
    (("title: A small case\n", "title: [unclosed\n"),
     r"small-case\.yaml, line \d+: invalid YAML"),
])
def test_errors_name_file_line_and_field(tmp_path: Path, framework: Framework,
                                         change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in MINIMAL
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(CaseStudyError, match=message):
        load_case(path, framework)


def test_outcomes_must_be_a_mapping(tmp_path: Path, framework: Framework) -> None:
    text = MINIMAL.split("outcomes:")[0] + "outcomes: 3\n" + \
        "replicate:" + MINIMAL.split("replicate:")[1]
    with pytest.raises(CaseStudyError, match=r"line 13: outcomes: must be a mapping of fields"
                                             r" \(3\)$"):
        load_case(write(tmp_path, text), framework)


def test_sources_need_web_addresses(tmp_path: Path, framework: Framework) -> None:
    text = MINIMAL + "sources:\n  - title: Report\n    url: example.org/r\n"
    with pytest.raises(CaseStudyError, match=r"line 27: sources\[1\]\.url: must start with "
                                             r"http:// or https:// \(example\.org/r\)$"):
        load_case(write(tmp_path, text), framework)


def test_file_name_must_be_a_slug(tmp_path: Path, framework: Framework) -> None:
    path = write(tmp_path, MINIMAL, "My Case.yaml")
    with pytest.raises(CaseStudyError, match=r"My Case\.yaml: file name must be <slug>\.yaml"):
        load_case(path, framework)


def test_top_level_must_be_a_mapping(tmp_path: Path, framework: Framework) -> None:
    with pytest.raises(CaseStudyError, match=r"line 1: a case study must be a YAML mapping"):
        load_case(write(tmp_path, "- a\n- b\n"), framework)


def test_missing_file_and_folder(tmp_path: Path, framework: Framework) -> None:
    with pytest.raises(CaseStudyError, match=r"nothing\.yaml: file not found$"):
        load_case(tmp_path / "nothing.yaml", framework)
    with pytest.raises(CaseStudyError, match=r"nowhere: folder not found$"):
        load_cases(tmp_path / "nowhere", framework)
    with pytest.raises(CaseStudyError, match=r"no case study files"):
        load_cases(tmp_path, framework)


def test_not_utf8(tmp_path: Path, framework: Framework) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("title: café\n".encode("latin-1"))
    with pytest.raises(CaseStudyError, match=r"latin\.yaml, line 1: not UTF-8 text$"):
        load_case(path, framework)


def test_load_cases_sorted_and_duplicate_slugs(tmp_path: Path, framework: Framework) -> None:
    write(tmp_path, MINIMAL, "b-case.yaml")
    write(tmp_path, MINIMAL, "a-case.yaml")
    (tmp_path / "README.md").write_text("not a case", encoding="utf-8")
    assert [c.slug for c in load_cases(tmp_path, framework)] == ["a-case", "b-case"]
    write(tmp_path, MINIMAL, "a-case.yml")
    with pytest.raises(CaseStudyError, match=r"two files have the slug 'a-case'"):
        load_cases(tmp_path, framework)


def test_error_is_an_input_file_error() -> None:
    with pytest.raises(InputFileError) as info:
        parse_case("title: x\n", slug="x", source="x.yaml")
    assert isinstance(info.value, CompetencyError)
    assert str(info.value) == "x.yaml, line 1: missing field 'setting'"


# --------------------------------------------------------------------------- shipped cases


def shipped() -> list[CaseStudy]:
    return load_cases(CASES)


def test_the_course_ships_at_least_three_valid_cases() -> None:
    cases = shipped()
    assert len(cases) >= 3
    assert {"rec-critical-friend", "community-development-workers",
            "diversity-steering-committee"} <= {c.slug for c in cases}


@pytest.mark.parametrize("case", shipped(), ids=lambda c: c.slug)
def test_shipped_case_is_replicable_and_labelled(case: CaseStudy) -> None:
    assert len(case.process) >= 4
    assert len(case.challenges) >= 2
    assert len(case.results) >= 3
    assert len(case.checklist) >= 5
    assert case.figures == "illustrative"
    assert "(fictional)" in case.setting
    text = render_markdown(case)
    assert ILLUSTRATIVE_NOTE in text
    assert text.count("- [ ] ") == len(case.checklist)


def test_render_index_lists_every_case() -> None:
    cases = shipped()
    table = render_index(cases)
    assert table.count("\n") == len(cases) + 2
    for case in cases:
        assert f"`{case.slug}`" in table


def test_readme_template_is_a_valid_case(tmp_path: Path, framework: Framework) -> None:
    readme = (CASES.parent / "README.md").read_text(encoding="utf-8")
    template = readme.split("### A template to copy", 1)[1].split("```yaml\n", 1)[1]
    template = template.split("```", 1)[0]
    case = load_case(write(tmp_path, template, "template.yaml"), framework)
    assert case.figures == "reported"
    assert case.sources
