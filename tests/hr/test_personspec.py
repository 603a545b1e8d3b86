"""Person specifications: the interview question bank, building, Markdown and Word output, CLI."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document

from competency.errors import InterviewQuestionsError, RoleError, TableError, UsageError
from competency.framework.model import Framework
from competency.hr.personspec import (
    DESIRABLE_QUESTIONS,
    ESSENTIAL_QUESTIONS,
    GOOD_ANSWER,
    TABLE_HEADER,
    InterviewQuestion,
    QuestionBank,
    build_person_spec,
    choose_questions,
    default_questions_path,
    export_person_spec,
    load_question_bank,
    parse_question_bank,
    render_markdown,
    write_person_spec,
)
from competency.hr.roles import Requirement, Roles, load_roles
from conftest import REPO, CliResult

Cli = Callable[..., CliResult]
SAMPLE_ROLES = REPO / "src" / "competency" / "data" / "sample-org" / "roles.csv"

ROLES = Roles((
    Requirement("Community nurse", "LAW-1", 2, "essential", ("application", "training")),
    Requirement("Community nurse", "CUL-2", 2, "essential", ("interview",)),
    Requirement("Community nurse", "ENG-1", 1, "desirable", ("interview", "test")),
    Requirement("Porter", "LAW-1", 1, "essential", ("training",)),
))


def bank_of(*items: tuple[str, int, str]) -> QuestionBank:
    return QuestionBank(tuple(InterviewQuestion(c, lv, q, ("a", "b")) for c, lv, q in items),
                        "bank.yaml")


# --------------------------------------------------------------------------- the shipped bank


def test_shipped_bank_covers_every_competency_at_levels_1_to_3(framework: Framework) -> None:
    bank = load_question_bank(None, framework)
    counts = Counter((q.competency, q.level) for q in bank.questions)
    for cid in framework.ids:
        for level in (1, 2, 3):
            assert counts[(cid, level)] >= 3, (cid, level)
        assert counts[(cid, 4)] >= 2, (cid, 4)  # Strategic roles get their own questions


def test_shipped_bank_questions_are_well_formed(framework: Framework) -> None:
    bank = load_question_bank(default_questions_path(), framework)
    texts = [q.question for q in bank.questions]
    assert len(texts) == len(set(texts)), "a question appears twice"
    for q in bank.questions:
        assert 2 <= len(q.good_answer_shows) <= 4, q.question
        assert q.question[0].isupper(), q.question
        assert q.question[-1] in "?.", q.question
        assert all(p[0].isupper() for p in q.good_answer_shows), q.question


def test_shipped_bank_is_values_based_and_grounded(framework: Framework) -> None:
    bank = load_question_bank(None, framework)
    values_based = [q for q in bank.questions
                    if q.question.startswith(("Tell us", "What would you do", "How would you"))
                    or "What would you do" in q.question]
    assert len(values_based) >= len(bank) // 2
    text = " ".join(q.question + " " + " ".join(q.good_answer_shows) for q in bank.questions)
    for fact in ("professional interpreter", "due regard", "reasonable adjustment",
                 "Accessible Information Standard", "positive action", "not stated"):
        assert fact in text, fact


# --------------------------------------------------------------------------- bank validation

GOOD_ITEM = "      - question: Why?\n        good_answer_shows: [a, b]\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("competencies:\n  NOPE-1:\n    1:\n" + GOOD_ITEM,
         "line 2: unknown competency (NOPE-1)"),
        ("competencies:\n  LAW-1:\n    5:\n" + GOOD_ITEM, "line 3: unknown level for LAW-1 (5)"),
        ("competencies:\n  LAW-1:\n    one:\n" + GOOD_ITEM,
         "line 3: unknown level for LAW-1 (one)"),
        ("competencies:\n  LAW-1:\n    1:\n      - good_answer_shows: [a, b]\n",
         "line 4: missing 'question' in a question of LAW-1 level 1"),
        ("competencies:\n  LAW-1:\n    1:\n      - question: Why?\n"
         "        good_answer_shows: [a]\n",
         "line 5: good_answer_shows needs 2 to 4 points (1)"),
        ("competencies:\n  LAW-1:\n    1:\n      - question: Why?\n"
         "        good_answer_shows: [a, b, c, d, e]\n",
         "line 5: good_answer_shows needs 2 to 4 points (5)"),
        ("competencies:\n  LAW-1:\n    1:\n      - question: Why?\n"
         "        good_answer_shows: a\n", "line 5: good_answer_shows must be a list"),
        ("competencies:\n  LAW-1:\n    1:\n      - question: ''\n"
         "        good_answer_shows: [a, b]\n", "line 4: question must be non-empty text"),
        ("competencies:\n  LAW-1:\n    1:\n      - question: Why?\n"
         "        good_answer_shows: [a, b]\n        hint: x\n",
         "line 6: unknown key in a question of LAW-1 level 1 (hint)"),
        ("competencies:\n  LAW-1:\n    1: []\n",
         "line 3: questions of LAW-1 level 1 must be a non-empty list"),
        ("competencies:\n  LAW-1:\n    1:\n" + GOOD_ITEM + "  LAW-1:\n    2:\n" + GOOD_ITEM,
         "line 6: duplicate key (LAW-1)"),
        ("questions: []\n", "line 1: unknown key (questions)"),
        ("description: x\n", "line 1: missing 'competencies'"),
        ("- a\n", "line 1: a question bank must be a mapping"),
        ("competencies: [\n", "line 2: invalid YAML"),
        ("", "line 1: empty file"),
    ],
    ids=["unknown-competency", "unknown-level", "level-not-number", "missing-question",
         "too-few-points", "too-many-points", "points-not-list", "empty-question",
         "unknown-question-key", "empty-level", "duplicate-key", "unknown-top-key",
         "missing-competencies", "not-mapping", "bad-yaml", "empty"],
)
def test_bank_errors_are_exact(tmp_path: Path, framework: Framework, text: str,
                               message: str) -> None:
    path = tmp_path / "questions.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InterviewQuestionsError) as info:
        load_question_bank(path, framework)
    assert str(info.value).startswith(f"{path}, {message}")
    assert "\n" not in str(info.value)


def test_bank_file_not_found(tmp_path: Path, framework: Framework) -> None:
    path = tmp_path / "none.yaml"
    with pytest.raises(InterviewQuestionsError) as info:
        load_question_bank(path, framework)
    assert str(info.value) == f"{path}: file not found"


def test_bank_not_utf8(tmp_path: Path, framework: Framework) -> None:
    path = tmp_path / "q.yaml"
    path.write_bytes(b"competencies: {}\n# caf\xe9\n")
    with pytest.raises(InterviewQuestionsError) as info:
        load_question_bank(path, framework)
    assert str(info.value) == f"{path}, line 2: not UTF-8 text"


def test_bank_parses_and_tidies_text(framework: Framework) -> None:
    bank = parse_question_bank("competencies:\n  LAW-1:\n    2:\n      - question: >-\n"
                               "          Tell us   about\n          a time?\n"
                               "        good_answer_shows: [' one ', two]\n", framework)
    assert bank.questions == (InterviewQuestion("LAW-1", 2, "Tell us about a time?",
                                                ("one", "two")),)
    assert bank.at("LAW-1", 2) == bank.questions
    assert bank.at("LAW-1", 1) == ()


# --------------------------------------------------------------------------- building


def test_choose_questions_prefers_the_level_then_lower_then_higher() -> None:
    bank = bank_of(("LAW-1", 1, "q1a"), ("LAW-1", 3, "q3a"), ("LAW-1", 3, "q3b"),
                   ("LAW-1", 4, "q4a"), ("LAW-1", 2, "q2a"))
    assert [q.question for q in choose_questions(bank, "LAW-1", 3, 2)] == ["q3a", "q3b"]
    assert [q.question for q in choose_questions(bank, "LAW-1", 3, 4)] == [
        "q3a", "q3b", "q2a", "q1a"]
    assert [q.question for q in choose_questions(bank, "LAW-1", 1, 3)] == ["q1a", "q2a", "q3a"]
    assert choose_questions(bank, "CUL-1", 1, 2) == ()
    assert choose_questions(bank, "LAW-1", 1, 0) == ()


def test_build_person_spec(framework: Framework) -> None:
    spec = build_person_spec(ROLES, "community nurse", framework=framework)
    assert spec.role == "Community nurse"
    assert spec.framework == "Race Equality and Cultural Capability (version 1.0)"
    assert [i.competency for i in spec.essential] == ["LAW-1", "CUL-2"]
    assert [i.competency for i in spec.desirable] == ["ENG-1"]
    law = spec.essential[0]
    assert law.label == "Equality law in practice (LAW-1)"
    assert (law.level, law.level_name) == (2, "Practitioner")
    assert law.indicators == framework.get("LAW-1").indicators_for(2)
    assert law.assessed_text == "Application form, training record"
    assert spec.desirable[0].assessed_text == "Interview, test"
    # questions only for the competencies assessed at interview (not LAW-1)
    per = Counter(q.item.competency for q in spec.questions)
    assert per == {"CUL-2": ESSENTIAL_QUESTIONS, "ENG-1": DESIRABLE_QUESTIONS}
    assert [q.item.competency for q in spec.questions] == ["CUL-2", "CUL-2", "ENG-1"]
    assert all(q.question.level == q.item.level for q in spec.questions)
    assert spec.warnings == ()


def test_question_counts_are_configurable(framework: Framework) -> None:
    spec = build_person_spec(ROLES, "Community nurse", framework=framework,
                             essential_questions=3, desirable_questions=0)
    assert Counter(q.item.competency for q in spec.questions) == {"CUL-2": 3}
    with pytest.raises(UsageError, match=r"^questions per desirable competency must be 0 or "
                       r"more \(-1\)$"):
        build_person_spec(ROLES, "Community nurse", framework=framework,
                          desirable_questions=-1)


def test_short_bank_gives_warnings_not_errors(framework: Framework) -> None:
    bank = bank_of(("CUL-2", 1, "only one?"), ("LAW-1", 2, "not asked"))
    spec = build_person_spec(ROLES, "Community nurse", framework=framework, bank=bank)
    assert [q.question.question for q in spec.questions] == ["only one?"]
    assert spec.warnings == (
        "only 1 interview question(s) for CUL-2 in bank.yaml (wanted 2)",
        "only 0 interview question(s) for ENG-1 in bank.yaml (wanted 1)",
    )


def test_unknown_role_lists_close_matches(framework: Framework) -> None:
    with pytest.raises(RoleError) as info:
        build_person_spec(ROLES, "Comunity nurse", framework=framework, source="roles.csv")
    assert str(info.value) == ("roles.csv: unknown role (Comunity nurse); "
                               "did you mean: Community nurse?")


def test_role_with_unknown_competency_for_this_framework() -> None:
    from competency.framework.model import parse_framework

    own = parse_framework("id: own\nname: Own\nversion: '1'\nlevels:\n  - level: 1\n"
                          "    name: Basic\ncompetencies:\n  - id: X-1\n    name: X\n")
    with pytest.raises(UsageError) as info:
        build_person_spec(ROLES, "Porter", framework=own, bank=QuestionBank(()))
    assert str(info.value) == ("roles table: role Porter needs competencies the framework "
                               "lacks (LAW-1)")


# --------------------------------------------------------------------------- output


def test_markdown(framework: Framework) -> None:
    spec = build_person_spec(ROLES, "Community nurse", framework=framework)
    text = render_markdown(spec)
    assert text.startswith("# Person specification: Community nurse\n")
    assert "| " + " | ".join(TABLE_HEADER) + " |" in text
    law = framework.get("LAW-1").indicators_for(2)
    assert (f"| Equality law in practice (LAW-1) | 2 Practitioner | {' '.join(law)} | "
            "Application form, training record |") in text
    assert "## Desirable competencies" in text
    questions = text.split("## Values-based interview questions\n")[1]
    assert questions.startswith(
        "\n### Culturally capable care and communication (CUL-2), level 2 Practitioner "
        "(essential)\n\n#### Question 1\n\n")
    assert "#### Question 2\n" in questions
    assert ("### Community engagement and involvement (ENG-1), level 1 Foundation "
            "(desirable)\n\n#### Question 3\n") in questions
    assert "LAW-1" not in questions  # not assessed at interview
    first = spec.questions[0].question
    assert f"{first.question}\n\n{GOOD_ANSWER}\n\n- {first.good_answer_shows[0]}\n" in text


def test_markdown_escapes_bars_and_says_none(framework: Framework) -> None:
    roles = Roles((Requirement("A|B", "LAW-1", 1, "essential", ("test",)),))
    text = render_markdown(build_person_spec(roles, "A|B", framework=framework,
                                             bank=QuestionBank(())))
    assert "## Desirable competencies\n\nNone.\n" in text
    assert "## Values-based interview questions\n\nNone.\n" in text


def test_docx_tables_and_questions(tmp_path: Path, framework: Framework) -> None:
    spec = build_person_spec(ROLES, "Community nurse", framework=framework)
    path = write_person_spec(spec, tmp_path / "nurse.docx")
    doc = Document(str(path))
    essential, desirable = doc.tables
    rows = [[c.text for c in row.cells] for row in essential.rows]
    assert rows[0] == list(TABLE_HEADER)
    assert [r[:2] for r in rows[1:]] == [
        ["Equality law in practice (LAW-1)", "2 Practitioner"],
        ["Culturally capable care and communication (CUL-2)", "2 Practitioner"]]
    assert rows[1][2].split("\n") == [f"\N{BULLET} {t}"
                                      for t in framework.get("LAW-1").indicators_for(2)]
    assert rows[2][3] == "Interview"
    assert [[c.text for c in row.cells][:2] for row in desirable.rows][1] == [
        "Community engagement and involvement (ENG-1)", "1 Foundation"]
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "Person specification: Community nurse"
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name
                in ("Heading 3", "Heading 4")]
    assert headings == [
        "Culturally capable care and communication (CUL-2), level 2 Practitioner (essential)",
        "Question 1", "Question 2",
        "Community engagement and involvement (ENG-1), level 1 Foundation (desirable)",
        "Question 3"]
    for number, sq in enumerate(spec.questions, 1):
        at = paragraphs.index(f"Question {number}")
        assert paragraphs[at + 1] == sq.question.question
        assert paragraphs[at + 2] == GOOD_ANSWER
        assert paragraphs[at + 3: at + 3 + len(sq.question.good_answer_shows)] == list(
            sq.question.good_answer_shows)
    assert doc.core_properties.title == "Person specification: Community nurse"


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_docx_has_real_headings_and_table_header_rows(tmp_path: Path,
                                                      framework: Framework) -> None:
    """What Word's accessibility checker and a screen reader need: the title and sections
    as Heading styles in order (1, 2, 3, 4, none skipped), each table's first row a header
    row (w:tblHeader: read as column headers, repeated on every page) with the table's
    header-row look and a title, and the document's title and language."""
    import zipfile
    from itertools import pairwise
    from xml.etree import ElementTree

    spec = build_person_spec(ROLES, "Community nurse", framework=framework)
    path = write_person_spec(spec, tmp_path / "nurse.docx")
    doc = Document(str(path))
    styled = [(p.style.name, p.text) for p in doc.paragraphs if p.style is not None]
    headings = [(int(name.split()[1]), text) for name, text in styled
                if name.startswith("Heading ")]
    assert headings[:4] == [(1, "Person specification: Community nurse"),
                            (2, "Essential competencies"), (2, "Desirable competencies"),
                            (2, "Values-based interview questions")]
    assert [level for level, _ in headings[4:]] == [3, 4, 4, 3, 4]
    levels = [level for level, _ in headings]
    assert all(b <= a + 1 for a, b in pairwise(levels))
    assert not [text for name, text in styled if name == "Title"]  # not a heading to AT
    assert styled[0] == ("Heading 1", "Person specification: Community nurse")
    # the raw XML, as Word reads it
    with zipfile.ZipFile(path) as archive:
        body = ElementTree.fromstring(archive.read("word/document.xml"))
        styles = ElementTree.fromstring(archive.read("word/styles.xml"))
    tables = list(body.iter(f"{W}tbl"))
    assert len(tables) == 2
    for table, caption in zip(tables, ("Essential competencies", "Desirable competencies"),
                              strict=True):
        rows = table.findall(f"{W}tr")
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        assert [r for r in rows[1:] if r.find(f"{W}trPr/{W}tblHeader") is not None] == []
        look = table.find(f"{W}tblPr/{W}tblLook")
        assert look is not None
        assert look.get(f"{W}firstRow") == "1"
        title = table.find(f"{W}tblPr/{W}tblCaption")
        assert title is not None
        assert title.get(f"{W}val") == caption
    assert {lang.get(f"{W}val") for lang in styles.iter(f"{W}lang")} == {"en-GB"}
    assert doc.core_properties.language == "en-GB"
    assert doc.core_properties.title == "Person specification: Community nurse"
    header = doc.tables[0].rows[0].cells
    assert all(run.bold for cell in header for run in cell.paragraphs[0].runs if run.text)


