"""Every playbook in the repository validates against the committed JSON Schema."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

import leadcore
from conftest import REPO, SCHEMA, VECTORS

jsonschema = pytest.importorskip("jsonschema")

PLAYBOOK_SUFFIXES = (".json", ".toml", ".yaml", ".yml")


def loads_in_core(path: Path) -> bool:
    """Vector playbooks the core accepts (line 1 of expected.jsonl); others are broken on purpose."""
    expected = path.parent / "expected.jsonl"
    return expected.exists() and expected.read_text(encoding="utf-8").startswith('{"ok":true}')


PLAYBOOKS = sorted(
    p for p in VECTORS.glob("*/playbook.*") if p.suffix in PLAYBOOK_SUFFIXES and loads_in_core(p)
) + sorted(p for p in (REPO / "examples").glob("**/*playbook*.*") if p.suffix in PLAYBOOK_SUFFIXES)


def load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    if path.suffix == ".toml":
        return tomllib.loads(text)
    return yaml_12_load(text)


def yaml_12_load(text: str) -> Any:
    """PyYAML reads YAML 1.1; read the way the core does (1.2): dates stay strings, and only
    true/false are booleans (`no` and `on` are strings)."""
    yaml = pytest.importorskip("yaml")

    loader: Any = type("Loader", (yaml.SafeLoader,), {})
    dropped = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"}
    loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in dropped]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )
    return yaml.load(text, Loader=loader)  # a SafeLoader subclass


def test_yaml_is_read_as_yaml_12() -> None:
    assert yaml_12_load("a: no\nb: 2026-01-05\nc: true\n") == {"a": "no", "b": "2026-01-05", "c": True}


@pytest.fixture(scope="module")
def validator() -> Any:
    if not SCHEMA.exists():
        pytest.skip(f"{SCHEMA.relative_to(REPO)} is not written yet")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_committed_schema_matches_the_core(validator: Any) -> None:
    assert validator.schema == leadcore.Playbook.json_schema()


def test_default_playbook_is_valid(validator: Any) -> None:
    validator.validate(json.loads(leadcore.Playbook.default().to_json()))


@pytest.mark.parametrize("path", PLAYBOOKS, ids=[str(p.relative_to(REPO)) for p in PLAYBOOKS])
def test_playbook_files_are_valid(validator: Any, path: Path) -> None:
    validator.validate(load(path))


def test_schema_rejects_a_broken_playbook(validator: Any) -> None:
    doc = json.loads(leadcore.Playbook.default().to_json())
    doc["lifecycle"]["stages"][0]["kind"] = "sideways"
    assert not validator.is_valid(doc)
    del doc["lifecycle"]
    assert not validator.is_valid(doc)
