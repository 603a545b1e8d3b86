"""One way to read YAML: mappings and sequences that remember where each item was.

Every YAML file the toolkit reads (frameworks, case studies, question banks,
interview questions, phrase files, the directory's skills) goes through
:func:`load_yaml` or, where checks walk the nodes, :func:`compose_yaml`.
Both refuse duplicate keys, which plain PyYAML silently overwrites, and turn
every parse problem into the caller's :class:`~competency.errors.CompetencyError`
naming the file and line: ``FILE, line N: invalid YAML: problem``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from competency.errors import CompetencyError, InputFileError


class LineDict(dict[Any, Any]):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


class DuplicateKey(Exception):
    """A mapping names the same key twice."""

    def __init__(self, key: object, line: int) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


class LineLoader(yaml.SafeLoader):
    """SafeLoader that records line numbers and refuses duplicate keys."""


def _mapping(loader: LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise DuplicateKey(key, key_node.start_mark.line + 1)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


class FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """:class:`LineLoader`'s constructors on libyaml's parser (ten times faster), when built.

    Same resolver and constructors, and libyaml's marks give the same lines; only its
    error messages differ, so a document it refuses is parsed again by :class:`LineLoader`.
    """


for _loader in (LineLoader, FastLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_with_lines(text: str) -> Any:
    """Parse YAML into LineDict/LineList (plain scalars); raises DuplicateKey or YAMLError.

    libyaml parses when PyYAML was built with it; invalid YAML is parsed again by the
    pure-Python parser, so errors name the problem as they always have.
    """
    try:
        return yaml.load(text, Loader=FastLineLoader)
    except yaml.YAMLError:
        return yaml.load(text, Loader=LineLoader)


Raise = Callable[..., CompetencyError]
"""Builds the caller's error: ``error(source, problem, line=N, value=V)``, e.g. an
:class:`~competency.errors.InputFileError` subclass."""


def yaml_problem(exc: yaml.YAMLError) -> tuple[str, int]:
    """``("invalid YAML: problem", line)`` for a PyYAML error (line 1 when it has no mark)."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return f"invalid YAML: {exc.problem or exc.context}", line
    return f"invalid YAML: {exc}", 1


def load_yaml(text: str, *, source: str, error: Raise = InputFileError,
              duplicate: str = "duplicate key") -> Any:
    """Parse YAML into LineDict/LineList; errors as ``error(source, problem, line=N)``.

    The one way the toolkit parses YAML it reads: a duplicate key is refused
    (``duplicate`` names the problem), and invalid YAML names its line.
    """
    try:
        return load_with_lines(text)
    except DuplicateKey as exc:
        raise error(source, duplicate, line=exc.line, value=exc.key) from exc
    except yaml.YAMLError as exc:
        problem, line = yaml_problem(exc)
        raise error(source, problem, line=line) from exc


def compose_yaml(text: str, *, source: str, error: Raise = InputFileError,
                 duplicate: str = "duplicate key") -> yaml.Node | None:
    """The YAML node tree (for checks that need each node's line); errors as :func:`load_yaml`."""
    try:
        root = yaml.compose(text, Loader=LineLoader)
    except yaml.YAMLError as exc:
        problem, line = yaml_problem(exc)
        raise error(source, problem, line=line) from exc
    if root is not None:
        _refuse_duplicates(root, source, error, duplicate)
    return root


def _refuse_duplicates(root: yaml.Node, source: str, error: Raise, duplicate: str) -> None:
    todo = [root]
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[tuple[str, str]] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if (key.tag, key.value) in seen:
                        raise error(source, duplicate, line=key.start_mark.line + 1,
                                    value=key.value)
                    seen.add((key.tag, key.value))
                todo.append(value)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)


def read_yaml_text(path: str | Path, *, error: Raise = InputFileError,
                   missing: str = "file not found") -> str:
    """A YAML file's text; a missing, unreadable or non-UTF-8 file raises ``error``."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise error(path, missing) from exc
    except UnicodeDecodeError as exc:
        raise error(path, "not UTF-8 text", line=exc.object[: exc.start].count(b"\n") + 1
                    ) from exc
    except OSError as exc:
        raise error(path, f"cannot read: {exc.strerror or exc}") from exc


def read_yaml(path: str | Path, *, error: Raise = InputFileError,
              missing: str = "file not found", duplicate: str = "duplicate key") -> Any:
    """:func:`read_yaml_text` then :func:`load_yaml`, errors naming the file."""
    text = read_yaml_text(path, error=error, missing=missing)
    return load_yaml(text, source=str(path), error=error, duplicate=duplicate)