def test_every_sample_role_renders(tmp_path: Path, framework: Framework) -> None:
    roles = load_roles(SAMPLE_ROLES, framework)
    bank = load_question_bank(None, framework)
    for name in roles.names:
        spec = build_person_spec(roles, name, framework=framework, bank=bank)
        assert spec.warnings == (), name
        asked = [i for i in spec.essential + spec.desirable if "interview" in i.assessed_by]
        assert len(spec.questions) == sum(2 if i.priority == "essential" else 1
                                          for i in asked), name
        assert {q.item for q in spec.questions} == set(asked), name
        render_markdown(spec)
    path = write_person_spec(spec, tmp_path / "last.docx")
    assert Document(str(path)).tables


def test_unsupported_output_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "spec.pdf"
    with pytest.raises(UsageError) as info:
        export_person_spec("Receptionist", SAMPLE_ROLES, out)
    assert str(info.value) == (f"{out}: unsupported person specification format; "
                               "use .docx or .md (.pdf)")
    assert list(tmp_path.iterdir()) == []


def test_invalid_roles_write_nothing(tmp_path: Path) -> None:
    roles = tmp_path / "roles.csv"
    roles.write_text("role,competency,level,priority,assessed_by\nA,LAW-1,9,essential,test\n",
                     encoding="utf-8")
    out = tmp_path / "spec.docx"
    with pytest.raises(TableError, match=r"row 2: unknown level \(9\)$"):
        export_person_spec("A", roles, out)
    assert not out.exists()


