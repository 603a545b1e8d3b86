from __future__ import annotations

import pytest
import yaml

from competency.yamllines import DuplicateKey, LineDict, LineList, load_with_lines

TEXT = """\
name: Example
items:
  - id: A
    title: First
  - id: B
"""


def test_load_with_lines_records_key_and_item_lines() -> None:
    data = load_with_lines(TEXT)
    assert isinstance(data, LineDict)
    assert data == {"name": "Example", "items": [{"id": "A", "title": "First"}, {"id": "B"}]}
    assert data.line == 1
    assert data.key_lines == {"name": 1, "items": 2}
    items = data["items"]
    assert isinstance(items, LineList)
    assert items.item_lines == [3, 5]
    assert items[0].key_lines == {"id": 3, "title": 4}
    assert items[1].line == 5


def test_duplicate_keys_are_refused_with_their_line() -> None:
    with pytest.raises(DuplicateKey) as info:
        load_with_lines("a: 1\nb: 2\na: 3\n")
    assert info.value.key == "a"
    assert info.value.line == 3


def test_merge_keys_still_work_and_scalars_stay_plain() -> None:
    data = load_with_lines("base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\n")
    assert data["child"] == {"x": 1, "y": 2}
    assert load_with_lines("3") == 3


def test_syntax_errors_are_yaml_errors() -> None:
    with pytest.raises(yaml.YAMLError):
        load_with_lines("a: [1, 2\n")
