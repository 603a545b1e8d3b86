"""pyproject.toml and environment.yml name the same dependencies."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import REPO


def names(requirements: list[str]) -> set[str]:
    out = set()
    for req in requirements:
        match = re.match(r"\s*([A-Za-z0-9_.\-]+)", req)
        if match and match.group(1) not in {"python", "pip", "-e"}:
            out.add(match.group(1).lower().replace("_", "-"))
    return out


def test_environment_matches_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = names(project["dependencies"]) | names(project["optional-dependencies"]["test"])
    env = yaml.safe_load((REPO / "environment.yml").read_text("utf-8"))
    listed: list[str] = []
    for dep in env["dependencies"]:
        listed.extend(dep["pip"] if isinstance(dep, dict) else [dep])
    assert names(listed) == wanted