def test_export_replaces_an_existing_file_atomically(tmp_path: Path) -> None:
    out = tmp_path / "spec.md"
    out.write_text("old", encoding="utf-8")
    spec = export_person_spec("Receptionist", SAMPLE_ROLES, out)
    assert out.read_text(encoding="utf-8") == render_markdown(spec)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.md"]


# --------------------------------------------------------------------------- CLI


def test_cli_personspec_docx(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out" / "nurse.docx"
    result = cli("personspec", "Community nurse", "--roles", SAMPLE_ROLES, "--out", out)
    assert result.code == 0, result.err
    assert result.out == (f"{out}: person specification for Community nurse (6 essential, "
                          "2 desirable competencies, 10 questions)\n")
    assert result.err == ""
    doc = Document(str(out))
    assert len(doc.tables[0].rows) == 7


def test_cli_personspec_options(cli: Cli, tmp_path: Path) -> None:
    bank = tmp_path / "q.yaml"
    bank.write_text("competencies:\n  CUL-1:\n    1:\n" + GOOD_ITEM, encoding="utf-8")
    out = tmp_path / "r.md"
    result = cli("personspec", "receptionist", "--roles", SAMPLE_ROLES, "--out", out,
                 "--questions", bank, "--essential-questions", "1", "--desirable-questions", "0")
    assert result.code == 0, result.err
    assert result.out.endswith("(5 essential, 2 desirable competencies, 1 questions)\n")
    assert result.err.splitlines()[0] == (
        f"warning: only 0 interview question(s) for CUL-2 in {bank} (wanted 1)")
    assert len(result.err.splitlines()) == 1  # LAW-1, DATA-1, RACE-1: not at interview
    assert "Why?" in out.read_text(encoding="utf-8")


def test_cli_personspec_unknown_role(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "x.docx"
    result = cli("personspec", "Practice manager", "--roles", SAMPLE_ROLES, "--out", out)
    assert result.code == 2
    assert result.err == (f"{SAMPLE_ROLES}: unknown role (Practice manager); "
                          "did you mean: GP practice manager, Service manager, "
                          "Recruiting manager?\n")
    assert not out.exists()


def test_cli_personspec_needs_out(cli: Cli) -> None:
    result = cli("personspec", "Receptionist", "--roles", SAMPLE_ROLES)
    assert result.code == 2
    assert result.err.startswith("competency: Missing option '--out'")
