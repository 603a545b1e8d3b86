from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from competency.errors import FrameworkError
from competency.framework.model import (
    Framework,
    default_framework_path,
    dump_framework,
    load_framework,
    parse_framework,
    render_framework,
    schema_path,
)

# The twelve IDs fixed by the design (framework.md); tests may name them, code may not.
FRAMEWORK_IDS = ("LAW-1", "LAW-2", "EIA-1", "DATA-1", "CUL-1", "CUL-2", "ENG-1", "PART-1",
                 "RACE-1", "LEAD-1", "COMM-1", "RECR-1")

MINIMAL = """\
id: small
name: Small framework
version: "0.1"
levels:
  - level: 1
    name: Foundation
  - level: 2
    name: Practitioner
competencies:
  - id: A-1
    name: First
    indicators:
      1: [Does one thing.]
      2: [Does two things.]
"""


def test_default_framework_has_the_twelve_ids_in_order(framework: Framework) -> None:
    assert framework.ids == FRAMEWORK_IDS
    assert framework.version == "1.0"
    assert framework.name == "Race Equality and Cultural Capability"


def test_default_framework_levels(framework: Framework) -> None:
    assert [(lv.number, lv.name) for lv in framework.levels] == [
        (1, "Foundation"), (2, "Practitioner"), (3, "Lead"), (4, "Strategic")]


@pytest.mark.parametrize("cid", FRAMEWORK_IDS)
def test_every_competency_has_two_to_four_indicators_per_level(framework: Framework,
                                                               cid: str) -> None:
    comp = framework.get(cid)
    assert comp.description
    assert sorted(comp.indicators) == [1, 2, 3, 4]
    for level in (1, 2, 3, 4):
        assert 2 <= len(comp.indicators_for(level)) <= 4
    assert comp.keywords, "the suggester needs keywords"


def test_default_framework_validates_against_the_shipped_json_schema() -> None:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    data = yaml.safe_load(default_framework_path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)


def test_minimal_framework_parses() -> None:
    fw = parse_framework(MINIMAL, source="small.yaml")
    assert fw.ids == ("A-1",)
    assert fw.get("A-1").indicators_for(2) == ("Does two things.",)
    assert "A-1" in fw
    assert "B-1" not in fw
    assert fw.level(2).name == "Practitioner"


def test_dump_then_parse_is_the_identity(framework: Framework) -> None:
    again = parse_framework(dump_framework(framework))
    assert again == framework


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: [unclosed\n", r"^bad\.yaml, line 2: invalid YAML"),
        (MINIMAL.replace("      2: [Does two things.]", "      5: [Too high.]"),
         r"^bad\.yaml, line 14: unknown level in indicators of A-1 \(5\)$"),
        (MINIMAL + "  - id: A-1\n    name: Again\n",
         r"^bad\.yaml, line 15: duplicate competency ID \(first on line 10\) \(A-1\)$"),
        (MINIMAL.replace("    name: First\n", ""),
         r"^bad\.yaml, line 10: missing 'name' in competencies\[0\]$"),
        (MINIMAL.replace('version: "0.1"\n', ""), r"^bad\.yaml, line 1: missing 'version'$"),
        (MINIMAL.replace("name: Small framework", "name: Small\nname: Twice"),
         r"^bad\.yaml, line 3: duplicate key \(name\)$"),
        (MINIMAL.replace("  - level: 2", "  - level: 3"),
         r"^bad\.yaml, line 7: levels must be numbered 1, 2, 3, … in order; expected level 2"),
        (MINIMAL.replace("id: A-1", "id: A 1"), r"^bad\.yaml, line 10: competencies\[0\]\.id"),
        ("- just\n- a list\n", r"^bad\.yaml, line 1: a framework must be a YAML mapping$"),
        (MINIMAL + "colour: blue\n", r"^bad\.yaml, line 15: unknown key in framework \(colour\)$"),
    ],
    ids=["bad-yaml", "unknown-level", "duplicate-id", "missing-name", "missing-version",
         "duplicate-key", "level-order", "bad-id", "not-mapping", "unknown-key"],
)
def test_broken_frameworks_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(FrameworkError, match=message):
        parse_framework(text, source="bad.yaml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match=r"nope\.yaml: file not found$"):
        load_framework(tmp_path / "nope.yaml")


def test_render_one_competency(framework: Framework) -> None:
    text = render_framework(framework, "CUL-2")
    assert text.splitlines()[2].startswith("CUL-2  ")
    assert "Level 4 (Strategic):" in text
    with pytest.raises(FrameworkError, match=r"unknown competency \(NOPE\)"):
        render_framework(framework, "NOPE")


NESTED_YAML = """\
id: n
name: Nested
version: "1"
levels: [{level: 1, name: One}, {level: 2, name: Two, proficient: false}]
competencies:
  - {id: A, name: Top}
  - {id: B, name: Child, parent: A, related: [C]}
  - {id: C, name: Grandchild, parent: B}
"""


def test_optional_tree_fields_parse_and_dump() -> None:
    fw = parse_framework(NESTED_YAML)
    assert fw.get("C").parent == "B"
    assert fw.get("B").related == ("C",)
    assert [c.id for c in fw.children("A")] == ["B"]
    assert [lv.proficient for lv in fw.levels] == [True, False]
    assert parse_framework(dump_framework(fw)) == fw


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("parent: A, related", "parent: Z, related", r"line 7: unknown parent of B \(Z\)$"),
        ("parent: B}", "parent: C}", r"line 8: C is its own parent \(C\)$"),
        ("{id: A, name: Top}", "{id: A, name: Top, parent: C}",
         r"line 6: parents of A form a loop \(A\)$"),
        ("related: [C]", "related: [Q]", r"line 7: unknown cross-reference of B \(Q\)$"),
        ('version: "1"', 'version: "1"\ndefault_level: 3',
         r"line 4: default_level is not a level of the scale \(3\)$"),
    ],
    ids=["unknown-parent", "own-parent", "loop", "unknown-related", "default-level"],
)
def test_tree_fields_are_checked(old: str, new: str, message: str) -> None:
    with pytest.raises(FrameworkError, match=message):
        parse_framework(NESTED_YAML.replace(old, new), source="n.yaml")
